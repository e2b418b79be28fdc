"""Helpers shared by the test layers: optional tools (R, PostgreSQL, Chromium) and where artefacts go.

On a developer's machine a missing tool skips its tests with a reason; with CI=true it fails them,
because CI installs every tool and a silent skip would hide a broken layer.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(available: bool, what: str, how_to_get_it: str) -> None:
    """Skip (or, under CI=true, fail) the calling test when ``what`` is not available."""
    if available:
        return
    message = f"{what} is not available; {how_to_get_it}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: this layer must run)")
    pytest.skip(message)


def require_rscript() -> str:
    path = shutil.which("Rscript")
    require(
        path is not None,
        "Rscript",
        "install r-base-core r-cran-psych r-cran-multilevel (apt-get) to run the R oracle tests",
    )
    assert path is not None
    return path


def artifact_dir(name: str) -> Path:
    """A folder under test-artifacts/ for screenshots and other files a test keeps."""
    path = ARTIFACTS / name
    path.mkdir(parents=True, exist_ok=True)
    return path
