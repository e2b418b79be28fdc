"""Where one value stands among others: the percentile rank of an organisation's mean among the
benchmark organisations' means.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def percentile_rank(values: Sequence[float] | np.ndarray, x: float) -> float:
    """Percentile rank of ``x`` among ``values``: the share below it, ties counted half, in %.

    Notes
    -----
    PR(x) = 100 · (#{v < x} + ½ · #{v = x}) / n, the "mean" definition of
    ``scipy.stats.percentileofscore(values, x, kind="mean")``. NaN for no values.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0 or math.isnan(x):
        return math.nan
    below = float(np.count_nonzero(arr < x))
    equal = float(np.count_nonzero(arr == x))
    return 100.0 * (below + 0.5 * equal) / arr.size
