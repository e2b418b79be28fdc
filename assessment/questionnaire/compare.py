"""Comparing two versions of a questionnaire through the newer one's crosswalk."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from assessment.errors import AssessmentError
from assessment.questionnaire.model import Questionnaire


@dataclass(frozen=True)
class VersionComparison:
    """Statement-by-statement changes from ``old`` to ``new`` and the size of their overlap."""

    old: Questionnaire
    new: Questionnaire
    changes: pd.DataFrame  # id, change, previous, component, text_old, text_new

    @property
    def common(self) -> int:
        return int(self.changes["change"].isin(["same", "reworded"]).sum())

    def summary(self) -> dict[str, int]:
        counts = self.changes["change"].value_counts()
        return {
            kind: int(counts.get(kind, 0))
            for kind in ("same", "reworded", "new", "dropped", "split", "merged")
        }


def compare_versions(
    new: Questionnaire, old: Questionnaire, *, language: str | None = None
) -> VersionComparison:
    """Every statement of either version with its change, following ``new``'s crosswalk.

    Raises `AssessmentError` when ``new`` has no crosswalk from ``old`` (the versions cannot be compared
    statement by statement then).
    """
    if new.id != old.id or new.crosswalk is None or new.crosswalk.previous != old.version:
        raise AssessmentError(
            f"{new.key} has no crosswalk from {old.key}; choose the version its crosswalk names"
            + (f" ({new.id}@{new.crosswalk.previous})" if new.crosswalk else "")
        )
    lang = language or new.default_language
    old_text = {i.id: old.text(i.text, lang) for i in old.items}
    rows = []
    for entry in new.crosswalk.items:
        item = new.item(entry.id) if entry.id is not None else None
        previous_texts = [old_text.get(p, "") for p in entry.previous]
        rows.append(
            {
                "id": entry.id or "",
                "change": entry.change,
                "previous": ", ".join(entry.previous),
                "component": item.component if item else old.item(entry.previous[0]).component,
                "text_old": " / ".join(t for t in previous_texts if t),
                "text_new": new.text(item.text, lang) if item else "",
            }
        )
    return VersionComparison(old=old, new=new, changes=pd.DataFrame(rows))
