"""What the projector shows in presentation mode: a few large panels built from one `ResultsModel`.

Only what a room can read from the back row and act on: the components with their levels, the
targets the organisation is *short* of (surpluses are good news, not work), and the few statements
that matter most — those the room both disagrees on and falls short on (priority > 0), each with its
answers, in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from assessment.results.views.model import ResultsModel

#: Statements the projector shows: what a room can talk through in one session.
PRESENTED_STATEMENTS = 5


@dataclass(frozen=True)
class Presentation:
    """The panels' content.

    Attributes
    ----------
    model : the organisation's (or group's) results model it was built from
    shortfalls : the target rows with a positive gap (short of the target), largest gap first
    statements : the first `PRESENTED_STATEMENTS` rows of the discussion queue with priority > 0
    segments : their answers as diverging bars (`likert_segments` rows of those statements)
    work_on_first : names of the components to work on, in order (when targets are set, only
        those short of theirs: `assessment.results.recommendations.prioritise_components`)
    """

    model: ResultsModel
    shortfalls: pd.DataFrame = field(repr=False)
    statements: pd.DataFrame = field(repr=False)
    segments: pd.DataFrame = field(repr=False)
    work_on_first: tuple[str, ...]


def presentation(model: ResultsModel, *, statements: int = PRESENTED_STATEMENTS) -> Presentation:
    """The presentation of ``model``: shortfalls, the statements that matter, what to work on first."""
    targets = model.targets
    shortfalls = (
        targets[pd.to_numeric(targets["gap"], errors="coerce") > 0]
        .sort_values("gap", ascending=False, kind="stable")
        .reset_index(drop=True)
        if not targets.empty
        else targets
    )
    queue = model.queue
    if queue.empty:
        chosen = queue
    else:
        chosen = queue[pd.to_numeric(queue["priority"], errors="coerce") > 0].head(statements)
    segments = (
        model.segments[model.segments["item"].isin(chosen["item"])]
        if not chosen.empty and not model.segments.empty
        else model.segments.iloc[0:0]
    )
    names = (
        dict(
            zip(
                model.components["dimension"].astype(str),
                model.components["name"].astype(str),
                strict=True,
            )
        )
        if not model.components.empty
        else {}
    )
    # Components short of a target come first in the priorities; the rest have reached theirs.
    first = tuple(
        names.get(p.component, p.component) for p in model.priorities if p.reason != "reached"
    )
    return Presentation(
        model=model,
        shortfalls=shortfalls,
        statements=chosen.reset_index(drop=True),
        segments=segments.reset_index(drop=True),
        work_on_first=first,
    )
