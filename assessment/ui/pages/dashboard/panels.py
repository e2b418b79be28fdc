"""What several dashboard tabs draw: a chart with its caption and image downloads, the reason
there is nothing to show, the participation and flywheel panels, and the table of differences.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Hashable, Iterable
from typing import Literal

import altair as alt
import pandas as pd
import streamlit as st

from assessment.i18n import format_number, text
from assessment.outputs import charts
from assessment.questionnaire import Questionnaire
from assessment.results import dashboard as dash
from assessment.results.campaign_answers import LRUCache
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


#: Key prefixes of the containers of a chart drawn in two forms (`chart`): the page's CSS shows
#: the one that fits the screen.
WIDE_CHART = "wmm_chart_wide_"
PHONE_CHART = "wmm_chart_phone_"


def _image(chart: alt.TopLevelMixin, fmt: Literal["png", "svg"]) -> Callable[[], bytes]:
    """The chart's image, drawn only when its download button is clicked."""
    return lambda: charts.chart_image(chart, fmt)


#: Charts already built, by what they show (their data and settings): a live refresh with nothing
#: new, and every look at an unchanged campaign, reuses them. Building the Altair charts was most
#: of a live refresh's time (docs/benchmarks.md, "A room of phones"). Per process.
_CHARTS = LRUCache(64)


def frame_key(frame: pd.DataFrame) -> Hashable:
    """What a chart's data frame holds, as a cache key (its columns, types and every value)."""
    digest = hashlib.sha256()
    digest.update(repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def built(
    key: Hashable, build: Callable[[], alt.TopLevelMixin]
) -> tuple[alt.TopLevelMixin, alt.TopLevelMixin]:
    """The chart ``build()`` makes and its styled form, built once per ``key`` in this process."""

    def both() -> tuple[alt.TopLevelMixin, alt.TopLevelMixin]:
        made = build()
        return made, charts.styled(made)

    return _CHARTS.get(key, both)


def chart(
    name: str,
    chart: alt.TopLevelMixin,
    caption: str,
    *,
    language: str,
    stretch: bool = True,
    styled: alt.TopLevelMixin | None = None,
    phone: alt.TopLevelMixin | None = None,
) -> None:
    """A chart, its one-line caption, and its PNG/SVG downloads (drawn only when clicked).
    ``styled``: the chart already styled (`built`). ``phone``: the chart's form for a phone, shown
    instead of it on a narrow screen (`assessment.ui.app.CHART_FIT_CSS`); the downloads are of
    ``chart``."""
    drawn = styled if styled is not None else charts.styled(chart)
    if not isinstance(drawn, _DRAWABLE):
        raise TypeError(f"the dashboard draws Altair charts; got {type(drawn).__name__}")
    width: Literal["stretch", "content"] = "stretch" if stretch else "content"
    if phone is None:
        st.altair_chart(drawn, theme=None, width=width)
    else:
        small = charts.styled(phone)
        if not isinstance(small, _DRAWABLE):
            raise TypeError(f"the dashboard draws Altair charts; got {type(small).__name__}")
        with st.container(key=f"{WIDE_CHART}{name}"):
            st.altair_chart(drawn, theme=None, width=width)
        with st.container(key=f"{PHONE_CHART}{name}"):
            st.altair_chart(small, theme=None, width=width)
    st.caption(caption)
    with st.popover(text("dashboard.panel.image", language), icon=":material/download:"):
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


def no_results(results: dash.CampaignResults, view: dash.View, language: str) -> bool:
    """Say why there is nothing to show, when there is nothing; True in that case."""
    if results.by_unit is None and results.summary is not None and results.summary.pending:
        # Answers arrived, but not yet k of them: nothing is released (DESIGN §7 "Time").
        st.warning(
            text(
                "dashboard.panel.too_few_so_far",
                language,
                m=results.min_group_size,
                summary=as_text(results.summary.text),
            )
        )
        return True
    if results.by_unit is None:
        st.info(text("dashboard.panel.no_responses", language))
        return True
    rows = results.rows(view)
    if rows.empty or not rows["mean"].notna().any():
        who = view.describe(dash.role_names(results.questionnaire, language), language)
        st.warning(
            text("dashboard.panel.too_few_in", language, m=results.min_group_size, who=as_text(who))
        )
        return True
    return False


def levels(results: dash.CampaignResults, language: str) -> tuple[list[float], list[str]]:
    """The level thresholds and the level names in ``language``, lowest level first."""
    q = results.questionnaire
    levels = sorted(q.levels, key=lambda lv: lv.level)
    return [lv.threshold for lv in levels], [q.level_name(lv.level, language) for lv in levels]


def percent(results: dash.CampaignResults) -> str:
    """The confidence as a percentage without a sign ("95")."""
    return f"{results.confidence * 100:g}"


def percent_text(value: float, language: str | None, digits: int = 0) -> str:
    """A percentage in the language's way ("85%", "85 %"); "–" when not a number."""
    if not math.isfinite(value):
        return "–"
    return text("dashboard.panel.percent", language, p=format_number(value, language, digits))


def numbers(
    values: Iterable[float], language: str | None, digits: int = 2, *, missing: str = "–"
) -> list[str]:
    """Numbers of a table shown on the page in the language's way ("3,25" in German), with
    ``missing`` where there is none. Display only: downloads keep the numbers."""
    return [
        format_number(v, language, digits) if pd.notna(v) and math.isfinite(v) else missing
        for v in values
    ]


def signed(value: float, language: str | None, digits: int = 2) -> str:
    """A difference with its sign ("+0.12", "−" as "-"), in the language's decimal mark."""
    if not math.isfinite(value):
        return "–"
    return ("+" if value > 0 else "") + format_number(value, language, digits)


def signed_interval(low: float, high: float, language: str | None, digits: int = 2) -> str:
    """An interval of differences with signs ("[+0.10, +0.30]", German "[+0,10; +0,30]")."""
    separator = text("number.interval_separator", language)
    return f"[{signed(low, language, digits)}{separator}{signed(high, language, digits)}]"


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
    made, styled = built(
        ("participation", frame_key(frame), results.min_group_size, language),
        lambda: charts.participation_chart(
            frame, min_group_size=results.min_group_size, language=language
        ),
    )
    chart(
        "participation",
        made,
        charts.caption(
            "participation",
            language,
            half=dash.readable_half_width(thresholds),
            m=results.min_group_size,
        ),
        language=language,
        styled=styled,
    )


def flywheel_panel(
    results: dash.CampaignResults, wheel: pd.DataFrame, language: str, *, width: int = 620
) -> None:
    _, names = levels(results, language)
    made, styled = built(
        ("flywheel", frame_key(wheel), tuple(names), results.confidence, width, language),
        lambda: charts.flywheel_chart(
            wheel,
            level_names=names,
            confidence=results.confidence,
            width=width,
            language=language,
        ),
    )
    chart(
        "flywheel",
        made,
        charts.caption("flywheel", language, p=percent(results)),
        stretch=False,
        language=language,
        styled=styled,
    )


def dif_panel(
    dif: pd.DataFrame,
    results: dash.CampaignResults,
    language: str,
    *,
    versions: bool = False,
    wording: Questionnaire | None = None,
) -> None:
    """A Mantel-Haenszel check: its heading, what it found, and the statements that may read
    differently (``versions``: the reworded statements between two waves, in the ``wording`` of
    the newer version; else the languages)."""
    if dif.empty:
        return
    heading, sentence = dash.dif_summary(dif, language, versions=versions)
    st.markdown(heading)
    st.write(sentence)
    rows = dash.flagged(dif)
    if not rows.empty:
        st.dataframe(
            dash.dif_rows(rows, wording or results.questionnaire, language, versions=versions),
            hide_index=True,
            width="stretch",
        )


def change_table(
    change: pd.DataFrame, before: str, after: str, results: dash.CampaignResults, language: str
) -> None:
    """The differences of `assessment.analysis.waves.score_differences` (waves or roles) as a
    table: both means, the difference with its interval, Hedges' g and the verdict."""
    st.dataframe(
        change_frame(change, before, after, percent(results), language),
        hide_index=True,
        width="stretch",
    )


def change_frame(
    change: pd.DataFrame, before: str, after: str, p: str, language: str
) -> pd.DataFrame:
    """The table `change_table` shows (one row per dimension, texts in ``language``)."""
    return pd.DataFrame(
        {
            text("dashboard.page.col_dimension", language): change["name"],
            before: [format_number(m, language) for m in change["mean_before"]],
            after: [format_number(m, language) for m in change["mean"]],
            text("dashboard.change.difference", language): [
                signed(d, language) for d in change["diff"]
            ],
            text("dashboard.page.col_interval", language, p=p): [
                signed_interval(lo, hi, language)
                for lo, hi in zip(change["diff_ci_low"], change["diff_ci_high"], strict=True)
            ],
            text("dashboard.change.hedges", language): [
                f"{signed(g, language)} {signed_interval(lo, hi, language)}"
                if not math.isnan(g)
                else "–"
                for g, lo, hi in zip(
                    change["g"], change["g_ci_low"], change["g_ci_high"], strict=True
                )
            ],
            text("dashboard.page.col_verdict", language): [
                text(f"dashboard.change.{v}", language) for v in change["verdict"]
            ],
        }
    )
