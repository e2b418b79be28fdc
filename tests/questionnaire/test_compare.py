"""Comparing two questionnaire versions through the crosswalk."""

from __future__ import annotations

import pytest

from assessment.errors import AssessmentError
from assessment.questionnaire.compare import compare_versions
from assessment.questionnaire.registry import default_registry


def test_compare_shipped_versions() -> None:
    registry = default_registry()
    new, old = registry.get("work-management@1.1.0"), registry.get("work-management@1.0.0")
    comparison = compare_versions(new, old)
    summary = comparison.summary()
    assert summary["new"] >= 1 and summary["dropped"] >= 1 and summary["reworded"] >= 1
    assert comparison.common == len(new.common_items(old))
    same = comparison.changes[comparison.changes["change"] == "same"]
    assert (same["text_old"] == same["text_new"]).all()
    reworded = comparison.changes[comparison.changes["change"] == "reworded"]
    assert (reworded["text_old"] != reworded["text_new"]).all()
    dropped = comparison.changes[comparison.changes["change"] == "dropped"]
    assert (dropped["text_new"] == "").all() and (dropped["text_old"] != "").all()


def test_compare_in_german() -> None:
    registry = default_registry()
    comparison = compare_versions(
        registry.get("work-management@1.1.0"), registry.get("work-management@1.0.0"), language="de"
    )
    assert comparison.changes["text_new"].str.contains("Team").any()


def test_compare_without_crosswalk_is_refused() -> None:
    registry = default_registry()
    with pytest.raises(AssessmentError, match="no crosswalk"):
        compare_versions(
            registry.get("work-management@1.0.0"), registry.get("work-management@1.1.0")
        )
