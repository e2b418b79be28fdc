"""Group sums over respondents: the one pass every per-unit statistic is built on.

A `GroupIndex` maps N respondents to G groups and computes per-group, per-item moments with a sparse
indicator matrix (G x N) times the answer matrix, which is the fastest layout for (N, J) data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

if TYPE_CHECKING:
    from scipy import sparse

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ItemMoments:
    """Per-group, per-item moments on available (non-NaN) answers; every array has shape (G, J).

    ``var`` uses divisor n - 1 and is NaN where n < 2; ``mean`` is NaN where n = 0.
    """

    n: FloatArray
    sum: FloatArray
    mean: FloatArray
    var: FloatArray

    def columns(self, idx: Sequence[int] | npt.NDArray[np.intp]) -> ItemMoments:
        """The moments of a subset of items (e.g. one dimension's items)."""
        cols = np.asarray(idx, dtype=np.intp)
        return ItemMoments(
            n=self.n[:, cols], sum=self.sum[:, cols], mean=self.mean[:, cols], var=self.var[:, cols]
        )


@dataclass(frozen=True)
class GroupIndex:
    """Respondents' group membership.

    Attributes
    ----------
    codes : (N,) int array, group number 0..G-1 of each respondent
    labels : (G,) group labels, sorted
    counts : (G,) respondents per group
    indicator : (G, N) sparse CSR matrix with a 1 where respondent i belongs to group g, built
        on first use (the pipeline's own sums are weighted `np.bincount`s and never need it)
    """

    codes: IntArray
    labels: npt.NDArray[np.object_]
    counts: IntArray

    @classmethod
    def from_labels(cls, labels: Sequence[object] | npt.ArrayLike) -> GroupIndex:
        """Build the index from one label per respondent (labels are sorted for a stable order)."""
        codes, uniques = pd.factorize(pd.Series(np.asarray(labels, dtype=object)), sort=True)
        if (codes < 0).any():
            raise ValueError("group labels must not be missing; give every respondent a group")
        return cls.from_codes(codes.astype(np.int64), np.asarray(uniques, dtype=object))

    @classmethod
    def from_codes(cls, codes: npt.ArrayLike, labels: npt.ArrayLike) -> GroupIndex:
        """Build the index from integer codes 0..G-1 and the G labels."""
        code_arr = np.asarray(codes, dtype=np.int64)
        label_arr = np.asarray(labels, dtype=object)
        n_groups = len(label_arr)
        if code_arr.size and (code_arr.min() < 0 or code_arr.max() >= n_groups):
            raise ValueError(f"group codes must lie in 0..{n_groups - 1}")
        counts = np.bincount(code_arr, minlength=n_groups).astype(np.int64)
        return cls(codes=code_arr, labels=label_arr, counts=counts)

    @cached_property
    def indicator(self) -> sparse.csr_matrix:
        """(G, N) sparse CSR matrix with a 1 where respondent i belongs to group g."""
        from scipy.sparse import csr_matrix  # only here: most callers never need it

        n = self.codes.size
        return csr_matrix(
            (np.ones(n), (self.codes, np.arange(n))), shape=(self.n_groups, n), dtype=np.float64
        )

    @property
    def n_groups(self) -> int:
        return len(self.labels)

    def sum(self, x: npt.ArrayLike) -> FloatArray:
        """Per-group sums of an (N,) or (N, J) array, NaN counted as 0."""
        arr = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0)
        return np.asarray(self.indicator @ arr, dtype=np.float64)

    def count(self, x: npt.ArrayLike) -> FloatArray:
        """Per-group counts of non-NaN values of an (N,) or (N, J) array."""
        present = (~np.isnan(np.asarray(x, dtype=np.float64))).astype(np.float64)
        return np.asarray(self.indicator @ present, dtype=np.float64)

    def moments(self, x: npt.ArrayLike) -> ItemMoments:
        """Per-group n, sum, mean and variance (n - 1) of each column, on available answers.

        The variance is computed from deviations about the group mean (a second pass), which
        stays exact in float64 for any scale and avoids the cancellation of the sum-of-squares
        shortcut. Column by column, each sum a weighted `np.bincount` over the group codes: for a
        few columns this is about twice as fast as the sparse products and needs only (N,)
        temporaries.
        """
        arr = np.asarray(x, dtype=np.float64)
        columns = arr.reshape(arr.shape[0], -1)
        n_groups = self.n_groups
        n = np.empty((n_groups, columns.shape[1]))
        total = np.empty_like(n)
        ss = np.empty_like(n)
        codes = self.codes
        for j in range(columns.shape[1]):
            column = np.ascontiguousarray(columns[:, j])
            present = ~np.isnan(column)
            zeroed = np.where(present, column, 0.0)
            n[:, j] = np.bincount(codes, weights=present, minlength=n_groups)
            total[:, j] = np.bincount(codes, weights=zeroed, minlength=n_groups)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean_j = total[:, j] / np.where(n[:, j] > 0, n[:, j], 1.0)
            np.subtract(zeroed, mean_j[codes], out=zeroed)
            zeroed *= zeroed
            zeroed *= present
            ss[:, j] = np.bincount(codes, weights=zeroed, minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, total / np.where(n > 0, n, 1.0), np.nan)
            var = np.where(n > 1, ss / np.where(n > 1, n - 1.0, 1.0), np.nan)
        if arr.ndim == 1:
            return ItemMoments(n=n[:, 0], sum=total[:, 0], mean=mean[:, 0], var=var[:, 0])
        return ItemMoments(n=n, sum=total, mean=mean, var=var)

    def mean_abs_deviation(self, x: npt.ArrayLike, mean: FloatArray | None = None) -> FloatArray:
        """Per-group mean absolute deviation from the group mean, divisor n (AD, Burke et al. 1999)."""
        arr = np.asarray(x, dtype=np.float64)
        if mean is None:
            mean = self.moments(arr).mean
        n = self.count(arr)
        absdev = self.sum(np.abs(arr - mean[self.codes]))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, absdev / np.where(n > 0, n, 1.0), np.nan)
