"""Which statements a workshop vote offers by default: the top of the organisation's discussion queue.

The queue ranks statements by disagreement × gap to the target (`assessment.results.discussion`);
a vote offers those that both divide the room and fall short (priority > 0), so the room chooses
among statements worth its time. When fewer than two qualify, the most disputed statements fill up.
Everything comes from the campaign's privacy-checked release.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.results.discussion import discussion_queue
from assessment.results.release import Release
from scoring.suppression import TOTAL_LABEL

#: How many statements a vote offers by default: what the room can read and talk through.
DEFAULT_CANDIDATES = 5


@dataclass(frozen=True)
class Candidate:
    """A statement a vote can offer: its id, its wording, and why it is on the list."""

    item: str
    statement: str
    priority: float
    disagreement: float


def vote_candidates(
    release: Release, *, language: str | None = None, limit: int = DEFAULT_CANDIDATES
) -> list[Candidate]:
    """The organisation's statements to vote on, most worth discussing first (empty before results)."""
    if release.by_unit is None:
        return []
    result = release.by_unit.result
    scores = result.scores
    rows = scores[scores["unit"].astype(str) == TOTAL_LABEL].reset_index(drop=True)
    queue = discussion_queue(
        result.items,
        rows,
        release.questionnaire,
        group_column="unit",
        label=TOTAL_LABEL,
        language=language,
    )
    if queue.empty:
        return []
    worth = queue[queue["priority"] > 0]
    if len(worth) < 2:
        worth = queue.sort_values("disagreement", ascending=False, kind="stable")
    return [
        Candidate(
            item=str(row["item"]),
            statement=str(row["statement"]),
            priority=float(row["priority"]),
            disagreement=float(row["disagreement"]),
        )
        for row in worth.head(limit).to_dict("records")
    ]
