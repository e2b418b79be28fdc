"""The Downloads tab: every file a facilitator can take away."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    World,
    check_demo_panel,
    show_tab,
)


def test_downloads(world: World, demo_page: AppTest) -> None:
    check_demo_panel(world, demo_page, "Downloads", 0, ["privacy rules"])


def test_downloads_offer_every_file(world: World, demo_page: AppTest) -> None:
    at = show_tab(demo_page, "Downloads")
    labels = {b.label for b in at.get("download_button")}
    assert {"Scores (CSV)", "Benchmark file (CSV)", "Action items (CSV)", "Report (HTML)"} <= labels
