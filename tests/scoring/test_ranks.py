"""The percentile rank of a value among others, against scipy."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from scoring.ranks import percentile_rank


@pytest.mark.parametrize(
    ("values", "x"),
    [
        pytest.param([2.0, 3.0, 3.0, 4.0], 3.0, id="ties-count-half"),
        pytest.param([2.0, 3.0, 3.0, 4.0], 2.5, id="between"),
        pytest.param([2.0, 3.0], 1.0, id="below-all"),
        pytest.param([2.0, 3.0], 5.0, id="above-all"),
    ],
)
def test_percentile_rank_matches_scipy(values: list[float], x: float) -> None:
    # scipy: stats.percentileofscore(values, x, kind="mean")
    assert percentile_rank(values, x) == pytest.approx(
        stats.percentileofscore(values, x, kind="mean")
    )


def test_percentile_rank_of_nothing() -> None:
    assert math.isnan(percentile_rank([], 3.0))
