"""The pipeline's one pass over the answers: block-wise sums must equal the whole-matrix formulas.

`scoring.pipeline` recodes each block of codes once and feeds it to the pairwise covariance sums
and the dimension scorer; ICCs come from the group moments. These tests pin each shortcut to the
plain computation it replaces.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_cases import build_spec, simulate_codes

from scoring.dimensions import DimensionScorer, dimension_scores
from scoring.groups import GroupIndex
from scoring.pipeline import PARTS, _respondent_pass, _SharedScoring, score
from scoring.recoding import check_codes, recode, recode_checked
from scoring.reliability import (
    PAIRWISE_BLOCK_ROWS,
    PairwiseSums,
    icc,
    icc_from_moments,
    pairwise_moments,
)

SPEC = build_spec(reverse=(1, 4), weights=(1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0))


def _codes(seed: int, n: int = 300, missing: float = 0.2) -> np.ndarray:
    return simulate_codes(np.random.default_rng(seed), n, SPEC.n_items, missing=missing)


def test_masked_blocks_give_the_pairwise_moments_of_the_recoded_matrix() -> None:
    codes = _codes(1)
    expected = pairwise_moments(recode(codes, SPEC))
    sums = PairwiseSums(SPEC.n_items)
    for start in range(0, len(codes), 37):
        block = codes[start : start + 37]
        # The cells that are not answers hold meaningless numbers: they must not matter.
        sums.add_masked(recode_checked(block, SPEC, missing=None), block >= 0)
    got = sums.result()
    np.testing.assert_allclose(got.cov, expected.cov, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(got.n, expected.n)
    assert got.n_rows == expected.n_rows == len(codes)


def test_pairwise_sums_refuse_a_block_of_the_wrong_width() -> None:
    with pytest.raises(ValueError, match="9 columns"):
        PairwiseSums(9).add(np.zeros((3, 8)))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 120), missing=st.floats(0.0, 0.9))
def test_one_pass_equals_the_separate_computations(seed: int, n: int, missing: float) -> None:
    codes = _codes(seed, n, missing)
    pairs, scores = _respondent_pass(check_codes(codes, SPEC), SPEC)
    x = recode(codes, SPEC)
    plain = dimension_scores(x, SPEC)
    np.testing.assert_allclose(scores, plain.scores, rtol=1e-12, atol=1e-12, equal_nan=True)
    expected = pairwise_moments(x)
    np.testing.assert_allclose(pairs.cov, expected.cov, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_centred_scoring_equals_plain_scoring_with_shifts_set_late() -> None:
    """An item unanswered in the first block gets its shift later; the scores must not change."""
    codes = _codes(2, n=200)
    codes[:50, 3] = -1  # item 3 first answered in the second block
    scorer = DimensionScorer(SPEC)
    sums = PairwiseSums(SPEC.n_items)
    for start in (0, 50, 120):
        block = codes[start : start + (50 if start == 0 else 80)]
        part = sums.add_masked(recode_checked(block, SPEC, missing=None), block >= 0)
        got, got_share = scorer.score_centred(part, sums.shift)
        expected, share = scorer.score_block(recode(block, SPEC))
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True)
        np.testing.assert_array_equal(got_share, share)


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 150),
    missing=st.floats(0.0, 0.95),
    scale=st.sampled_from([(0, 4), (1, 5), (1, 7)]),
    reverse=st.sets(st.integers(0, 8)),
    weights=st.lists(st.sampled_from([0.25, 0.5, 1.0, 1.5, 3.0]), min_size=9, max_size=9),
    coverage=st.sampled_from([0.1, 0.5, 0.67, 1.0]),
)
def test_scoring_codes_equals_scoring_the_recoded_block(
    seed: int,
    n: int,
    missing: float,
    scale: tuple[int, int],
    reverse: set[int],
    weights: list[float],
    coverage: float,
) -> None:
    """Reverse keying folded into the weights gives the scores of the reverse-keyed answers, on
    scales that start at 0 too (where a 0 answer must not pass for a missing one)."""
    low, high = scale
    spec = build_spec(
        reverse=tuple(reverse),
        weights=weights,
        min_item_coverage=coverage,
        scale_min=low,
        scale_max=high,
        level_thresholds=tuple(float(v) for v in np.linspace(low, high, 6)[:5]),
    )
    rng = np.random.default_rng(seed)
    codes = rng.integers(low, high + 1, size=(n, spec.n_items)).astype(np.int8)
    holes = rng.random(codes.shape) < missing
    codes[holes] = rng.choice(np.array([-1, -2, -3], dtype=np.int8), size=int(holes.sum()))
    scorer = DimensionScorer(spec)
    got, got_share = scorer.score_codes(check_codes(codes, spec))
    expected, share = scorer.score_block(recode(codes, spec))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(got_share, share)
    _, pass_scores = _respondent_pass(check_codes(codes, spec), spec, pairwise=False)
    np.testing.assert_allclose(pass_scores, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_shared_scoring_gives_the_same_scores_whichever_threads_take_the_blocks() -> None:
    codes = check_codes(_codes(5, n=3 * PAIRWISE_BLOCK_ROWS + 17, missing=0.3), SPEC)
    _, alone = _SharedScoring(codes, SPEC).run()
    shared = _SharedScoring(codes, SPEC)
    workers = [threading.Thread(target=shared.run) for _ in range(3)]
    for worker in workers:
        worker.start()
    _, together = shared.run()
    for worker in workers:
        worker.join()
    np.testing.assert_array_equal(together, alone)
    expected = dimension_scores(recode(codes, SPEC), SPEC).scores
    np.testing.assert_allclose(alone, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_icc_from_moments_equals_the_anova_on_respondents() -> None:
    rng = np.random.default_rng(3)
    labels = rng.choice(list("abcdefg"), size=90, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.09, 0.01])
    labels[0] = "h"  # a group of one respondent adds nothing within
    index = GroupIndex.from_labels(labels)
    y = rng.normal(size=90) + (index.codes % 3)
    y[rng.random(90) < 0.1] = np.nan
    moments = index.moments(y)
    from_moments = icc_from_moments(moments.n, moments.mean, moments.var)
    # One-way ANOVA written out on the respondents.
    keep = ~np.isnan(y)
    groups = index.codes[keep]
    values = y[keep]
    means = np.array([values[groups == g].mean() for g in np.unique(groups)])
    sizes = np.array([(groups == g).sum() for g in np.unique(groups)])
    grand = values.mean()
    msb = (sizes * (means - grand) ** 2).sum() / (len(sizes) - 1)
    within = values - means[np.searchsorted(np.unique(groups), groups)]
    msw = (within**2).sum() / (len(values) - len(sizes))
    n0 = (len(values) - (sizes**2).sum() / len(values)) / (len(sizes) - 1)
    assert from_moments.msb == pytest.approx(msb, rel=1e-12)
    assert from_moments.msw == pytest.approx(msw, rel=1e-12)
    assert from_moments.icc1 == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw), rel=1e-12)
    assert from_moments.icc2 == pytest.approx((msb - msw) / msb, rel=1e-12)
    assert from_moments == icc(y, index)


def test_check_codes_fast_path_still_finds_a_value_below_the_scale() -> None:
    base = build_spec(n_items=3, dimensions=[("overall", "overall", (0, 1, 2))])
    spec = replace(base, scale_min=2, scale_max=6, level_thresholds=(2.0, 3.0, 4.0, 4.5, 5.2))
    codes = np.array([[2, 3, 4], [5, 2, 1]], dtype=np.int8)
    with pytest.raises(ValueError, match="row 1, item 'I02': code 1"):
        check_codes(codes, spec)


@pytest.mark.parametrize(
    "parts", [{"scores"}, {"scores", "stats"}, {"items"}, {"drivers", "respondents"}]
)
def test_parts_compute_the_same_numbers_and_leave_the_rest_empty(parts: set[str]) -> None:
    rng = np.random.default_rng(5)
    codes = _codes(5, n=240)
    units = rng.choice([f"u{i}" for i in range(8)], size=240)
    durations = rng.uniform(10, 300, size=240)
    full = score(codes, units, SPEC, duration_seconds=durations, driver_resamples=20)
    some = score(codes, units, SPEC, duration_seconds=durations, driver_resamples=20, parts=parts)
    for part in PARTS:
        got, expected = getattr(some, part), getattr(full, part)
        if part in parts or part == "scores":
            pd.testing.assert_frame_equal(got, expected)
        else:
            assert got.empty


@pytest.mark.parametrize(
    ("parts", "message"), [({"score"}, "unknown parts"), ("stats", "collection")]
)
def test_unknown_parts_are_refused(parts: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score(_codes(6, n=20), ["a"] * 20, SPEC, parts=parts)  # type: ignore[arg-type]


def test_recode_checked_fills_missing_after_reverse_keying() -> None:
    codes = np.array([[5, -1, 2, -2, 1, 4, -3, 3, 3]], dtype=np.int8)  # items 1 and 4 reversed
    zeroed = recode_checked(codes, SPEC, missing=0.0)
    np.testing.assert_array_equal(zeroed, [[5, 0, 2, 0, 5, 4, 0, 3, 3]])
    np.testing.assert_array_equal(np.nan_to_num(recode(codes, SPEC)), zeroed)


def test_two_threads_give_the_same_result_every_time() -> None:
    """The respondent pass and the drivers run in a second thread: nothing may depend on timing."""
    rng = np.random.default_rng(8)
    codes = _codes(8, n=400)
    units = rng.choice([f"u{i:02d}" for i in range(40)], size=400)  # >= 30 units: unit bootstrap
    runs = [score(codes, units, SPEC, driver_resamples=30) for _ in range(3)]
    for run in runs[1:]:
        for part in PARTS:
            pd.testing.assert_frame_equal(
                getattr(run, part), getattr(runs[0], part), check_exact=True
            )
        assert run.notes == runs[0].notes
