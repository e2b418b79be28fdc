"""Reliability: alpha (pairwise covariances, Feldt), item statistics, ICC(1)/ICC(2), λ_g."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from scoring.groups import GroupIndex
from scoring.reliability import (
    alpha_item_statistics,
    alpha_item_statistics_from_cov,
    cronbach_alpha,
    cronbach_alpha_from_cov,
    group_reliability,
    icc,
    pairwise_covariance,
    pairwise_moments,
)

REFERENCE = Path(__file__).resolve().parents[1] / "reference"

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=np.float64,
)


def likert(n: int, k: int, *, seed: int, missing: float = 0.0) -> np.ndarray:
    """Correlated 1..5 answers with a share of missing cells."""
    rng = np.random.default_rng(seed)
    trait = rng.normal(0, 1, size=(n, 1))
    x = np.clip(np.rint(3 + 0.8 * trait + rng.normal(0, 0.9, size=(n, k))), 1, 5)
    x[rng.random(x.shape) < missing] = np.nan
    return x


@pytest.mark.parametrize("missing", [0.0, 0.15], ids=["complete", "missing"])
def test_pairwise_covariance_matches_pandas(missing: float) -> None:
    x = likert(300, 5, seed=1, missing=missing)
    np.testing.assert_allclose(pairwise_covariance(x), pd.DataFrame(x).cov().to_numpy(), atol=1e-13)


def test_pairwise_covariance_is_nan_without_two_shared_rows() -> None:
    x = np.array([[1, np.nan], [2, np.nan], [np.nan, 3], [np.nan, 4]])
    cov = pairwise_covariance(x)
    assert np.isnan(cov[0, 1]) and np.isnan(cov[1, 0])
    np.testing.assert_allclose(np.diag(cov), [0.5, 0.5])


def test_pairwise_covariance_is_exact_far_from_zero() -> None:
    # Raw sums of squares would lose every digit here; centring keeps them.
    x = likert(200, 3, seed=2, missing=0.1) + 1e9
    np.testing.assert_allclose(
        pairwise_covariance(x), pd.DataFrame(x - 1e9).cov().to_numpy(), atol=1e-9
    )


def one_pass_covariance(x: np.ndarray) -> np.ndarray:
    """The covariances as computed before the row blocks: whole-matrix products, centred by the
    column means of the answers."""
    answered = ~np.isnan(x)
    weight = answered.astype(float)
    centred = np.where(answered, x - np.nanmean(x, axis=0), 0.0)
    n_pair = weight.T @ weight
    partial = centred.T @ weight
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (centred.T @ centred - partial * partial.T / n_pair) / (n_pair - 1)
    return np.where(n_pair >= 2, cov, np.nan)


@pytest.mark.parametrize("block_rows", [1, 7, 64, 100_000], ids=["1", "7", "64", "one-block"])
@pytest.mark.parametrize("missing", [0.0, 0.2], ids=["complete", "missing"])
def test_pairwise_covariance_does_not_depend_on_the_blocks(block_rows: int, missing: float) -> None:
    x = likert(500, 6, seed=11, missing=missing)
    cov = pairwise_covariance(x, block_rows=block_rows)
    np.testing.assert_allclose(cov, pd.DataFrame(x).cov().to_numpy(), rtol=0, atol=1e-13)
    np.testing.assert_allclose(cov, one_pass_covariance(x), rtol=0, atol=1e-13)
    np.testing.assert_array_equal(cov, cov.T)


@pytest.mark.parametrize(
    "name", ["fixed_small.csv", "fixed_small_missing.csv"], ids=["complete", "missing"]
)
def test_blocks_keep_the_numbers_of_the_one_pass_computation_on_the_r_data(name: str) -> None:
    frame = pd.read_csv(REFERENCE / name)
    x = frame[["i1", "i2", "i3", "i4"]].to_numpy(dtype=np.float64)
    for block_rows in (3, 10_000):
        np.testing.assert_allclose(
            pairwise_covariance(x, block_rows=block_rows), one_pass_covariance(x), atol=1e-14
        )


def test_item_answered_only_in_later_blocks_far_from_zero() -> None:
    # The first blocks hold no answer to item 0 and nothing at all of item 2; the shift of item 0
    # is taken where its answers start, so the far-from-zero values lose no digits.
    x = likert(120, 3, seed=12, missing=0.1) + 1e9
    x[:45, 0] = np.nan
    x[:, 2] = np.nan
    moments = pairwise_moments(x, block_rows=10)
    expected = pd.DataFrame(x - 1e9).cov().to_numpy()
    np.testing.assert_allclose(moments.cov, expected, rtol=0, atol=1e-9, equal_nan=True)
    assert np.isnan(moments.cov[2]).all() and np.isnan(moments.cov[:, 2]).all()
    answered = (~np.isnan(x)).astype(float)
    np.testing.assert_array_equal(moments.n, answered.T @ answered)
    assert moments.n_rows == 120


@pytest.mark.parametrize("value", [0.1, 3.7, 1e9 + 0.3], ids=["0.1", "3.7", "1e9+0.3"])
def test_a_constant_item_has_exactly_zero_variance(value: float) -> None:
    x = likert(300, 3, seed=13, missing=0.1)
    with_constant = np.column_stack([x, np.full(300, value)])
    with_constant[::9, 3] = np.nan
    cov = pairwise_covariance(with_constant, block_rows=32)
    assert cov[3, 3] == 0.0
    assert cronbach_alpha(with_constant) == cronbach_alpha(x)


def test_alpha_of_scales_from_one_matrix_equals_alpha_of_their_columns() -> None:
    x = likert(400, 8, seed=14, missing=0.15)
    cov = pairwise_covariance(x)
    scales = [[0, 1, 2], [2, 3, 4, 5], [7, 0, 5], list(range(8))]
    for items in scales:
        sub = cov[np.ix_(items, items)]
        from_cov = cronbach_alpha_from_cov(sub, 400, confidence=0.9)
        direct = cronbach_alpha(x[:, items], confidence=0.9)
        np.testing.assert_allclose(
            [from_cov.alpha, from_cov.ci_low, from_cov.ci_high],
            [direct.alpha, direct.ci_low, direct.ci_high],
            rtol=0,
            atol=1e-14,
        )
        assert (from_cov.n, from_cov.k) == (direct.n, direct.k)
        ids = [f"q{j}" for j in items]
        pd.testing.assert_frame_equal(
            alpha_item_statistics_from_cov(sub, item_ids=ids),
            alpha_item_statistics(x[:, items], item_ids=ids),
            rtol=0,
            atol=1e-14,
        )


@pytest.mark.parametrize(
    ("n", "cov", "k"),
    [
        (1, np.eye(3), 3),
        (50, np.eye(1), 1),
        (50, np.diag([1.0, 0.0, np.nan]), 1),
    ],
    ids=["one-row", "one-item", "one-item-with-variance"],
)
def test_alpha_from_cov_is_nan_when_undefined(n: int, cov: np.ndarray, k: int) -> None:
    result = cronbach_alpha_from_cov(cov, n)
    assert np.isnan([result.alpha, result.ci_low, result.ci_high]).all()
    assert (result.n, result.k) == (n, k)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cronbach_alpha_from_cov(np.ones((2, 3)), 10), "square"),
        (lambda: cronbach_alpha_from_cov(np.ones(3), 10), "square"),
        (lambda: cronbach_alpha_from_cov(np.eye(2), -1), "n must be the number of rows"),
        (lambda: cronbach_alpha_from_cov(np.eye(2), True), "n must be the number of rows"),
        (lambda: cronbach_alpha_from_cov(np.eye(2), 10.0), "n must be the number of rows"),
        (lambda: cronbach_alpha_from_cov(np.eye(2), 10, confidence=0), "confidence"),
        (lambda: alpha_item_statistics_from_cov(np.eye(2), item_ids=["a"]), "every item of cov"),
        (lambda: alpha_item_statistics_from_cov(np.ones((2, 1)), item_ids=["a"]), "square"),
        (lambda: pairwise_covariance(np.ones((4, 2)), block_rows=0), "block_rows"),
        (lambda: pairwise_moments(np.ones(4)), "2-D"),
    ],
    ids=[
        "not-square",
        "one-dimensional",
        "negative-n",
        "bool-n",
        "float-n",
        "confidence",
        "item-ids",
        "item-stats-not-square",
        "block-rows",
        "x-1d",
    ],
)
def test_from_cov_functions_reject_bad_input(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("missing", [0.0, 0.1], ids=["complete", "missing"])
def test_alpha_matches_pingouin(missing: float) -> None:
    import pingouin  # the test extra declares it: this comparison runs wherever the tests do

    x = likert(400, 6, seed=3, missing=missing)
    ours = cronbach_alpha(x, confidence=0.9)
    theirs, ci = pingouin.cronbach_alpha(pd.DataFrame(x), ci=0.9)
    assert ours.alpha == pytest.approx(theirs, abs=1e-12)
    # pingouin rounds its interval to 3 decimals
    np.testing.assert_allclose([ours.ci_low, ours.ci_high], ci, atol=5e-4 + 1e-12)
    assert (ours.n, ours.k) == (400, 6)


def test_alpha_formula_and_feldt_interval() -> None:
    x = likert(50, 4, seed=4)
    c = np.cov(x, rowvar=False)
    alpha = 4 / 3 * (1 - np.trace(c) / c.sum())
    result = cronbach_alpha(x, confidence=0.95)
    assert result.alpha == pytest.approx(alpha, abs=1e-13)
    f_high = stats.f.ppf(0.975, 49, 49 * 3)
    f_low = stats.f.ppf(0.025, 49, 49 * 3)
    assert result.ci_low == pytest.approx(1 - (1 - alpha) * f_high, abs=1e-13)
    assert result.ci_high == pytest.approx(1 - (1 - alpha) * f_low, abs=1e-13)
    assert result.ci_low < result.alpha < result.ci_high


def test_alpha_of_identical_items_is_one() -> None:
    column = np.array([1, 2, 3, 4, 5, 3, 2], dtype=float)
    result = cronbach_alpha(np.column_stack([column, column, column]))
    assert result.alpha == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("x", "k"),
    [
        (np.array([[1.0, 2.0, 3.0]]), 3),  # one row
        (np.array([[1.0], [2.0], [3.0]]), 1),  # one item
        (np.array([[1.0, 3.0], [2.0, 3.0], [3.0, 3.0]]), 1),  # second item has no variance
        (np.array([[1.0, np.nan], [2.0, np.nan], [3.0, 4.0]]), 1),  # one answer on item 2
    ],
    ids=["one-row", "one-item", "constant-item", "item-one-answer"],
)
def test_alpha_is_nan_not_an_error_when_undefined(x: np.ndarray, k: int) -> None:
    result = cronbach_alpha(x)
    assert np.isnan(result.alpha) and np.isnan(result.ci_low) and np.isnan(result.ci_high)
    assert result.k == k and result.n == x.shape[0]


def test_alpha_leaves_out_items_without_variance_like_psych() -> None:
    x = likert(80, 3, seed=5)
    with_constant = np.column_stack([x, np.full(80, 4.0)])
    assert cronbach_alpha(with_constant) == cronbach_alpha(x)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": np.ones(5)}, "2-D"),
        ({"x": np.ones((5, 2)), "confidence": 1.0}, "confidence must lie strictly"),
    ],
    ids=["one-dimensional", "confidence"],
)
def test_alpha_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cronbach_alpha(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("missing", [0.0, 0.12], ids=["complete", "missing"])
def test_alpha_if_deleted_is_alpha_of_the_other_items(missing: float) -> None:
    x = likert(250, 5, seed=6, missing=missing)
    table = alpha_item_statistics(x, item_ids=["a", "b", "c", "d", "e"])
    assert list(table.columns) == ["item", "alpha_if_deleted", "item_rest_r"]
    for i in range(5):
        rest = np.delete(x, i, axis=1)
        assert table["alpha_if_deleted"][i] == pytest.approx(cronbach_alpha(rest).alpha, abs=1e-12)


def test_item_rest_correlation_on_complete_data() -> None:
    x = likert(120, 4, seed=7)
    table = alpha_item_statistics(x, item_ids=["a", "b", "c", "d"])
    for i in range(4):
        rest = np.delete(x, i, axis=1).sum(axis=1)
        expected = np.corrcoef(x[:, i], rest)[0, 1]
        assert table["item_rest_r"][i] == pytest.approx(expected, abs=1e-12)


def test_item_statistics_edge_cases() -> None:
    x = likert(60, 2, seed=8)
    two = alpha_item_statistics(x, item_ids=["a", "b"])
    assert two["alpha_if_deleted"].isna().all()
    assert two["item_rest_r"][0] == pytest.approx(np.corrcoef(x[:, 0], x[:, 1])[0, 1])
    with_constant = alpha_item_statistics(
        np.column_stack([likert(60, 3, seed=9), np.full(60, 2.0)]), item_ids=list("abcd")
    )
    assert with_constant.loc[3, ["alpha_if_deleted", "item_rest_r"]].isna().all()
    assert with_constant.loc[:2, "alpha_if_deleted"].notna().all()
    with pytest.raises(ValueError, match="item_ids must name every column"):
        alpha_item_statistics(x, item_ids=["a"])


def test_icc_reproduces_shrout_fleiss() -> None:
    scores = SHROUT_FLEISS.ravel()
    groups = GroupIndex.from_labels(np.repeat(np.arange(6), 4))
    result = icc(scores, groups)
    # Shrout & Fleiss (1979): ICC(1,1) 0.17, ICC(1,k) 0.44; R multilevel::ICC1/ICC2 give the recomputed values below
    assert result.icc1 == pytest.approx(0.165741768405, abs=1e-12)
    assert result.icc2 == pytest.approx(0.442797133679, abs=1e-12)
    assert (result.n, result.n_groups, result.k) == (24, 6, 4.0)


def test_icc_mean_squares_match_one_way_anova() -> None:
    rng = np.random.default_rng(10)
    sizes = rng.integers(1, 15, size=12)
    labels = np.repeat(np.arange(12), sizes)
    y = rng.normal(0, 1, labels.size) + rng.normal(0, 0.7, 12)[labels]
    result = icc(y, GroupIndex.from_labels(labels))
    f_stat, _ = stats.f_oneway(*(y[labels == g] for g in range(12)))
    assert result.msb / result.msw == pytest.approx(f_stat, rel=1e-12)
    # the unbalanced-ANOVA n0 (Searle et al. 1992, 3.6), not multilevel's k = N/G
    n0 = (labels.size - (sizes**2).sum() / labels.size) / 11
    expected = (result.msb - result.msw) / (result.msb + (n0 - 1) * result.msw)
    assert result.icc1 == pytest.approx(expected, abs=1e-14)


def test_icc_drops_nan_scores_and_empty_groups() -> None:
    y = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0, np.nan])
    labels = ["a", "a", "a", "b", "b", "b", "c"]  # c has no score
    with_nan = icc(y, GroupIndex.from_labels(labels))
    without = icc(np.array([1.0, 2.0, 4.0, 5.0, 6.0]), GroupIndex.from_labels(list("aabbb")))
    assert with_nan == without
    assert (with_nan.n, with_nan.n_groups) == (5, 2)


@pytest.mark.parametrize(
    ("y", "labels"),
    [
        ([1.0, 2.0, 3.0], ["a", "a", "a"]),  # one group
        ([1.0, 2.0, 3.0], ["a", "b", "c"]),  # no within-group df
        ([np.nan, np.nan], ["a", "b"]),  # nothing
    ],
    ids=["one-group", "singletons", "all-missing"],
)
def test_icc_is_nan_when_undefined(y: list[float], labels: list[str]) -> None:
    result = icc(np.array(y), GroupIndex.from_labels(labels))
    assert np.isnan(result.icc1) and np.isnan(result.icc2)


def test_icc_can_be_negative() -> None:
    # Groups more alike than chance: every group holds the same spread of values.
    y = np.tile([1.0, 2.0, 3.0], 4)
    result = icc(
        y + np.repeat([0.0, 0.01, -0.01, 0.0], 3), GroupIndex.from_labels(np.repeat(range(4), 3))
    )
    assert result.icc1 < 0 and result.icc2 < 0


def test_icc_rejects_wrong_length() -> None:
    with pytest.raises(ValueError, match="one value per respondent"):
        icc(np.ones(3), GroupIndex.from_labels(["a", "b"]))


@pytest.mark.parametrize(
    ("n", "icc1", "expected"),
    [
        ([1, 4, 10], 0.2, [0.2, 0.8 / 1.6, 2.0 / 2.8]),
        ([5, 20], 0.0, [0.0, 0.0]),
        ([5, 20], -0.1, [0.0, 0.0]),
        ([5, 0], 0.3, [1.5 / 2.2, np.nan]),
        ([5, 20], np.nan, [np.nan, np.nan]),
    ],
    ids=["formula", "zero-icc", "negative-icc", "empty-group", "nan-icc"],
)
def test_group_reliability(n: list[int], icc1: float, expected: list[float]) -> None:
    result = group_reliability(np.array(n, dtype=float), icc1)
    np.testing.assert_allclose(result, expected, equal_nan=True)


def answer_matrices(values: list[float]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(
        np.float64,
        st.tuples(st.integers(3, 30), st.integers(2, 6)),
        elements=st.sampled_from(values),
    )


@settings(max_examples=50, deadline=None)
@given(x=answer_matrices([1.0, 2.0, 3.0, 4.0, 5.0]))
def test_alpha_is_at_most_one_on_complete_data(x: np.ndarray) -> None:
    # Complete data give a positive semi-definite C, so ΣC ≤ k·tr C and α ≤ 1. (Pairwise
    # covariances of incomplete data need not be, as in psych and pingouin.)
    result = cronbach_alpha(x)
    if not np.isnan(result.alpha):
        assert result.alpha <= 1.0 + 1e-12
        assert result.ci_low <= result.alpha <= result.ci_high


@settings(max_examples=50, deadline=None)
@given(x=answer_matrices([1.0, 2.0, 3.0, 4.0, 5.0, np.nan]), data=st.data())
def test_alpha_does_not_depend_on_item_order(x: np.ndarray, data: st.DataObject) -> None:
    result = cronbach_alpha(x)
    order = data.draw(st.permutations(range(x.shape[1])))
    shuffled = cronbach_alpha(x[:, list(order)])
    np.testing.assert_allclose(shuffled.alpha, result.alpha, atol=1e-12, equal_nan=True)
    assert shuffled.k == result.k


def test_icc2_is_missing_when_unit_means_tie() -> None:
    # Issue 14: tied unit means left a rounding residue as MSB and ICC(2) of -inf or -3e28.
    y = np.array([0.1, 0.7, 0.2, 0.6, 0.3, 0.5, 0.4, 0.4]) * 3 + 1.1
    groups = GroupIndex.from_labels(["a", "a", "b", "b", "c", "c", "d", "d"])
    result = icc(y, groups)
    assert result.msb == 0.0
    assert np.isnan(result.icc2)
    assert np.isfinite(result.icc1) and result.icc1 < 0


def test_icc1_with_n0_is_unbiased_in_an_unbalanced_organisation() -> None:
    # Issue 14: one unit of 400 plus eleven of 5-15, true ICC(1) 0.15; k = N/G gave 0.068 on average.
    rng = np.random.default_rng(14)
    sizes = np.concatenate([[400], rng.integers(5, 16, size=11)])
    codes = np.repeat(np.arange(sizes.size), sizes)
    index = GroupIndex.from_codes(codes, np.arange(sizes.size).astype(object))
    tau, sigma = np.sqrt(0.15), np.sqrt(0.85)
    with_n0, with_k = [], []
    for _ in range(400):
        y = rng.normal(0, tau, sizes.size)[codes] + rng.normal(0, sigma, codes.size)
        result = icc(y, index)
        with_n0.append(result.icc1)
        with_k.append((result.msb - result.msw) / (result.msb + (result.k - 1) * result.msw))
    # Monte Carlo se of the mean is about 0.006 for 400 replications.
    assert np.mean(with_n0) == pytest.approx(0.15, abs=0.025)
    assert np.mean(with_k) < 0.1
