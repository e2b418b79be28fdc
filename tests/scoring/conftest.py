"""Shared fixtures of the scoring tests: small scoring specs and simulated answer matrices.

Helpers append their fixtures below; each block says whose it is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scoring_cases import build_spec, simulate_codes

from scoring.spec import ScoringSpec


@pytest.fixture
def make_spec() -> Callable[..., ScoringSpec]:
    return build_spec


@pytest.fixture
def simulate() -> Callable[..., np.ndarray]:
    return simulate_codes
