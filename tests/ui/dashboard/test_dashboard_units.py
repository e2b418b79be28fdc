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
    show_tab,
)

from assessment.questionnaire import default_registry


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
