"""The coverage view: coverage and the share of "don't know" per shown unit and component, hidden
units left out, organisation first, in questionnaire order; the cells in the language's format."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from assessment.analysis.scoring import score_table
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import Questionnaire, default_registry
from assessment.results.views.coverage import coverage_cells, coverage_table
from scoring.suppression import TOTAL_LABEL


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return default_registry().get("work-management@1.1.0")


@pytest.fixture(scope="module")
def scores(q: Questionnaire) -> pd.DataFrame:
    units = {"Alpha": 30, "Beta": 25, "Gamma": 3}
    profile = organisation_profile(seed=5, n_units=3, unit_names=list(units), min_size=1)
    table = generate_organisation(q, seed=5, profile=profile, respondents=list(units.values()))
    return score_table(table.table, q).result.scores


def test_coverage_per_shown_unit_and_component(q: Questionnaire, scores: pd.DataFrame) -> None:
    table = coverage_table(scores, q, language="en")
    groups = list(dict.fromkeys(table["group"]))
    assert groups[0] == TOTAL_LABEL
    assert "Gamma" not in groups  # below the minimum: pooled away, never shown
    components = [c.id for c in q.components]
    for group in groups:
        assert list(table.loc[table["group"] == group, "dimension"]) == components
    assert table["coverage"].between(0, 1).all()
    assert table["dk_share"].between(0, 1).all()
    # The organisation's numbers are the scores' own.
    row = scores[
        (scores["unit"].astype(str) == TOTAL_LABEL) & (scores["dimension"].astype(str) == "clarity")
    ].iloc[0]
    mine = table[(table["group"] == TOTAL_LABEL) & (table["dimension"] == "clarity")].iloc[0]
    assert math.isclose(mine["coverage"], row["coverage"])
    assert math.isclose(mine["dk_share"], row["dk_share"])


def test_coverage_cells_speak_the_language(q: Questionnaire, scores: pd.DataFrame) -> None:
    table = coverage_table(scores, q, language="de")
    cells = coverage_cells(table, "de", organisation="Gesamte Organisation")
    assert cells.index[0] == "Gesamte Organisation"
    assert "Klarheit" in cells.columns
    first = str(cells.iloc[0, 0])
    assert "beantwortet" in first and "weiß nicht" in first and " %" in first


def test_no_scores_no_table(q: Questionnaire) -> None:
    assert coverage_table(pd.DataFrame(), q).empty
    assert coverage_cells(coverage_table(pd.DataFrame(), q)).empty
