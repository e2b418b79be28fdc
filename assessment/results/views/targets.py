"""The targets view: the gap of each dimension to its target level, with its interval and whether
it is clearly real.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from assessment.analysis.spec import dimension_names, dimension_order
from assessment.i18n import text
from assessment.outputs.exports import suppressed_rows
from assessment.questionnaire import Questionnaire

GapVerdict = Literal["below", "reached", "unclear"]


def gap_text(verdict: str, language: str | None = None) -> str:
    """A gap's verdict in words ("clearly short of the target"; ``dashboard.gap``)."""
    return text(f"dashboard.gap.{verdict}", language)


#: The verdicts in English (kept for callers that name them in English).
GAP_TEXT: dict[str, str] = {v: gap_text(v, "en") for v in ("below", "reached", "unclear")}


def target_gaps(
    rows: pd.DataFrame, questionnaire: Questionnaire, *, language: str | None = None
) -> pd.DataFrame:
    """Gaps to the campaign's target levels, with their intervals and whether they are clearly real.

    Returns
    -------
    One row per shown dimension with a target: ``dimension_type``, ``dimension``, ``name``,
    ``target`` (level), ``target_name``, ``target_threshold``, ``mean``, ``ci_low``, ``ci_high``,
    ``gap``, ``gap_ci_low``, ``gap_ci_high``, ``p_target`` and ``verdict`` (`GapVerdict`), in
    questionnaire order. Empty when no target is set.

    Notes
    -----
    gap = threshold − mean with interval [threshold − ci_high, threshold − ci_low] (docs/formats.md "Scores",
    `scoring.maturity.target_gap`): positive means short of the target. A gap is *clearly real*
    when its interval excludes 0: ``below`` when gap_ci_low > 0, ``reached`` when gap_ci_high < 0
    (the whole interval of the mean lies at or above the threshold), else ``unclear``.
    ``p_target`` is the probability that the true mean has reached the threshold.
    """
    columns = [
        "dimension_type",
        "dimension",
        "name",
        "target",
        "target_name",
        "target_threshold",
        "mean",
        "ci_low",
        "ci_high",
        "gap",
        "gap_ci_low",
        "gap_ci_high",
        "p_target",
        "verdict",
    ]
    if "target" not in rows.columns:
        return pd.DataFrame(columns=columns)
    names = dimension_names(questionnaire, language)
    order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
    chosen = rows[rows["target"].notna() & ~suppressed_rows(rows) & rows["mean"].notna()].copy()
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    chosen["dimension"] = chosen["dimension"].astype(str)
    chosen["dimension_type"] = chosen["dimension_type"].astype(str)
    chosen["name"] = chosen["dimension"].map(lambda d: names.get(d, d)).astype(str)
    chosen["target_name"] = [
        questionnaire.level_name(int(level), language) for level in chosen["target"]
    ]
    low = chosen["gap_ci_low"].to_numpy(dtype=np.float64)
    high = chosen["gap_ci_high"].to_numpy(dtype=np.float64)
    chosen["verdict"] = np.where(low > 0, "below", np.where(high < 0, "reached", "unclear"))
    chosen = chosen.sort_values(
        "dimension", key=lambda s: s.map(lambda d: order.get(d, len(order))), kind="stable"
    )
    return chosen[columns].reset_index(drop=True)
