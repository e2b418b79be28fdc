"""The Waves tab: the change since the earlier wave, with and without the reworded statements, and
whether the reworded statements read as their earlier wording did."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    World,
    check_demo_panel,
)


def test_waves(world: World, demo_page: AppTest) -> None:
    check_demo_panel(
        world,
        demo_page,
        "Waves",
        2,  # the comparison in its two forms: side by side, and stacked for a phone
        [
            "Compared on the common statements only",
            "statements that work-management@1.0.0 and work-management@1.1.0 share",
            "Without the 4 reworded statements",
            "Do the reworded statements read as their earlier wording did?",
            "reworded statements read",
        ],
    )
