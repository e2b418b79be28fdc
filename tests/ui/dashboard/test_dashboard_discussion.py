"""The Discussion tab: the statements to talk through."""

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
from assessment.ui.markdown_text import as_text
from assessment.ui.pages import dashboard as dashboard_page


def test_discussion(world: World, demo_page: AppTest) -> None:
    check_demo_panel(world, demo_page, "Discussion", 1, ["Discussion queue", "disagreement × gap"])


def test_a_units_discussion_queue(world: World) -> None:
    at = open_dashboard(world.demo)
    results = dash.load_results(world.db, world.demo)
    unit = dash.shown_groups(results.by_unit.result.scores, "unit")[0]
    at.selectbox(key=f"wmm_view_{world.demo}").select(dash.View("unit", unit)).run()
    assert_clean(at)
    # The unit's name is shown as text: markdown-escaped ("Data \\& Analytics").
    assert any(as_text(unit) in s.value for s in at.subheader)
    assert len(at.get("vega_lite_chart")) == 4
    show_tab(at, "Discussion")
    assert_clean(at)
    assert at.dataframe and 1 <= len(at.dataframe[0].value) <= dashboard_page.QUEUE_LENGTH
    # Only statements worth discussing (the table writes numbers as the page's language does).
    assert (at.dataframe[0].value["Priority"].astype(float) > 0).all()
