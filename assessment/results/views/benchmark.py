"""The benchmark view: where the organisation stands among the stored benchmark organisations."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class BenchmarkView:
    """Where the organisation stands among the benchmark organisations.

    Attributes
    ----------
    position : `benchmark_table` (dimension names, questionnaire order, only dimensions another
        organisation answered)
    n_organisations : how many other organisations the benchmark holds
    versions : the questionnaire versions the position was computed on
    """

    position: pd.DataFrame = field(repr=False)
    n_organisations: int
    versions: tuple[str, ...]

    @property
    def ranked(self) -> pd.DataFrame:
        """The rows with a percentile rank (what the benchmark chart draws)."""
        return self.position[self.position["percentile"].notna()].reset_index(drop=True)


def benchmark_view(
    comparison: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    n_organisations: int | None = None,
    language: str | None = None,
) -> BenchmarkView:
    """The benchmark view of a comparison (`assessment.outputs.benchmark.COMPARE_COLUMNS`);
    ``n_organisations`` defaults to the most organisations any dimension was compared with."""
    position = benchmark_table(comparison, questionnaire, language=language)
    if n_organisations is None:
        n_organisations = int(position["n_orgs"].max()) if len(position) else 0
    versions = (
        tuple(sorted({str(v) for v in position["versions"]}))
        if "versions" in position.columns
        else ()
    )
    return BenchmarkView(position=position, n_organisations=n_organisations, versions=versions)
