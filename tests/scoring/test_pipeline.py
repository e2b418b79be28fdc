"""The scoring pipeline end to end: hand-computed values, output shapes, privacy and options."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scoring_cases import LEVEL_THRESHOLDS
from support import require_rscript

from scoring.bootstrap import bca_group_means
from scoring.drivers import relative_weights
from scoring.groups import GroupIndex
from scoring.maturity import level_of
from scoring.pipeline import (
    MIN_DRIVER_ROWS,
    SCORE_COLUMNS,
    STATS_COLUMNS,
    TARGET_COLUMNS,
    ScoreResult,
    agreement_band,
    flag_below_target,
    score,
)
from scoring.pooling import pooled_posterior
from scoring.recoding import recode
from scoring.reliability import alpha_item_statistics, cronbach_alpha
from scoring.shrinkage import rank_units
from scoring.spec import ScoringSpec

# Four items on 1..5, I03 reverse-keyed; a = I00, I01; b = I02, I03; overall = all four.
# Hand computation (I03 scored 6 - x; DK = -2, skipped = -1):
#   north r1 [4, 5, 3, 2] -> a 4.5, b (3 + 4)/2 = 3.5, overall 4
#   north r2 [3, 3, DK, 1] -> a 3, b 5 (one of two answered = 0.5 coverage), overall 11/3
#   north r3 [5, 4, 4, 4] -> a 4.5, b 3, overall 3.75
#   north r4 [2, skip, 5, 3] -> a 2, b 4, overall 10/3
#   north a: mean 3.5, sd √1.5, se √1.5/2; level 4 (threshold 3.5)
#   rwg(J) of a in north: s² = 5/3 (I00) and 1 (I01), s̄² = 4/3, σ²_EU = 2 → 0.5
HAND_CODES = np.array(
    [
        [4, 5, 3, 2],
        [3, 3, -2, 1],
        [5, 4, 4, 4],
        [2, -1, 5, 3],
        [1, 2, 3, 5],
        [2, 2, 2, 4],
        [1, 1, 3, 5],
        [5, 5, 5, 1],
    ],
    dtype=np.int8,
)
HAND_GROUPS = ["north"] * 4 + ["south"] * 3 + ["tiny"]


@pytest.fixture
def hand_spec(make_spec: Callable[..., ScoringSpec]) -> ScoringSpec:
    return make_spec(
        n_items=4,
        dimensions=[
            ("component", "a", (0, 1)),
            ("component", "b", (2, 3)),
            ("overall", "overall", (0, 1, 2, 3)),
        ],
        reverse=(3,),
        min_group_size=3,
    )


@pytest.fixture
def hand(hand_spec: ScoringSpec) -> ScoreResult:
    return score(HAND_CODES, HAND_GROUPS, hand_spec)


def row(frame: pd.DataFrame, unit: str, key: str, value: str) -> pd.Series:
    match = frame[(frame["unit"] == unit) & (frame[key] == value)]
    assert len(match) == 1
    return match.iloc[0]


def test_hand_computed_unit_scores(hand: ScoreResult) -> None:
    north_a = row(hand.scores, "north", "dimension", "a")
    assert north_a["n"] == 4
    np.testing.assert_allclose(north_a["mean"], 3.5)
    np.testing.assert_allclose(north_a["sd"], np.sqrt(1.5))
    se = np.sqrt(1.5) / 2
    np.testing.assert_allclose(north_a["se"], se)
    half = stats.t.ppf(0.975, 3) * se
    # the t interval, bounded to the answer scale (issue 14)
    np.testing.assert_allclose(
        [north_a["ci_low"], north_a["ci_high"]], [3.5 - half, min(3.5 + half, 5.0)]
    )
    # north is the only unit shown: there is nothing to pool with (the pooled model sees shown
    # units only), so its level is the t level.
    assert np.isnan(north_a["pooled_mean"])
    assert north_a["level"] == 4 and north_a["level_name"] == "Managed"
    np.testing.assert_allclose(north_a["level_probability"], stats.t.cdf((4.2 - 3.5) / se, 3) - 0.5)
    assert (north_a["level_low"], north_a["level_high"]) == (1, 5)
    assert north_a["level_borderline"]
    np.testing.assert_allclose(north_a["rwg_j"], 0.5)
    np.testing.assert_allclose(north_a["rwg_j_lindell"], 1 - (4 / 3) / 2)
    # coverage: north answered 7 of the 8 answers of a
    np.testing.assert_allclose(north_a["coverage"], 7 / 8)
    north_overall = row(hand.scores, "north", "dimension", "overall")
    np.testing.assert_allclose(north_overall["mean"], (4 + 11 / 3 + 3.75 + 10 / 3) / 4)
    north_b = row(hand.scores, "north", "dimension", "b")
    np.testing.assert_allclose(north_b["mean"], (3.5 + 5 + 3 + 4) / 4)


def test_hand_computed_respondent_scores(hand: ScoreResult) -> None:
    north = hand.respondents[hand.respondents["unit"] == "north"]
    np.testing.assert_allclose(north["a"], [4.5, 3.0, 4.5, 2.0])
    np.testing.assert_allclose(north["b"], [3.5, 5.0, 3.0, 4.0])
    assert len(hand.respondents) == len(HAND_CODES)
    assert list(hand.respondents.columns[:4]) == ["unit", "a", "b", "overall"]
    assert {"straight_lining", "flagged"} <= set(hand.respondents.columns)


def test_tiny_unit_and_its_complement_are_suppressed(hand: ScoreResult) -> None:
    # tiny (1) < 3; pooled 1 < 3 with the total shown -> the next smallest unit (south, 3) too
    scores = hand.scores.set_index(["unit", "dimension"])
    for unit in ("south", "tiny"):
        for dimension in ("a", "b", "overall"):
            cell = scores.loc[(unit, dimension)]
            assert cell["suppressed"]
            assert cell["n"] == (3 if unit == "south" else 1)
            stat_cells = cell.drop(["dimension_type", "n", "suppressed"])
            assert stat_cells.isna().all(), stat_cells[stat_cells.notna()]
    assert not scores.loc[("north", "a"), "suppressed"]
    items = hand.items[hand.items["unit"].isin(["south", "tiny"])]
    assert items["suppressed"].all()
    assert items.drop(columns=["unit", "item", "n", "suppressed"]).isna().all().all()


def test_organisation_row(hand: ScoreResult) -> None:
    # Issue 14: by default the organisation as surveyed, stratified by unit (no head-counts:
    # weights n_g), se² = Σ w_g² s_g²/n_g; tiny (n = 1) borrows the pooled within variance.
    org = row(hand.scores, "__all__", "dimension", "a")
    y = hand.respondents["a"].to_numpy()
    labels = np.asarray(HAND_GROUPS)
    assert org["n"] == 8 and not org["suppressed"]
    np.testing.assert_allclose(org["mean"], y.mean())
    sizes = np.array([(labels == u).sum() for u in ("north", "south", "tiny")], dtype=float)
    groups = [y[labels == u] for u in ("north", "south", "tiny")]
    ssw = sum(((g - g.mean()) ** 2).sum() for g in groups)
    pooled = ssw / (8 - 3)
    s2 = np.array([groups[0].var(ddof=1), groups[1].var(ddof=1), pooled])
    w = sizes / 8
    terms = w**2 * s2 / sizes
    se = np.sqrt(terms.sum())
    df = terms.sum() ** 2 / (terms**2 / np.array([3.0, 2.0, 5.0])).sum()
    np.testing.assert_allclose(org["se"], se, rtol=1e-12)
    half = stats.t.ppf(0.975, df) * se
    np.testing.assert_allclose(
        [org["ci_low"], org["ci_high"]], np.clip([y.mean() - half, y.mean() + half], 1, 5)
    )
    np.testing.assert_allclose(org["coverage"], 15 / 16)
    for column in ("rwg_j", "rwg_j_lindell", "awg", "ad_m"):
        assert np.isnan(org[column])
    assert org["eb_mean"] == org["mean"] and pd.isna(org["rank"])
    assert any("as surveyed" in str(note) for note in hand.notes)


def test_items_frame_by_hand(hand: ScoreResult) -> None:
    item = row(hand.items, "north", "item", "I03")
    # answers as chosen 2, 1, 4, 3; scored 4, 5, 2, 3
    assert [item[f"count_{v}"] for v in range(1, 6)] == [1, 1, 1, 1, 0]
    np.testing.assert_allclose(item["mean"], 3.5)
    np.testing.assert_allclose(item["sd"], np.std([4, 5, 2, 3], ddof=1))
    np.testing.assert_allclose(item["ad"], 1.0)
    assert row(hand.items, "north", "item", "I02")["n_dk"] == 1
    assert row(hand.items, "north", "item", "I01")["n_skipped"] == 1
    assert np.isnan(item["alpha_if_deleted"])
    total = row(hand.items, "__all__", "item", "I00")
    assert total["n"] == 8 and np.isnan(total["rwg"])
    assert [total[f"count_{v}"] for v in range(1, 6)] == [2, 2, 1, 1, 2]


def test_item_reliability_columns_come_from_the_items_component(
    hand: ScoreResult, hand_spec: ScoringSpec
) -> None:
    x = recode(HAND_CODES, hand_spec)
    table = alpha_item_statistics(x[:, [2, 3]], item_ids=["I02", "I03"])
    got = hand.items[hand.items["unit"] == "__all__"].set_index("item")
    np.testing.assert_allclose(
        got.loc[["I02", "I03"], "item_rest_r"], table["item_rest_r"], equal_nan=True
    )
    assert hand.items.loc[hand.items["unit"] != "__all__", "item_rest_r"].isna().all()


def test_stats_frame(hand: ScoreResult, hand_spec: ScoringSpec) -> None:
    assert tuple(hand.stats.columns) == STATS_COLUMNS
    assert hand.stats["dimension"].tolist() == ["a", "b", "overall"]
    overall = hand.stats.set_index("dimension").loc["overall"]
    expected = cronbach_alpha(recode(HAND_CODES, hand_spec), confidence=0.95)
    np.testing.assert_allclose(overall["alpha"], expected.alpha)
    np.testing.assert_allclose(overall["alpha_ci_low"], expected.ci_low)
    assert overall["n_respondents"] == 8 and overall["n_units"] == 3 and overall["n_items"] == 4


def test_scores_columns_and_row_order(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    rng = np.random.default_rng(0)
    groups = rng.choice(["d", "b", "c", "a"], size=120)
    result = score(simulate(rng, 120, 9), groups, spec)
    assert tuple(result.scores.columns) == ("unit", *SCORE_COLUMNS)
    expected_units = [u for u in "abcd" for _ in range(4)] + ["__all__"] * 4
    assert result.scores["unit"].tolist() == expected_units
    assert result.scores["dimension"].tolist() == ["a", "b", "overall", "out"] * 5
    assert result.scores["dimension_type"].tolist()[:4] == [
        "component",
        "component",
        "overall",
        "outcome",
    ]
    assert result.items["unit"].tolist() == [u for u in [*"abcd", "__all__"] for _ in range(9)]
    assert result.scores["level"].dtype == "Int64"
    with_targets = score(simulate(rng, 120, 9), groups, spec, targets={"a": 4}, group_column="team")
    assert tuple(with_targets.scores.columns) == ("team", *SCORE_COLUMNS, *TARGET_COLUMNS)


def test_targets_give_gap_and_probability(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    rng = np.random.default_rng(1)
    result = score(simulate(rng, 200, 9), rng.choice(["x", "y"], 200), spec, targets={"b": 4})
    b = result.scores[result.scores["dimension"] == "b"]
    assert (b["target"] == 4).all() and (b["target_threshold"] == 3.5).all()
    np.testing.assert_allclose(b["gap"], 3.5 - b["mean"])
    np.testing.assert_allclose(b["gap_ci_low"], 3.5 - b["ci_high"])
    # Unit rows: the pooled posterior's mass at or above the threshold (issue 14); the
    # organisation row: its own t distribution.
    units = b[b["unit"] != "__all__"]
    index = GroupIndex.from_labels(result.respondents["unit"].astype(str).to_numpy())
    moments = index.moments(result.respondents[["b"]].to_numpy())
    post = pooled_posterior(moments.n, moments.mean, moments.var)
    np.testing.assert_allclose(units["p_target"], 1 - post.cdf(np.full((2, 1), 3.5))[:, 0])
    org = b[b["unit"] == "__all__"].iloc[0]
    expected = 1 - stats.t.cdf((3.5 - org["mean"]) / org["se"], 199)
    assert abs(org["p_target"] - expected) < 0.01  # Satterthwaite df, not N - 1
    assert b["below_target"].notna().all()
    a = result.scores[result.scores["dimension"] == "a"]
    assert a["target"].isna().all() and a["gap"].isna().all()


def test_bca_intervals_come_from_the_bootstrap(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    rng = np.random.default_rng(2)
    groups = rng.choice(["x", "y", "z"], 150)
    codes = simulate(rng, 150, 9)
    t_result = score(codes, groups, spec)
    bca = score(codes, groups, spec, method="bca", n_resamples=300, seed=7)
    index = GroupIndex.from_labels(groups)
    y = bca.respondents["b"].to_numpy()
    low, high = bca_group_means(y, index, confidence=0.95, n_resamples=300, seed=7)
    b = bca.scores[(bca.scores["dimension"] == "b") & (bca.scores["unit"] != "__all__")]
    np.testing.assert_allclose(b["ci_low"], low)
    np.testing.assert_allclose(b["ci_high"], high)
    np.testing.assert_array_equal(b["level_low"], level_of(low, spec.level_thresholds))
    # the means, the organisation row and level probability stay as with t
    pd.testing.assert_series_equal(bca.scores["mean"], t_result.scores["mean"])
    org = bca.scores["unit"] == "__all__"
    pd.testing.assert_frame_equal(bca.scores[org], t_result.scores[org])
    pd.testing.assert_series_equal(
        bca.scores["level_probability"], t_result.scores["level_probability"]
    )


def test_head_counts_apply_the_finite_population_correction(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    rng = np.random.default_rng(3)
    groups = np.array(["x"] * 20 + ["y"] * 30)
    codes = simulate(rng, 50, 9)
    plain = score(codes, groups, spec)
    corrected = score(codes, groups, spec, head_counts={"x": 40, "y": 30, "ghost": 9})
    x_plain = plain.scores[(plain.scores["unit"] == "x")]
    x_fpc = corrected.scores[(corrected.scores["unit"] == "x")]
    np.testing.assert_allclose(
        x_fpc["se"], x_plain["se"] * np.sqrt((40 - x_plain["n"]) / 39), rtol=1e-12
    )
    y_fpc = corrected.scores[(corrected.scores["unit"] == "y") & (corrected.scores["n"] == 30)]
    assert len(y_fpc) > 0
    # A census: the raw se is 0, but the level probability comes from the pooled posterior,
    # which never shows zero uncertainty (issue 14).
    assert (y_fpc["se"] == 0).all() and (y_fpc["level_probability"] < 1).all()
    assert (y_fpc["pooled_ci_high"] > y_fpc["pooled_ci_low"]).all()
    assert not corrected.scores["head_count_stale"].any()


def test_a_stale_head_count_is_one_units_warning(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    # Issue 14: more respondents than the head-count used to fail the whole campaign.
    spec = make_spec()
    rng = np.random.default_rng(3)
    groups = np.array(["x"] * 20 + ["y"] * 30)
    codes = simulate(rng, 50, 9)
    plain = score(codes, groups, spec)
    stale = score(codes, groups, spec, head_counts={"x": 40, "y": 25})
    scores = stale.scores
    np.testing.assert_array_equal(scores["head_count_stale"], scores["unit"] == "y")
    y_rows = scores["unit"] == "y"
    pd.testing.assert_series_equal(scores.loc[y_rows, "se"], plain.scores.loc[y_rows, "se"])
    assert (
        scores.loc[scores["unit"] == "x", "se"] < plain.scores.loc[scores["unit"] == "x", "se"]
    ).all()
    assert any(
        "unit 'y': more respondents than its head-count of 25" in str(n) for n in stale.notes
    )


def test_bca_is_refused_below_20_respondents(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    rng = np.random.default_rng(4)
    groups = np.array(["big"] * 40 + ["small"] * 8)
    codes = simulate(rng, 48, 9)
    t_result = score(codes, groups, spec)
    bca = score(codes, groups, spec, method="bca", n_resamples=300, seed=7)
    small = (bca.scores["unit"] == "small") & (bca.scores["n"] >= 2)
    big = (bca.scores["unit"] == "big") & (bca.scores["n"] >= 20)
    assert small.any() and big.any()
    pd.testing.assert_frame_equal(bca.scores[small], t_result.scores[small])
    assert (bca.scores.loc[big, "ci_method"] == "bca").all()
    assert (bca.scores.loc[small, "ci_method"] == "t").all()
    assert (bca.scores.loc[big, "ci_low"] != t_result.scores.loc[big, "ci_low"]).any()
    assert any("fewer than 20 respondents" in str(note) for note in bca.notes)


def test_intervals_stay_on_the_answer_scale(make_spec: Callable[..., ScoringSpec]) -> None:
    spec = make_spec(min_group_size=1)
    # Two answers far apart: the t interval on 1 df spans ±12.7 sd.
    codes = np.array([[1] * 9, [5] * 9, [3] * 9, [3] * 9, [4] * 9], dtype=np.int8)
    result = score(codes, ["a", "a", "b", "b", "b"], spec)
    rows = result.scores[result.scores["n"] >= 2]
    assert (rows["ci_low"] >= spec.scale_min).all() and (rows["ci_high"] <= spec.scale_max).all()
    a = rows[rows["unit"] == "a"]
    assert (a["ci_low"] == 1.0).all() and (a["ci_high"] == 5.0).all()


def test_drivers_need_an_outcome_and_enough_complete_rows(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    rng = np.random.default_rng(4)
    big = score(simulate(rng, 80, 9), ["u"] * 80, spec, n_resamples=50)
    assert big.drivers["outcome"].unique().tolist() == ["out"]
    assert big.drivers["name"].tolist() == ["a", "b"]
    small = score(simulate(rng, MIN_DRIVER_ROWS - 1, 9), ["u"] * (MIN_DRIVER_ROWS - 1), spec)
    assert small.drivers.empty
    assert any("drivers of out" in str(note) for note in small.notes)
    no_outcome = make_spec(dimensions=[("component", "a", (0, 1, 2))])
    assert score(simulate(rng, 80, 9), ["u"] * 80, no_outcome).drivers.empty


def test_alpha_of_every_dimension_comes_from_one_covariance_matrix(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    # Overlapping dimensions in scattered column order, a reverse-keyed item, missing answers and
    # an item in no dimension: each alpha and item statistic equals its own computation.
    spec = make_spec(
        n_items=10,
        dimensions=[
            ("component", "a", (0, 4, 2)),
            ("component", "b", (3, 1, 5, 6)),
            ("principle", "p", (6, 0, 3, 8)),
            ("overall", "overall", tuple(range(7))),
            ("outcome", "out", (7, 8)),
        ],
        reverse=(4,),
        confidence=0.9,
    )
    rng = np.random.default_rng(12)
    codes = simulate(rng, 300, 10, missing=0.15)
    result = score(codes, rng.choice(["x", "y", "z"], 300), spec)
    x = recode(codes, spec)
    stats_by_dimension = result.stats.set_index("dimension")
    for dimension in spec.dimensions:
        expected = cronbach_alpha(x[:, list(dimension.items)], confidence=0.9)
        np.testing.assert_allclose(
            stats_by_dimension.loc[dimension.id, ["alpha", "alpha_ci_low", "alpha_ci_high"]],
            [expected.alpha, expected.ci_low, expected.ci_high],
            rtol=0,
            atol=1e-13,
        )
    items = result.items[result.items["unit"] == "__all__"].set_index("item")
    home = {"a": (0, 4, 2), "b": (3, 1, 5, 6), "out": (7, 8)}  # the principle p adds no item
    for dimension_items in home.values():
        ids = [spec.item_ids[j] for j in dimension_items]
        table = alpha_item_statistics(x[:, list(dimension_items)], item_ids=ids)
        np.testing.assert_allclose(
            items.loc[ids, ["alpha_if_deleted", "item_rest_r"]],
            table[["alpha_if_deleted", "item_rest_r"]],
            rtol=0,
            atol=1e-13,
            equal_nan=True,
        )
    assert items.loc["I09", ["alpha_if_deleted", "item_rest_r"]].isna().all()


def test_driver_intervals_have_their_own_resamples(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    rng = np.random.default_rng(13)
    codes = simulate(rng, 120, 9)
    groups = rng.choice(["x", "y"], 120)
    few_bca = score(codes, groups, spec, method="bca", n_resamples=30, driver_resamples=150)
    more_bca = score(codes, groups, spec, method="bca", n_resamples=60, driver_resamples=150)
    pd.testing.assert_frame_equal(few_bca.drivers, more_bca.drivers)
    y = few_bca.respondents[["a", "b", "out"]].to_numpy()
    direct = relative_weights(y[:, :2], y[:, 2], names=["a", "b"], n_resamples=150, seed=0)
    np.testing.assert_allclose(
        few_bca.drivers[["raw_weight", "ci_low", "ci_high"]],
        direct[["raw_weight", "ci_low", "ci_high"]],
        rtol=0,
        atol=1e-14,
    )
    without = score(codes, groups, spec, driver_resamples=0).drivers
    assert without[["ci_low", "ci_high"]].isna().all().all()
    assert without["raw_weight"].notna().all()


def test_single_unit_uses_the_ordinary_interval_and_says_so(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    codes = simulate(np.random.default_rng(5), 40, 9)
    for how in ("as-surveyed", "wider-pool"):
        result = score(codes, ["only"] * 40, spec, org_interval=how)  # type: ignore[arg-type]
        org = result.scores[result.scores["unit"] == "__all__"].iloc[0]
        unit = result.scores[result.scores["unit"] == "only"].iloc[0]
        np.testing.assert_allclose(
            [org["ci_low"], org["ci_high"]], [unit["ci_low"], unit["ci_high"]]
        )
        # one unit: no pooling, the unit's level is its t level
        assert np.isnan(unit["pooled_mean"])
        np.testing.assert_allclose(unit["level_probability"], org["level_probability"], rtol=1e-12)
    assert any("ordinary t interval" in str(note) for note in result.notes)


def test_wider_pool_row_is_cr2_with_bell_mccaffrey_df(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    rng = np.random.default_rng(8)
    groups = np.repeat(["p", "q", "r", "s", "t"], [3, 7, 12, 5, 20])
    result = score(simulate(rng, groups.size, 9), groups, spec, org_interval="wider-pool")
    org = result.scores[(result.scores["unit"] == "__all__") & (result.scores["dimension"] == "a")]
    y = result.respondents["a"].to_numpy()
    # Dense reference: X = 1, H = J/N, A_g = (I - H_gg)^(-1/2) by eigen-decomposition,
    # V = (X'X)^-1 Σ X_g' A_g e_g e_g' A_g X_g (X'X)^-1; BM df from the eigenvalues of G'G.
    n = y.size
    e = y - y.mean()
    big_h = np.full((n, n), 1.0 / n)
    meat, columns = 0.0, []
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        values, vectors = np.linalg.eigh(np.eye(rows.size) - big_h[np.ix_(rows, rows)])
        a_g = vectors @ np.diag(values**-0.5) @ vectors.T
        meat += (np.ones(rows.size) @ a_g @ e[rows]) ** 2
        column = (np.eye(n) - big_h)[:, rows] @ a_g @ np.ones(rows.size) / n
        columns.append(column)
    se = np.sqrt(meat) / n
    lam = np.linalg.eigvalsh(np.column_stack(columns).T @ np.column_stack(columns))
    df = lam.sum() ** 2 / (lam**2).sum()
    np.testing.assert_allclose(org["se"], se, rtol=1e-10)
    half = stats.t.ppf(0.975, df) * se
    np.testing.assert_allclose(
        org[["ci_low", "ci_high"]].to_numpy()[0], [y.mean() - half, y.mean() + half], rtol=1e-10
    )
    assert any("Bell-McCaffrey" in str(note) for note in result.notes)


def test_scoring_common_items_of_two_versions(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec(reverse=(4,))
    rng = np.random.default_rng(6)
    codes = simulate(rng, 90, 9, missing=0.1)
    groups = rng.choice(["x", "y"], 90)
    common = spec.restricted_to(["I00", "I01", "I03", "I04", "I07"])
    restricted = score(codes[:, list(spec.item_positions(common.item_ids))], groups, common)
    assert restricted.scores["dimension"].unique().tolist() == ["a", "b", "overall", "out"]
    assert restricted.stats.set_index("dimension")["n_items"].to_dict() == {
        "a": 2,
        "b": 2,
        "overall": 4,
        "out": 1,
    }
    a_only = codes[:, [0, 1]]
    by_hand = np.nanmean(np.where(a_only < 0, np.nan, a_only), axis=1)
    np.testing.assert_allclose(restricted.respondents["a"], by_hand)


def test_an_organisation_below_the_minimum_shows_nothing(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    result = score(simulate(np.random.default_rng(7), 4, 9), ["a", "a", "b", "b"], spec)
    assert result.scores["suppressed"].all()
    assert result.scores["mean"].isna().all() and result.items["mean"].isna().all()
    assert result.stats["alpha"].isna().all() and result.stats["icc1"].isna().all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"groups": ["a"] * 7}, "one label per respondent (8)"),
        ({"groups": ["a"] * 7 + [None]}, "respondent 7 has no group"),
        ({"groups": ["a"] * 7 + ["__all__"]}, "'__all__' is reserved"),
        ({"group_column": "dimension"}, "group_column must be a non-empty name"),
        ({"group_column": "a"}, "group_column must be a non-empty name"),
        ({"method": "percentile"}, "method must be 't' or 'bca'"),
        ({"n_resamples": 0}, "n_resamples must be a positive integer"),
        ({"driver_resamples": -1}, "driver_resamples must be a non-negative integer"),
        ({"driver_resamples": 10.0}, "driver_resamples must be a non-negative integer"),
        ({"targets": {"zz": 3}}, "target for unknown dimension 'zz'"),
        ({"targets": {"a": 6}}, "must be a level 1..5"),
        ({"duration_seconds": np.ones(3)}, "one value per respondent (8)"),
        ({"codes": HAND_CODES[:, :3]}, "shape (respondents, 4)"),
        ({"codes": HAND_CODES[:0]}, "no responses to score"),
    ],
    ids=[
        "groups-length",
        "missing-group",
        "reserved-label",
        "group-column-clash",
        "group-column-is-a-dimension",
        "method",
        "resamples",
        "driver-resamples-negative",
        "driver-resamples-float",
        "target-dimension",
        "target-level",
        "durations",
        "codes-width",
        "no-rows",
    ],
)
def test_bad_arguments_are_refused(
    hand_spec: ScoringSpec, kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"codes": HAND_CODES, "groups": HAND_GROUPS, **kwargs}
    codes = arguments.pop("codes")
    groups = arguments.pop("groups")
    with pytest.raises(ValueError, match=re.escape(message)):
        score(codes, groups, hand_spec, **arguments)  # type: ignore[arg-type]


def test_numeric_group_labels_become_text(hand_spec: ScoringSpec) -> None:
    result = score(HAND_CODES, [1, 1, 1, 1, 2, 2, 2, 2], hand_spec)
    assert result.scores["unit"].tolist()[:3] == ["1", "1", "1"]
    assert result.respondents["unit"].astype(str).tolist()[0] == "1"


R_PIPELINE_ORACLE = r"""
suppressPackageStartupMessages({ library(psych); library(multilevel) })
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
items <- c("I00", "I01", "I02")          # component a; I01 is reverse-keyed (6 - x)
x <- d[, items]
x$I01 <- 6 - x$I01
d$a <- rowMeans(x)
units <- sort(unique(d$unit))
ci <- t(sapply(units, function(u) t.test(d$a[d$unit == u])$conf.int))
rwgj <- rwg.j(x, d$unit, ranvar = 2)
adm <- ad.m(x, d$unit, type = "mean")
model <- aov(a ~ as.factor(unit), data = d)
out <- data.frame(
  unit = units,
  mean = tapply(d$a, d$unit, mean)[units],
  ci_low = ci[, 1], ci_high = ci[, 2],
  rwg_j = rwgj$rwg.j[match(units, rwgj$grpid)],
  ad_m = adm$AD.M[match(units, adm$grpid)],
  icc1 = local({  # the unbalanced-ANOVA n0 (multilevel::ICC1 uses k = N/G)
    ms <- summary(model)[[1]][, 3]; s <- as.numeric(table(d$unit)); N <- sum(s)
    n0 <- (N - sum(s^2) / N) / (length(s) - 1); (ms[1] - ms[2]) / (ms[1] + (n0 - 1) * ms[2])
  }), icc2 = ICC2(model),
  alpha = psych::alpha(x, warnings = FALSE)$total$raw_alpha
)
for (col in names(out)[-1]) out[[col]] <- sprintf("%.17g", out[[col]])
write.csv(out, args[2], row.names = FALSE)
"""


@pytest.mark.r_oracle
def test_pipeline_matches_r_on_complete_answers(
    tmp_path: Path, make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    rscript = require_rscript()
    spec = make_spec(reverse=(1,))
    rng = np.random.default_rng(8)
    sizes = rng.integers(5, 25, size=12)
    units = np.repeat([f"u{g:02d}" for g in range(12)], sizes)
    codes = simulate(
        rng, units.size, 9, unit_shift=rng.normal(0, 0.5, 12)[np.repeat(range(12), sizes)]
    )
    frame = pd.DataFrame(codes[:, :3], columns=["I00", "I01", "I02"]).assign(unit=units)
    frame.to_csv(tmp_path / "answers.csv", index=False)
    (tmp_path / "oracle.R").write_text(R_PIPELINE_ORACLE, encoding="utf-8")
    subprocess.run(
        [
            rscript,
            str(tmp_path / "oracle.R"),
            str(tmp_path / "answers.csv"),
            str(tmp_path / "r.csv"),
        ],
        check=True,
        capture_output=True,
    )
    r = pd.read_csv(tmp_path / "r.csv")
    result = score(codes, units, spec)
    a = result.scores[(result.scores["dimension"] == "a") & (result.scores["unit"] != "__all__")]
    for column in ("mean", "ci_low", "ci_high", "rwg_j", "ad_m"):
        np.testing.assert_allclose(a[column].to_numpy(dtype=float), r[column], rtol=1e-8)
    stats_a = result.stats.set_index("dimension").loc["a"]
    np.testing.assert_allclose(
        stats_a[["icc1", "icc2"]].to_numpy(float),
        r.loc[0, ["icc1", "icc2"]].to_numpy(float),
        rtol=1e-8,
    )
    np.testing.assert_allclose(stats_a["alpha"], r.loc[0, "alpha"], rtol=1e-8)


@pytest.mark.parametrize(
    ("r_star", "band"),
    [
        (-0.2, "lack of agreement"),
        (0.30, "lack of agreement"),
        (0.31, "weak agreement"),
        (0.45, "weak agreement"),
        (0.70, "moderate agreement"),
        (0.71, "strong agreement"),
        (0.90, "strong agreement"),
        (0.95, "very strong agreement"),
        (1.0, "very strong agreement"),
        (np.nan, None),
    ],
)
def test_agreement_bands_follow_lebreton_and_senter(r_star: float, band: str | None) -> None:
    assert agreement_band(np.array([r_star]))[0] == band


def test_below_target_flags_keep_the_bayesian_fdr() -> None:
    p = np.array([0.01, 0.2, 0.02, 0.09, np.nan, 0.6])
    # sorted 0.01, 0.02, 0.09, 0.2: running means .01, .015, .04, .08 -> three flags at 0.05
    np.testing.assert_array_equal(flag_below_target(p, fdr=0.05), [1.0, 0.0, 1.0, 1.0, np.nan, 0.0])
    assert not np.nansum(flag_below_target(np.array([0.3, 0.4]), fdr=0.05))


def test_levels_come_from_the_pooled_posterior_of_the_shown_units(
    make_spec: Callable[..., ScoringSpec], simulate: Callable[..., np.ndarray]
) -> None:
    spec = make_spec()
    rng = np.random.default_rng(21)
    groups = np.repeat(["a1", "a2", "a3", "a4", "tiny1", "tiny2"], [12, 7, 9, 15, 2, 3])
    codes = simulate(rng, groups.size, 9)
    result = score(codes, groups, spec, targets={"b": 4})
    b = result.scores[result.scores["dimension"] == "b"]
    shown = b[(b["unit"] != "__all__") & ~b["suppressed"]]
    assert list(shown["unit"]) == ["a1", "a2", "a3", "a4"]
    keep = ~np.isin(groups, ["tiny1", "tiny2"])
    index = GroupIndex.from_labels(groups[keep])
    moments = index.moments(result.respondents.loc[keep, ["b"]].to_numpy())
    post = pooled_posterior(moments.n, moments.mean, moments.var)
    np.testing.assert_allclose(shown["pooled_mean"], post.mean[:, 0], rtol=1e-12)
    level = level_of(post.mean[:, 0], LEVEL_THRESHOLDS).astype(int)
    np.testing.assert_array_equal(shown["level"], level)
    lows = np.array(LEVEL_THRESHOLDS)[level - 1]
    highs = np.append(LEVEL_THRESHOLDS[1:], np.inf)[level - 1]
    band = post.band_probability(lows[:, None], highs[:, None])[:, 0]
    np.testing.assert_allclose(shown["level_probability"], band, rtol=1e-12)
    low, high = post.interval(0.95)
    np.testing.assert_allclose(shown["pooled_ci_low"], np.clip(low[:, 0], 1, 5), rtol=1e-12)
    np.testing.assert_allclose(shown["pooled_ci_high"], np.clip(high[:, 0], 1, 5), rtol=1e-12)
    assert (shown["pooled_ci_high"] > shown["pooled_ci_low"]).all()
    np.testing.assert_array_equal(
        shown["level_low"], level_of(shown["pooled_ci_low"], LEVEL_THRESHOLDS)
    )
    np.testing.assert_allclose(shown["p_target"], 1 - post.cdf(np.full((4, 1), 3.5))[:, 0])
    np.testing.assert_array_equal(shown["rank"], rank_units(post.mean[:, 0]))
    np.testing.assert_array_equal(shown["level_borderline"], shown["level_probability"] < 0.8)
    # Privacy: the suppressed units' answers change nothing that is shown but the org row.
    other = codes.copy()
    other[~keep] = np.where(other[~keep] > 0, 6 - other[~keep], other[~keep])
    changed = score(other, groups, spec, targets={"b": 4}).scores
    units = (changed["unit"] != "__all__").to_numpy()
    pd.testing.assert_frame_equal(changed[units], result.scores[units])


def test_dk_share_and_pooled_columns(hand: ScoreResult) -> None:
    north_b = row(hand.scores, "north", "dimension", "b")
    # north answered DK once among 4 respondents x 2 statements of b
    np.testing.assert_allclose(north_b["dk_share"], 1 / 8)
    units = hand.scores[hand.scores["unit"] != "__all__"]
    shown = units[~units["suppressed"]]
    # one shown unit: no pooled posterior, eb_mean falls back to the raw mean
    assert (shown["eb_mean"] == shown["mean"]).all()
    band = shown["agreement_band"].dropna()
    assert set(band) <= {
        "lack of agreement",
        "weak agreement",
        "moderate agreement",
        "strong agreement",
        "very strong agreement",
    }
