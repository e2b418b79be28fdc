"""The Reliability tab: alpha and ICCs, response quality, agreement, the language and rewording
checks, the scoring's notes."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    World,
    check_demo_panel,
)


def test_reliability(world: World, demo_page: AppTest) -> None:
    check_demo_panel(
        world,
        demo_page,
        "Reliability",
        1,
        [
            "Response quality",
            "ICC(1)",
            "Do the statements read alike in each language?",
            # The demo's second wave rewords four statements of the first: checked against it.
            "Do the reworded statements read as their earlier wording did?",
        ],
    )
