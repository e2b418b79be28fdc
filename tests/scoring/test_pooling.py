"""Partially pooled unit means: REML against R nlme, the posterior against a slow dense reference."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scoring.groups import GroupIndex
from scoring.pooling import pooled_posterior, reml_fit


def _moments(sizes: list[int], seed: int, tau: float = 0.3, sigma: float = 0.8):
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(len(sizes)), sizes)
    y = 3 + rng.normal(0, tau, len(sizes))[codes] + rng.normal(0, sigma, codes.size)
    index = GroupIndex.from_codes(codes, np.arange(len(sizes)).astype(object))
    return y, codes, index.moments(y[:, None])


def _reference_cdf(
    n: np.ndarray, ybar: np.ndarray, var: np.ndarray, x: np.ndarray, prior_scale: float = 1.0
) -> np.ndarray:
    """P(θ_g < x_g) by brute force: dense normal algebra on a (v, σ²) grid, μ nearly flat.

    ȳ − c ~ N(0, σ²(v²I + diag(1/n)) + M²11ᵀ) with c = mean(ȳ) and M = 30 (μ nearly flat
    on a 1-5 scale), SSW/σ² ~ χ²(N − G);
    priors v half-Cauchy(0, prior_scale), σ² ∝ 1/σ². θ | ȳ, v, σ² by Gaussian conditioning.
    """
    g = n.size
    total = n.sum()
    ssw = float(((n - 1) * np.nan_to_num(var)).sum())
    big = 30.0
    centre = ybar.mean()
    ybar = ybar - centre
    x = x - centre
    msw = ssw / (total - g)
    vs = np.concatenate([np.linspace(0.0, 2.0, 161)[:-1], np.geomspace(2.0, 40.0, 60)])
    s2s = msw * np.exp(np.linspace(-4.0, 4.0, 121))
    log_w = np.empty((vs.size, s2s.size))
    cdf = np.empty((vs.size, s2s.size, g))
    ones = np.ones(g)
    for i, v in enumerate(vs):
        for j, s2 in enumerate(s2s):
            prior_theta = s2 * v * v * np.eye(g) + big**2 * np.outer(ones, ones)
            cov_y = prior_theta + np.diag(s2 / n)
            inverse = np.linalg.inv(cov_y)
            _, logdet = np.linalg.slogdet(cov_y)
            log_w[i, j] = (
                -0.5 * (logdet + ybar @ inverse @ ybar)
                + stats.chi2.logpdf(ssw / s2, total - g)
                - np.log(s2)  # from the χ² density of SSW/σ² to the density of SSW
                - np.log1p((v / prior_scale) ** 2)
                # the 1/σ² prior is uniform on the log grid: no term
            )
            gain = prior_theta @ inverse
            cov = prior_theta - gain @ prior_theta
            sd = np.sqrt(np.maximum(np.diag(cov), 1e-300))
            cdf[i, j] = stats.norm.cdf((x - gain @ ybar) / sd)
    # trapezoid weights in v (the grid is not uniform); the log-σ² grid is uniform
    step = np.diff(vs)
    dv = np.concatenate(([step[0] / 2], (step[:-1] + step[1:]) / 2, [step[-1] / 2]))
    w = np.exp(log_w - log_w.max()) * dv[:, None]
    return (w[:, :, None] * cdf).sum(axis=(0, 1)) / w.sum()


@settings(max_examples=4, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 12), min_size=3, max_size=5),
    seed=st.integers(0, 10_000),
    tau=st.sampled_from([0.0, 0.2, 0.6]),
)
def test_posterior_matches_a_slow_dense_reference(sizes: list[int], seed: int, tau: float) -> None:
    if sum(sizes) - len(sizes) < 3:
        sizes = [s + 2 for s in sizes]
    _, _, m = _moments(sizes, seed, tau=tau)
    post = pooled_posterior(m.n, m.mean, m.var)
    x = post.mean[:, 0] + np.linspace(-1.0, 1.0, len(sizes)) * post.sd[:, 0]
    ours = post.cdf(x[:, None])[:, 0]
    reference = _reference_cdf(m.n[:, 0], m.mean[:, 0], m.var[:, 0], x)
    # The reference integrates σ² on a log grid and v on [0, 40]: agreement to a few 1e-3.
    np.testing.assert_allclose(ours, reference, atol=6e-3)


def test_interval_ends_are_the_posterior_quantiles_and_never_zero_width() -> None:
    # Unit 0 gives identical answers; with its own sd its t interval would have zero width.
    _, _, m = _moments([6, 9, 12, 5, 8], 3)
    var = m.var.copy()
    var[0, 0] = 0.0
    post = pooled_posterior(m.n, m.mean, var)
    low, high = post.interval(0.9)
    np.testing.assert_allclose(post.cdf(low), 0.05, atol=1e-9)
    np.testing.assert_allclose(post.cdf(high), 0.95, atol=1e-9)
    assert (high - low > 0.05).all() and (post.sd > 0).all()


def test_band_probabilities_sum_to_one() -> None:
    _, _, m = _moments([6, 9, 12, 5, 8, 3], 4)
    post = pooled_posterior(m.n, m.mean, m.var)
    edges = [-np.inf, 1.8, 2.6, 3.4, 4.2, np.inf]
    total = sum(post.band_probability(lo, hi) for lo, hi in itertools.pairwise(edges))
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


def test_shrinkage_pulls_small_units_more() -> None:
    _, _, m = _moments([2, 40, 40, 40, 40, 2], 5, tau=0.2)
    post = pooled_posterior(m.n, m.mean, m.var)
    grand = float((m.n * m.mean).sum() / m.n.sum())
    pull = np.abs(post.mean[:, 0] - m.mean[:, 0]) / np.abs(m.mean[:, 0] - grand)
    assert pull[[0, 5]].min() > pull[1:5].max()


def test_one_unit_or_no_spread_has_no_posterior() -> None:
    post = pooled_posterior(np.array([[5.0]]), np.array([[3.0]]), np.array([[0.5]]))
    assert np.isnan(post.mean).all() and np.isnan(post.df).all()
    flat = pooled_posterior(np.array([5.0, 4.0]), np.array([3.0, 3.0]), np.array([0.0, 0.0]))
    assert np.isnan(flat.mean).all()
    empty_unit = pooled_posterior(
        np.array([5.0, 0.0, 4.0]), np.array([3.0, np.nan, 2.0]), np.array([0.5, np.nan, 0.4])
    )
    assert np.isnan(empty_unit.mean[1, 0]) and np.isfinite(empty_unit.mean[[0, 2], 0]).all()


def test_work_is_vectorised_across_dimensions() -> None:
    _, _, a = _moments([6, 9, 12, 5], 6)
    _, _, b = _moments([6, 9, 12, 5], 7, tau=0.5)
    both = pooled_posterior(
        np.hstack([a.n, b.n]), np.hstack([a.mean, b.mean]), np.hstack([a.var, b.var])
    )
    one = pooled_posterior(b.n, b.mean, b.var)
    np.testing.assert_allclose(both.mean[:, 1], one.mean[:, 0], rtol=1e-12)


@pytest.mark.parametrize(
    ("bad", "message"), [({"prior_scale": 0.0}, "prior_scale"), ({"nodes": 0}, "nodes")]
)
def test_bad_options_are_refused(bad: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pooled_posterior(np.array([5.0, 4.0]), np.array([3.0, 2.0]), np.array([0.5, 0.4]), **bad)


R_REML = r"""
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
fit <- nlme::lme(y ~ 1, random = ~ 1 | g, data = d, method = "REML")
v <- as.numeric(nlme::VarCorr(fit)[, "Variance"])
# The same restricted likelihood by hand on the unit moments, maximised with optimize over
# lambda = tau^2 / sigma^2 (sigma^2 profiled): an independent check of the algebra.
n <- as.numeric(table(d$g)); ybar <- as.numeric(tapply(d$y, d$g, mean))
ssw <- sum(tapply(d$y, d$g, function(x) sum((x - mean(x))^2))); N <- sum(n)
prof <- function(lam) {
  w <- 1 / (lam + 1 / n); mu <- sum(w * ybar) / sum(w); s <- ssw + sum(w * (ybar - mu)^2)
  -0.5 * ((N - 1) * log(s) + sum(log(lam + 1 / n)) + log(sum(w)))
}
lam <- optimize(prof, c(0, 50), maximum = TRUE, tol = 1e-12)$maximum
w <- 1 / (lam + 1 / n); mu <- sum(w * ybar) / sum(w); s2 <- (ssw + sum(w * (ybar - mu)^2)) / (N - 1)
cat(sprintf("%.17g", c(v[1], v[2], nlme::fixef(fit)[1], lam * s2, s2)), sep = "\n")
"""


@pytest.mark.r_oracle
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reml_matches_nlme_and_a_hand_optimisation_in_r(seed: int, tmp_path: Path) -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript is not on PATH")
    sizes = list(np.random.default_rng(seed).integers(1, 30, size=14))
    y, codes, m = _moments(sizes, seed, tau=0.45)
    pd.DataFrame({"y": y, "g": codes}).to_csv(tmp_path / "d.csv", index=False, float_format="%.17g")
    (tmp_path / "reml.R").write_text(R_REML)
    out = subprocess.run(
        [rscript, str(tmp_path / "reml.R"), str(tmp_path / "d.csv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    tau2_nlme, sigma2_nlme, mu_nlme, tau2_hand, sigma2_hand = map(float, out)
    fit = reml_fit(m.n, m.mean, m.var)
    assert fit.tau2[0] > 0.05
    # A maximum is flat: optimisers place it to ~√eps relative in λ (R optimize and our golden
    # section alike), so 1e-6; nlme's own optimiser stops at ~1e-5.
    np.testing.assert_allclose([fit.tau2[0], fit.sigma2[0]], [tau2_hand, sigma2_hand], rtol=1e-6)
    np.testing.assert_allclose(
        [fit.tau2[0], fit.sigma2[0], fit.mu[0]], [tau2_nlme, sigma2_nlme, mu_nlme], rtol=1e-4
    )
