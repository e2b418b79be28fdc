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


def uncoarsened_scores(table, questionnaire, **options):  # type: ignore[no-untyped-def]
    """Scores of ``table`` on its raw units, without the release's pooling (DESIGN §7).

    The product never publishes these; tests of the second privacy layer (per-dimension
    suppression, the export guard, the report's suppressed cells) need a result that still has
    small groups. The metadata is `score_table`'s.
    """
    from dataclasses import replace

    from assessment.analysis.scoring import score_table
    from assessment.analysis.spec import scoring_spec
    from scoring.pipeline import score

    scored = score_table(table, questionnaire, **options)
    head_counts = options.get("head_counts")
    result = score(
        table.codes,
        table.unit,
        scoring_spec(questionnaire),
        head_counts=head_counts,
        targets=options.get("targets"),
        duration_seconds=table.duration_seconds,
        driver_resamples=0,
    )
    return replace(scored, result=result)


def forbid_temporary_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every `tempfile` function fail; returns the list of those that were called.

    Pages and downloads work on bytes in memory: a temporary file would be a leftover of writing
    uploads or exports to disk, which this catches.
    """
    import tempfile

    called: list[str] = []

    def refuse(name: str):  # type: ignore[no-untyped-def]
        def refused(*args, **kwargs):  # type: ignore[no-untyped-def]
            called.append(name)
            raise AssertionError(f"tempfile.{name} was called; pages must work in memory")

        return refused

    for name in (
        "mkstemp",
        "mkdtemp",
        "TemporaryDirectory",
        "NamedTemporaryFile",
        "TemporaryFile",
        "SpooledTemporaryFile",
    ):
        monkeypatch.setattr(tempfile, name, refuse(name))
    return called
