"""The dashboard's logic: participation, flywheel, heatmap, gaps, discussion queue, waves, role gaps,
reliability, live-mode change detection, the campaign forms' parsing, and the downloads."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import segno
from click.testing import CliRunner
from support import forbid_temporary_files, uncoarsened_scores

from assessment.analysis.scoring import score_table
from assessment.analysis.spec import common_item_spec
from assessment.analysis.waves import WaveScores, earlier_waves, score_waves, wave_change
from assessment.campaigns.actions import add_action, list_actions
from assessment.campaigns.importing import import_responses, import_table
from assessment.campaigns.management import (
    CampaignInfo,
    UnitSpec,
    create_campaign,
)
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.errors import DataError
from assessment.questionnaire import Questionnaire, default_registry
from assessment.results import dashboard as dash
from assessment.results.campaign_answers import CampaignVersion, campaign_version
from assessment.storage import Database, connect, upgrade
from assessment.survey.qr import qr_svg
from assessment.ui.problem_table import problems_frame
from scoring.agreement import item_disagreement
from scoring.change import hedges_g, welch_difference
from scoring.groups import ItemMoments
from scoring.suppression import TOTAL_LABEL

NAN = math.nan
NEW = "work-management@1.1.0"
OLD = "work-management@1.0.0"


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return default_registry().get(NEW)


@pytest.fixture(scope="module")
def q_old() -> Questionnaire:
    return default_registry().get(OLD)


def _table(questionnaire: Questionnaire, units: dict[str, int], *, seed: int, wave: int = 1):
    profile = organisation_profile(
        seed=seed, n_units=len(units), unit_names=list(units), min_size=1, max_size=60
    )
    return generate_organisation(
        questionnaire, seed=seed, profile=profile, wave=wave, respondents=list(units.values())
    ).table


@pytest.fixture(scope="module")
def scored(q: Questionnaire):
    """An organisation with two large units, one unit below the minimum and targets."""
    table = _table(q, {"Alpha": 40, "Beta": 30, "Gamma": 3}, seed=11)
    return score_table(
        table,
        q,
        head_counts={"Alpha": 50, "Beta": 35, "Gamma": 4},
        targets={"clarity": 3, "completion": 4, "overall": 3},
    )


# -- participation ----------------------------------------------------------------------------------


def _overall(unit: str, suppressed: bool, low: float = NAN, high: float = NAN) -> dict:
    return {
        "unit": unit,
        "dimension_type": "overall",
        "dimension": "overall",
        "suppressed": suppressed,
        "ci_low": low,
        "ci_high": high,
    }


PARTICIPATION_SCORES = pd.DataFrame(
    [
        _overall("Readable", False, 3.0, 3.6),
        _overall("Wide", False, 2.5, 3.7),
        _overall("Small", True),
        _overall("Protecting", True),
        _overall(TOTAL_LABEL, False, 3.0, 3.4),
    ]
)


@pytest.mark.parametrize(
    ("unit", "status", "half_width", "rate"),
    [
        pytest.param("Readable", "readable", 0.3, 20 / 25, id="narrow-interval-readable"),
        pytest.param("Wide", "imprecise", 0.6, 8 / 10, id="wide-interval-imprecise"),
        pytest.param("Small", "suppressed", NAN, 3 / 4, id="below-minimum-hidden"),
        pytest.param("Protecting", "protecting", NAN, NAN, id="complement-hidden"),
        pytest.param("Silent", "none", NAN, 0.0, id="no-responses"),
        pytest.param("Unlisted", "none", NAN, NAN, id="only-in-responses-without-answers"),
    ],
)
def test_participation_status(unit: str, status: str, half_width: float, rate: float) -> None:
    frame = dash.participation(
        {"Readable": 20, "Wide": 8, "Small": 3, "Protecting": 6, "Unlisted": 0},
        {"Readable": 25, "Wide": 10, "Small": 4, "Silent": 12},
        PARTICIPATION_SCORES,
        min_group_size=5,
        max_half_width=0.4,
    )
    row = frame.set_index("unit").loc[unit]
    assert row["status"] == status
    assert bool(row["readable"]) == (status == "readable")
    assert (math.isnan(row["half_width"]) and math.isnan(half_width)) or row[
        "half_width"
    ] == pytest.approx(half_width)
    assert (math.isnan(row["response_rate"]) and math.isnan(rate)) or row[
        "response_rate"
    ] == pytest.approx(rate)


def test_participation_organisation_row_sums_units() -> None:
    frame = dash.participation(
        {"A": 10, "B": 5},
        {"A": 20, "B": 10},
        None,
        min_group_size=5,
        max_half_width=0.4,
    )
    total = frame[frame["unit"] == TOTAL_LABEL].iloc[0]
    assert total["responses"] == 15 and total["head_count"] == 30
    assert total["response_rate"] == pytest.approx(0.5)
    # Before any score exists nothing is readable, whatever the counts.
    assert not frame["readable"].any()


def test_participation_total_head_count_unknown_when_a_unit_lacks_one() -> None:
    frame = dash.participation({"A": 10}, {"A": 20}, None, min_group_size=5, max_half_width=0.4)
    assert frame.iloc[-1]["head_count"] == 20
    partial = dash.participation(
        {"A": 10, "B": 4}, {"A": 20}, None, min_group_size=5, max_half_width=0.4
    )
    assert pd.isna(partial.iloc[-1]["head_count"])


def test_participation_from_real_scores_marks_small_unit_hidden(scored) -> None:
    frame = dash.participation(
        {"Alpha": 40, "Beta": 30, "Gamma": 3},
        {"Alpha": 50, "Beta": 35, "Gamma": 4},
        scored.result.scores,
        min_group_size=5,
        max_half_width=0.4,
    ).set_index("unit")
    assert frame.loc["Gamma", "status"] == "suppressed"
    assert frame.loc["Alpha", "status"] in {"readable", "imprecise"}
    overall = scored.result.scores
    alpha = overall[(overall["unit"] == "Alpha") & (overall["dimension"] == "overall")].iloc[0]
    assert frame.loc["Alpha", "half_width"] == pytest.approx(
        (alpha["ci_high"] - alpha["ci_low"]) / 2
    )


# -- estimates, flywheel, heatmap -------------------------------------------------------------------


def test_flywheel_roles_follow_the_framework(scored, q: Questionnaire) -> None:
    rows = dash.group_rows(scored.result.scores, "unit", TOTAL_LABEL)
    wheel = dash.flywheel(rows, q)
    assert list(wheel["dimension"]) == [
        "clarity",
        "coordination",
        "completion",
        "collaboration",
        "workflow-architecture",
    ]
    assert list(wheel["role"]) == ["cycle", "cycle", "cycle", "power", "base"]
    assert wheel["shown"].all()
    org = rows.set_index("dimension")
    for record in wheel.to_dict("records"):
        source = org.loc[record["dimension"]]
        assert record["mean"] == pytest.approx(source["mean"])
        assert record["level_probability"] == pytest.approx(source["level_probability"])
        assert record["ci_low"] <= record["mean"] <= record["ci_high"]


def test_flywheel_of_a_hidden_group_shows_no_statistic(scored, q: Questionnaire) -> None:
    rows = dash.group_rows(scored.result.scores, "unit", "Gamma")
    wheel = dash.flywheel(rows, q)
    assert not wheel["shown"].any()
    assert wheel["mean"].isna().all() and wheel["level"].isna().all()


def test_principles_sorted_by_mean_and_suppressed_left_out(scored, q: Questionnaire) -> None:
    rows = dash.group_rows(scored.result.scores, "unit", TOTAL_LABEL)
    principles = dash.dimension_estimates(rows, q, "principle", sort="mean")
    assert len(principles) == len(q.principles)
    assert list(principles["mean"]) == sorted(principles["mean"], reverse=True)
    hidden = dash.dimension_estimates(
        dash.group_rows(scored.result.scores, "unit", "Gamma"), q, "principle"
    )
    assert hidden.empty


def test_heatmap_hides_suppressed_cells_and_ranks_by_shrunken_mean(
    scored, q: Questionnaire
) -> None:
    # Gamma (3) is pooled by the release; the heatmap's own hiding is tested on a result that
    # still has it (the second privacy layer).
    table = _table(q, {"Alpha": 40, "Beta": 30, "Gamma": 3}, seed=11)
    scored = uncoarsened_scores(table, q, targets={"clarity": 3, "completion": 4, "overall": 3})
    cells = dash.heatmap(scored.result.scores, q)
    hidden = cells[cells["group"] == "Gamma"]
    assert hidden["suppressed"].all()
    assert hidden["mean"].isna().all() and hidden["level"].isna().all()
    assert set(hidden["label"]) == {"hidden"}
    assert (cells.loc[~cells["suppressed"], "label"] != "hidden").all()
    scores = scored.result.scores
    shown = scores[(scores["dimension"] == "overall") & ~scores["suppressed"]]
    shown = shown[shown["unit"] != TOTAL_LABEL].sort_values("eb_mean", ascending=False)
    order = list(pd.unique(cells.sort_values("group_rank")["group"]))
    # Shown units by shrunken mean; then hidden ones (Gamma, and Beta hidden to protect it) by name.
    hidden_units = sorted(set(cells["group"]) - set(shown["unit"]))
    assert "Gamma" in hidden_units
    assert order == [*shown["unit"], *hidden_units]


def test_heatmap_ranks_on_shrunken_not_raw_means(q: Questionnaire) -> None:
    def row(unit: str, mean: float, eb: float) -> dict:
        return {
            "unit": unit,
            "dimension_type": "overall",
            "dimension": "overall",
            "n": 10,
            "mean": mean,
            "level": 3,
            "level_name": "Defined",
            "eb_mean": eb,
            "suppressed": False,
        }

    # A small unit with the highest raw mean shrinks below a larger one.
    scores = pd.DataFrame([row("Small", 4.5, 3.2), row("Large", 3.9, 3.8)])
    cells = dash.heatmap(scores, q)
    assert list(cells.sort_values("group_rank")["group"]) == ["Large", "Small"]


# -- targets ----------------------------------------------------------------------------------------


def _target_row(dimension: str, gap: float, low: float, high: float, **extra) -> dict:
    return {
        "unit": TOTAL_LABEL,
        "dimension_type": "component",
        "dimension": dimension,
        "n": 50,
        "mean": 2.6 - gap,
        "ci_low": 2.6 - high,
        "ci_high": 2.6 - low,
        "suppressed": False,
        "target": 3,
        "target_threshold": 2.6,
        "gap": gap,
        "gap_ci_low": low,
        "gap_ci_high": high,
        "p_target": 0.5,
        **extra,
    }


@pytest.mark.parametrize(
    ("gap", "low", "high", "verdict"),
    [
        pytest.param(0.4, 0.1, 0.7, "below", id="interval-above-zero-short"),
        pytest.param(-0.4, -0.7, -0.1, "reached", id="interval-below-zero-reached"),
        pytest.param(0.1, -0.2, 0.4, "unclear", id="interval-crosses-zero"),
    ],
)
def test_target_gap_verdicts(
    q: Questionnaire, gap: float, low: float, high: float, verdict: str
) -> None:
    gaps = dash.target_gaps(pd.DataFrame([_target_row("clarity", gap, low, high)]), q)
    assert gaps.iloc[0]["verdict"] == verdict
    assert gaps.iloc[0]["target_name"] == q.level_name(3)


def test_target_gaps_leave_out_suppressed_and_untargeted(q: Questionnaire) -> None:
    rows = pd.DataFrame(
        [
            _target_row("clarity", 0.4, 0.1, 0.7),
            _target_row("coordination", 0.4, 0.1, 0.7, suppressed=True),
            _target_row("completion", 0.4, 0.1, 0.7, target=pd.NA),
        ]
    )
    rows["target"] = rows["target"].astype("Int64")
    assert list(dash.target_gaps(rows, q)["dimension"]) == ["clarity"]
    assert dash.target_gaps(rows.drop(columns=["target"]), q).empty


def test_target_gaps_of_real_scores_match_the_scores(scored, q: Questionnaire) -> None:
    rows = dash.group_rows(scored.result.scores, "unit", TOTAL_LABEL)
    gaps = dash.target_gaps(rows, q).set_index("dimension")
    assert set(gaps.index) == {"clarity", "completion", "overall"}
    source = rows.set_index("dimension")
    for dimension, record in gaps.iterrows():
        assert record["gap"] == pytest.approx(source.loc[dimension, "gap"])
        assert record["gap"] == pytest.approx(
            source.loc[dimension, "target_threshold"] - source.loc[dimension, "mean"]
        )


# -- the discussion queue ---------------------------------------------------------------------------


def _items(q: Questionnaire, label: str, entries: dict[str, tuple[float, float, list[int]]]):
    values = range(q.scale.minimum, q.scale.maximum + 1)
    records = []
    for item, (mean, disagreement, counts) in entries.items():
        record = {
            "unit": label,
            "item": item,
            "n": sum(counts),
            "mean": mean,
            "disagreement": disagreement,
            "suppressed": False,
        }
        record.update({f"count_{v}": c for v, c in zip(values, counts, strict=True)})
        records.append(record)
    return pd.DataFrame(records)


def _rows(targets: dict[str, float], levels: dict[str, int]) -> pd.DataFrame:
    dimensions = sorted(set(targets) | set(levels))
    return pd.DataFrame(
        {
            "dimension_type": ["overall" if d == "overall" else "component" for d in dimensions],
            "dimension": dimensions,
            "level": [levels.get(d, 3) for d in dimensions],
            "suppressed": False,
            "target_threshold": [targets.get(d, NAN) for d in dimensions],
        }
    )


def test_queue_ranks_by_disagreement_times_gap(q: Questionnaire) -> None:
    items = _items(
        q,
        "Alpha",
        {
            "CLA01": (3.0, 0.2, [2, 2, 2, 2, 2]),  # gap 0.4 x 0.2 = 0.08
            "CLA02": (3.2, 0.6, [2, 2, 2, 2, 2]),  # gap 0.2 x 0.6 = 0.12
            "CLA03": (3.6, 0.9, [2, 2, 2, 2, 2]),  # above target: 0
            "COM01": (2.0, 0.1, [2, 2, 2, 2, 2]),  # gap 1.4 x 0.1 = 0.14
        },
    )
    rows = _rows({"clarity": 3.4, "completion": 3.4}, {})
    queue = dash.discussion_queue(items, rows, q, group_column="unit", label="Alpha")
    # Issue 15: a statement at or above its reference (priority 0) is not worth discussing.
    assert list(queue["item"]) == ["COM01", "CLA02", "CLA01"]
    assert list(queue["priority"]) == pytest.approx([0.14, 0.12, 0.08])
    assert list(queue["rank"]) == [1, 2, 3]
    assert set(queue["reference_source"]) == {"target"}
    every = dash.discussion_queue(
        items, rows, q, group_column="unit", label="Alpha", worth_discussing=False
    )
    assert list(every["item"]) == ["COM01", "CLA02", "CLA01", "CLA03"]
    assert list(every["priority"]) == pytest.approx([0.14, 0.12, 0.08, 0.0])


@pytest.mark.parametrize(
    ("targets", "levels", "reference", "source"),
    [
        pytest.param({"clarity": 3.4}, {}, 3.4, "target", id="own-target"),
        pytest.param({"overall": 2.6}, {}, 2.6, "overall target", id="overall-target"),
        pytest.param({}, {"clarity": 2}, 2.6, "next level", id="next-level-without-target"),
        pytest.param({}, {"clarity": 5}, 4.2, "next level", id="top-level-stays"),
    ],
)
def test_queue_reference_threshold(
    q: Questionnaire, targets: dict, levels: dict, reference: float, source: str
) -> None:
    items = _items(q, "Alpha", {"CLA01": (2.0, 0.5, [2, 2, 2, 2, 2])})
    queue = dash.discussion_queue(
        items, _rows(targets, levels), q, group_column="unit", label="Alpha"
    )
    assert queue.iloc[0]["reference"] == pytest.approx(reference)
    assert queue.iloc[0]["reference_source"] == source
    assert queue.iloc[0]["gap"] == pytest.approx(reference - 2.0)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        pytest.param([5, 0, 0, 0, 5], 1.0, id="two-camps-at-the-ends"),
        pytest.param([0, 0, 10, 0, 0], 0.0, id="everyone-agrees"),
        pytest.param([2, 2, 2, 2, 2], 0.6, id="uniform"),
    ],
)
def test_queue_organisation_rows_derive_disagreement_from_counts(
    q: Questionnaire, counts: list[int], expected: float
) -> None:
    items = _items(q, TOTAL_LABEL, {"CLA01": (3.0, NAN, counts)})
    queue = dash.discussion_queue(
        items, _rows({}, {}), q, group_column="unit", label=TOTAL_LABEL, worth_discussing=False
    )
    assert queue.iloc[0]["disagreement"] == pytest.approx(expected)


def test_queue_org_disagreement_matches_scoring_definition(scored, q: Questionnaire) -> None:
    rows = dash.group_rows(scored.result.scores, "unit", TOTAL_LABEL)
    queue = dash.discussion_queue(
        scored.result.items, rows, q, group_column="unit", label=TOTAL_LABEL
    )
    record = queue.iloc[0]
    counts = np.array([[record[f"count_{v}"] for v in range(1, 6)]], dtype=float)
    values = np.arange(1, 6, dtype=float)
    n = counts.sum()
    mean = (counts @ values) / n
    ad = (counts * np.abs(values - mean)).sum() / n
    moments = ItemMoments(
        n=np.array([[n]]), sum=np.array([[mean * n]]), mean=np.array([mean]), var=np.array([[0.0]])
    )
    expected = item_disagreement(moments, np.array([[ad]]), n_options=5)[0, 0]
    assert record["disagreement"] == pytest.approx(expected)


def test_queue_never_lists_suppressed_items_or_outcomes(scored, q: Questionnaire) -> None:
    rows = dash.group_rows(scored.result.scores, "unit", "Gamma")
    hidden = dash.discussion_queue(scored.result.items, rows, q, group_column="unit", label="Gamma")
    assert hidden.empty
    org = dash.discussion_queue(
        scored.result.items,
        dash.group_rows(scored.result.scores, "unit", TOTAL_LABEL),
        q,
        group_column="unit",
        label=TOTAL_LABEL,
        limit=5,
    )
    assert len(org) == 5
    assert not set(org["item"]) & {o.id for o in q.outcomes}


def test_likert_segments_diverge_around_the_neutral_answer(q: Questionnaire) -> None:
    items = _items(
        q, "Alpha", {"CLA01": (3.0, 0.5, [1, 2, 4, 2, 1]), "CLA04": (2.5, 0.4, [0, 0, 0, 5, 5])}
    )
    queue = dash.discussion_queue(items, _rows({}, {}), q, group_column="unit", label="Alpha")
    segments = dash.likert_segments(queue, q)
    first = segments[segments["item"] == "CLA01"].sort_values("value")
    assert first["share"].sum() == pytest.approx(100.0)
    assert first.iloc[0]["start"] == pytest.approx(-(10 + 20 + 40 / 2))
    assert first.iloc[-1]["end"] == pytest.approx(first.iloc[0]["start"] + 100)
    neutral = first[first["value"] == 3].iloc[0]
    assert neutral["start"] == pytest.approx(-neutral["end"])
    agreeing = segments[segments["item"] == "CLA04"]
    assert agreeing["start"].min() == pytest.approx(0.0)
    assert list(first["option"]) == [q.text(o.label) for o in q.scale.options]


# -- waves and roles --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def waves(q: Questionnaire, q_old: Questionnaire) -> WaveScores:
    before = _table(q_old, {"Alpha": 30, "Beta": 25}, seed=5, wave=1)
    after = _table(q, {"Alpha": 30, "Beta": 25}, seed=5, wave=2)
    return score_waves(
        after, before, current_questionnaire=q, previous_questionnaire=q_old, min_group_size=5
    )


def test_waves_are_scored_on_the_common_statements(waves, q, q_old) -> None:
    common = common_item_spec(q, q_old)
    assert waves.n_common == len(common.new_ids)
    assert waves.overlap == common.overlap
    assert "in common" in waves.overlap
    assert set(waves.current.items["item"]) == set(common.spec.item_ids)


def test_wave_change_of_a_unit_uses_welch_and_hedges(waves, q) -> None:
    change = wave_change(waves, q, label="Alpha", dimension_types=("component", "overall"))
    before = dash.group_rows(waves.previous.scores, "unit", "Alpha").set_index("dimension")
    after = dash.group_rows(waves.current.scores, "unit", "Alpha").set_index("dimension")
    assert not change.empty and set(change["method"]) == {"welch"}
    for record in change.to_dict("records"):
        a, b = before.loc[record["dimension"]], after.loc[record["dimension"]]
        args = (a["n"], a["mean"], a["sd"], b["n"], b["mean"], b["sd"])
        welch = welch_difference(*args).iloc[0]
        g = hedges_g(*args).iloc[0]
        assert record["diff"] == pytest.approx(b["mean"] - a["mean"])
        assert record["diff_ci_low"] == pytest.approx(welch["ci_low"])
        assert record["g"] == pytest.approx(g["g"])
        expected = "up" if welch["ci_low"] > 0 else "down" if welch["ci_high"] < 0 else "unclear"
        assert record["verdict"] == expected


def test_wave_change_of_the_organisation_as_surveyed_adds_the_waves_design_variances(
    waves, q
) -> None:
    change = wave_change(waves, q, dimension_types=("component", "overall"))
    before = dash.group_rows(waves.previous.scores, "unit", TOTAL_LABEL).set_index("dimension")
    after = dash.group_rows(waves.current.scores, "unit", TOTAL_LABEL).set_index("dimension")
    assert set(change["method"]) == {"stratified"}
    for record in change.to_dict("records"):
        a, b = before.loc[record["dimension"]], after.loc[record["dimension"]]
        assert record["diff"] == pytest.approx(b["mean"] - a["mean"], abs=1e-12)
        half = record["diff_ci_high"] - record["diff"]
        se = np.hypot(a["se"], b["se"])  # the organisation rows' own as-surveyed se
        assert 1.959 * se <= half <= 2.1 * se
        g = hedges_g(a["n"], a["mean"], a["sd"], b["n"], b["mean"], b["sd"]).iloc[0]
        assert record["g"] == pytest.approx(g["g"])


def test_wave_change_for_a_wider_pool_pairs_the_units(waves, q) -> None:
    change = wave_change(waves, q, dimension_types=("component",), estimand="wider-pool")
    assert set(change["method"]) == {"paired-units"}
    for record in change.to_dict("records"):
        d, w = [], []
        for unit in ("Alpha", "Beta"):
            a = dash.group_rows(waves.previous.scores, "unit", unit).set_index("dimension")
            b = dash.group_rows(waves.current.scores, "unit", unit).set_index("dimension")
            one, two = a.loc[record["dimension"]], b.loc[record["dimension"]]
            d.append(two["mean"] - one["mean"])
            w.append((one["n"] + two["n"]) / 2)  # no head-counts: mean respondents per dimension
        weights = np.array(w) / sum(w)
        assert record["diff"] == pytest.approx(float(np.dot(weights, d)), abs=1e-12)
    with pytest.raises(ValueError, match="estimand"):
        wave_change(waves, q, estimand="everyone")  # type: ignore[arg-type]


def test_score_waves_orders_versions_either_way(q, q_old) -> None:
    newer = _table(q, {"A": 12}, seed=3, wave=2)
    older = _table(q_old, {"A": 12}, seed=3, wave=1)
    forward = score_waves(
        newer, older, current_questionnaire=q, previous_questionnaire=q_old, min_group_size=5
    )
    backward = score_waves(
        older, newer, current_questionnaire=q_old, previous_questionnaire=q, min_group_size=5
    )
    assert forward.n_common == backward.n_common
    pd.testing.assert_frame_equal(forward.current.scores, backward.previous.scores)


def test_role_gaps_only_between_shown_roles(scored, q) -> None:
    table = _table(q, {"Alpha": 60, "Beta": 60}, seed=21)
    by_role = score_table(table, q, by="role")
    shown = dash.shown_groups(by_role.result.scores, "role")
    assert TOTAL_LABEL not in shown
    gaps = dash.role_gaps(by_role.result.scores, q, first=shown[0], second=shown[-1])
    assert set(gaps["dimension"]) <= {c.id for c in q.components} | {"overall"}
    scores = by_role.result.scores
    for record in gaps.to_dict("records"):
        a = scores[(scores["role"] == shown[0]) & (scores["dimension"] == record["dimension"])]
        b = scores[(scores["role"] == shown[-1]) & (scores["dimension"] == record["dimension"])]
        assert record["diff"] == pytest.approx(b["mean"].iloc[0] - a["mean"].iloc[0])
    hidden = [r for r in pd.unique(scores["role"]) if r not in shown and r != TOTAL_LABEL]
    for role in hidden:
        assert dash.role_gaps(scores, q, first=role, second=shown[0]).empty


def _info(code: str, organisation: str | None, key: str, days: int, responses: int):
    now = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=days)
    return CampaignInfo(
        code=code,
        name=code,
        organisation=organisation,
        sector=None,
        size_band=None,
        questionnaire=key,
        questionnaire_sha256="0" * 64,
        status="open",
        mode="open",
        min_group_size=5,
        languages=("en",),
        opens_at=None,
        closes_at=None,
        closed_at=None,
        created_at=now,
        updated_at=now,
        responses=responses,
    )


def test_earlier_waves_same_organisation_and_questionnaire_newest_first() -> None:
    current = _info("now", "Org", NEW, 100, 10)
    campaigns = [
        current,
        _info("older", "Org", OLD, 10, 50),
        _info("old", "Org", NEW, 50, 40),
        _info("other-org", "Other", NEW, 20, 40),
        _info("empty", "Org", NEW, 30, 0),
        _info("later", "Org", NEW, 200, 30),
        _info("other-questionnaire", "Org", "something-else@1.0.0", 20, 30),
    ]
    assert [c.code for c in earlier_waves(campaigns, current)] == ["old", "older"]
    anonymous = _info("anon", None, NEW, 100, 10)
    assert earlier_waves([*campaigns, anonymous], anonymous) == []


# -- reliability and live mode ----------------------------------------------------------------------


def test_reliability_table_names_every_dimension(scored, q) -> None:
    table = dash.reliability_table(scored.result.stats, q)
    assert len(table) == len(scored.result.stats)
    assert table.iloc[0]["dimension"] == "clarity"
    assert (table["alpha"].dropna() <= 1).all()


@pytest.mark.parametrize(
    ("n", "shown"), [pytest.param(4, False, id="below-minimum"), pytest.param(10, True, id="shown")]
)
def test_quality_summary(n: int, shown: bool) -> None:
    respondents = pd.DataFrame(
        {
            "straight_lining": [True] + [False] * (n - 1),
            "too_fast": [True, True] + [False] * (n - 2),
            "flagged": [True, True] + [False] * (n - 2),
        }
    )
    summary = dash.quality_summary(respondents, min_group_size=5)
    assert summary.empty != shown
    if shown:
        counts = dict(zip(summary["flag"], summary["count"], strict=True))
        assert counts == {"straight_lining": 1, "too_fast": 2, "flagged": 2}
        assert summary.set_index("flag").loc["too_fast", "share"] == pytest.approx(20.0)


MOMENT = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("previous", "current", "changed", "new"),
    [
        # Turning live mode on announces nothing: the answers already there are not new.
        pytest.param(None, CampaignVersion(339, 3, MOMENT, 339), True, 0, id="first-look"),
        pytest.param(
            CampaignVersion(5, 1, MOMENT, 5),
            CampaignVersion(5, 1, MOMENT, 5),
            False,
            0,
            id="nothing",
        ),
        pytest.param(
            CampaignVersion(5, 1, MOMENT, 5),
            CampaignVersion(10, 2, MOMENT, 10),
            True,
            5,
            id="new-release",
        ),
        pytest.param(
            CampaignVersion(5, 1, MOMENT, 5),
            CampaignVersion(5, 1, MOMENT, 7),
            True,
            2,
            id="two-new-held-back",
        ),
        pytest.param(
            CampaignVersion(5, 1, MOMENT, 5),
            CampaignVersion(5, 1, MOMENT + timedelta(seconds=1), 5),
            True,
            0,
            id="settings-changed",
        ),
    ],
)
def test_live_update(previous, current, changed: bool, new: int) -> None:
    # Participation counts every submission as it arrives, released or not.
    update = dash.live_update(previous, current)
    assert (update.changed, update.new_responses, update.responses) == (
        changed,
        new,
        current.submitted,
    )


# -- with a database --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'wmm.sqlite'}"
    database = connect(url, create=True)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def campaign(db: Database, q: Questionnaire) -> CampaignInfo:
    info = create_campaign(
        db,
        name="Logic test",
        questionnaire=NEW,
        organisation="Logic Ltd",
        units=[UnitSpec("Alpha", None, 50), UnitSpec("Beta", None, 30), UnitSpec("Gamma", None, 4)],
        targets={"completion": 4},
    )
    import_table(
        db, info.code, _table(q, {"Alpha": 20, "Beta": 12, "Gamma": 3}, seed=8), name="t.csv"
    )
    return info


def test_load_results_is_cached_until_the_campaign_changes(db, campaign, q) -> None:
    first = dash.load_results(db, campaign.code)
    assert dash.load_results(db, campaign.code).release is first.release
    # Gamma (3) is below the minimum: it is pooled with the smallest other unit (Beta, 12) into
    # "(other units)" before anything is computed; only the pooled count is published.
    assert first.responses == {"Alpha": 20, "(other units)": 15}
    units = [v.label for v in first.views() if v.by == "unit"]
    assert units == [TOTAL_LABEL, "(other units)", "Alpha"]
    assert any("pooled 1 unit" in str(note) for note in first.notes)
    roles = dash.shown_groups(first.by_role.result.scores, "role")
    assert [v.label for v in first.views() if v.by == "role"] == roles
    more = _table(q, {"Alpha": 1}, seed=99)
    import_table(db, campaign.code, more, name="more.csv")
    second = dash.load_results(db, campaign.code)
    # The new answer is counted at once but held back from the results (DESIGN §7 "Time"): the
    # participation of Alpha (published on its own) counts it, the scores stay on the release.
    assert second.by_unit is not None and first.by_unit is not None
    pd.testing.assert_frame_equal(second.by_unit.result.scores, first.by_unit.result.scores)
    assert campaign_version(db, campaign.code).submitted == first.version.submitted + 1
    assert second.responses == {"Alpha": 21, "(other units)": 15}
    table = second.participation().set_index("unit")
    assert table.loc["Alpha", "note"].endswith("; updates after 4 more answers")
    assert table.loc[TOTAL_LABEL, "note"].endswith("; updates after 4 more answers")
    assert second.summary is not None and second.summary.pending == 1


def test_scores_csv_is_the_cli_export(db, campaign, tmp_path: Path) -> None:
    from assessment.cli import cli

    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(
        cli,
        ["export", "scores", "--campaign", campaign.code, "--out", str(out), "--db", str(db.url)],
    )
    assert result.exit_code == 0, result.output
    assert dash.scores_csv(db, campaign.code) == out.read_bytes()


def test_downloads_are_built_in_memory(
    db, campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment.cli import cli

    out = tmp_path / "report.html"
    args = ["--campaign", campaign.code, "--out", str(out), "--db", str(db.url)]
    assert CliRunner().invoke(cli, ["report", *args]).exit_code == 0
    called = forbid_temporary_files(monkeypatch)
    scores = dash.scores_csv(db, campaign.code)
    benchmark = dash.benchmark_csv(db, campaign.code, org="Logic Ltd")
    report = dash.report_html(db, campaign.code)
    assert called == []
    assert scores.startswith(b"unit,dimension_type,dimension,n,")
    assert benchmark.startswith(b"format,questionnaire,") and b"Logic Ltd" in benchmark
    assert report == out.read_bytes()  # the report `wmm report` writes


def test_actions_csv_guards_against_formulas(db, campaign, q) -> None:
    add_action(
        db,
        campaign.code,
        dimension="completion",
        title='=HYPERLINK("x")',
        owner="+Ops",
        due_date=date(2025, 6, 30),
    )
    frame = pd.read_csv(io.BytesIO(dash.actions_csv(list_actions(db, campaign.code), q)))
    assert list(frame.columns) == list(dash.ACTION_COLUMNS)
    assert frame.iloc[0]["title"] == '\'=HYPERLINK("x")'
    assert frame.iloc[0]["owner"] == "'+Ops"
    assert frame.iloc[0]["due_date"] == "2025-06-30"
    assert frame.iloc[0]["dimension_name"] == "Completion"


def test_problems_frame_names_row_and_column(db, campaign, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,unit,CLA01\nr1,Alpha,7\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        import_responses(db, campaign.code, bad)
    frame = problems_frame(caught.value)
    assert list(frame.columns) == ["Where", "Problem", "Type"]
    assert any("row 2" in w and "CLA01" in w for w in frame["Where"])


@pytest.mark.parametrize(
    ("n_shown", "per_side", "kept"),
    [
        pytest.param(10, 3, [0, 1, 2, 7, 8, 9], id="cut-the-middle"),
        pytest.param(5, 3, [0, 1, 2, 3, 4], id="few-units-all-kept"),
    ],
)
def test_heatmap_extremes(q, n_shown: int, per_side: int, kept: list[int]) -> None:
    def row(unit: str, eb: float, suppressed: bool) -> dict:
        return {
            "unit": unit,
            "dimension_type": "overall",
            "dimension": "overall",
            "n": 3 if suppressed else 20,
            "mean": NAN if suppressed else eb,
            "level": pd.NA if suppressed else 3,
            "level_name": None if suppressed else "Defined",
            "eb_mean": NAN if suppressed else eb,
            "suppressed": suppressed,
        }

    scores = pd.DataFrame(
        [row(f"U{i:02d}", 4.0 - i / 10, False) for i in range(n_shown)] + [row("Tiny", 0, True)]
    )
    scores["level"] = scores["level"].astype("Int64")
    cells = dash.heatmap(scores, q)
    extremes = dash.heatmap_extremes(cells, per_side=per_side)
    assert list(extremes["group"]) == [f"U{i:02d}" for i in kept]
    with pytest.raises(ValueError, match="at least 1"):
        dash.heatmap_extremes(cells, per_side=0)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://wmm.example.org/?c=abc234defg", id="survey-link"),
        pytest.param("http://localhost:8501/?c=x&t=" + "y" * 24, id="invitation-link"),
    ],
)
def test_qr_svg_is_a_scannable_size(url: str) -> None:
    svg = qr_svg(url, scale=6)
    modules = segno.make(url, error="m", micro=False).symbol_size(scale=1, border=4)[0]
    assert svg.startswith("<svg") and 'class="segno"' in svg
    assert re.search(rf'width="{modules * 6}"', svg)
    assert qr_svg(url) != qr_svg(url + "2")


def test_qr_svg_needs_a_link() -> None:
    with pytest.raises(ValueError, match="needs a link"):
        qr_svg("  ")


@pytest.mark.parametrize(
    ("status", "owner", "due", "expected"),
    [
        pytest.param("(keep)", "Ben", None, {"owner": "Ben"}, id="new-owner-keeps-status"),
        pytest.param("(keep)", "  ", None, {}, id="nothing"),
        pytest.param("done", "", date(2026, 1, 5), {"status": "done", "due_date": date(2026, 1, 5)},
                     id="status-and-due"),
    ],
)  # fmt: skip
def test_action_changes_only_what_was_given(status, owner, due, expected) -> None:
    assert dash.action_changes(status, owner, due) == expected


@pytest.mark.parametrize(
    ("borderline", "low", "high", "expected"),
    [
        pytest.param(False, "Managed", "Managed", "Managed · 86% likely", id="clear"),
        pytest.param(
            True, "Defined", "Managed", "Defined/Managed, borderline (86% Managed)", id="span"
        ),
        pytest.param(
            True, "Managed", "Managed", "Managed, borderline (86% Managed)", id="one-level"
        ),
    ],
)
def test_level_text(borderline: bool, low: str, high: str, expected: str) -> None:
    assert dash.level_text("Managed", 0.86, borderline=borderline, low=low, high=high) == expected


def test_agreement_cells_give_the_graded_band() -> None:
    agreement = pd.DataFrame(
        {
            "unit": ["A", "A", "B"],
            "name": ["Clarity", "Completion", "Clarity"],
            "rwg_j_lindell": [0.46, 0.93, float("nan")],
            "agreement_band": ["weak agreement", "very strong agreement", None],
        }
    )
    cells = dash.agreement_cells(agreement)
    assert list(cells.columns) == ["Clarity", "Completion"]
    assert cells.loc["A", "Clarity"] == "0.46 · weak agreement"
    assert cells.loc["A", "Completion"] == "0.93 · very strong agreement"
    assert cells.loc["B", "Clarity"] == ""
