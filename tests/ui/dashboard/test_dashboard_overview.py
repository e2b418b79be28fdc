"""The Overview tab: the flywheel, components, indices, principles and participation."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    World,
    check_demo_panel,
)


def test_overview(world: World, demo_page: AppTest) -> None:
    check_demo_panel(
        world, demo_page, "Overview", 4, ["The flywheel", "The seven principles", "Participation"]
    )
