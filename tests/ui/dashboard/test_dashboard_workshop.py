"""AppTest of what a workshop can throw at the Dashboard: a unit with more responses than its
head-count (every tab and live mode show a message, never an exception), live mode turned on over
answers that were already there (nothing announced as new), and repeated wrong passwords."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui.pages import log_in, open_page

from assessment.access import login_throttle as login_throttle
from assessment.campaigns.actions import add_action, list_actions, update_action
from assessment.campaigns.importing import import_table
from assessment.campaigns.management import UnitSpec, create_campaign
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import default_registry
from assessment.results import dashboard as dash
from assessment.storage import Database, connect, upgrade
from assessment.ui.markdown_text import as_text
from assessment.ui.pages import dashboard as dashboard_page

PASSWORD = "workshop-test-password"
EVIL = "[x](http://evil) ![i](http://evil/i.png) **b** <img src=x>"
EVIL_UNIT = "[u](http://evil/u)"
QUESTIONNAIRE = "work-management@1.1.0"


@dataclass(frozen=True)
class World:
    db: Database
    over: str  # unit "Marketing": 7 responses, head-count 6
    evil: str  # campaign, organisation and a unit named with markdown
    wave1: str  # Acme's first wave, with action items
    wave2: str  # Acme's second wave


def _campaign(
    db: Database,
    name: str,
    answers: dict[str, int],
    people: dict[str, int],
    organisation: str = "Workshop Ltd",
) -> str:
    q = default_registry().get(QUESTIONNAIRE)
    info = create_campaign(
        db,
        name=name,
        questionnaire=QUESTIONNAIRE,
        organisation=organisation,
        units=[UnitSpec(unit, None, people[unit]) for unit in answers],
        targets={"completion": 4},
    )
    profile = organisation_profile(
        seed=5, n_units=len(answers), unit_names=list(answers), min_size=1
    )
    table = generate_organisation(
        q, seed=5, profile=profile, respondents=list(answers.values())
    ).table
    import_table(db, info.code, table, name=f"{name}.csv")
    return info.code


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("dashboard-workshop")
    url = f"sqlite:///{folder / 'wmm.sqlite'}"
    db = connect(url, create=True)
    upgrade(db)
    world = World(
        db=db,
        over=_campaign(db, "Over", {"Marketing": 7, "Sales": 8}, {"Marketing": 6, "Sales": 20}),
        evil=_campaign(db, EVIL, {EVIL_UNIT: 6, "Sales": 6}, {EVIL_UNIT: 9, "Sales": 9}, EVIL),
        wave1=_campaign(db, "Wave 1", {"A": 6, "B": 6}, {"A": 9, "B": 9}, "Acme"),
        wave2="",
    )
    for title, status in (("Weekly review", "open"), ("Kanban board", "in-progress"),
                          ("Old idea", "dropped")):  # fmt: skip
        item = add_action(db, world.wave1, dimension="completion", title=title)
        update_action(db, world.wave1, item.id, status=status)
    world = replace(
        world, wave2=_campaign(db, "Wave 2", {"A": 6, "B": 6}, {"A": 9, "B": 9}, "Acme")
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


def _open(code: str) -> AppTest:
    return open_page(_script, password=PASSWORD, state={dashboard_page.CAMPAIGN_KEY: code})


def _assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


OVER = "Marketing: 7 responses but a head-count of 6 — treated as 7; correct the head-count"


@pytest.mark.parametrize("tab", dashboard_page.TABS)
def test_an_over_counted_unit_is_a_message_on_every_tab(world: World, tab: str) -> None:
    at = _open(world.over)
    at.session_state["wmm_dashboard_tab"] = tab
    at.run()
    _assert_clean(at)
    warnings = [w.value for w in at.warning]
    assert any(as_text(OVER) in w for w in warnings), warnings
    assert any(f"wmm campaign units {world.over}" in w for w in warnings)


def test_live_mode_with_an_over_counted_unit_and_nothing_new_at_first(world: World) -> None:
    at = _open(world.over)
    at.toggle(key="wmm_live").set_value(True).run()
    _assert_clean(at)
    assert any(as_text(OVER) in w.value for w in at.warning)
    metric = next(m for m in at.metric if m.label == "Responses so far")
    assert metric.value == "15"
    assert not metric.proto.delta, "answers already there are not new"
    # Off, two answers arrive, then on again: they were there when live mode was turned on.
    at.toggle(key="wmm_live").set_value(False).run()
    q = default_registry().get(QUESTIONNAIRE)
    profile = organisation_profile(seed=9, n_units=1, unit_names=["Sales"], min_size=1)
    late = generate_organisation(q, seed=9, profile=profile, respondents=[2]).table
    import_table(world.db, world.over, late, name="late.csv")
    at.toggle(key="wmm_live").set_value(True).run()
    _assert_clean(at)
    metric = next(m for m in at.metric if m.label == "Responses so far")
    assert metric.value == "17" and not metric.proto.delta


# -- the login form ---------------------------------------------------------------------------------


class Clock:
    """A clock that moves only when told (the throttle computes locks; nothing sleeps)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _login_error(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_the_login_form_locks_after_repeated_failures_and_refuses_blanks(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(login_throttle, "clock", clock)
    at = open_page(_script, password=None, state={dashboard_page.CAMPAIGN_KEY: world.over})
    log_in(at, "   ")
    assert "spaces alone" in _login_error(at)
    for attempt in range(1, login_throttle.FREE_FAILURES + 1):
        log_in(at, f"wrong guess {attempt}")
        assert "not the facilitator password" in _login_error(at)
    assert "try again in 1 s" in _login_error(at)
    # During the lock even the right password is refused, and nothing is shown.
    log_in(at, PASSWORD)
    _assert_no_exception(at)
    assert [t.value for t in at.title] == ["Facilitator login"]
    assert "Too many failed logins: try again in 1 s" in _login_error(at)
    clock.now += timedelta(seconds=1)
    log_in(at, PASSWORD)
    _assert_clean(at)
    assert [t.value for t in at.title] == ["Dashboard"]


def _assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# -- user-provided names are text ---------------------------------------------------------------------


def _markdown_bodies(at: AppTest) -> list[str]:
    """Every text Streamlit renders as markdown on the page."""
    kinds = ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error")
    return [str(e.value) for kind in (*kinds, "success") for e in getattr(at, kind)]


def _assert_literal(at: AppTest, *names: str) -> None:
    bodies = _markdown_bodies(at)
    for body in bodies:
        # What markdown would still see as markup once the backslash escapes are taken out.
        unescaped = re.sub(r"\\.", "", body)
        for markup in ("[x]", "](http", "![i]", "<img", "**b**", "[u]"):
            assert markup not in unescaped, body
    for name in names:
        assert any(as_text(name) in body for body in bodies), (name, bodies)


def _campaigns_script() -> None:
    from assessment.ui.pages import campaigns as campaigns_page

    campaigns_page.render()


def test_a_markdown_campaign_name_renders_literally_on_the_campaigns_page(world: World) -> None:
    at = open_page(_campaigns_script, password=PASSWORD, state={"wmm_manage_code": world.evil})
    _assert_clean(at)
    assert at.subheader[0].value == as_text(EVIL)
    _assert_literal(at, EVIL)
    at.button(key="wmm_close").click().run()
    _assert_clean(at)
    assert at.success and as_text(EVIL) in at.success[0].value
    _assert_literal(at, EVIL)


@pytest.mark.parametrize("tab", ["Overview", "Units", "Actions", "Downloads"])
def test_markdown_names_render_literally_on_the_dashboard(world: World, tab: str) -> None:
    at = _open(world.evil)
    at.session_state["wmm_dashboard_tab"] = tab
    at.run()
    _assert_clean(at)
    views = at.selectbox(key=f"wmm_view_{world.evil}")
    unit = next(v for v in views.options if EVIL_UNIT in v)
    views.set_value(views.value.__class__("unit", EVIL_UNIT)).run()
    _assert_clean(at)
    assert unit
    _assert_literal(at, *([f"unit: {EVIL_UNIT}"] if tab == "Overview" else []))


# -- the action plan --------------------------------------------------------------------------------


def _actions_tab(code: str) -> AppTest:
    at = _open(code)
    at.session_state["wmm_dashboard_tab"] = "Actions"
    return at.run()


def _plan(at: AppTest) -> list[tuple[str, str, str]]:
    frame = at.dataframe[0].value
    return list(zip(frame["From"], frame["Action"], frame["Status"], strict=True))


def test_the_next_wave_shows_the_open_items_as_follow_ups(world: World) -> None:
    at = _actions_tab(world.wave2)
    _assert_clean(at)
    assert _plan(at) == [
        ("follow-up from Wave 1", "Weekly review", "open"),
        ("follow-up from Wave 1", "Kanban board", "in-progress"),
    ]
    # A follow-up changed in the new wave is changed in the wave it belongs to.
    carried = {a.title: a for a in list_actions(world.db, world.wave1)}
    at.selectbox(key="wmm_change_id").set_value((world.wave1, carried["Weekly review"].id))
    at.selectbox(key="wmm_change_status").set_value("done")
    next(b for b in at.button if b.label == "Save").click().run()
    _assert_clean(at)
    assert ("follow-up from Wave 1", "Weekly review", "done") in _plan(at)
    assert {a.title: a.status for a in list_actions(world.db, world.wave1)}[
        "Weekly review"
    ] == "done"


def test_an_edit_keeps_the_status_and_a_delete_asks_first(world: World) -> None:
    item = add_action(world.db, world.over, dimension="clarity", title="Priorities page")
    update_action(world.db, world.over, item.id, status="done")
    at = _actions_tab(world.over)
    at.selectbox(key="wmm_change_id").set_value((world.over, item.id))
    at.text_input(key="wmm_change_owner").input("Ben")
    next(b for b in at.button if b.label == "Save").click().run()
    _assert_clean(at)
    saved = next(a for a in list_actions(world.db, world.over) if a.id == item.id)
    assert (saved.owner, saved.status) == ("Ben", "done")

    at.selectbox(key="wmm_change_id").set_value((world.over, item.id))
    next(b for b in at.button if b.label == "Delete this action").click().run()
    _assert_clean(at)
    assert any("Delete action" in w.value and "Priorities page" in w.value for w in at.warning)
    assert any(a.id == item.id for a in list_actions(world.db, world.over)), "not yet deleted"
    at.button(key="wmm_action_delete_no").click().run()
    assert any(a.id == item.id for a in list_actions(world.db, world.over))
    assert not any("Delete action" in w.value for w in at.warning)

    at.selectbox(key="wmm_change_id").set_value((world.over, item.id))
    next(b for b in at.button if b.label == "Delete this action").click().run()
    at.button(key="wmm_action_delete_yes").click().run()
    _assert_clean(at)
    assert not any(a.id == item.id for a in list_actions(world.db, world.over))
