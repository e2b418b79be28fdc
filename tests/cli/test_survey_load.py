"""The survey load driver (benchmarks/bench_survey_load.py) against real `wmm serve` processes: a
few respondents on one process with SQLite, and on two replicas sharing one PostgreSQL database
(the deployment of the README), each response stored exactly once. No timing is asserted."""

from __future__ import annotations

import pytest
from bench_survey_load import ARRIVAL_STEPS, arrival_costs, run_scenario
from storage.databases import POSTGRES_URL, postgres_reachable
from support import require

pytestmark = pytest.mark.slow


def test_three_respondents_on_one_process_are_stored_once_each() -> None:
    report = run_scenario(respondents=3, db="sqlite", replicas=1, spread=1.0, think=0.0)
    assert [o.error for o in report.outcomes] == [None, None, None]
    assert report.submitted == 3
    assert report.stored is not None
    assert report.stored.submitted == report.submitted
    assert report.stored.duplicates == 0
    assert report.stored.drafts == 0
    names = {name for o in report.outcomes for name, _ in o.timings}
    assert {"start", "next", "answer", "submit"} <= names  # "answer": a statement's fragment


@pytest.mark.postgres
def test_two_replicas_on_one_postgresql_store_every_response_once() -> None:
    require(
        postgres_reachable(),
        "PostgreSQL",
        "start a server on 127.0.0.1:5432 (user postgres, trust) or set WMM_TEST_POSTGRES_URL",
    )
    report = run_scenario(
        respondents=6, db="postgres", replicas=2, spread=2.0, think=0.0, postgres_url=POSTGRES_URL
    )
    assert [o.error for o in report.outcomes] == [None] * 6
    assert report.stored is not None
    assert report.stored.submitted == report.submitted == 6
    assert report.stored.duplicates == 0


def test_a_facilitator_watches_the_live_dashboard_while_respondents_submit() -> None:
    report = run_scenario(
        respondents=3, db="sqlite", replicas=1, spread=1.0, think=0.0, dashboard=True
    )
    assert [o.error for o in report.outcomes] == [None, None, None]
    assert report.dashboard is not None
    assert report.dashboard.error is None
    steps = report.dashboard_timings()
    assert len(steps["login"]) == len(steps["live on"]) == 1
    assert len(steps["refresh"]) >= 1  # at least the look after the last respondent
    assert report.as_dict()["dashboard"]["refresh"]["n"] == len(steps["refresh"])


def test_the_arrival_costs_are_measured_step_by_step() -> None:
    costs = arrival_costs(sessions=4, db="sqlite", concurrency=2)
    assert tuple(costs) == ARRIVAL_STEPS
    for cpu, median in costs.values():
        assert cpu > 0
        assert median > 0
