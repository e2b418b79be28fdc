"""AppTest of the Dashboard page, panel by panel: the demo organisation, an empty campaign, a campaign
whose every unit is below the minimum, one too small to show anything, live mode, and no login."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui.pages import open_page, spec_records

from assessment.campaigns.actions import list_actions
from assessment.campaigns.importing import import_table
from assessment.campaigns.management import CampaignInfo, UnitSpec, create_campaign, list_campaigns
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.demo.seed import seed_demo
from assessment.questionnaire import default_registry
from assessment.results import dashboard as dash
from assessment.results.campaign_answers import load_responses
from assessment.storage import Database, connect, upgrade
from assessment.ui.markdown_text import as_text
from assessment.ui.pages import dashboard as dashboard_page

PASSWORD = "dashboard-test-password"
QUESTIONNAIRE = "work-management@1.1.0"


@dataclass(frozen=True)
class World:
    db: Database
    demo: str  # the open demo wave (its earlier wave is closed)
    demo_first: str
    empty: str
    tiny: str  # every unit below the minimum; the organisation as a whole is shown
    too_few: str  # fewer respondents than the minimum in total
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


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("dashboard-page")
    url = f"sqlite:///{folder / 'wmm.sqlite'}"
    db = connect(url, create=True)
    upgrade(db)
    demo = seed_demo(db, folder=folder / "no-demo-files")
    first, second = (c.code for c in demo.campaigns)
    world = World(
        db=db,
        demo=second,
        demo_first=first,
        empty=_seed(db, "Empty", {"North": 0, "South": 0}, seed=1).code,
        tiny=_seed(db, "Tiny", {"A": 3, "B": 3, "C": 4}, seed=2).code,
        too_few=_seed(db, "Too few", {"A": 2, "B": 2}, seed=3).code,
        live=_seed(db, "Live", {"A": 6, "B": 6}, seed=4).code,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WMM_DATABASE_URL", url)
        patch.setenv("WMM_ADMIN_PASSWORD", PASSWORD)
        patch.setenv("WMM_BASE_URL", "https://wmm.example.org")
        patch.setenv("WMM_DEMO", "0")
        yield world
    db.dispose()
    st.cache_resource.clear()
    dash.clear_caches()


def _script() -> None:
    from assessment.ui.pages import dashboard as dashboard_page

    dashboard_page.render()


def _open(code: str | None = None, *, password: str | None = PASSWORD) -> AppTest:
    state = {dashboard_page.CAMPAIGN_KEY: code} if code is not None else {}
    return open_page(_script, password=password, state=state)


def _tab(at: AppTest, name: str) -> AppTest:
    at.session_state["wmm_dashboard_tab"] = name
    return at.run()


def _charts(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def _chart_records(at: AppTest) -> list[dict[str, Any]]:
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


def _texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def _assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _hidden_units(db: Database, code: str) -> set[str]:
    """The stored units whose results are not published on their own (pooled or suppressed)."""
    stored = {str(u) for u in load_responses(db, code).unit}
    results = dash.load_results(db, code)
    if results.by_unit is None:
        return stored
    return stored - set(dash.shown_groups(results.by_unit.result.scores, "unit"))


def _assert_no_hidden_statistics(at: AppTest, hidden: set[str]) -> None:
    for record in _chart_records(at):
        group = record.get("group", record.get("unit"))
        if group in hidden:
            assert all(record.get(f) is None for f in ("mean", "level", "ci_low", "ci_high"))


# -- without login ----------------------------------------------------------------------------------


def test_without_login_nothing_is_shown(world: World) -> None:
    at = _open(world.demo, password=None)
    _assert_clean(at)
    assert [t.value for t in at.title] == ["Facilitator login"]
    assert not at.get("vega_lite_chart") and not at.metric and not at.selectbox
    assert "Demo organisation" not in _texts(at)


def test_wrong_password_is_refused(world: World) -> None:
    at = _open(world.demo, password="not-the-password")
    assert [t.value for t in at.title] == ["Facilitator login"]
    assert at.error and "not the facilitator password" in at.error[0].value
    assert not at.get("vega_lite_chart")


# -- the demo organisation, panel by panel ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_page(world: World) -> AppTest:
    return _open(world.demo)


PANELS = [
    pytest.param(
        "Overview", 4, ["The flywheel", "The seven principles", "Participation"], id="overview"
    ),
    pytest.param("Units", 1, ["Units and components"], id="units"),
    pytest.param("Targets", 1, ["Clearly short of the target", "Clearly reached"], id="targets"),
    pytest.param("Discussion", 1, ["Discussion queue", "disagreement × gap"], id="discussion"),
    pytest.param("Actions", 0, ["What to work on first", "Action plan"], id="actions"),
    pytest.param(
        "Waves",
        1,
        [
            "Compared on the common statements only",
            "statements that work-management@1.0.0 and work-management@1.1.0 share",
            "Without the 4 reworded statements",
        ],
        id="waves",
    ),
    pytest.param("Roles", 1, ["How the roles see it"], id="roles"),
    # The demo seeds five peer organisations (demo data), so the tab shows a position.
    pytest.param("Benchmark", 1, ["other organisations", "Benchmark position"], id="benchmark"),
    pytest.param("Reliability", 1, ["Response quality", "ICC(1)"], id="reliability"),
    pytest.param("Downloads", 0, ["privacy rules"], id="downloads"),
]


@pytest.mark.parametrize(("tab", "n_charts", "phrases"), PANELS)
def test_demo_panel(
    world: World, demo_page: AppTest, tab: str, n_charts: int, phrases: list[str]
) -> None:
    at = _tab(demo_page, tab)
    _assert_clean(at)
    assert len(at.get("vega_lite_chart")) == n_charts
    text = _texts(at) + "\n".join(s.value for s in at.subheader)
    for phrase in phrases:
        assert phrase in text, phrase
    # Every chart has its one-line caption right under it.
    assert len(at.caption) >= n_charts
    _assert_no_hidden_statistics(at, _hidden_units(world.db, world.demo))


def test_demo_header_counts_match_the_database(world: World, demo_page: AppTest) -> None:
    at = _tab(demo_page, "Overview")
    info = next(c for c in list_campaigns(world.db) if c.code == world.demo)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Responses"].startswith(str(info.responses))
    assert metrics["Overall level"] in {
        lv.name["en"] for lv in default_registry().get(info.questionnaire).levels
    }
    assert "AI readiness" in metrics


def test_demo_view_choices_never_offer_a_hidden_unit(world: World, demo_page: AppTest) -> None:
    at = _tab(demo_page, "Overview")
    options = at.selectbox(key=f"wmm_view_{world.demo}").options
    hidden = _hidden_units(world.db, world.demo)
    assert hidden, "the demo keeps one unit below the minimum"
    assert not any(unit in option for option in options for unit in hidden)
    assert any(option.startswith("Unit:") for option in options)
    shown = dash.shown_groups(dash.load_results(world.db, world.demo).by_unit.result.scores, "unit")
    assert {f"Unit: {unit}" for unit in shown} <= set(options)
    assert any(option.startswith("Role:") for option in options)


def test_demo_unit_view(world: World) -> None:
    at = _open(world.demo)
    results = dash.load_results(world.db, world.demo)
    unit = dash.shown_groups(results.by_unit.result.scores, "unit")[0]
    at.selectbox(key=f"wmm_view_{world.demo}").select(dash.View("unit", unit)).run()
    _assert_clean(at)
    # The unit's name is shown as text: markdown-escaped ("Data \\& Analytics").
    assert any(as_text(unit) in s.value for s in at.subheader)
    assert len(at.get("vega_lite_chart")) == 4
    _tab(at, "Discussion")
    _assert_clean(at)
    assert at.dataframe and 1 <= len(at.dataframe[0].value) <= dashboard_page.QUEUE_LENGTH
    assert (at.dataframe[0].value["Priority"] > 0).all()  # only statements worth discussing


def test_demo_role_view(world: World) -> None:
    at = _open(world.demo)
    results = dash.load_results(world.db, world.demo)
    role = next(v for v in results.views() if v.by == "role")
    at.selectbox(key=f"wmm_view_{world.demo}").select(role).run()
    _assert_clean(at)
    names = dash.role_names(results.questionnaire)
    assert any(names[role.label] in s.value for s in at.subheader)
    assert len(at.get("vega_lite_chart")) == 4
    for tab in ("Targets", "Discussion", "Actions", "Waves"):
        _tab(at, tab)
        _assert_clean(at)


def test_demo_heatmap_marks_hidden_units(world: World, demo_page: AppTest) -> None:
    at = _tab(demo_page, "Units")
    records = [r for r in _chart_records(at) if "group" in r]
    hidden = _hidden_units(world.db, world.demo)
    # The demo's small unit is pooled into "(other units)" before scoring: it never appears.
    assert hidden and not hidden & {r["group"] for r in records}
    assert "(other units)" in {r["group"] for r in records}
    assert all(r["label"] == "hidden" and r["mean"] is None for r in records if r["suppressed"])
    at.segmented_control(key="wmm_heatmap_colour").set_value("level").run()
    _assert_clean(at)
    records = [r for r in _chart_records(at) if "group" in r]
    assert all(r["text"] == "hidden" and r["level"] is None for r in records if r["suppressed"])
    assert {r["text"] for r in records if not r["suppressed"]} <= {
        lv.name["en"] for lv in default_registry().get(QUESTIONNAIRE).levels
    }
    at.segmented_control(key="wmm_heatmap_colour").set_value("mean").run()


def test_add_an_action_from_a_recommendation(world: World) -> None:
    at = _open(world.demo)
    _tab(at, "Actions")
    before = len(list_actions(world.db, world.demo))
    at.selectbox(key="wmm_action_choice").select(1)
    at.text_input(key="wmm_action_owner").input("Head of Operations")
    at.selectbox(key="wmm_action_status").select("in-progress")
    next(b for b in at.button if b.label == "Add to the action plan").click()
    at.run()
    _assert_clean(at)
    actions = list_actions(world.db, world.demo)
    assert len(actions) == before + 1
    added = actions[-1] if actions[-1].owner else next(a for a in actions if a.owner)
    assert added.owner == "Head of Operations" and added.status == "in-progress"
    results = dash.load_results(world.db, world.demo)
    _, recommendations = dash.recommendations(results.rows(dash.View()), results.questionnaire)
    assert added.title == recommendations[0].actions[0]
    assert added.dimension == recommendations[0].priority.component
    assert any("Head of Operations" in str(v) for v in at.dataframe[0].value["Owner"])


def test_add_a_recommended_action_with_one_click(world: World) -> None:
    at = _open(world.demo)
    _tab(at, "Actions")
    before = list_actions(world.db, world.demo)
    button = next(b for b in at.button if b.key and b.key.startswith("wmm_add_"))
    button.click().run()
    _assert_clean(at)
    after = list_actions(world.db, world.demo)
    assert len(after) == len(before) + 1
    added = next(a for a in after if a.id not in {b.id for b in before})
    assert added.status == "open" and added.dimension == button.key.split("_")[2]


def test_benchmark_panel_with_imported_benchmarks(world: World, tmp_path: Path) -> None:
    from assessment.outputs.campaign_exports import campaign_benchmark_csv, import_benchmarks

    # The earlier wave's benchmark file under another name stands in for a peer organisation.
    peer = tmp_path / "peer.csv"
    peer.write_bytes(
        campaign_benchmark_csv(world.db, world.demo_first, org="Peer organisation").data
    )
    import_benchmarks(world.db, [peer])
    at = _open(world.demo)
    _tab(at, "Benchmark")
    _assert_clean(at)
    assert len(at.get("vega_lite_chart")) == 1
    assert "Compared with" in _texts(at)


def test_benchmark_panel_without_benchmark_files_says_how_to_import_them(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dash, "load_benchmark", lambda db, results: None)  # an empty pool
    at = _tab(_open(world.demo), "Benchmark")
    _assert_clean(at)
    assert len(at.get("vega_lite_chart")) == 0
    assert "No benchmark files are imported yet" in _texts(at)


def test_downloads_offer_every_file(world: World, demo_page: AppTest) -> None:
    at = _tab(demo_page, "Downloads")
    labels = {b.label for b in at.get("download_button")}
    assert {"Scores (CSV)", "Benchmark file (CSV)", "Action items (CSV)", "Report (HTML)"} <= labels


# -- the other campaigns ----------------------------------------------------------------------------

TABS = list(dashboard_page.TABS)


@pytest.mark.parametrize("tab", TABS)
def test_empty_campaign(world: World, tab: str) -> None:
    at = _open(world.empty)
    _tab(at, tab)
    _assert_clean(at)
    if tab in {"Overview", "Targets", "Discussion", "Units", "Reliability", "Benchmark"}:
        assert "No responses yet" in _texts(at)
    if tab == "Overview":
        # Participation is still shown: the units and their head-counts, nobody answered yet.
        assert len(at.get("vega_lite_chart")) == 1
        records = [r for r in _chart_records(at) if "unit" in r]
        assert {r["unit"] for r in records} == {"North", "South"}
        assert {r["responses"] for r in records} == {0}
    else:
        assert not at.get("vega_lite_chart")
    if tab == "Downloads":
        assert [b.label for b in at.get("download_button")] == ["Action items (CSV)"]


@pytest.mark.parametrize("tab", TABS)
def test_every_unit_below_the_minimum(world: World, tab: str) -> None:
    at = _open(world.tiny)
    _tab(at, tab)
    _assert_clean(at)
    _assert_no_hidden_statistics(at, {"A", "B", "C"})
    # Every unit is under the minimum: they are one pooled group, "(other units)", which is the
    # whole organisation; A, B and C never appear, not even with their counts.
    records = _chart_records(at)
    assert not {"A", "B", "C"} & {str(r.get("group", r.get("unit"))) for r in records}
    if tab == "Overview":
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Units reliable enough to read"].endswith("of 1")
        assert len(at.get("vega_lite_chart")) == 4  # the organisation (10 respondents) is shown
    if tab == "Units":
        groups = {r["group"] for r in records if "group" in r}
        assert groups == {"(other units)"}


@pytest.mark.parametrize("tab", ["Overview", "Targets", "Discussion", "Actions", "Downloads"])
def test_too_few_respondents_in_total(world: World, tab: str) -> None:
    at = _open(world.too_few)
    _tab(at, tab)
    _assert_clean(at)
    assert "Fewer than 5 respondents" in _texts(at) or "need at least 5" in _texts(at)
    assert len(at.get("vega_lite_chart")) <= 1  # only participation, never a result
    _assert_no_hidden_statistics(at, {"A", "B", "__all__"})


# -- live mode --------------------------------------------------------------------------------------


def test_live_mode_shows_the_link_and_new_answers_without_rescoring_idle(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assessment.results.campaign_answers as campaign_scores

    calls: list[str] = []
    original = campaign_scores.score_table

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("by", "unit"))
        return original(*args, **kwargs)

    monkeypatch.setattr(campaign_scores, "score_table", counting)
    at = _open(world.live)
    at.toggle(key="wmm_live").set_value(True).run()
    _assert_clean(at)
    assert at.get("image"), "the QR code of the survey link"
    link = next(c.value for c in at.code)
    assert link.startswith("https://wmm.example.org/?c=") and world.live in link
    assert {m.label: m.value for m in at.metric}["Responses so far"] == "12"
    scored = len(calls)
    at.run()  # the refresh when nothing arrived
    assert len(calls) == scored, "nothing changed, so nothing may be scored again"
    assert "nothing new" in _texts(at)

    q = default_registry().get(QUESTIONNAIRE)
    profile = organisation_profile(seed=77, n_units=1, unit_names=["A"], min_size=1)
    table = generate_organisation(q, seed=77, profile=profile, respondents=[2]).table
    import_table(world.db, world.live, table, name="late.csv")
    at.run()
    _assert_clean(at)
    metric = next(m for m in at.metric if m.label == "Responses so far")
    assert metric.value == "14" and "+2" in str(metric.proto.delta)
    assert len(calls) > scored


def test_targets_table_keeps_shortfalls_and_surpluses_apart(demo_page: AppTest) -> None:
    """Issue 15: a met target never reads as "short of target by −0.79"."""
    at = _tab(demo_page, "Targets")
    _assert_clean(at)
    table = at.dataframe[0].value
    short, above = table["Short of target by"], table["Above target by"]
    assert (short.dropna() > 0).all() and (above.dropna() > 0).all()
    assert not (short.notna() & above.notna()).any()
