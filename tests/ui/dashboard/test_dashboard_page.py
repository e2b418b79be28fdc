"""AppTest of the Dashboard page itself: login, the header, the choice of group, every tab of an
empty campaign, of one whose every unit is below the minimum and of one too small to show anything,
and live mode. Each tab's own panels are tested in test_dashboard_<tab>.py."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    QUESTIONNAIRE,
    World,
    assert_clean,
    assert_no_hidden_statistics,
    chart_records,
    hidden_units,
    open_dashboard,
    show_tab,
    texts,
)

from assessment.campaigns.importing import import_table
from assessment.campaigns.management import list_campaigns
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import default_registry
from assessment.results import dashboard as dash
from assessment.ui.pages import dashboard as dashboard_page

# -- without login ----------------------------------------------------------------------------------


def test_without_login_nothing_is_shown(world: World) -> None:
    at = open_dashboard(world.demo, password=None)
    assert_clean(at)
    assert [t.value for t in at.title] == ["Facilitator login"]
    assert not at.get("vega_lite_chart") and not at.metric and not at.selectbox
    assert "Demo organisation" not in texts(at)


def test_wrong_password_is_refused(world: World) -> None:
    at = open_dashboard(world.demo, password="not-the-password")
    assert [t.value for t in at.title] == ["Facilitator login"]
    assert at.error and "not the facilitator password" in at.error[0].value
    assert not at.get("vega_lite_chart")


# -- the header and the choice of group -------------------------------------------------------------


def test_demo_header_counts_match_the_database(world: World, demo_page: AppTest) -> None:
    at = show_tab(demo_page, "Overview")
    info = next(c for c in list_campaigns(world.db) if c.code == world.demo)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Responses"].startswith(str(info.responses))
    assert metrics["Overall level"] in {
        lv.name["en"] for lv in default_registry().get(info.questionnaire).levels
    }
    assert "AI readiness" in metrics


def test_the_header_follows_the_chosen_unit(world: World) -> None:
    """Issue 15: with a unit chosen, the header counts that unit's responses, not everyone's."""
    at = open_dashboard(world.demo)
    results = dash.load_results(world.db, world.demo)
    unit = dash.shown_groups(results.by_unit.result.scores, "unit")[0]
    organisation = {m.label: m.value for m in at.metric}
    at.selectbox(key=f"wmm_view_{world.demo}").select(dash.View("unit", unit)).run()
    assert_clean(at)
    chosen = {m.label: m.value for m in at.metric}
    assert chosen["Responses"].split(" ")[0] == str(results.responses[unit])
    assert chosen["Responses"] != organisation["Responses"]
    assert "Reliable enough to read" in chosen and "Units reliable enough to read" not in chosen


def test_demo_view_choices_never_offer_a_hidden_unit(world: World, demo_page: AppTest) -> None:
    at = show_tab(demo_page, "Overview")
    options = at.selectbox(key=f"wmm_view_{world.demo}").options
    hidden = hidden_units(world.db, world.demo)
    assert hidden, "the demo keeps one unit below the minimum"
    assert not any(unit in option for option in options for unit in hidden)
    assert any(option.startswith("Unit:") for option in options)
    shown = dash.shown_groups(dash.load_results(world.db, world.demo).by_unit.result.scores, "unit")
    assert {f"Unit: {unit}" for unit in shown} <= set(options)
    assert any(option.startswith("Role:") for option in options)


# -- the other campaigns ----------------------------------------------------------------------------

TABS = list(dashboard_page.TABS)


@pytest.mark.parametrize("tab", TABS)
def test_empty_campaign(world: World, tab: str) -> None:
    at = open_dashboard(world.empty)
    show_tab(at, tab)
    assert_clean(at)
    if tab in {"Overview", "Targets", "Discussion", "Units", "Reliability", "Benchmark"}:
        assert "No responses yet" in texts(at)
    if tab == "Overview":
        # Participation is still shown: the units and their head-counts, nobody answered yet.
        assert len(at.get("vega_lite_chart")) == 1
        records = [r for r in chart_records(at) if "unit" in r]
        assert {r["unit"] for r in records} == {"North", "South"}
        assert {r["responses"] for r in records} == {0}
    else:
        assert not at.get("vega_lite_chart")
    if tab == "Downloads":
        assert [b.label for b in at.get("download_button")] == ["Action items (CSV)"]


@pytest.mark.parametrize("tab", TABS)
def test_every_unit_below_the_minimum(world: World, tab: str) -> None:
    at = open_dashboard(world.tiny)
    show_tab(at, tab)
    assert_clean(at)
    assert_no_hidden_statistics(at, {"A", "B", "C"})
    # Every unit is under the minimum: they are one pooled group, "(other units)", which is the
    # whole organisation; A, B and C never appear, not even with their counts.
    records = chart_records(at)
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
    at = open_dashboard(world.too_few)
    show_tab(at, tab)
    assert_clean(at)
    assert "Fewer than 5 respondents" in texts(at) or "need at least 5" in texts(at)
    assert len(at.get("vega_lite_chart")) <= 1  # only participation, never a result
    assert_no_hidden_statistics(at, {"A", "B", "__all__"})


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
    at = open_dashboard(world.live)
    at.toggle(key="wmm_live").set_value(True).run()
    assert_clean(at)
    assert at.get("image"), "the QR code of the survey link"
    link = next(c.value for c in at.code)
    assert link.startswith("https://wmm.example.org/?c=") and world.live in link
    assert {m.label: m.value for m in at.metric}["Responses so far"] == "12"
    scored = len(calls)
    at.run()  # the refresh when nothing arrived
    assert len(calls) == scored, "nothing changed, so nothing may be scored again"
    assert "nothing new" in texts(at)

    q = default_registry().get(QUESTIONNAIRE)
    profile = organisation_profile(seed=77, n_units=1, unit_names=["A"], min_size=1)
    table = generate_organisation(q, seed=77, profile=profile, respondents=[2]).table
    import_table(world.db, world.live, table, name="late.csv")
    at.run()
    assert_clean(at)
    metric = next(m for m in at.metric if m.label == "Responses so far")
    assert metric.value == "14" and "+2" in str(metric.proto.delta)
    assert len(calls) > scored
