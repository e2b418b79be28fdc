"""Mantel-Haenszel DIF against R's mantelhaen.test and against planted DIF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.dif import mantel_haenszel_dif


def _data(seed: int, shift: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 600
    focal = rng.random(n) < 0.4
    trait = rng.normal(0, 1, n)
    stratum = np.clip(np.round(trait * 1.5 + 3), 0, 6)
    logit = 1.2 * trait - shift * focal
    agree = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    agree[rng.random(n) < 0.05] = np.nan
    return agree, focal, stratum


R_MH = r"""
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
d <- d[!is.na(d$agree), ]
tab <- table(factor(d$agree, levels = c(1, 0)), factor(d$focal, levels = c(0, 1)), d$stratum)
tab <- tab[, , apply(tab, 3, function(s) sum(s[, 1]) > 0 && sum(s[, 2]) > 0), drop = FALSE]
m <- mantelhaen.test(tab)
cat(sprintf("%.17g", c(m$estimate, m$conf.int, m$statistic, m$p.value)), sep = "\n")
"""


@pytest.mark.r_oracle
@pytest.mark.parametrize(("seed", "shift"), [(1, 0.0), (2, 0.8)])
def test_matches_r_mantelhaen_test(seed: int, shift: float, tmp_path: Path) -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript is not on PATH")
    agree, focal, stratum = _data(seed, shift)
    frame = pd.DataFrame({"agree": agree, "focal": focal.astype(int), "stratum": stratum})
    frame.to_csv(tmp_path / "d.csv", index=False, na_rep="NA")
    (tmp_path / "mh.R").write_text(R_MH)
    out = subprocess.run(
        [rscript, str(tmp_path / "mh.R"), str(tmp_path / "d.csv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    odds, low, high, chi2, p = map(float, out)
    ours = mantel_haenszel_dif(agree, focal, stratum)
    np.testing.assert_allclose(
        [ours.odds_ratio, ours.ci_low, ours.ci_high, ours.chi2, ours.p_value],
        [odds, low, high, chi2, p],
        rtol=1e-10,
    )


def test_planted_dif_is_found_and_absent_dif_is_not() -> None:
    clean = mantel_haenszel_dif(*_data(3, 0.0))
    assert clean.category == "A" and clean.ci_low < 1 < clean.ci_high
    # A focal group that agrees less at the same trait level: odds ratio above 1, Δ negative.
    planted = mantel_haenszel_dif(*_data(3, 1.5))
    assert planted.odds_ratio > 2 and planted.delta < -1.5 and planted.category in {"B", "C"}


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="agree must hold 0, 1 or NaN"):
        mantel_haenszel_dif(np.array([0.0, 2.0]), np.array([True, False]), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="1-D of one length"):
        mantel_haenszel_dif(np.array([0.0]), np.array([True, False]), np.array([1.0, 1.0]))


def test_an_undefined_odds_ratio_is_no_class() -> None:
    """When the focal group always agrees, α_MH is undefined: no class, never "negligible"."""
    agree = np.array([1, 0, 1, 0, 1, 1, 1, 1, 1, 1], dtype=float)
    focal = np.array([False] * 4 + [True] * 6)
    stratum = np.array([3, 3, 4, 4, 3, 3, 4, 4, 3, 4], dtype=float)
    result = mantel_haenszel_dif(agree, focal, stratum)
    assert result.category == "" and np.isnan(result.odds_ratio) and np.isnan(result.delta)
