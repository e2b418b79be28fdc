"""Answer codes to numbers: reverse-keying, missing answers, coverage and per-group answer counts.

Answers arrive as an int8 (N, J) code matrix: scale values as themselves (>= 0) and the negative
codes `SKIPPED`, `DONT_KNOW` and `NOT_APPLICABLE`, which are never numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scoring.groups import FloatArray, GroupIndex, IntArray, ItemMoments
from scoring.spec import ScoringSpec

CodeArray = npt.NDArray[np.int8]

SKIPPED = -1
DONT_KNOW = -2
NOT_APPLICABLE = -3
SPECIAL_CODES: tuple[int, ...] = (SKIPPED, DONT_KNOW, NOT_APPLICABLE)


def check_codes(codes: npt.ArrayLike, spec: ScoringSpec) -> CodeArray:
    """Validate an answer-code matrix against the spec and return it as int8 (no copy if int8).

    Raises
    ------
    ValueError
        If the matrix is not 2-D with one column per item, is not of an integer dtype, or holds a
        code that is neither a scale value nor one of the special codes; the message names the
        first offending row and item.
    """
    arr = np.asarray(codes)
    if arr.ndim != 2 or arr.shape[1] != spec.n_items:
        raise ValueError(
            f"expected an answer matrix of shape (respondents, {spec.n_items}) with one column per "
            f"item; got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"answer codes must be integers (int8: scale values, {SKIPPED} skipped, {DONT_KNOW} "
            f"don't know, {NOT_APPLICABLE} not applicable); got dtype {arr.dtype}"
        )
    low, high = spec.scale_min, spec.scale_max
    # Cheap passes first (min, max, and the few non-negative values below the scale); the cell-
    # by-cell mask that finds the first offender is built only when one of them fails.
    if arr.size == 0 or (
        int(arr.min()) >= NOT_APPLICABLE
        and int(arr.max()) <= high
        and not any((arr == value).any() for value in range(min(low, high + 1)))
    ):
        return arr if arr.dtype == np.int8 else arr.astype(np.int8)
    bad = (arr > high) | (arr < NOT_APPLICABLE)
    bad |= (arr >= 0) & (arr < low)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"row {row}, item {spec.item_ids[col]!r}: code {int(arr[row, col])} is neither a scale "
            f"value ({low}..{high}) nor {SKIPPED} (skipped), {DONT_KNOW} (don't know) or "
            f"{NOT_APPLICABLE} (not applicable)"
        )
    return arr if arr.dtype == np.int8 else arr.astype(np.int8)


def recode(codes: npt.ArrayLike, spec: ScoringSpec, *, reverse_keyed: bool = True) -> FloatArray:
    """Scored answers: float64 (N, J), NaN for skipped, don't-know and not-applicable answers.

    Parameters
    ----------
    codes : (N, J) int8 answer codes
    spec : the scoring spec (scale and reverse flags)
    reverse_keyed : apply reverse-keying (False gives the answers as chosen)

    Notes
    -----
    A reverse-keyed item is scored x' = L + H - x; reverse-keying works in place on its columns.
    The result is a full float copy of the answers (8 bytes each); the pipeline never makes one,
    it recodes a block of rows at a time (`recode_checked`).
    """
    return recode_checked(check_codes(codes, spec), spec, reverse_keyed=reverse_keyed)


def recode_checked(
    codes: CodeArray,
    spec: ScoringSpec,
    *,
    reverse_keyed: bool = True,
    missing: float | None = np.nan,
) -> FloatArray:
    """`recode` for an int8 matrix that `check_codes` has already accepted (no second check: the
    pipeline checks the codes once and then recodes them block by block).

    ``missing=None`` leaves the cells that are not answers as they come out (meaningless numbers),
    for callers that carry the answered mask ``codes >= 0`` themselves.
    """
    x = codes.astype(np.float64)
    if reverse_keyed:
        apply_reverse(x, spec)
    if missing is not None:
        # After reverse-keying, so that the missing value itself is not reversed.
        np.copyto(x, missing, where=codes < 0)
    return x


def apply_reverse(x: FloatArray, spec: ScoringSpec) -> None:
    """Reverse-key the reverse items of a recoded matrix in place (x' = L + H - x); NaN stays NaN.

    Applying it twice gives the original answers back.
    """
    total = float(spec.scale_min + spec.scale_max)
    for j in np.flatnonzero(spec.reverse):
        column = x[:, j]
        np.subtract(total, column, out=column)


@dataclass(frozen=True)
class Coverage:
    """Counts of answered, don't-know, not-applicable and skipped answers.

    ``by_item_*`` arrays have shape (J,), ``by_respondent_*`` arrays shape (N,).
    """

    by_item_answered: IntArray
    by_item_dont_know: IntArray
    by_item_not_applicable: IntArray
    by_item_skipped: IntArray
    by_respondent_answered: IntArray
    by_respondent_dont_know: IntArray
    by_respondent_not_applicable: IntArray
    by_respondent_skipped: IntArray

    @property
    def by_item_share(self) -> FloatArray:
        """Share of respondents who answered each item (on the scale)."""
        n = self.by_respondent_answered.size
        return self.by_item_answered / n if n else np.full(self.by_item_answered.shape, np.nan)


def coverage(codes: npt.ArrayLike, spec: ScoringSpec) -> Coverage:
    """Per-item and per-respondent counts of answered, don't-know, not-applicable, skipped answers."""
    arr = check_codes(codes, spec)

    def counts(mask: npt.NDArray[np.bool_]) -> tuple[IntArray, IntArray]:
        by_item = np.count_nonzero(mask, axis=0).astype(np.int64)
        by_respondent = np.count_nonzero(mask, axis=1).astype(np.int64)
        return by_item, by_respondent

    answered = counts(arr >= 0)
    dont_know = counts(arr == DONT_KNOW)
    not_applicable = counts(arr == NOT_APPLICABLE)
    skipped = counts(arr == SKIPPED)
    return Coverage(
        by_item_answered=answered[0],
        by_item_dont_know=dont_know[0],
        by_item_not_applicable=not_applicable[0],
        by_item_skipped=skipped[0],
        by_respondent_answered=answered[1],
        by_respondent_dont_know=dont_know[1],
        by_respondent_not_applicable=not_applicable[1],
        by_respondent_skipped=skipped[1],
    )


@dataclass(frozen=True)
class AnswerCounts:
    """Per-group, per-item counts of every answer option and special code.

    Attributes
    ----------
    values : (G, J, A) how many chose each scale value L..H, as chosen (before reverse-keying)
    skipped, dont_know, not_applicable : (G, J) counts of the special codes
    scale_min, scale_max : the scale L..H
    reverse : (J,) reverse-keyed items
    """

    values: FloatArray
    skipped: FloatArray
    dont_know: FloatArray
    not_applicable: FloatArray
    scale_min: int
    scale_max: int
    reverse: npt.NDArray[np.bool_]

    @property
    def n(self) -> FloatArray:
        """(G, J) number of answers on the scale."""
        return np.asarray(self.values.sum(axis=2), dtype=np.float64)

    def scored_values(self) -> FloatArray:
        """(G, J, A) counts by scored value L..H (reverse-keyed items' options flipped)."""
        scored = self.values.copy()
        scored[:, self.reverse, :] = scored[:, self.reverse, ::-1]
        return scored

    def moments(self) -> ItemMoments:
        """Per-group, per-item n, sum, mean and variance (n - 1) of the scored answers.

        Notes
        -----
        Computed from the counts: n = Σ_v c_v, mean = Σ_v c_v·v / n and
        var = Σ_v c_v (v - mean)² / (n - 1); identical to `GroupIndex.moments` on the recoded
        matrix (mean NaN where n = 0, var NaN where n < 2).
        """
        scored = self.scored_values()
        scale = np.arange(self.scale_min, self.scale_max + 1, dtype=np.float64)
        n = scored.sum(axis=2)
        total = scored @ scale
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, total / np.where(n > 0, n, 1.0), np.nan)
            dev = scale[None, None, :] - np.nan_to_num(mean)[:, :, None]
            ss = np.einsum("gja,gja->gj", scored, dev * dev)
            var = np.where(n > 1, ss / np.where(n > 1, n - 1.0, 1.0), np.nan)
        return ItemMoments(n=n, sum=total, mean=mean, var=var)

    def mean_abs_deviation(self) -> FloatArray:
        """(G, J) mean absolute deviation from the group's item mean, divisor n (AD, Burke 1999).

        Notes
        -----
        AD_j = Σ_v c_v |v - mean_j| / n_j; NaN where n = 0. Matches `multilevel::ad.m` per item.
        """
        scored = self.scored_values()
        scale = np.arange(self.scale_min, self.scale_max + 1, dtype=np.float64)
        n = scored.sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, (scored @ scale) / np.where(n > 0, n, 1.0), np.nan)
            dev = np.abs(scale[None, None, :] - np.nan_to_num(mean)[:, :, None])
            absdev = np.einsum("gja,gja->gj", scored, dev)
            return np.where(n > 0, absdev / np.where(n > 0, n, 1.0), np.nan)

    def total(self) -> AnswerCounts:
        """The counts of all groups together, as one group (shape (1, J, ...))."""
        return AnswerCounts(
            values=self.values.sum(axis=0, keepdims=True),
            skipped=self.skipped.sum(axis=0, keepdims=True),
            dont_know=self.dont_know.sum(axis=0, keepdims=True),
            not_applicable=self.not_applicable.sum(axis=0, keepdims=True),
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            reverse=self.reverse,
        )


def count_answers(codes: npt.ArrayLike, groups: GroupIndex, spec: ScoringSpec) -> AnswerCounts:
    """Count every answer option and special code per group and item in one pass.

    Notes
    -----
    One `np.bincount` per item on the key ``group * C + (code - NOT_APPLICABLE)`` with C = A + 3
    categories, over an item-major copy of the int8 codes (N·J bytes); the (N,) key is the only
    other temporary, so 1M × 42 answers need no float copy.
    """
    return count_checked_answers(check_codes(codes, spec), groups, spec)


def count_checked_answers(arr: CodeArray, groups: GroupIndex, spec: ScoringSpec) -> AnswerCounts:
    """`count_answers` of an int8 matrix that `check_codes` has already accepted (the pipeline
    checks the codes once)."""
    n_rows, n_items = arr.shape
    if groups.codes.size != n_rows:
        raise ValueError(
            f"the group index has {groups.codes.size} respondents but the answer matrix has "
            f"{n_rows} rows; give one group per respondent"
        )
    n_groups = groups.n_groups
    n_categories = spec.scale_max - NOT_APPLICABLE + 1
    counts = np.empty((n_groups, n_items, n_categories), dtype=np.float64)
    base = groups.codes * n_categories - NOT_APPLICABLE
    by_item = np.ascontiguousarray(arr.T)
    for j in range(n_items):
        key = base + by_item[j]
        binned = np.bincount(key, minlength=n_groups * n_categories)
        counts[:, j, :] = binned.reshape(n_groups, n_categories)
    offset = -NOT_APPLICABLE
    return AnswerCounts(
        values=np.ascontiguousarray(counts[:, :, offset + spec.scale_min :]),
        skipped=np.ascontiguousarray(counts[:, :, offset + SKIPPED]),
        dont_know=np.ascontiguousarray(counts[:, :, offset + DONT_KNOW]),
        not_applicable=np.ascontiguousarray(counts[:, :, offset + NOT_APPLICABLE]),
        scale_min=spec.scale_min,
        scale_max=spec.scale_max,
        reverse=np.asarray(spec.reverse, dtype=bool),
    )
