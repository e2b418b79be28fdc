"""The Roles tab, and the panels of a role group's view."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    World,
    assert_clean,
    check_demo_panel,
    open_dashboard,
    show_tab,
)

from assessment.results import dashboard as dash


def test_roles(world: World, demo_page: AppTest) -> None:
    # The comparison in its two forms: side by side, and stacked for a phone.
    check_demo_panel(world, demo_page, "Roles", 2, ["How the roles see it"])


def test_a_role_groups_view(world: World) -> None:
    at = open_dashboard(world.demo)
    results = dash.load_results(world.db, world.demo)
    role = next(v for v in results.views() if v.by == "role")
    at.selectbox(key=f"wmm_view_{world.demo}").select(role).run()
    assert_clean(at)
    names = dash.role_names(results.questionnaire)
    assert any(names[role.label] in s.value for s in at.subheader)
    assert len(at.get("vega_lite_chart")) == 4
    for tab in ("Targets", "Discussion", "Actions", "Waves"):
        show_tab(at, tab)
        assert_clean(at)
