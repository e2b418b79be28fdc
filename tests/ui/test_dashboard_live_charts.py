"""The dashboard's charts are built once per content in a process (a live refresh with nothing new
reuses them), and any change of their data builds them again."""

from __future__ import annotations

import altair as alt
import pandas as pd

from assessment.ui.pages.dashboard import panels


def _frame(mean: float) -> pd.DataFrame:
    return pd.DataFrame({"dimension": ["clarity", "completion"], "mean": [3.1, mean]})


def test_equal_frames_share_a_key_and_any_changed_value_does_not() -> None:
    assert panels.frame_key(_frame(2.5)) == panels.frame_key(_frame(2.5))
    assert panels.frame_key(_frame(2.5)) != panels.frame_key(_frame(2.6))
    renamed = _frame(2.5).rename(columns={"mean": "median"})
    assert panels.frame_key(renamed) != panels.frame_key(_frame(2.5))


def test_a_chart_is_built_once_per_key() -> None:
    built: list[float] = []

    def build(mean: float) -> alt.Chart:
        built.append(mean)
        return alt.Chart(_frame(mean)).mark_bar().encode(x="mean:Q", y="dimension:N")

    first = panels.built(("test", panels.frame_key(_frame(2.5))), lambda: build(2.5))
    again = panels.built(("test", panels.frame_key(_frame(2.5))), lambda: build(2.5))
    other = panels.built(("test", panels.frame_key(_frame(2.6))), lambda: build(2.6))
    assert again is first
    assert other is not first
    assert built == [2.5, 2.6]
    chart, styled = first
    assert styled.to_dict()["config"]["view"]["strokeWidth"] == 0  # styled as the page draws it
    assert chart.to_dict()["data"] == styled.to_dict()["data"]
