"""Waves keep their own minimum group size (issue 12, attack 4): a comparison uses the larger of the
two campaigns' minimums and each wave's coarsened units, whatever the newer campaign allows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from assessment.analysis.waves import (
    change_without_reworded,
    comparison_minimum,
    score_waves,
    wave_change,
)
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import Questionnaire, default_registry
from assessment.responses.wide_csv import ResponseTable
from scoring.partitions import OTHER_UNITS
from scoring.suppression import TOTAL_LABEL

NEW = "work-management@1.1.0"
OLD = "work-management@1.0.0"


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return default_registry().get(NEW)


@pytest.fixture(scope="module")
def q_old() -> Questionnaire:
    return default_registry().get(OLD)


def _table(questionnaire: Questionnaire, units: dict[str, int], *, seed: int, wave: int):
    profile = organisation_profile(
        seed=seed, n_units=len(units), unit_names=list(units), min_size=1, max_size=60
    )
    return generate_organisation(
        questionnaire, seed=seed, profile=profile, wave=wave, respondents=list(units.values())
    ).table


def _units(scores: pd.DataFrame) -> set[str]:
    return set(scores["unit"].astype(str)) - {TOTAL_LABEL}


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [(1, 5, 5), (5, 1, 5), (3, 3, 3), (7, None, 7)],
)
def test_comparison_uses_the_larger_minimum(current, previous, expected) -> None:
    assert comparison_minimum(current, previous) == expected


@pytest.mark.parametrize("bad", [0, True, 2.5])
def test_comparison_minimum_must_be_a_positive_integer(bad) -> None:
    with pytest.raises(ValueError, match="minimum group size"):
        comparison_minimum(5, bad)


def test_new_wave_with_minimum_one_cannot_show_a_unit_the_previous_wave_hid(q, q_old) -> None:
    # Attack 4: the previous wave (minimum 5) hid Tiny (n = 2); a new wave created with minimum 1
    # must not show Tiny's previous mean in the comparison.
    before = _table(q_old, {"Big": 12, "Mid": 8, "Tiny": 2}, seed=7, wave=1)
    after = _table(q, {"Big": 12, "Mid": 8, "Tiny": 2}, seed=7, wave=2)
    waves = score_waves(
        after,
        before,
        current_questionnaire=q,
        previous_questionnaire=q_old,
        min_group_size=1,
        previous_min_group_size=5,
    )
    assert waves.min_group_size == 5
    assert waves.common.spec.min_group_size == 5
    for wave in (waves.current, waves.previous):
        assert "Tiny" not in _units(wave.scores)
        assert _units(wave.scores) == {"Big", OTHER_UNITS}
        shown = wave.scores[~wave.scores["suppressed"].astype(bool)]
        assert (shown["n"] >= 5).all()
    # The reason names the pooled unit, never its size (which the joined group would give away).
    assert all("fewer than 5 respondents (Tiny)" in reason for reason in waves.pooled), waves.pooled
    assert wave_change(waves, q, label="Tiny").empty
    pooled = wave_change(waves, q, label=OTHER_UNITS)
    assert not pooled.empty
    assert set(pooled["n_before"]) <= {10} and set(pooled["n"]) <= {10}


def test_no_number_depends_on_how_hidden_units_split(q, q_old) -> None:
    # Moving a respondent between two hidden units of the earlier wave changes nothing published.
    after = _table(q, {"Big": 12, "Mid": 9}, seed=3, wave=2)
    before = _table(q_old, {"Big": 12, "Mid": 9, "T1": 2, "T2": 2}, seed=3, wave=1)
    moved_units = np.asarray(before.unit, dtype=object).copy()
    first_t1 = int(np.flatnonzero(moved_units == "T1")[0])
    moved_units[first_t1] = "T2"
    moved: ResponseTable = dataclasses.replace(before, unit=moved_units)

    def compare(previous: ResponseTable):
        return score_waves(
            after,
            previous,
            current_questionnaire=q,
            previous_questionnaire=q_old,
            min_group_size=1,
            previous_min_group_size=5,
        )

    one, two = compare(before), compare(moved)
    pd.testing.assert_frame_equal(one.previous.scores, two.previous.scores)
    pd.testing.assert_frame_equal(one.previous.stats, two.previous.stats)
    pd.testing.assert_frame_equal(
        wave_change(one, q, label=TOTAL_LABEL), wave_change(two, q, label=TOTAL_LABEL)
    )


def test_a_row_under_the_comparison_minimum_is_never_compared(q, q_old) -> None:
    before = _table(q_old, {"Big": 12, "Mid": 8}, seed=5, wave=1)
    after = _table(q, {"Big": 12, "Mid": 8}, seed=5, wave=2)
    waves = score_waves(
        after, before, current_questionnaire=q, previous_questionnaire=q_old, min_group_size=5
    )
    assert not wave_change(waves, q, label="Mid").empty
    stricter = dataclasses.replace(waves, min_group_size=9)
    assert wave_change(stricter, q, label="Mid").empty
    assert not wave_change(stricter, q, label="Big").empty


def test_head_counts_of_pooled_units_are_summed(q, q_old) -> None:
    before = _table(q_old, {"Big": 12, "Mid": 8, "Tiny": 2}, seed=9, wave=1)
    after = _table(q, {"Big": 12, "Mid": 8, "Tiny": 2}, seed=9, wave=2)
    counts = {"Big": 15, "Mid": 9, "Tiny": 2}
    waves = score_waves(
        after,
        before,
        current_questionnaire=q,
        previous_questionnaire=q_old,
        min_group_size=5,
        current_head_counts=counts,
        previous_head_counts=counts,
    )
    without = score_waves(
        after, before, current_questionnaire=q, previous_questionnaire=q_old, min_group_size=5
    )
    scores = waves.previous.scores
    plain = without.previous.scores
    pooled = (scores["unit"] == OTHER_UNITS) & (scores["dimension"] == "overall")
    # Pooled head-count 11 for 10 respondents: the finite-population correction narrows the
    # interval (it would not apply if the pooled group's head-count were unknown).
    assert float(scores.loc[pooled, "se"].iloc[0]) < float(plain.loc[pooled, "se"].iloc[0])


def test_change_is_also_reported_without_the_reworded_statements(q, q_old) -> None:
    reworded = q.reworded_items(q_old)
    assert reworded, "the published 1.1.0 rewords statements of 1.0.0"
    before = _table(q_old, {"A": 30, "B": 25}, seed=8, wave=1)
    after = _table(q, {"A": 30, "B": 25}, seed=8, wave=2)
    waves = score_waves(
        after, before, current_questionnaire=q, previous_questionnaire=q_old, min_group_size=5
    )
    assert set(waves.common.reworded) == reworded & set(waves.common.new_ids)
    assert waves.same_only is not None
    same_ids = set(waves.same_only.common.new_ids)
    assert same_ids == set(waves.common.new_ids) - reworded
    assert waves.same_only.same_only is None and waves.same_only.common.reworded == ()
    both = change_without_reworded(waves, q, dimension_types=("component",))
    assert not both.empty
    assert set(both["robust"]) <= {True, False}
    alone = wave_change(waves.same_only, q, dimension_types=("component",)).set_index("dimension")
    for record in both.to_dict("records"):
        assert record["diff_same_only"] == pytest.approx(alone.loc[record["dimension"], "diff"])
        assert record["robust"] == (record["verdict"] == record["verdict_same_only"])


def test_without_reworded_statements_identical_versions_have_no_second_comparison(q) -> None:
    before = _table(q, {"A": 20}, seed=2, wave=1)
    after = _table(q, {"A": 20}, seed=2, wave=2)
    waves = score_waves(
        after, before, current_questionnaire=q, previous_questionnaire=q, min_group_size=5
    )
    assert waves.same_only is None
    assert change_without_reworded(waves, q).empty
