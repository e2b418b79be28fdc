"""The estimates of one group: each dimension's mean, interval and level with its probability, and
how a level reads in words.
"""

from __future__ import annotations

import numbers
from typing import Literal

import pandas as pd

from assessment.analysis.spec import dimension_names, dimension_order
from assessment.i18n import text
from assessment.outputs.exports import suppressed_rows
from assessment.questionnaire import Questionnaire

#: The statistics of one dimension every estimate view carries (docs/formats.md "Scores").
STAT_COLUMNS = (
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "level",
    "level_name",
    "level_probability",
    "level_low",
    "level_high",
)


def dimension_estimates(
    rows: pd.DataFrame,
    questionnaire: Questionnaire,
    dimension_type: str,
    *,
    language: str | None = None,
    sort: Literal["questionnaire", "mean"] = "questionnaire",
) -> pd.DataFrame:
    """The shown estimates of one group for one dimension type (component, principle, index ...).

    Parameters
    ----------
    rows : the group's score rows (`group_rows`)
    dimension_type : ``component``, ``principle``, ``index``, ``overall`` or ``outcome``
    sort : ``questionnaire`` order (components: the flywheel order) or highest ``mean`` first

    Returns
    -------
    ``dimension``, ``name`` and the docs/formats.md "Scores" statistics (n, mean, sd, ci_low, ci_high, level,
    level_name, level_probability, level_low, level_high), plus ``target`` and
    ``target_threshold`` when targets are set. Suppressed rows are left out.
    """
    names = dimension_names(questionnaire, language)
    chosen = rows[(rows["dimension_type"].astype(str) == dimension_type) & ~suppressed_rows(rows)]
    chosen = chosen[chosen["mean"].notna()]
    columns = ["dimension", *STAT_COLUMNS]
    columns += [c for c in ("target", "target_threshold") if c in rows.columns]
    frame = chosen[columns].copy().reset_index(drop=True)
    frame["dimension"] = frame["dimension"].astype(str)
    frame.insert(1, "name", frame["dimension"].map(lambda d: names.get(d, d)).astype(str))
    frame["level_text"] = level_texts(chosen, questionnaire, language)
    if sort == "mean":
        frame = frame.sort_values(["mean", "dimension"], ascending=[False, True], kind="stable")
    else:
        order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
        frame = frame.sort_values(
            "dimension", key=lambda s: s.map(lambda d: order.get(d, len(order))), kind="stable"
        )
    return frame.reset_index(drop=True)


def level_texts(
    rows: pd.DataFrame, questionnaire: Questionnaire, language: str | None
) -> list[str]:
    """`level_text` of each row (borderline where the scores say so)."""

    def name(level: object) -> str:
        if not isinstance(level, numbers.Real) or pd.isna(level):
            return ""
        return questionnaire.level_name(int(float(level)), language)

    borderline = (
        rows["level_borderline"].fillna(False).astype(bool)
        if "level_borderline" in rows.columns
        else pd.Series(False, index=rows.index)
    )
    return [
        level_text(
            name(level),
            float(p),
            borderline=bool(b),
            low=name(low),
            high=name(high),
            language=language,
        )
        if pd.notna(p) and pd.notna(level)
        else ""
        for level, p, b, low, high in zip(
            rows["level"],
            rows["level_probability"],
            borderline,
            rows["level_low"],
            rows["level_high"],
            strict=True,
        )
    ]


def format_probability(probability: float) -> str:
    """A probability as a whole percentage without the sign, never claiming certainty: "86",
    ">99" above 99.5 %, "<1" below 0.5 %."""
    p = 100.0 * probability
    if p > 99.5:
        return ">99"
    if p < 0.5:
        return "<1"
    return f"{round(p)}"


def level_text(
    name: object,
    probability: float,
    *,
    borderline: bool,
    low: object,
    high: object,
    language: str | None = None,
) -> str:
    """How a level reads next to its probability: "Managed · 86% likely", or, below the
    borderline probability, both levels the interval spans: "Defined/Managed, borderline"
    (``dashboard.level`` in ``language``)."""
    p = format_probability(probability)
    if borderline:
        span = f"{low}/{high}" if str(low) != str(high) else str(name)
        return text("dashboard.level.borderline", language, span=span, p=p, level=name)
    return text("dashboard.level.likely", language, level=name, p=p)
