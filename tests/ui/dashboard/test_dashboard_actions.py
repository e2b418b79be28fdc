"""The Actions tab: what to work on first, recommendations, and adding them to the plan."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    World,
    assert_clean,
    check_demo_panel,
    open_dashboard,
    show_tab,
)

from assessment.campaigns.actions import list_actions
from assessment.results import dashboard as dash


def test_actions(world: World, demo_page: AppTest) -> None:
    check_demo_panel(world, demo_page, "Actions", 0, ["What to work on first", "Action plan"])


def test_add_an_action_from_a_recommendation(world: World) -> None:
    at = open_dashboard(world.demo)
    show_tab(at, "Actions")
    before = len(list_actions(world.db, world.demo))
    at.selectbox(key="wmm_action_choice").select(1)
    at.text_input(key="wmm_action_owner").input("Head of Operations")
    at.selectbox(key="wmm_action_status").select("in-progress")
    next(b for b in at.button if b.label == "Add to the action plan").click()
    at.run()
    assert_clean(at)
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
    at = open_dashboard(world.demo)
    show_tab(at, "Actions")
    before = list_actions(world.db, world.demo)
    button = next(b for b in at.button if b.key and b.key.startswith("wmm_add_"))
    button.click().run()
    assert_clean(at)
    after = list_actions(world.db, world.demo)
    assert len(after) == len(before) + 1
    added = next(a for a in after if a.id not in {b.id for b in before})
    assert added.status == "open" and added.dimension == button.key.split("_")[2]
