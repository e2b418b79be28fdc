"""The organisation row's two intervals against tests/reference/organisation.R (base R).

As surveyed (stratified, head-count weights, finite-population correction, Satterthwaite df) and
the wider pool (CR2 with Bell-McCaffrey df, from dense matrices) on generated unbalanced units,
including a unit of one respondent and a census unit. Without Rscript the test skips, except
under CI=true where a missing R is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.estimates import organisation_as_surveyed, organisation_wider_pool
from scoring.groups import GroupIndex

SCRIPT = Path(__file__).resolve().parents[1] / "reference" / "organisation.R"


def _data(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = np.array([1, 2, 30, *rng.integers(2, 25, size=9)])
    heads = np.ceil(sizes / rng.uniform(0.4, 1.0, sizes.size)).astype(int)
    heads[3] = sizes[3]  # a census
    unit = np.repeat([f"u{g:02d}" for g in range(sizes.size)], sizes)
    effect = rng.normal(0.0, 0.4, sizes.size)
    # Respondent scores as means of five 1-5 answers (fifths), unequal spreads.
    spread = rng.uniform(0.3, 1.2, sizes.size)
    codes = np.repeat(np.arange(sizes.size), sizes)
    answers = np.clip(
        np.rint(
            3.3 + effect[codes, None] + rng.normal(0, 1, (codes.size, 5)) * spread[codes, None]
        ),
        1,
        5,
    )
    return pd.DataFrame({"y": answers.mean(axis=1), "unit": unit, "head_count": heads[codes]})


@pytest.mark.r_oracle
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_organisation_intervals_match_the_r_formulas(seed: int, tmp_path: Path) -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail("Rscript is not on PATH; CI=true requires the R oracle (r-base-core)")
        pytest.skip("Rscript is not on PATH")
    data = _data(seed)
    data.to_csv(tmp_path / "d.csv", index=False, float_format="%.17g")
    out = subprocess.run(
        [rscript, str(SCRIPT), str(tmp_path / "d.csv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    expected = np.array(out, dtype=np.float64).reshape(3, 5)
    names, codes = np.unique(data["unit"].to_numpy(), return_inverse=True)
    moments = GroupIndex.from_codes(codes, names).moments(data[["y"]].to_numpy())
    heads = data.groupby("unit")["head_count"].first().loc[names].to_numpy(dtype=float)
    got = []
    for est in (
        organisation_as_surveyed(moments, confidence=0.95, head_counts=heads),
        organisation_as_surveyed(moments, confidence=0.95),
        organisation_wider_pool(moments, confidence=0.95),
    ):
        got.append(
            [est.mean[0, 0], est.se[0, 0], est.df[0, 0], est.ci_low[0, 0], est.ci_high[0, 0]]
        )
    np.testing.assert_allclose(np.array(got), expected, rtol=1e-10, atol=1e-13)
