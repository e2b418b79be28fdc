"""The benchmark view: where the organisation stands among the stored benchmark organisations."""

from __future__ import annotations

import pandas as pd

from assessment.analysis.spec import dimension_names, dimension_order
from assessment.questionnaire import Questionnaire


def benchmark_table(
    comparison: pd.DataFrame, questionnaire: Questionnaire, *, language: str | None = None
) -> pd.DataFrame:
    """The benchmark comparison (`assessment.outputs.benchmark.COMPARE_COLUMNS`) with dimension names,
    in questionnaire order, without dimensions no other organisation answered."""
    if comparison.empty:
        return comparison
    names = dimension_names(questionnaire, language)
    order = {d: i for i, d in enumerate(dimension_order(questionnaire))}
    frame = comparison[comparison["n_orgs"] > 0].copy()
    frame.insert(2, "name", frame["dimension"].astype(str).map(lambda d: names.get(d, d)))
    frame["name"] = frame["name"].astype(str)
    frame = frame.sort_values(
        "dimension",
        key=lambda s: s.astype(str).map(lambda d: order.get(d, len(order))),
        kind="stable",
    )
    return frame.reset_index(drop=True)
