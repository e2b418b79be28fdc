"""Scoring specs and simulated answer matrices shared by the scoring tests (imported by name, so the
module has a name no other test folder uses; tests/scoring/conftest.py turns them into fixtures).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from scoring.spec import Dimension, ScoringSpec

LEVEL_THRESHOLDS = (1.0, 2.0, 3.0, 3.5, 4.2)
LEVEL_NAMES = ("Ad hoc", "Emerging", "Defined", "Managed", "Optimised")


def build_spec(
    n_items: int = 9,
    dimensions: Sequence[tuple[str, str, Sequence[int]]] | None = None,
    *,
    reverse: Sequence[int] = (),
    weights: Sequence[float] | None = None,
    **settings: Any,
) -> ScoringSpec:
    """A 1..5 spec (unless settings say otherwise); default dimensions: components a (0-2), b (3-5), overall (0-5), outcome (6-8)."""
    if dimensions is None:
        dimensions = [
            ("component", "a", (0, 1, 2)),
            ("component", "b", (3, 4, 5)),
            ("overall", "overall", (0, 1, 2, 3, 4, 5)),
            ("outcome", "out", (6, 7, 8)),
        ]
    options: dict[str, Any] = {
        "scale_min": 1,
        "scale_max": 5,
        "level_thresholds": LEVEL_THRESHOLDS,
        **settings,
    }
    return ScoringSpec(
        item_ids=tuple(f"I{j:02d}" for j in range(n_items)),
        reverse=tuple(j in reverse for j in range(n_items)),
        weights=tuple(weights) if weights is not None else (1.0,) * n_items,
        dimensions=tuple(Dimension(t, i, tuple(items)) for t, i, items in dimensions),  # type: ignore[arg-type]
        level_names=LEVEL_NAMES,
        **options,
    )


def simulate_codes(
    rng: np.random.Generator,
    n: int,
    n_items: int,
    *,
    unit_shift: np.ndarray | None = None,
    missing: float = 0.0,
) -> np.ndarray:
    """Correlated 1..5 int8 answers (a respondent trait plus an optional per-row shift), with a share
    of DK/NA/skipped codes."""
    shift = np.zeros(n) if unit_shift is None else unit_shift
    trait = rng.normal(0.0, 0.7, size=(n, 1)) + shift[:, None]
    latent = 3.0 + trait + rng.normal(0.0, 0.9, size=(n, n_items))
    codes = np.clip(np.rint(latent), 1, 5).astype(np.int8)
    if missing:
        hole = rng.random(codes.shape) < missing
        codes[hole] = rng.choice(np.array([-1, -2, -3], dtype=np.int8), size=int(hole.sum()))
    return codes
