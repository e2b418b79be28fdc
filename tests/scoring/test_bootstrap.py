"""BCa bootstrap of group means against SciPy and the published acceleration value."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from scoring import bootstrap
from scoring.bootstrap import bca_group_means, bca_limits, mean_acceleration
from scoring.groups import GroupIndex

# x and its BCa acceleration (Efron & Tibshirani's jackknife formula).
X = np.array([5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 3, 2, 1, 5, 4, 4, 5, 5, 3, 4], dtype=np.float64)


def single(y: np.ndarray) -> GroupIndex:
    return GroupIndex.from_labels(["g"] * len(y))


def scipy_bca_on(y: np.ndarray, theta_star: np.ndarray, confidence: float) -> tuple[float, float]:
    """SciPy's BCa interval computed on a given bootstrap distribution."""
    seed_result = stats.bootstrap((y,), np.mean, method="percentile", n_resamples=2, rng=0)
    given = type(seed_result)(
        confidence_interval=None, bootstrap_distribution=theta_star, standard_error=None
    )
    result = stats.bootstrap(
        (y,),
        np.mean,
        method="BCa",
        n_resamples=0,
        bootstrap_result=given,
        confidence_level=confidence,
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def test_acceleration_of_the_reference_vector() -> None:
    assert mean_acceleration(X, single(X))[0] == pytest.approx(-0.0417710248, abs=1e-10)


def test_acceleration_equals_the_jackknife() -> None:
    rng = np.random.default_rng(1)
    y = rng.gamma(2.0, 1.0, 25)
    leave_one_out = np.array([np.delete(y, i).mean() for i in range(y.size)])
    u = leave_one_out.mean() - leave_one_out
    expected = (u**3).sum() / (6 * ((u**2).sum()) ** 1.5)
    assert mean_acceleration(y, single(y))[0] == pytest.approx(expected, abs=1e-13)


@pytest.mark.parametrize(
    ("y", "confidence"),
    [
        pytest.param(X, 0.95, id="likert-ties"),
        pytest.param(np.random.default_rng(2).lognormal(0, 0.8, 40), 0.95, id="skewed"),
        pytest.param(np.random.default_rng(3).normal(3, 1, 30), 0.90, id="normal-90"),
        pytest.param(np.array([1.0, 2.0, 2.0, 5.0]), 0.95, id="small"),
    ],
)
def test_limits_equal_scipy_on_the_same_distribution(y: np.ndarray, confidence: float) -> None:
    rng = np.random.default_rng(4)
    theta_star = rng.choice(y, size=(3000, y.size)).mean(axis=1)
    low, high = bca_limits(
        np.array([y.mean()]),
        theta_star[None, :],
        mean_acceleration(y, single(y)),
        confidence=confidence,
    )
    expected = scipy_bca_on(y, theta_star, confidence)
    np.testing.assert_allclose([low[0], high[0]], expected, rtol=0, atol=1e-12)


def test_limits_fall_back_to_percentile_when_bias_correction_is_infinite() -> None:
    theta_star = np.linspace(1.0, 2.0, 101)[None, :]  # every replicate above θ̂ = 0.5: ẑ₀ = −∞
    low, high = bca_limits(np.array([0.5]), theta_star, np.array([0.01]), confidence=0.9)
    np.testing.assert_allclose([low[0], high[0]], np.quantile(theta_star[0], [0.05, 0.95]))


def test_limits_reject_bad_shapes() -> None:
    with pytest.raises(ValueError, match="theta_star"):
        bca_limits(np.zeros(2), np.zeros((3, 10)), np.zeros(2))


def test_group_means_agree_with_scipy_within_monte_carlo_error() -> None:
    rng = np.random.default_rng(5)
    samples = {
        "a": rng.gamma(2.0, 1.0, 60),
        "b": rng.normal(3.0, 0.8, 35),
        "c": rng.integers(1, 6, 50).astype(float),
    }
    y = np.concatenate(list(samples.values()))
    groups = GroupIndex.from_labels(np.repeat(list(samples), [len(v) for v in samples.values()]))
    low, high = bca_group_means(y, groups, n_resamples=10_000, seed=6)
    for code, values in enumerate(samples.values()):
        reference = stats.bootstrap(
            (values,), np.mean, method="BCa", n_resamples=10_000, rng=7
        ).confidence_interval
        # Monte-Carlo sd of each limit is ~0.006 here; the tolerance is several of them.
        se = values.std(ddof=1) / np.sqrt(values.size)
        assert low[code] == pytest.approx(reference.low, abs=0.25 * se)
        assert high[code] == pytest.approx(reference.high, abs=0.25 * se)


def test_reference_vector_interval() -> None:
    low, high = bca_group_means(X, single(X), n_resamples=20_000, seed=1)
    reference = stats.bootstrap((X,), np.mean, method="BCa", n_resamples=20_000, rng=1)
    # Means of 20 Likert answers lie on a grid of 1/20: allow one grid step.
    assert low[0] == pytest.approx(reference.confidence_interval.low, abs=0.05 + 1e-9)
    assert high[0] == pytest.approx(reference.confidence_interval.high, abs=0.05 + 1e-9)


def test_resampling_stays_inside_each_group() -> None:
    rng = np.random.default_rng(8)
    y = np.concatenate([rng.uniform(0, 1, 30), rng.uniform(100, 101, 7), rng.uniform(50, 51, 12)])
    labels = np.repeat(["low", "high", "mid"], [30, 7, 12])
    order = rng.permutation(y.size)  # respondents of a group need not be adjacent
    groups = GroupIndex.from_labels(labels[order])
    low, high = bca_group_means(y[order], groups, n_resamples=500, seed=0)
    for label, (lo_bound, hi_bound) in {"high": (100, 101), "low": (0, 1), "mid": (50, 51)}.items():
        code = list(groups.labels).index(label)
        assert lo_bound < low[code] < high[code] < hi_bound


def test_degenerate_missing_and_small_groups() -> None:
    y = np.array([3.0, 3.0, 3.0, 4.0, np.nan, 2.0, 5.0, np.nan, np.nan])
    labels = ["same"] * 3 + ["one"] + ["two"] * 3 + ["none"] * 2
    groups = GroupIndex.from_labels(labels)
    low, high = bca_group_means(y, groups, n_resamples=400, seed=0)
    by_label = {label: (low[i], high[i]) for i, label in enumerate(groups.labels)}
    assert by_label["same"] == (3.0, 3.0)  # percentile fallback, not NaN
    assert np.isnan(by_label["one"]).all()
    assert np.isnan(by_label["none"]).all()
    assert 2.0 <= by_label["two"][0] <= by_label["two"][1] <= 5.0


def test_seed_makes_intervals_reproducible() -> None:
    rng = np.random.default_rng(9)
    y = rng.normal(0, 1, 80)
    groups = GroupIndex.from_labels(np.repeat(["a", "b"], 40))
    first = bca_group_means(y, groups, n_resamples=300, seed=42)
    again = bca_group_means(y, groups, n_resamples=300, seed=42)
    other = bca_group_means(y, groups, n_resamples=300, seed=43)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_batching_does_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    # The generator fills draws in order, so any batch size gives the same replicates: several
    # batches with a partial last one must equal one batch holding every resample.
    rng = np.random.default_rng(10)
    y = rng.normal(0, 1, 300)
    groups = GroupIndex.from_labels(np.arange(y.size) % 7)
    whole = bca_group_means(y, groups, n_resamples=501, seed=0)
    monkeypatch.setattr(bootstrap, "_BATCH_ELEMENTS", 300 * 40 + 17)
    batched = bca_group_means(y, groups, n_resamples=501, seed=0)
    np.testing.assert_array_equal(whole, batched)
    assert np.isfinite(whole).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"confidence": 1.5}, "confidence must lie strictly"),
        ({"n_resamples": 0}, "n_resamples must be a positive integer"),
        ({"n_resamples": 10.0}, "n_resamples must be a positive integer"),
    ],
    ids=["confidence", "zero-resamples", "float-resamples"],
)
def test_rejects_bad_options(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bca_group_means(X, single(X), **kwargs)  # type: ignore[arg-type]


def test_rejects_wrong_length() -> None:
    with pytest.raises(ValueError, match="one value per respondent"):
        bca_group_means(X[:5], single(X))
