"""The projector's panels: only shortfalls, only statements that matter, work on what falls short."""

from __future__ import annotations

import pandas as pd
import pytest

from assessment.analysis.scoring import score_table
from assessment.demo.generate import generate_organisation
from assessment.questionnaire import default_registry
from assessment.results.views.model import results_model
from assessment.results.views.presentation import PRESENTED_STATEMENTS, presentation
from scoring.suppression import TOTAL_LABEL


@pytest.fixture(scope="module")
def scored():
    q = default_registry().get("work-management@1.1.0")
    table = generate_organisation(q, seed=12, n_units=4).table
    return q, score_table(table, q, targets={"clarity": 4, "completion": 2, "coordination": 4})


def test_presentation_shows_only_what_matters(scored) -> None:
    q, result = scored
    model = results_model(
        result.result.scores, result.result.items, q, group_column="unit", label=TOTAL_LABEL
    )
    shown = presentation(model)
    assert not shown.shortfalls.empty
    assert (pd.to_numeric(shown.shortfalls["gap"]) > 0).all()
    assert list(shown.shortfalls["gap"]) == sorted(shown.shortfalls["gap"], reverse=True)
    assert len(shown.statements) <= PRESENTED_STATEMENTS
    assert (shown.statements["priority"] > 0).all()
    assert set(shown.segments["item"]) == set(shown.statements["item"])
    names = dict(zip(model.components["dimension"], model.components["name"], strict=True))
    short = set(shown.shortfalls["dimension"])
    assert shown.work_on_first == tuple(
        names[p.component] for p in model.priorities if p.component in short
    )
