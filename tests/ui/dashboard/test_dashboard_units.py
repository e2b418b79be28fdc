"""The Units tab: the unit × component heatmap, hidden units marked, and participation."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    QUESTIONNAIRE,
    World,
    assert_clean,
    chart_records,
    check_demo_panel,
    hidden_units,
    open_dashboard,
    show_tab,
)

from assessment.questionnaire import default_registry
from assessment.ui.language import LANGUAGE_KEY


def test_units(world: World, demo_page: AppTest) -> None:
    check_demo_panel(world, demo_page, "Units", 1, ["Units and components"])


def test_demo_heatmap_marks_hidden_units(world: World, demo_page: AppTest) -> None:
    at = show_tab(demo_page, "Units")
    records = [r for r in chart_records(at) if "group" in r]
    hidden = hidden_units(world.db, world.demo)
    # The demo's small unit is pooled into "(other units)" before scoring: it never appears.
    assert hidden and not hidden & {r["group"] for r in records}
    assert "(other units)" in {r["group"] for r in records}
    assert all(r["label"] == "hidden" and r["mean"] is None for r in records if r["suppressed"])
    at.segmented_control(key="wmm_heatmap_colour").set_value("level").run()
    assert_clean(at)
    records = [r for r in chart_records(at) if "group" in r]
    assert all(r["text"] == "hidden" and r["level"] is None for r in records if r["suppressed"])
    assert {r["text"] for r in records if not r["suppressed"]} <= {
        lv.name["en"] for lv in default_registry().get(QUESTIONNAIRE).levels
    }
    at.segmented_control(key="wmm_heatmap_colour").set_value("mean").run()


def test_the_pooled_group_reads_german(world: World) -> None:
    """On the German dashboard the pooled group is "(andere Einheiten)" in the heatmap and in
    the table of shares answered, never the English label."""
    page = open_dashboard(world.demo)  # a page of its own: the module's page stays English
    page.session_state[LANGUAGE_KEY] = "de"
    page.selectbox(key="wmm_dashboard_language").select("de").run()
    at = show_tab(page, "Einheiten")
    assert_clean(at)
    groups = {r["group"] for r in chart_records(at) if "group" in r}
    assert "(andere Einheiten)" in groups and "(other units)" not in groups
    tables = [d.value for d in at.dataframe]
    assert any("(andere Einheiten)" in t.index for t in tables)
    assert not any("(other units)" in t.index for t in tables)
