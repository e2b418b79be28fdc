"""What several dashboard tabs draw: a chart with its caption and image downloads, the reason
there is nothing to show, the participation and flywheel panels, and the table of differences.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import altair as alt
import pandas as pd
import streamlit as st

from assessment.analysis.waves import CHANGE_TEXT
from assessment.i18n import text
from assessment.outputs import charts
from assessment.results import dashboard as dash
from assessment.results.rows import unit_rows
from assessment.ui.markdown_text import as_text

_DRAWABLE = (
    alt.Chart,
    alt.LayerChart,
    alt.HConcatChart,
    alt.VConcatChart,
    alt.ConcatChart,
    alt.FacetChart,
    alt.RepeatChart,
)


def _image(chart: alt.TopLevelMixin, fmt: Literal["png", "svg"]) -> Callable[[], bytes]:
    """The chart's image, drawn only when its download button is clicked."""
    return lambda: charts.chart_image(chart, fmt)


def chart(name: str, chart: alt.TopLevelMixin, caption: str, *, stretch: bool = True) -> None:
    """A chart, its one-line caption, and its PNG/SVG downloads (drawn only when clicked)."""
    drawn = charts.styled(chart)
    if not isinstance(drawn, _DRAWABLE):
        raise TypeError(f"the dashboard draws Altair charts; got {type(drawn).__name__}")
    st.altair_chart(drawn, theme=None, width="stretch" if stretch else "content")
    st.caption(caption)
    with st.popover("Image", icon=":material/download:"):
        formats: tuple[tuple[Literal["png", "svg"], str], ...] = (
            ("png", "image/png"),
            ("svg", "image/svg+xml"),
        )
        for fmt, mime in formats:
            st.download_button(
                f"{name}.{fmt}",
                data=_image(chart, fmt),
                file_name=f"{name}.{fmt}",
                mime=mime,
                key=f"wmm_image_{name}_{fmt}",
                on_click="ignore",
            )


def no_results(results: dash.CampaignResults, view: dash.View) -> bool:
    """Say why there is nothing to show, when there is nothing; True in that case."""
    if results.by_unit is None and results.summary is not None and results.summary.pending:
        # Answers arrived, but not yet k of them: nothing is released (DESIGN §7 "Time").
        st.warning(
            f"Fewer than {results.min_group_size} respondents so far: no results can be shown "
            f"without revealing individual answers. {as_text(results.summary.text)}"
        )
        return True
    if results.by_unit is None:
        st.info(
            "No responses yet. Share the survey link (Live mode shows it as a QR code); results "
            "appear here as answers arrive."
        )
        return True
    rows = results.rows(view)
    if rows.empty or not rows["mean"].notna().any():
        st.warning(
            f"Fewer than {results.min_group_size} respondents with scores in "
            f"{as_text(view.describe(dash.role_names(results.questionnaire)))}: no results can be "
            "shown "
            "without revealing individual answers."
        )
        return True
    return False


def levels(results: dash.CampaignResults, language: str) -> tuple[list[float], list[str]]:
    q = results.questionnaire
    levels = sorted(q.levels, key=lambda lv: lv.level)
    return [lv.threshold for lv in levels], [q.level_name(lv.level, language) for lv in levels]


def percent(results: dash.CampaignResults) -> str:
    return f"{results.confidence * 100:g}"


def participation_panel(results: dash.CampaignResults, language: str) -> None:
    st.subheader(text("dashboard.page.participation", language))
    if results.summary is not None and results.summary.text:
        # Results advance in releases (DESIGN §7 "Time"); the table's notes name the groups.
        st.caption(as_text(results.summary.text))
    frame = results.participation(language)
    units = unit_rows(frame)
    if units.empty:
        st.info(text("dashboard.page.no_units", language))
        return
    thresholds = [lv.threshold for lv in results.questionnaire.levels]
    chart(
        "participation",
        charts.participation_chart(frame, min_group_size=results.min_group_size, language=language),
        charts.caption(
            "participation",
            language,
            half=dash.readable_half_width(thresholds),
            m=results.min_group_size,
        ),
    )


def flywheel_panel(
    results: dash.CampaignResults, wheel: pd.DataFrame, language: str, *, width: int = 620
) -> None:
    _, names = levels(results, language)
    chart(
        "flywheel",
        charts.flywheel_chart(
            wheel,
            level_names=names,
            confidence=results.confidence,
            width=width,
            language=language,
        ),
        charts.caption("flywheel", language, p=percent(results)),
        stretch=False,
    )


def change_table(
    change: pd.DataFrame, before: str, after: str, results: dash.CampaignResults
) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "Dimension": change["name"],
                before: [f"{m:.2f}" for m in change["mean_before"]],
                after: [f"{m:.2f}" for m in change["mean"]],
                "Difference": [f"{d:+.2f}" for d in change["diff"]],
                f"{percent(results)}% interval": [
                    f"[{lo:+.2f}, {hi:+.2f}]"
                    for lo, hi in zip(change["diff_ci_low"], change["diff_ci_high"], strict=True)
                ],
                "Hedges' g": [
                    f"{g:+.2f} [{lo:+.2f}, {hi:+.2f}]" if not math.isnan(g) else "–"
                    for g, lo, hi in zip(
                        change["g"], change["g_ci_low"], change["g_ci_high"], strict=True
                    )
                ],
                "Verdict": change["verdict"].map(CHANGE_TEXT),
            }
        ),
        hide_index=True,
        width="stretch",
    )
