"""Which component comes first, and which of the questionnaire's actions go with it."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assessment.analysis.scoring import score_table
from assessment.demo.generate import generate_organisation
from assessment.questionnaire import default_registry
from assessment.questionnaire.flywheel import flywheel
from assessment.results.recommendations import (
    disagreement_from_counts,
    next_actions,
    prioritise_components,
    priority_table,
    recommend,
)
from scoring.suppression import TOTAL_LABEL

NAN = math.nan
#: The work-management flywheel (`flywheel(questionnaire).cycle`).
CYCLE = ("clarity", "coordination", "completion")


def rows(*entries: tuple[str, float, float, float, int]) -> pd.DataFrame:
    return pd.DataFrame(entries, columns=["dimension", "mean", "ci_low", "ci_high", "level"])


@pytest.fixture(scope="module")
def questionnaire():
    return default_registry().get("work-management@1.0.0")


@pytest.mark.parametrize(
    ("frame", "order", "reasons"),
    [
        pytest.param(
            rows(
                ("clarity", 3.6, 3.4, 3.8, 4),
                ("coordination", 3.0, 2.9, 3.1, 3),
                ("completion", 2.2, 2.1, 2.3, 2),
                ("collaboration", 3.3, 3.2, 3.4, 3),
            ),
            ["completion", "coordination", "collaboration", "clarity"],
            ["weakest", "next", "next", "next"],
            id="clearly-different-lowest-first",
        ),
        pytest.param(
            rows(
                ("clarity", 2.7, 2.4, 3.0, 3),
                ("coordination", 3.4, 3.3, 3.5, 3),
                ("completion", 2.5, 2.3, 2.8, 2),
            ),
            ["clarity", "completion", "coordination"],
            ["upstream", "weakest", "next"],
            id="overlapping-upstream-first",
        ),
        pytest.param(
            rows(
                ("completion", 2.5, 2.3, 2.8, 2),
                ("coordination", 2.6, 2.2, 3.0, 2),
                ("clarity", 2.7, 2.5, 2.9, 3),
            ),
            ["clarity", "coordination", "completion"],
            ["upstream", "upstream", "weakest"],
            id="all-overlapping-follow-the-flywheel",
        ),
        pytest.param(
            rows(
                ("workflow-architecture", 2.4, 2.2, 2.6, 2),
                ("collaboration", 2.5, 2.3, 2.7, 2),
                ("completion", 3.5, 3.4, 3.6, 4),
            ),
            ["workflow-architecture", "collaboration", "completion"],
            ["weakest", "close", "next"],
            id="outside-the-flywheel-by-mean",
        ),
        pytest.param(
            rows(
                ("completion", 2.5, NAN, NAN, 2),
                ("clarity", 3.9, NAN, NAN, 4),
            ),
            ["clarity", "completion"],
            ["upstream", "weakest"],
            id="unknown-interval-counts-as-overlapping",
        ),
        pytest.param(
            rows(
                ("clarity", NAN, NAN, NAN, 0),
                ("completion", 3.0, 2.8, 3.2, 3),
            ),
            ["completion"],
            ["weakest"],
            id="suppressed-rows-left-out",
        ),
    ],
)
def test_prioritise_components(frame: pd.DataFrame, order: list[str], reasons: list[str]) -> None:
    priorities = prioritise_components(frame, cycle=CYCLE)
    assert [p.component for p in priorities] == order
    assert [p.reason for p in priorities] == reasons
    assert [p.rank for p in priorities] == list(range(1, len(order) + 1))


def test_prioritise_needs_the_columns() -> None:
    with pytest.raises(ValueError, match="ci_high"):
        prioritise_components(pd.DataFrame({"dimension": ["clarity"], "mean": [3.0]}))


def test_prioritise_nothing_shown() -> None:
    assert prioritise_components(rows(("clarity", NAN, NAN, NAN, 0))) == []


@pytest.mark.parametrize(
    ("component", "level", "expected_first_words"),
    [
        pytest.param("clarity", 1, "Write down the five", id="clarity-1-to-2"),
        pytest.param("clarity", 2, "Draft a one-page", id="clarity-2-to-3"),
        pytest.param("clarity", 5, None, id="top-level-has-no-actions"),
    ],
)
def test_next_actions(questionnaire, component: str, level: int, expected_first_words) -> None:
    actions = next_actions(questionnaire, component, level)
    if expected_first_words is None:
        assert actions == ()
    else:
        assert actions[0].startswith(expected_first_words)


def test_next_actions_in_german(questionnaire) -> None:
    actions = next_actions(questionnaire, "clarity", 1, language="de")
    assert actions[0].startswith("Die fünf wichtigsten")


def test_recommend_skips_components_at_the_top_level(questionnaire) -> None:
    frame = rows(
        ("clarity", 4.6, 4.5, 4.7, 5),
        ("completion", 4.5, 4.4, 4.6, 5),
        ("coordination", 4.8, 4.7, 4.9, 5),
        ("collaboration", 4.0, 3.9, 4.1, 4),
    )
    chosen = recommend(frame, questionnaire, limit=None)
    assert [r.priority.component for r in chosen] == ["collaboration"]
    assert (chosen[0].from_level, chosen[0].to_level) == (4, 5)
    assert recommend(frame.iloc[:3], questionnaire) == []


def test_recommend_limit(questionnaire) -> None:
    frame = rows(("clarity", 2.0, 1.9, 2.1, 2), ("completion", 3.0, 2.9, 3.1, 3))
    assert len(recommend(frame, questionnaire, limit=1)) == 1
    assert len(recommend(frame, questionnaire, limit=None)) == 2
    with pytest.raises(ValueError, match="limit"):
        recommend(frame, questionnaire, limit=0)


def test_priority_table() -> None:
    table = priority_table(prioritise_components(rows(("clarity", 2.0, 1.9, 2.1, 2))))
    assert list(table.columns) == [
        "rank",
        "component",
        "mean",
        "ci_low",
        "ci_high",
        "level",
        "reason",
    ]
    assert table.iloc[0]["component"] == "clarity"


def test_disagreement_from_counts_matches_the_scorings_unit_rows(questionnaire) -> None:
    # The scoring computes each unit's disagreement from the answers themselves; from the answer
    # counts alone it must come out the same.
    org = generate_organisation(questionnaire, seed=11)
    items = score_table(org.table, questionnaire, n_resamples=20).result.items
    units = items[(items["unit"].astype(str) != TOTAL_LABEL) & items["disagreement"].notna()]
    counts = units[[f"count_{v}" for v in range(1, 6)]].to_numpy(dtype=np.float64)
    assert len(units) > 50
    np.testing.assert_allclose(
        disagreement_from_counts(counts, range(1, 6)),
        units["disagreement"].to_numpy(dtype=np.float64),
        rtol=1e-12,
    )


def test_disagreement_from_counts_needs_a_column_per_answer_value() -> None:
    with pytest.raises(ValueError, match=r"must be \(statements, 5\).*got shape \(1, 4\)"):
        disagreement_from_counts(np.ones((1, 4)), range(1, 6))


def test_the_cycle_is_read_from_the_questionnaire(questionnaire) -> None:
    wheel = flywheel(questionnaire)
    assert wheel.cycle == CYCLE
    assert (wheel.power, wheel.base) == ("collaboration", "workflow-architecture")
    # Reordering the questionnaire's components reorders the cycle: nothing is hard-coded.
    reordered = questionnaire.model_copy(
        update={"components": [questionnaire.components[i] for i in (2, 1, 0, 3, 4)]}
    )
    assert flywheel(reordered).cycle == ("completion", "coordination", "clarity")


def test_components_short_of_their_target_come_first() -> None:
    """Issue 15: only Completion is short of its target, so work starts there, not upstream."""
    frame = rows(
        ("clarity", 3.3, 3.0, 3.6, 3),
        ("coordination", 3.0, 2.7, 3.3, 3),
        ("completion", 3.1, 2.8, 3.4, 3),
    ).assign(gap=[-0.5, -0.2, 0.3])
    order = prioritise_components(frame, cycle=CYCLE)
    # the two that reached theirs follow in the usual order (Clarity upstream, not clearly apart)
    assert [p.component for p in order] == ["completion", "clarity", "coordination"]
    assert [p.reason for p in order] == ["weakest", "reached", "reached"]
    assert [p.rank for p in order] == [1, 2, 3]
    # Without targets the three are not clearly apart, so the most upstream (Clarity) comes first.
    plain = prioritise_components(frame.drop(columns="gap"), cycle=CYCLE)
    assert [p.component for p in plain] == ["clarity", "coordination", "completion"]


@pytest.mark.parametrize("gaps", [[NAN, NAN, NAN], [0.2, 0.1, 0.4], [-0.1, -0.2, -0.3]])
def test_targets_all_short_all_met_or_unset_keep_the_flywheel_order(gaps: list[float]) -> None:
    frame = rows(
        ("clarity", 3.0, 2.7, 3.3, 3),
        ("coordination", 2.9, 2.6, 3.2, 3),
        ("completion", 3.5, 3.3, 3.7, 3),
    )
    expected = [p.component for p in prioritise_components(frame, cycle=CYCLE)]
    with_gaps = prioritise_components(frame.assign(gap=gaps), cycle=CYCLE)
    assert [p.component for p in with_gaps] == expected
    assert "reached" not in {p.reason for p in with_gaps}
