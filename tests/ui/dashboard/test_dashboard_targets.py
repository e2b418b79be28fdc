"""The Targets tab: gaps to the targets, shortfalls and surpluses apart."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest
from ui.dashboard.helpers import (
    World,
    assert_clean,
    check_demo_panel,
    show_tab,
)


def test_targets(world: World, demo_page: AppTest) -> None:
    check_demo_panel(
        world, demo_page, "Targets", 1, ["Clearly short of the target", "Clearly reached"]
    )


def test_targets_table_keeps_shortfalls_and_surpluses_apart(demo_page: AppTest) -> None:
    """Issue 15: a met target never reads as "short of target by −0.79"."""
    at = show_tab(demo_page, "Targets")
    assert_clean(at)
    table = at.dataframe[0].value
    # Numbers are written as the page's language writes them; a blank cell is no number.
    short = pd.to_numeric(table["Short of target by"].replace("", None))
    above = pd.to_numeric(table["Above target by"].replace("", None))
    assert short.notna().any() and above.notna().any()
    assert (short.dropna() > 0).all() and (above.dropna() > 0).all()
    assert not (short.notna() & above.notna()).any()
