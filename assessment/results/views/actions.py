"""The action-plan view: action items as a table and a CSV, and the fields an edit changes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from assessment.analysis.spec import dimension_names
from assessment.campaigns.actions import Action
from assessment.questionnaire import Questionnaire
from assessment.responses.csv_safety import neutralise_frame

ACTION_COLUMNS: tuple[str, ...] = (
    "id",
    "dimension",
    "dimension_name",
    "title",
    "owner",
    "due_date",
    "status",
    "created_at",
    "updated_at",
)


def actions_frame(
    actions: Iterable[Action], questionnaire: Questionnaire, *, language: str | None = None
) -> pd.DataFrame:
    """Action items as a table: one row per action, dates as ISO 8601 text."""
    names = dimension_names(questionnaire, language)
    records = [
        {
            "id": a.id,
            "dimension": a.dimension,
            "dimension_name": names.get(a.dimension, a.dimension),
            "title": a.title,
            "owner": a.owner or "",
            "due_date": a.due_date.isoformat() if a.due_date else "",
            "status": a.status,
            "created_at": _iso(a.created_at),
            "updated_at": _iso(a.updated_at),
        }
        for a in actions
    ]
    frame = pd.DataFrame.from_records(records, columns=list(ACTION_COLUMNS))
    frame["id"] = frame["id"].astype(np.int64)
    for column in ACTION_COLUMNS[1:]:
        frame[column] = frame[column].astype("str")
    return frame


def _iso(moment: datetime) -> str:
    """A moment as ISO 8601 UTC text to the second ("2026-03-01T09:30:00Z")."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def action_changes(
    status: str, owner: str, due: object, *, keep: str = "(keep)"
) -> dict[str, object]:
    """The fields an action-item form changes: only those given (``keep``, an empty owner and no
    due date leave the stored value), so an edit never resets the status."""
    changes: dict[str, object] = {}
    if status != keep:
        changes["status"] = status
    if owner.strip():
        changes["owner"] = owner
    if isinstance(due, date):
        changes["due_date"] = due
    return changes


def actions_csv(
    actions: Iterable[Action], questionnaire: Questionnaire, *, language: str | None = None
) -> bytes:
    """The action items CSV (UTF-8, text cells guarded against spreadsheet formulas)."""
    frame = neutralise_frame(actions_frame(actions, questionnaire, language=language))
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")
