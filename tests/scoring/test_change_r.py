"""Change between waves against tests/reference/change.R (base R): the organisation as surveyed
(stratified, head-count weights, finite-population correction, Satterthwaite df) and a wider pool
paired by unit (weighted CR1; equal weights against R's paired t-test), on generated unbalanced
units. Without Rscript the test skips, except under CI=true where a missing R is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.change import paired_unit_change, stratified_change

SCRIPT = Path(__file__).resolve().parents[1] / "reference" / "change.R"
COLUMNS = ["diff", "se", "df", "ci_low", "ci_high", "p_value"]


def _units(seed: int) -> pd.DataFrame:
    """Units of 2-30 respondents per wave, means of five 1-5 answers, a census unit in wave 1."""
    rng = np.random.default_rng(seed)
    g = 11
    effect = rng.normal(3.2, 0.4, g)
    rows = {"unit": [f"u{k:02d}" for k in range(g)]}
    heads = rng.integers(30, 60, g)
    for wave, shift in ((1, 0.0), (2, 0.2)):
        n = rng.integers(2, 31, g)
        if wave == 1:
            n[0] = heads[0]  # a census: its term is 0
        means, sds = [], []
        for k in range(g):
            answers = np.clip(np.rint(effect[k] + shift + rng.normal(0, 0.9, (n[k], 5))), 1, 5)
            score = answers.mean(axis=1)
            means.append(score.mean())
            sds.append(score.std(ddof=1))
        rows[f"n{wave}"], rows[f"mean{wave}"], rows[f"sd{wave}"] = n, means, sds
    rows["head_count"] = heads
    return pd.DataFrame(rows)


@pytest.mark.r_oracle
@pytest.mark.parametrize("seed", [1, 2])
def test_change_matches_the_r_formulas(seed: int, tmp_path: Path) -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail("Rscript is not on PATH; CI=true requires the R oracle (r-base-core)")
        pytest.skip("Rscript is not on PATH")
    u = _units(seed)
    u.to_csv(tmp_path / "u.csv", index=False, float_format="%.17g")
    out = subprocess.run(
        [rscript, str(SCRIPT), str(tmp_path / "u.csv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    expected = np.array(out, dtype=np.float64).reshape(3, 6)
    heads = u["head_count"].to_numpy(dtype=float)

    def col(name: str) -> np.ndarray:
        return u[[name]].to_numpy(dtype=float)

    got = [
        stratified_change(
            col("n1"), col("mean1"), col("sd1"), heads, col("n2"), col("mean2"), col("sd2"), heads
        ),
        paired_unit_change(col("mean1"), col("mean2"), heads),
        paired_unit_change(col("mean1"), col("mean2"), np.ones(len(u))),
    ]
    ours = np.array([frame[COLUMNS].to_numpy(dtype=float)[0] for frame in got])
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-14)
