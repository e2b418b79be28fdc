"""The release (assessment/results): coarsened partitions, the differencing attacks of issue 12, and
one results model for the dashboard and the report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import assessment.results.dashboard as dash
from assessment.analysis.scoring import score_table
from assessment.campaigns.importing import import_table
from assessment.campaigns.management import UnitSpec, create_campaign
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.outputs.exports import scores_csv
from assessment.outputs.report import _Report
from assessment.questionnaire import Questionnaire, default_registry
from assessment.responses.wide_csv import ResponseTable
from assessment.results.coarsening import coarsen_table
from assessment.results.release import build_release
from assessment.storage import Database, connect, upgrade
from scoring.partitions import OTHER_ROLES, OTHER_UNITS
from scoring.suppression import TOTAL_LABEL

KEY = "work-management@1.1.0"


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return default_registry().get(KEY)


def _table(q: Questionnaire, units: dict[str, int], *, seed: int) -> ResponseTable:
    profile = organisation_profile(
        seed=seed, n_units=len(units), unit_names=list(units), min_size=1, max_size=80
    )
    return generate_organisation(
        q, seed=seed, profile=profile, respondents=list(units.values())
    ).table


def published(table: ResponseTable, q: Questionnaire) -> dict[str, str]:
    """Every published table of a release built from ``table``, as text (the scores CSV bytes
    without its generation time, the stats, items and drivers, the scores by role, the counts)."""
    by_unit = score_table(table, q, driver_resamples=20)
    by_role = score_table(table, q, by="role", driver_resamples=0)
    coarse = coarsen_table(table, q, min_group_size=5)
    out = {}
    for name, scored in (("unit", by_unit), ("role", by_role)):
        stable = replace(scored, metadata={**scored.metadata, "generated_at": "-"})
        out[f"{name}.scores.csv"] = scores_csv(stable.result, stable.metadata).decode("utf-8")
        for part in ("stats", "items", "drivers"):
            out[f"{name}.{part}"] = getattr(scored.result, part).to_csv(index=False)
        out[f"{name}.notes"] = "\n".join(map(str, scored.result.notes))
    for column, values in (
        ("unit", coarse.table.unit),
        ("role", coarse.table.demographics["role"]),
        ("language", coarse.table.language),
    ):
        out[f"{column}.counts"] = pd.Series(values).value_counts().sort_index().to_csv()
    out["notes"] = "\n".join(map(str, coarse.notes))
    return out


def _moved(values: np.ndarray, hidden: set[str], order: list[int]) -> np.ndarray:
    """``values`` with the labels among the rows in ``hidden`` groups permuted by ``order``."""
    out = np.asarray(values, dtype=object).copy()
    rows = np.flatnonzero([v in hidden for v in out])
    out[rows] = out[rows][np.asarray(order)]
    return out


@pytest.fixture(scope="module")
def base(q: Questionnaire) -> ResponseTable:
    # Hidden: units H1 (2) and H2 (3) (pooled to 5), roles: a lone "other" and a skipped answer,
    # languages: two small ones.
    table = _table(q, {"A": 14, "B": 12, "H1": 2, "H2": 3}, seed=21)
    n = table.n_respondents
    rng = np.random.default_rng(3)
    roles = rng.choice(np.array(["staff", "manager"], dtype=object), size=n, p=[0.6, 0.4])
    roles[[0, 7]] = ["other", None]
    language = np.full(n, "en", dtype=object)
    language[[1, 9, 20]] = ["fr", "it", "it"]
    return replace(table, demographics={"role": roles}, language=language)


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_moving_respondents_between_hidden_groups_changes_no_published_byte(
    q: Questionnaire, base: ResponseTable, data: st.DataObject
) -> None:
    reference = published(base, q)
    assert OTHER_UNITS in reference["unit.counts"]
    which = data.draw(st.sampled_from(["unit", "role", "language"]))
    if which == "unit":
        hidden = {"H1", "H2"}
        m = int(np.isin(base.unit, list(hidden)).sum())
        order = data.draw(st.permutations(range(m)))
        moved = replace(base, unit=_moved(base.unit, hidden, list(order)))
    elif which == "role":
        roles = np.where(pd.isna(base.demographics["role"]), "(none)", base.demographics["role"])
        hidden = {"other", "(none)"}
        order = data.draw(st.permutations(range(int(np.isin(roles, list(hidden)).sum()))))
        swapped = _moved(roles, hidden, list(order))
        swapped[swapped == "(none)"] = None
        moved = replace(base, demographics={"role": swapped})
    else:
        hidden = {"fr", "it"}
        order = data.draw(st.permutations(range(3)))
        moved = replace(base, language=_moved(base.language, hidden, list(order)))
    assert published(moved, q) == reference


# -- attack 1: hidden units from mean / eb_mean / sd of the scores CSV ------------------------------


def test_attack_hidden_units_from_the_scores_csv_fails(q: Questionnaire) -> None:
    # Two hidden units (3 and 7 people, as People & Culture and Data & Analytics in the demo): the
    # attack subtracts the shown units' between-unit sums of squares from the organisation's. With
    # the units pooled before scoring, every number is the same whichever hidden unit a
    # respondent belongs to, so nothing about the hidden units can be recovered.
    table = _table(q, {"A": 30, "B": 25, "C": 20, "P": 3, "D": 7}, seed=5)
    first = published(table, q)
    hidden = np.isin(table.unit, ["P", "D"])
    rows = np.flatnonzero(hidden)
    swapped = np.asarray(table.unit, dtype=object).copy()
    # Move the three P respondents into D and three D respondents into P.
    p_rows = rows[table.unit[rows] == "P"]
    d_rows = rows[table.unit[rows] == "D"][:3]
    swapped[p_rows], swapped[d_rows] = "D", "P"
    assert published(replace(table, unit=swapped), q) == first
    # Control: moving the same respondents into a published unit does change the release.
    control = np.asarray(table.unit, dtype=object).copy()
    control[p_rows], control[np.flatnonzero(table.unit == "A")[:3]] = "A", "P"
    assert published(replace(table, unit=control), q)["unit.scores.csv"] != first["unit.scores.csv"]
    scores = score_table(table, q, driver_resamples=0).result.scores
    assert set(scores["unit"]) == {"A", "B", "C", OTHER_UNITS, TOTAL_LABEL}
    assert "P" not in first["unit.scores.csv"].split("\n", 1)[1].split(",")


# -- attack 2: unit x role subtraction -------------------------------------------------------------


def test_attack_unit_role_subtraction_fails(q: Questionnaire) -> None:
    # Units A = 5 staff, B = 5 leaders + 1 staff; k = 5. 6 x staff - 5 x A was B's lone staff member.
    table = _table(q, {"A": 5, "B": 6}, seed=2)
    roles = np.array(["staff"] * 5 + ["leader"] * 5 + ["staff"], dtype=object)
    table = replace(
        table, unit=np.array(["A"] * 5 + ["B"] * 6, dtype=object), demographics={"role": roles}
    )
    by_role = score_table(table, q, by="role", driver_resamples=0)
    groups = set(by_role.result.scores["role"]) - {TOTAL_LABEL}
    assert groups == {OTHER_ROLES}
    assert any("to protect 1 respondent" in str(note) for note in by_role.result.notes)
    # The pooled role group is the whole organisation: staff's mean is no longer published.
    overall = by_role.result.scores[by_role.result.scores["dimension"] == "overall"]
    means = overall.set_index("role")["mean"]
    assert means[OTHER_ROLES] == pytest.approx(means[TOTAL_LABEL])


def test_a_skipped_role_never_erases_a_large_group(q: Questionnaire) -> None:
    # One respondent skips the optional role: "(not given)" (1) is pooled with the smallest role
    # group, never with the 24 senior leaders.
    table = _table(q, {"A": 20, "B": 19}, seed=6)
    roles = np.array(["leader"] * 24 + ["manager"] * 8 + ["staff"] * 6 + [None], dtype=object)
    table = replace(table, demographics={"role": roles})
    by_role = score_table(table, q, by="role", driver_resamples=0)
    groups = set(by_role.result.scores["role"]) - {TOTAL_LABEL}
    assert "leader" in groups and "manager" in groups
    assert OTHER_ROLES in groups and "staff" not in groups


# -- one results model: the dashboard and the report agree -----------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = connect(
        f"sqlite:///{tmp_path_factory.mktemp('release') / 'wmm.sqlite'}", create=True
    )
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def code(db: Database, q: Questionnaire) -> str:
    info = create_campaign(
        db,
        name="One release",
        questionnaire=KEY,
        organisation="Release Ltd",
        units=[UnitSpec("Alpha", None, 40), UnitSpec("Beta", None, 30), UnitSpec("Gamma", None, 4)],
        targets={"completion": 4},
    )
    import_table(
        db, info.code, _table(q, {"Alpha": 30, "Beta": 22, "Gamma": 3}, seed=8), name="t.csv"
    )
    return info.code


def test_dashboard_and_report_render_the_same_release(
    db: Database, code: str, q: Questionnaire
) -> None:
    release = build_release(db, code)
    assert build_release(db, code) is release
    results = dash.load_results(db, code)
    assert results.release is release
    assert results.by_unit is release.by_unit
    # Published counts: the small unit only inside the pooled group.
    assert dict(results.responses) == {"Alpha": 30, OTHER_UNITS: 25}
    frame = results.participation()
    assert "Gamma" not in set(frame["unit"]) and OTHER_UNITS in set(frame["unit"])
    pooled = frame[frame["unit"] == OTHER_UNITS].iloc[0]
    assert (pooled["responses"], pooled["head_count"]) == (25, 34)
    # The report is built on the same scores and lists the same statements in the same order.
    scored = release.scores("unit")
    report = _Report(scored.result, q, scored.metadata, language="en", group_column="unit")
    org = dash.View()
    queue = dash.discussion_queue(
        results.by_unit.result.items,
        results.rows(org),
        q,
        group_column="unit",
        label=TOTAL_LABEL,
        language="en",
        limit=len(report.discussion()),
    )
    pd.testing.assert_frame_equal(report.discussion(), queue)
    html = dash.report_html(db, code).decode("utf-8")
    positions = [
        html.index(statement.replace(" ↺", "")) for statement in queue["statement"].head(5)
    ]
    section = html.index("Statements to discuss")
    assert all(p > section for p in positions)
    org_rows = report.org.set_index("dimension")["mean"]
    dash_rows = results.rows(org).set_index("dimension")["mean"]
    pd.testing.assert_series_equal(org_rows, dash_rows)
    # The scores CSV is the release's.
    csv = dash.scores_csv(db, code).decode("utf-8")
    assert OTHER_UNITS in csv and "Gamma" not in csv
