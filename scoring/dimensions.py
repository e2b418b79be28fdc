"""Respondents' dimension scores: the weighted mean of each respondent's answered items.

A score exists only when the respondent answered at least `min_item_coverage` of the dimension's items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scoring.groups import FloatArray
from scoring.recoding import check_codes, recode_checked
from scoring.spec import ScoringSpec

# Rows per block: the zero-filled block and its answered mask stay near 20 MB each at 42 items.
_BLOCK_ROWS = 65_536


@dataclass(frozen=True)
class DimensionScores:
    """Scores of N respondents on D dimensions.

    Attributes
    ----------
    ids : (D,) dimension ids in spec order
    scores : (N, D) weighted mean of answered items, NaN where coverage < min_item_coverage
    coverage : (N, D) share of the dimension's items the respondent answered (0..1)
    """

    ids: tuple[str, ...]
    scores: FloatArray
    coverage: FloatArray

    def column(self, dimension_id: str) -> int:
        """Column position of a dimension id."""
        try:
            return self.ids.index(dimension_id)
        except ValueError:
            raise ValueError(
                f"unknown dimension {dimension_id!r}; known: {', '.join(self.ids)}"
            ) from None


def membership_matrix(spec: ScoringSpec) -> FloatArray:
    """(J, D) matrix with a 1 where item j belongs to dimension d."""
    member = np.zeros((spec.n_items, len(spec.dimensions)), dtype=np.float64)
    for d, dimension in enumerate(spec.dimensions):
        member[list(dimension.items), d] = 1.0
    return member


def weight_matrix(spec: ScoringSpec) -> FloatArray:
    """(J, D) matrix holding item j's weight where it belongs to dimension d, else 0."""
    return membership_matrix(spec) * np.asarray(spec.weights, dtype=np.float64)[:, None]


def dimension_scores(
    x: npt.ArrayLike, spec: ScoringSpec, *, block_rows: int = _BLOCK_ROWS
) -> DimensionScores:
    """Each respondent's weighted mean score and item coverage on every dimension.

    Parameters
    ----------
    x : (N, J) scored answers (reverse-keyed), NaN where not answered (see `recode`)
    spec : the scoring spec (dimensions, weights, min_item_coverage)
    block_rows : rows per block (bounds the temporary memory; the result does not depend on it)

    Returns
    -------
    DimensionScores with (N, D) scores and coverage.

    Notes
    -----
    With W the (J, D) weight matrix, B the (J, D) membership matrix, M the answered mask and X0 the
    answers with NaN set to 0:

        score = (X0 W) / (M W),   coverage = (M B) / (1ᵀ B),

    and the score is set to NaN where coverage < min_item_coverage (or nothing was answered).
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != spec.n_items:
        raise ValueError(
            f"expected scored answers of shape (respondents, {spec.n_items}); got {arr.shape}"
        )
    return _scores_in_blocks(arr.shape[0], lambda start, stop: arr[start:stop], spec, block_rows)


def dimension_scores_from_codes(
    codes: npt.ArrayLike, spec: ScoringSpec, *, block_rows: int = _BLOCK_ROWS
) -> DimensionScores:
    """`dimension_scores` computed straight from the int8 answer codes, a block of rows at a time.

    The same numbers as ``dimension_scores(recode(codes, spec), spec)`` without a full float copy
    of the answers (only one block is recoded at a time).
    """
    arr = check_codes(codes, spec)
    return _scores_in_blocks(
        arr.shape[0], lambda start, stop: recode_checked(arr[start:stop], spec), spec, block_rows
    )


class DimensionScorer:
    """Dimension scores of blocks of scored answers: the spec's weight and membership matrices
    built once, then `score_block` for each (rows, J) block (see `dimension_scores` for the
    formula)."""

    def __init__(self, spec: ScoringSpec) -> None:
        self.weights = weight_matrix(spec)
        self.member = membership_matrix(spec)
        self.n_items_per_dimension = self.member.sum(axis=0)
        # A tiny tolerance keeps e.g. 2/4 = 0.5 >= 0.5 exact even after the matrix product.
        self.threshold = spec.min_item_coverage - 1e-12
        self._mask_shift: FloatArray | None = None
        self._mask_matrix: FloatArray | None = None
        self._mask_both: FloatArray | None = None
        # For `score_codes`: reverse keying folded into the weights.
        reverse = np.asarray(spec.reverse, dtype=bool)
        self._reverse_sum = float(spec.scale_min + spec.scale_max)
        self._signed_weights = np.where(reverse[:, None], -self.weights, self.weights)
        reverse_weights = np.where(reverse[:, None], self.weights, 0.0)
        self._codes_matrix = np.hstack(
            [self.weights, self.member, *([reverse_weights] if reverse.any() else [])]
        )

    def score_codes(self, codes: npt.NDArray[np.int8]) -> tuple[FloatArray, FloatArray]:
        """`score_block` of a block of int8 answer codes that `check_codes` accepted (scale values,
        negative codes where not answered), with the spec's reverse keying.

        Reverse keying is folded into the weights. For a reverse-keyed item x' = (L + H) - x, so
        with X₀ the raw answers (0 where not answered), M the answered mask, W̃ the weights with
        the reverse-keyed items' rows negated and W_R only those rows,

            X' W = X₀ W̃ + (L + H) M W_R,

        and one product M [W | B | W_R] gives the weight totals, the item counts and the
        correction. No recoded copy of the block is made.
        """
        n_dims = self.weights.shape[1]
        answered = codes >= 0
        raw = np.maximum(codes, 0).astype(np.float64)
        by_mask = answered.astype(np.float64) @ self._codes_matrix
        weighted_sum = raw @ self._signed_weights
        if by_mask.shape[1] > 2 * n_dims:
            weighted_sum += self._reverse_sum * by_mask[:, 2 * n_dims :]
        share = by_mask[:, n_dims : 2 * n_dims] / self.n_items_per_dimension
        return self._finish(weighted_sum, by_mask[:, :n_dims], share)

    def score_centred(
        self, centred_and_mask: FloatArray, shift: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """`score_block` of a block given as [X₀ | M] ((rows, 2J), see
        `scoring.reliability.PairwiseSums.add_masked`): the answers minus per-item shifts c (0
        where not answered), then the answered mask. With c₀ = c (0 where NaN),

            X W = X₀ W + M (diag(c₀) W),

        so the weighted sums need no uncentred copy of the answers.
        """
        n_items = self.weights.shape[0]
        n_dims = self.weights.shape[1]
        centred = centred_and_mask[:, :n_items]
        mask = centred_and_mask[:, n_items:]
        c = np.nan_to_num(np.asarray(shift, dtype=np.float64), nan=0.0)
        if (
            self._mask_matrix is None
            or self._mask_shift is None
            or not np.array_equal(self._mask_shift, c)
        ):
            self._mask_shift = c
            self._mask_matrix = np.hstack([c[:, None] * self.weights, self.weights, self.member])
        by_mask = mask @ self._mask_matrix
        weighted_sum = centred @ self.weights
        weighted_sum += by_mask[:, :n_dims]
        weight_total = by_mask[:, n_dims : 2 * n_dims]
        share = by_mask[:, 2 * n_dims :] / self.n_items_per_dimension
        return self._finish(weighted_sum, weight_total, share)

    def _finish(
        self, weighted_sum: FloatArray, weight_total: FloatArray, share: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Scores from the weighted sums (overwritten) and weight totals; NaN below coverage."""
        unscored = (share < self.threshold) | (weight_total <= 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.divide(weighted_sum, weight_total, out=weighted_sum)
        np.copyto(score, np.nan, where=unscored)
        return score, share

    def score_block(self, block: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(rows, D) scores and coverage of a (rows, J) block of scored answers, NaN missing."""
        answered = ~np.isnan(block)
        return self.score_zeroed(np.where(answered, block, 0.0), answered)

    def score_zeroed(
        self, zeroed: FloatArray, answered: npt.NDArray[np.bool_]
    ) -> tuple[FloatArray, FloatArray]:
        """`score_block` of a block given as its answers with 0 where not answered, and the
        answered mask M: X₀W for the weighted sums, then one product M [W | B] for the weight
        totals and the item counts."""
        n_dims = self.weights.shape[1]
        if self._mask_both is None:
            self._mask_both = np.hstack([self.weights, self.member])
        weighted_sum = zeroed @ self.weights
        by_mask = answered.astype(np.float64) @ self._mask_both
        share = by_mask[:, n_dims:] / self.n_items_per_dimension
        return self._finish(weighted_sum, by_mask[:, :n_dims], share)


def _scores_in_blocks(
    n_rows: int,
    block_of: Callable[[int, int], FloatArray],
    spec: ScoringSpec,
    block_rows: int,
) -> DimensionScores:
    if block_rows < 1:
        raise ValueError(f"block_rows must be >= 1; got {block_rows}")
    scorer = DimensionScorer(spec)
    n_dims = len(spec.dimensions)
    scores = np.empty((n_rows, n_dims), dtype=np.float64)
    cover = np.empty((n_rows, n_dims), dtype=np.float64)
    for start in range(0, n_rows, block_rows):
        stop = min(start + block_rows, n_rows)
        scores[start:stop], cover[start:stop] = scorer.score_block(block_of(start, stop))
    return DimensionScores(ids=spec.dimension_ids, scores=scores, coverage=cover)
