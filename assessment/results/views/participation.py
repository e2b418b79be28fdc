"""Participation: responses per unit against its head-count, and whether its results can be read."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from assessment.analysis.spec import OVERALL
from assessment.i18n import format_number, text
from assessment.results.discussion import number_or_nan
from scoring.suppression import TOTAL_LABEL

ParticipationStatus = Literal["none", "suppressed", "protecting", "imprecise", "readable"]


def status_text(
    status: ParticipationStatus, *, min_group_size: int, half_width: float, language: str | None
) -> str:
    """What a participation status means, for the table under the chart (``dashboard.status``)."""
    return text(
        f"dashboard.status.{status}",
        language,
        m=min_group_size,
        half=format_number(half_width, language),
    )


def participation(
    responses: Mapping[str, int],
    head_counts: Mapping[str, int],
    scores: pd.DataFrame | None,
    *,
    min_group_size: int,
    max_half_width: float,
    group_column: str = "unit",
    waiting: Mapping[str, str] | None = None,
    language: str | None = None,
) -> pd.DataFrame:
    """Responses per unit against its head-count, and whether its results can be read.

    Parameters
    ----------
    responses : unit -> submitted responses (units without responses may be left out)
    head_counts : unit -> people in the unit (the campaign's unit list; may be partial)
    scores : the campaign's scores by unit (None before the first response)
    min_group_size : the campaign's minimum group size m
    max_half_width : the widest interval half-width that still counts as readable
        (`scoring.maturity.readable_half_width`)
    waiting : unit (or `TOTAL_LABEL`) -> e.g. "updates after 4 more answers", for groups whose
        newest answers wait for the next release (added to the note)
    language : the language of the notes

    Returns
    -------
    One row per unit (listed units first in name order, then units only seen in responses), then
    the organisation row (`TOTAL_LABEL`): ``unit``, ``head_count``, ``responses``,
    ``response_rate`` (responses / head-count, NaN when the head-count is unknown),
    ``half_width`` (half the width of the overall score's interval; NaN when hidden),
    ``status`` (`ParticipationStatus`), ``readable`` and ``note`` (the status in words).

    Notes
    -----
    A unit is *readable* when its overall score is shown (not suppressed, docs/formats.md "Privacy rules") and its
    interval half-width (ci_high − ci_low)/2 is at most ``max_half_width``. The interval already
    carries the finite-population correction, so a small team in which everyone answered can be
    readable. Only n and the head-count are shown for hidden units, which docs/formats.md "Privacy rules" allows.
    """
    units = list(dict.fromkeys([*sorted(head_counts), *sorted(responses)]))
    overall: dict[str, tuple[bool, float]] = {}
    if scores is not None and not scores.empty:
        rows = scores[scores["dimension"].astype(str) == OVERALL]
        for record in rows.to_dict("records"):
            hidden = bool(pd.isna(record["suppressed"]) or record["suppressed"])
            half = (number_or_nan(record["ci_high"]) - number_or_nan(record["ci_low"])) / 2.0
            overall[str(record[group_column])] = (hidden, math.nan if hidden else half)
    records = []
    for unit in [*units, TOTAL_LABEL]:
        if unit == TOTAL_LABEL:
            n = int(sum(responses.values()))
            known = [head_counts[u] for u in units if u in head_counts]
            head = int(sum(known)) if known and len(known) == len(units) else None
        else:
            n = int(responses.get(unit, 0))
            head = head_counts.get(unit)
        hidden, half = overall.get(unit, (True, math.nan))
        status: ParticipationStatus
        if n == 0:
            status = "none"
        elif hidden:
            status = "suppressed" if n < min_group_size else "protecting"
        elif not math.isnan(half) and half <= max_half_width:
            status = "readable"
        else:
            status = "imprecise"
        records.append(
            {
                group_column: unit,
                "head_count": head,
                "responses": n,
                "response_rate": n / head if head else math.nan,
                "half_width": half,
                "status": status,
                "readable": status == "readable",
                "note": "; ".join(
                    text
                    for text in (
                        status_text(
                            status,
                            min_group_size=min_group_size,
                            half_width=half,
                            language=language,
                        ),
                        (waiting or {}).get(unit, ""),
                    )
                    if text
                ),
            }
        )
    frame = pd.DataFrame.from_records(
        records,
        columns=[
            group_column,
            "head_count",
            "responses",
            "response_rate",
            "half_width",
            "status",
            "readable",
            "note",
        ],
    )
    frame["head_count"] = pd.array(frame["head_count"], dtype="Int64")
    frame["responses"] = frame["responses"].astype(np.int64)
    frame["response_rate"] = frame["response_rate"].astype(np.float64)
    frame["half_width"] = frame["half_width"].astype(np.float64)
    frame["readable"] = frame["readable"].astype(bool)
    return frame
