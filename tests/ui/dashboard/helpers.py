"""What the Dashboard page's tests share: the campaigns they run on (the demo organisation, an empty
campaign, one whose every unit is below the minimum, one too small to show anything, one for live
mode), the page run in AppTest and logged in, and readers of what it shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from streamlit.testing.v1 import AppTest
from ui.pages import open_page, spec_records

from assessment.campaigns.importing import import_table
from assessment.campaigns.management import CampaignInfo, UnitSpec, create_campaign
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.demo.seed import seed_demo
from assessment.questionnaire import default_registry
from assessment.results import dashboard as dash
from assessment.results.campaign_answers import load_responses
from assessment.storage import Database, connect, upgrade
from assessment.ui.pages import dashboard as dashboard_page

PASSWORD = "dashboard-test-password"
QUESTIONNAIRE = "work-management@1.1.0"


@dataclass(frozen=True)
class Codes:
    """The campaigns of the test database, by what they are for."""

    demo: str  # the open demo wave (its earlier wave is closed)
    demo_first: str
    empty: str
    tiny: str  # every unit below the minimum; the organisation as a whole is shown
    too_few: str  # fewer respondents than the minimum in total
    live: str


@dataclass(frozen=True)
class World:
    db: Database
    demo: str
    demo_first: str
    empty: str
    tiny: str
    too_few: str
    live: str


def _seed(db: Database, name: str, units: dict[str, int], *, seed: int) -> CampaignInfo:
    q = default_registry().get(QUESTIONNAIRE)
    info = create_campaign(
        db,
        name=name,
        questionnaire=QUESTIONNAIRE,
        organisation=f"{name} Ltd",
        units=[UnitSpec(unit, None, max(count, 1) + 2) for unit, count in units.items()],
        targets={"completion": 4, "overall": 3},
    )
    populated = {u: c for u, c in units.items() if c}
    if populated:
        profile = organisation_profile(
            seed=seed, n_units=len(populated), unit_names=list(populated), min_size=1
        )
        table = generate_organisation(
            q, seed=seed, profile=profile, respondents=list(populated.values())
        ).table
        import_table(db, info.code, table, name=f"{name}.csv")
    return info


def build_database(path: Path) -> Codes:
    """Create the test database at ``path`` (SQLite) with every campaign the tests use."""
    db = connect(f"sqlite:///{path}", create=True)
    upgrade(db)
    demo = seed_demo(db, folder=path.parent / "no-demo-files")
    first, second = (c.code for c in demo.campaigns)
    codes = Codes(
        demo=second,
        demo_first=first,
        empty=_seed(db, "Empty", {"North": 0, "South": 0}, seed=1).code,
        tiny=_seed(db, "Tiny", {"A": 3, "B": 3, "C": 4}, seed=2).code,
        too_few=_seed(db, "Too few", {"A": 2, "B": 2}, seed=3).code,
        live=_seed(db, "Live", {"A": 6, "B": 6}, seed=4).code,
    )
    db.dispose()
    return codes


def _script() -> None:
    from assessment.ui.pages import dashboard as dashboard_page

    dashboard_page.render()


def open_dashboard(code: str | None = None, *, password: str | None = PASSWORD) -> AppTest:
    """The Dashboard page of campaign ``code``, logged in with ``password`` (None: not logged in)."""
    state = {dashboard_page.CAMPAIGN_KEY: code} if code is not None else {}
    return open_page(_script, password=password, state=state)


def show_tab(at: AppTest, name: str) -> AppTest:
    """Open the tab labelled ``name`` (in any language) and run the page."""
    at.session_state["wmm_dashboard_tab"] = name
    return at.run()


def charts(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def chart_records(at: AppTest) -> list[dict[str, Any]]:
    """Every data record of every chart on the page: inline values and the Arrow datasets
    Streamlit sends beside the spec (missing values as None)."""
    records: list[dict[str, Any]] = []
    for chart in at.get("vega_lite_chart"):
        records.extend(spec_records(json.loads(chart.proto.spec)))
        for dataset in chart.proto.datasets:
            frame = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            frame = frame.astype(object).where(frame.notna(), None)
            records.extend(frame.to_dict("records"))
    return records


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def hidden_units(db: Database, code: str) -> set[str]:
    """The stored units whose results are not published on their own (pooled or suppressed)."""
    stored = {str(u) for u in load_responses(db, code).unit}
    results = dash.load_results(db, code)
    if results.by_unit is None:
        return stored
    return stored - set(dash.shown_groups(results.by_unit.result.scores, "unit"))


def assert_no_hidden_statistics(at: AppTest, hidden: set[str]) -> None:
    for record in chart_records(at):
        group = record.get("group", record.get("unit"))
        if group in hidden:
            assert all(record.get(f) is None for f in ("mean", "level", "ci_low", "ci_high"))


def check_demo_panel(
    world: World, demo_page: AppTest, tab: str, n_charts: int, phrases: list[str]
) -> AppTest:
    """A tab of the demo campaign: no error, its charts each with a caption, its phrases, and no
    statistic of a hidden unit."""
    at = show_tab(demo_page, tab)
    assert_clean(at)
    assert len(at.get("vega_lite_chart")) == n_charts
    shown = texts(at) + "\n".join(s.value for s in at.subheader)
    for phrase in phrases:
        assert phrase in shown, phrase
    # Every chart has its one-line caption right under it.
    assert len(at.caption) >= n_charts
    assert_no_hidden_statistics(at, hidden_units(world.db, world.demo))
    return at
