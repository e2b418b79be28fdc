"""Every chart of the results, defined once: pure builders from the view models of
`assessment.results.views` to Altair (Vega-Lite) specs, drawn by the dashboard and, as inline SVG,
by the report.

Intervals are computed in Python before drawing; every chart has a one-line caption (`caption`);
one palette serves both renderers.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from assessment.i18n import format_interval, format_number, text

#: Level colours for up to 7 levels (ColorBrewer RdYlBu: readable for red-green colour blindness).
_LEVEL_PALETTE = ("#d73027", "#f46d43", "#fdae61", "#fee090", "#abd9e9", "#74add1", "#4575b4")
#: Answer colours, disagree -> agree (ColorBrewer RdBu with a grey middle).
_ANSWER_LOW = (0xB2, 0x18, 0x2B)
_ANSWER_MID = (0xD9, 0xD9, 0xD9)
_ANSWER_HIGH = (0x21, 0x66, 0xAC)
INK = "#1f2933"
MUTED = "#52606d"
ACCENT = "#1f5fa6"
VERDICT_COLOURS = {
    "below": "#b2182b",
    "down": "#b2182b",
    "reached": "#1a7a3a",
    "up": "#1a7a3a",
    "unclear": "#7b8794",
}
STATUS_COLOURS = {
    "readable": "#1f5fa6",
    "imprecise": "#8fb3dc",
    "protecting": "#b8c2cc",
    "suppressed": "#b8c2cc",
    "none": "#e4e7eb",
}
ROW_HEIGHT = 34
#: Half the height (px) of a dot of size 220 (its area in px²), as most charts draw them.
_POINT = math.sqrt(220 / math.pi)
#: Height (px) of a row of the gap chart: its two-line name stands above it on a phone.
_GAP_ROW = 62
#: Half the height (px) of a bar of the answers chart.
_BAR = 11
#: Width of exported chart images whose width follows the page in the app.
IMAGE_WIDTH = 820
FONT_SIZE = 15

#: The charts that have a one-line caption saying how to read them (``dashboard.caption.<name>``).
CAPTIONS: tuple[str, ...] = (
    "participation",
    "flywheel",
    "components",
    "principles",
    "heatmap_mean",
    "heatmap_level",
    "gaps",
    "likert",
    "waves",
    "roles",
    "benchmark",
    "reliability",
)


def caption(name: str, language: str | None = None, **values: object) -> str:
    """The caption of chart ``name`` in ``language`` with its values filled in; a number is
    written with the language's decimal mark (``half=0.4`` reads "±0,40" in German)."""
    if name not in CAPTIONS:
        raise KeyError(f"no caption for the chart {name!r}; charts with captions: {CAPTIONS}")
    fields = {
        key: format_number(value, language) if isinstance(value, float) else value
        for key, value in values.items()
    }
    return text(f"dashboard.caption.{name}", language, **fields)


def _as_layer(chart: object) -> alt.LayerChart:
    """``chart`` as the layered chart it is (Altair's stubs widen ``.properties`` results)."""
    if not isinstance(chart, alt.LayerChart):
        raise TypeError(f"expected a layered chart; got {type(chart).__name__}")
    return chart


# -- helpers --------------------------------------------------------------------------------------


def level_colours(n_levels: int) -> list[str]:
    """``n_levels`` colours from low to high maturity."""
    if not 1 <= n_levels <= len(_LEVEL_PALETTE):
        raise ValueError(
            f"charts colour 1..{len(_LEVEL_PALETTE)} maturity levels; got {n_levels} levels"
        )
    if n_levels == 1:
        return [_LEVEL_PALETTE[-1]]
    picks = np.round(np.linspace(0, len(_LEVEL_PALETTE) - 1, n_levels)).astype(int)
    return [_LEVEL_PALETTE[i] for i in picks]


def answer_colours(n_options: int) -> list[str]:
    """Diverging colours for the answer options, lowest (disagree) first."""
    colours = []
    for i in range(n_options):
        t = i / max(n_options - 1, 1)
        low, high, u = (
            (_ANSWER_LOW, _ANSWER_MID, t / 0.5)
            if t < 0.5
            else (_ANSWER_MID, _ANSWER_HIGH, (t - 0.5) / 0.5)
        )
        r, g, b = (round(a + (b - a) * u) for a, b in zip(low, high, strict=True))
        colours.append(f"#{r:02x}{g:02x}{b:02x}")
    return colours


def _plain(frame: pd.DataFrame) -> alt.InlineData:
    """The rows as inline Vega-Lite data: numbers as floats, text as str, every missing value null.

    Inline records (rather than a DataFrame) because Altair's DataFrame conversion turns missing
    values into NaN under pandas 3, which is not JSON.
    """
    columns: dict[str, list[Any]] = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values.dtype):
            columns[column] = [None if pd.isna(v) else bool(v) for v in values]
        elif pd.api.types.is_numeric_dtype(values.dtype):
            numbers = pd.to_numeric(values).to_numpy(dtype=np.float64, na_value=np.nan)
            columns[column] = [float(v) if math.isfinite(v) else None for v in numbers]
        else:
            columns[column] = [None if pd.isna(v) else str(v) for v in values]
    records = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    return alt.InlineData(values=records)


def styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Projector-friendly defaults: large labels, no frame around the plot.

    A single or layered chart fits its width to the page (``fit-x``) but keeps its own height for
    the plot, so that a legend, a slanted column name or a title of two lines adds height instead
    of squeezing the rows together (Vega's ``fit`` would hold the total height fixed).
    """
    if isinstance(chart, alt.Chart | alt.LayerChart) and chart.autosize is alt.Undefined:
        chart = chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    configured: alt.TopLevelMixin = (
        chart.configure_axis(
            labelFontSize=FONT_SIZE,
            titleFontSize=FONT_SIZE,
            labelColor=INK,
            titleColor=INK,
            labelLimit=320,
            gridColor="#e4e7eb",
        )
        .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=320)
        .configure_title(fontSize=FONT_SIZE + 3, color=INK, anchor="start")
        .configure_view(strokeWidth=0)
    )
    return configured


def _level_bands(
    thresholds: Sequence[float], names: Sequence[str], scale_max: float
) -> pd.DataFrame:
    ends = [*thresholds[1:], scale_max]
    return pd.DataFrame(
        {
            "level": np.arange(1, len(thresholds) + 1, dtype=np.float64),
            "level_name": list(names),
            "low": np.asarray(thresholds, dtype=np.float64),
            "high": np.asarray(ends, dtype=np.float64),
            "middle": (np.asarray(thresholds) + np.asarray(ends)) / 2.0,
        }
    )


#: Characters per line of a statement label before it wraps (the chart shows statements in full),
#: and on a phone, where the statement stands above its bar.
STATEMENT_LINE = 46
NARROW_STATEMENT_LINE = 36


def _wrapped(text: str, width: int = STATEMENT_LINE) -> list[str]:
    """``text`` in lines of at most ``width`` characters (a word longer than that on its own line)."""
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]


def _interval_text(mean: float, low: float, high: float, language: str | None = None) -> str:
    """A mean with its interval in the language's format: "3.12 [2.97, 3.29]"."""
    if any(math.isnan(v) for v in (mean, low, high)):
        return format_number(mean, language)
    return f"{format_number(mean, language)} {format_interval(low, high, language)}"


def _words(language: str | None) -> Callable[..., str]:
    """The chart words (``dashboard.chart``) in ``language``."""

    def word(key: str, **fields: object) -> str:
        return text(f"dashboard.chart.{key}", language, **fields)

    return word


#: Average advance of a character as a share of the font size (the sans-serif charts' text), for
#: reserving room for text that Vega's layout does not measure (text marks beside a bar or interval).
_CHARACTER_WIDTH = 0.6
#: Characters per line of an axis title before it wraps, so that it fits a phone-width plot.
TITLE_LINE = 28


def _right_room(texts: Sequence[str], *, font_size: float, dx: float = 0.0) -> int:
    """Pixels to keep free right of the plot for text marks that start at a data point.

    Vega's ``fit`` layout sizes the plot so that axes, legends and titles fit the container, but not
    text marks: a label after the longest bar would be cut at the chart's edge ("3.57]"). The chart's
    right padding reserves the widest label's estimated width (characters × 0.6 × font size), so the
    plot shrinks instead and no label is ever cut, whatever the screen's width.
    """
    longest = max((len(str(t)) for t in texts), default=0)
    return math.ceil(longest * _CHARACTER_WIDTH * font_size + dx + 6)


def _padding(right: int = 5) -> dict[str, int]:
    """Vega padding (pixels) with ``right`` pixels of room on the right."""
    return {"left": 5, "top": 5, "bottom": 5, "right": max(5, right)}


def _narrow_padding(right: int) -> alt.ExprRef:
    """`_padding` with ``right`` pixels of room on a wide chart, and none kept on a narrow one."""
    wide, narrow = json.dumps(_padding(right)), json.dumps(_padding())
    return alt.ExprRef(f"{NARROW} ? {narrow} : {wide}")


def _title_lines(title: str, width: int = TITLE_LINE) -> str | list[str]:
    """An axis title as one line, or as lines of at most ``width`` characters when it is longer."""
    lines = _wrapped(title, width)
    return lines[0] if len(lines) == 1 else lines


def _legend_columns(n: int, one_row_from: int) -> alt.ExprRef:
    """Legend columns that follow the plot's width: all ``n`` entries in one row when the plot is
    at least ``one_row_from`` pixels wide, else one entry per row (a phone), so no entry is cut."""
    return alt.ExprRef(f"width >= {one_row_from} ? {n} : 1")


#: A chart whose container is narrower than this (CSS px: a phone) is drawn in its narrow layout:
#: each row's name stands above the row, left-aligned in the plot, instead of left of it, so the
#: plot keeps nearly the chart's full width for the marks, their texts, the legend and the axis title.
NARROW_BELOW = 600
#: Vega expression: whether the chart is drawn narrow. An image rendered by vl-convert (downloads,
#: the report) has no container, so it is always drawn wide.
NARROW = f"(containerSize()[0] > 0 && containerSize()[0] < {NARROW_BELOW})"
#: Height (px) of one line of a row name in the narrow layout, and the room between a row's name
#: and its marks.
_NAME_LINE = FONT_SIZE + 3
_NAME_GAP = 4


def _narrow(narrow: object, wide: object) -> alt.ExprRef:
    """``narrow`` on a narrow chart, else ``wide`` (numbers or Vega expressions)."""
    return alt.ExprRef(f"{NARROW} ? {narrow} : {wide}")


def narrow_step(*, mark: float, lines: int = 1) -> float:
    """The least distance (px) between two rows that holds, in the narrow layout, a name of
    ``lines`` lines above marks ``2 * mark`` px high."""
    return 2 * mark + _NAME_GAP + 4 + lines * _NAME_LINE


def narrow_row(step: float, *, mark: float, lines: int = 1) -> float:
    """Pixels by which a row's marks move down in the narrow layout, to leave room above them for
    the row's name of ``lines`` lines.

    ``step`` is the distance between two rows, ``mark`` the marks' half height. The marks sit at
    the bottom of their row: their centre ``step / 2 - mark - 3`` below the row's middle. Raises
    when the row is too low to hold the name and the marks (make the chart higher).
    """
    need = narrow_step(mark=mark, lines=lines)
    if step < need:
        raise ValueError(
            f"a row of {step:.0f} px cannot hold a name of {lines} line(s) above marks "
            f"{2 * mark:.0f} px high; it needs {need:.0f} px"
        )
    return round(step / 2 - mark - 3, 1)


def _row_axis(step: float, *, mark: float, lines: int = 1, **properties: Any) -> alt.Axis:
    """The row names' axis (left): names right-aligned left of the rows on a wide chart; on a
    narrow one left-aligned inside the plot at the top of each row, above the row's marks (moved
    down by `narrow_row`), with lines `_NAME_LINE` px apart."""
    narrow_row(step, mark=mark, lines=lines)  # the row holds the name and the marks
    return alt.Axis(
        labelAlign=_narrow("'left'", "'right'"),
        labelBaseline=_narrow("'top'", "'middle'"),
        labelLineHeight=_NAME_LINE,
        tickSize=_narrow(0, 5),
        # A left axis puts its labels ``tickSize + labelPadding`` left of the plot; negative
        # padding moves them into it.
        labelPadding=_narrow(-4, 2),
        labelOffset=_narrow(round(1 - step / 2, 1), 0),
        **properties,
    )


def _value_axis(**properties: Any) -> alt.Axis:
    """The values' axis (bottom) of a chart that keeps room right of its plot for texts: on a narrow
    chart its title starts at the plot's left edge and runs into that room instead of standing
    centred under a plot narrower than itself."""
    return alt.Axis(
        titleAnchor=_narrow("'start'", "'middle'"),
        titleAlign=_narrow("'left'", "'center'"),
        **properties,
    )


def _label_expression(labels: Mapping[str, str]) -> str:
    """A Vega expression that maps a legend's values to their labels."""
    return f"{json.dumps(dict(labels), ensure_ascii=False)}[datum.label]"


# -- participation --------------------------------------------------------------------------------


def participation_chart(
    frame: pd.DataFrame, *, min_group_size: int, language: str | None = None
) -> alt.LayerChart:
    """Responses per unit against its head-count, coloured by whether the unit can be read.

    ``frame`` is `assessment.results.dashboard.participation` (its organisation row is left out here).
    """
    word = _words(language)
    data = frame[frame["unit"].astype(str) != "__all__"].copy()
    data["label"] = [
        (
            word("count_of", n=int(n), total=int(h), share=f"{100 * n / h:.0f}")
            if pd.notna(h) and h
            else f"{int(n)}"
        )
        + (f" · {word('hidden')}" if status in ("suppressed", "protecting") else "")
        for n, h, status in zip(data["responses"], data["head_count"], data["status"], strict=True)
    ]
    data["people"] = data["head_count"].astype("Float64").fillna(0.0)
    data["end"] = np.maximum(
        data["responses"].to_numpy(dtype=float), data["people"].to_numpy(dtype=float)
    )
    order = list(data["unit"])
    data_labels = list(data["label"])
    data = _plain(data)
    # On a phone the bars are thinner, below each unit's name.
    step = max(ROW_HEIGHT, narrow_step(mark=7))
    height = max(step * len(order), 80)
    step = height / max(len(order), 1)
    shift = _narrow(narrow_row(step, mark=7), 0)
    y = alt.Y(
        "unit:N",
        sort=order,
        title=None,
        axis=_row_axis(step, mark=7, labelFontSize=FONT_SIZE),
    )
    base = alt.Chart(data).encode(y=y)
    people = base.mark_bar(color="#e4e7eb", height=_narrow(14, 22), yOffset=shift).encode(
        x=alt.X("people:Q", title=_title_lines(word("responses_axis")), axis=_value_axis()),
        tooltip=[
            alt.Tooltip("unit:N", title=word("unit")),
            alt.Tooltip("people:Q", title=word("people")),
        ],
    )
    answered = base.mark_bar(height=_narrow(9, 14), yOffset=shift).encode(
        x="responses:Q",
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("unit:N", title=word("unit")),
            alt.Tooltip("responses:Q", title=word("responses")),
            alt.Tooltip("note:N", title=word("results")),
        ],
    )
    labels = base.mark_text(
        align="left", dx=6, yOffset=shift, fontSize=FONT_SIZE - 1, color=INK
    ).encode(x="end:Q", text="label:N")
    minimum = (
        alt.Chart(pd.DataFrame({"m": [float(min_group_size)]}))
        .mark_rule(strokeDash=[5, 4], color=MUTED)
        .encode(x="m:Q")
    )
    room = _right_room(data_labels, font_size=FONT_SIZE - 1, dx=6)
    return _as_layer(
        alt.layer(people, answered, minimum, labels).properties(
            height=height, padding=_padding(room)
        )
    )


# -- the flywheel ---------------------------------------------------------------------------------

# Node positions: the cycle on a circle of radius 1 (first at the top, clockwise), Collaboration in
# the middle, Workflow Architecture as the base underneath.
_CIRCLE = 1.2
_NODE_RADIUS = 0.6
_BASE_Y = -1.95
_X_DOMAIN = (-2.05, 2.05)
_Y_DOMAIN = (_BASE_Y - 0.62, _CIRCLE + _NODE_RADIUS + 0.08)


def _cycle_positions(n: int) -> list[tuple[float, float, float]]:
    """(x, y, angle in degrees clockwise from the top) of n nodes evenly on the circle."""
    return [
        (
            _CIRCLE * math.sin(math.radians(360 * k / n)),
            _CIRCLE * math.cos(math.radians(360 * k / n)),
            360 * k / n,
        )
        for k in range(n)
    ]


def _arrows(n: int, gap_degrees: float = 34.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Arcs between consecutive cycle nodes (clockwise) and their arrowheads."""
    lines, heads = [], []
    for k in range(n):
        start = 360 * k / n + gap_degrees
        stop = 360 * (k + 1) / n - gap_degrees
        angles = np.linspace(start, stop, 24)
        radius = _CIRCLE * 1.02
        for order, angle in enumerate(angles):
            lines.append(
                {
                    "arc": k,
                    "order": order,
                    "x": radius * math.sin(math.radians(angle)),
                    "y": radius * math.cos(math.radians(angle)),
                }
            )
        # Direction of travel at the end of the arc is tangential (clockwise): angle + 90°.
        heads.append(
            {
                "x": radius * math.sin(math.radians(stop)),
                "y": radius * math.cos(math.radians(stop)),
                "angle": (stop + 90.0) % 360.0,
            }
        )
    return pd.DataFrame(lines), pd.DataFrame(heads)


def flywheel_chart(
    frame: pd.DataFrame,
    *,
    level_names: Sequence[str],
    confidence: float,
    width: int = 640,
    language: str | None = None,
) -> alt.LayerChart:
    """The flywheel: the cycle of components with arrows, Collaboration in the middle powering it,
    Workflow Architecture as the base; each node coloured by its level (hidden ones grey).

    ``frame`` is `assessment.results.dashboard.flywheel`.
    """
    word = _words(language)
    colours = level_colours(len(level_names))
    cycle = frame[frame["role"] == "cycle"].sort_values("order")
    positions = _cycle_positions(max(len(cycle), 1))
    nodes = []
    for (node_x, node_y, _), record in zip(positions, cycle.to_dict("records"), strict=False):
        nodes.append({**record, "x": node_x, "y": node_y, "shape": "circle"})
    for record in frame[frame["role"] == "power"].to_dict("records"):
        nodes.append({**record, "x": 0.0, "y": 0.0, "shape": "circle"})
    bottom = frame[frame["role"].isin(["base", "other"])].sort_values("order").to_dict("records")
    for i, record in enumerate(bottom):
        offset = (i - (len(bottom) - 1) / 2) * 1.6
        nodes.append({**record, "x": offset, "y": _BASE_Y, "shape": "square"})
    data = pd.DataFrame(nodes)
    percent = f"{confidence * 100:g}%"
    data["headline"] = [
        format_number(m, language) if shown else word("hidden")
        for m, shown in zip(data["mean"], data["shown"], strict=True)
    ]
    data["interval"] = [
        f"{percent} {format_interval(lo, hi, language)}" if shown else word("too_few")
        for lo, hi, shown in zip(data["ci_low"], data["ci_high"], data["shown"], strict=True)
    ]
    data["likely"] = [
        str(text) if shown and isinstance(text, str) else ""
        for text, shown in zip(data["level_text"], data["shown"], strict=True)
    ]
    data["level_colour"] = [
        colours[int(level) - 1] if shown and pd.notna(level) else "#ffffff"
        for level, shown in zip(data["level"], data["shown"], strict=True)
    ]
    data["ink"] = [
        "#ffffff" if c in (colours[0], colours[-1]) else INK for c in data["level_colour"]
    ]
    data = _plain(data)
    domain = list(_X_DOMAIN)
    pixels_per_unit = width / (_X_DOMAIN[1] - _X_DOMAIN[0])
    height = int(pixels_per_unit * (_Y_DOMAIN[1] - _Y_DOMAIN[0]))
    x = alt.X("x:Q", scale=alt.Scale(domain=domain), axis=None)
    y = alt.Y("y:Q", scale=alt.Scale(domain=list(_Y_DOMAIN)), axis=None)
    lines, heads = _arrows(max(len(cycle), 1))
    arcs = (
        alt.Chart(lines)
        .mark_line(color=MUTED, strokeWidth=4)
        .encode(x=x, y=y, detail="arc:N", order="order:Q")
    )
    arrowheads = (
        alt.Chart(heads)
        .mark_point(shape="triangle", filled=True, size=420, color=MUTED, opacity=1)
        .encode(x=x, y=y, angle=alt.Angle("angle:Q", scale=None))
    )
    spokes = (
        alt.Chart(
            pd.DataFrame(
                [
                    {"x": 0.0, "y": -_NODE_RADIUS, "x2": 0.0, "y2": _BASE_Y + 0.42},
                ]
            )
        )
        .mark_rule(color="#b8c2cc", strokeWidth=3, strokeDash=[6, 5])
        .encode(x=x, y=y, x2="x2:Q", y2="y2:Q")
    )
    size = math.pi * (_NODE_RADIUS * pixels_per_unit) ** 2
    tooltip = [
        alt.Tooltip("name:N", title=word("component")),
        alt.Tooltip("headline:N", title=word("mean")),
        alt.Tooltip("interval:N", title=word("interval")),
        alt.Tooltip("likely:N", title=word("level")),
        alt.Tooltip("n:Q", title=word("respondents")),
    ]
    circles = (
        alt.Chart(data)
        .transform_filter(alt.datum.shape == "circle")
        .mark_point(shape="circle", filled=True, size=size, strokeWidth=3, opacity=1)
        .encode(
            x=x,
            y=y,
            fill=alt.Fill("level_colour:N", scale=None),
            stroke=alt.value(INK),
            tooltip=tooltip,
        )
    )
    base = (
        alt.Chart(data)
        .transform_filter(alt.datum.shape == "square")
        .mark_rect(stroke=INK, strokeWidth=3, cornerRadius=10)
        .encode(
            x=alt.X("left:Q", scale=alt.Scale(domain=domain), axis=None),
            x2="right:Q",
            y=alt.Y("top:Q", scale=alt.Scale(domain=list(_Y_DOMAIN)), axis=None),
            y2="bottom:Q",
            fill=alt.Fill("level_colour:N", scale=None),
            tooltip=tooltip,
        )
        .transform_calculate(
            left="datum.x - 0.8",
            right="datum.x + 0.8",
            top="datum.y + 0.42",
            bottom="datum.y - 0.42",
        )
    )

    def text(
        field: str, dy: float, size_: int, weight: Literal["normal", "bold"] = "normal"
    ) -> alt.Chart:
        chart = (
            alt.Chart(data)
            .mark_text(fontSize=size_, fontWeight=weight, dy=dy)
            .encode(x=x, y=y, text=f"{field}:N", color=alt.Color("ink:N", scale=None))
        )
        if not isinstance(chart, alt.Chart):
            raise TypeError(f"expected a chart; got {type(chart).__name__}")
        return chart

    labels = [
        text("name", -32, FONT_SIZE + 1, "bold"),
        text("headline", -5, FONT_SIZE + 13, "bold"),
        text("interval", 21, FONT_SIZE - 3),
        text("likely", 38, FONT_SIZE - 3),
    ]
    captions = pd.DataFrame(
        [
            {"x": 0.0, "y": -_NODE_RADIUS - 0.12, "text": "powers the cycle"},
            {"x": 0.0, "y": _BASE_Y - 0.53, "text": "holds it all up"},
        ]
    )
    notes = (
        alt.Chart(captions)
        .mark_text(fontSize=FONT_SIZE - 2, fontStyle="italic", color=MUTED)
        .encode(x=x, y=y, text="text:N")
    )
    return _as_layer(
        alt.layer(arcs, arrowheads, spokes, circles, base, *labels, notes).properties(
            width=width, height=height
        )
    )


# -- estimates with intervals ---------------------------------------------------------------------


def estimate_chart(
    frame: pd.DataFrame,
    *,
    thresholds: Sequence[float],
    level_names: Sequence[str],
    scale_min: float,
    scale_max: float,
    order: Literal["given", "mean"] = "given",
    show_target: bool = True,
    zoom: bool = True,
    language: str | None = None,
) -> alt.LayerChart:
    """Means with intervals over the maturity level bands, one row per dimension.

    ``frame`` is `assessment.results.dashboard.dimension_estimates` (name, mean, ci_low, ci_high, ...).
    With ``zoom`` the axis shows the part of the scale the intervals (and targets) occupy, on a
    0.2 grid, with room on the right for the labels; the level bands are cut to it.
    """
    word = _words(language)
    data = frame.copy()
    data["text"] = [
        _interval_text(m, lo, hi, language)
        for m, lo, hi in zip(data["mean"], data["ci_low"], data["ci_high"], strict=True)
    ]
    data["likely"] = [
        str(text) if isinstance(text, str) and text else str(name)
        for text, name in zip(data["level_text"], data["level_name"], strict=True)
    ]
    if order == "mean":
        data = data.sort_values("mean", ascending=False, kind="stable")
    names = list(data["name"])
    has_target = "target_threshold" in data.columns and bool(data["target_threshold"].notna().any())
    low, high = float(scale_min), float(scale_max)
    if zoom and len(data):
        ends = [data["ci_low"].astype(float), data["mean"].astype(float)]
        tops = [data["ci_high"].astype(float), data["mean"].astype(float)]
        if has_target and show_target:
            ends.append(data["target_threshold"].astype(float))
            tops.append(data["target_threshold"].astype(float))
        smallest = float(np.nanmin(pd.concat(ends)))
        largest = float(np.nanmax(pd.concat(tops)))
        low = max(low, math.floor((smallest - 0.3) * 5) / 5)
        high = min(high, math.ceil((largest + 0.8) * 5) / 5)
    interval_texts = list(data["text"])
    data = _plain(data)
    bands = _level_bands(thresholds, level_names, scale_max)
    bands["low"] = bands["low"].clip(lower=low, upper=high)
    bands["high"] = bands["high"].clip(lower=low, upper=high)
    bands = bands[bands["high"] - bands["low"] > 1e-9].copy()
    bands["middle"] = (bands["low"] + bands["high"]) / 2.0
    bands["label"] = [
        name if width >= 0.3 else ""
        for name, width in zip(bands["level_name"], bands["high"] - bands["low"], strict=True)
    ]
    colours = level_colours(len(level_names))
    x_scale = alt.Scale(domain=[low, high], nice=False, zero=False)
    mark = 13.0 if show_target and has_target else _POINT  # a target's tick is 26 px high
    step = max(ROW_HEIGHT * 1.3, narrow_step(mark=mark))
    height = max(step * len(names), 90) + 40
    step = height / max(len(names), 1)
    shift = _narrow(narrow_row(step, mark=mark), 0)
    y = alt.Y("name:N", sort=names, title=None, axis=_row_axis(step, mark=mark))
    band_layer = (
        alt.Chart(bands)
        .mark_rect(opacity=0.22)
        .encode(
            x=alt.X("low:Q", scale=x_scale, title=_title_lines(word("mean_axis"))),
            x2="high:Q",
            color=alt.Color(
                "level_name:N",
                scale=alt.Scale(domain=list(level_names), range=colours),
                legend=None,
            ),
        )
    )
    # Neighbouring level names sit on alternate rows, so two narrow bands never run their names
    # together ("EmergingDefined").
    bands["row"] = np.arange(len(bands)) % 2
    band_names = [
        alt.Chart(bands)
        .transform_filter(f"datum.row == {row}")
        .mark_text(baseline="top", dy=dy, fontSize=FONT_SIZE - 2, color=MUTED)
        .encode(
            x=alt.X("middle:Q", scale=x_scale),
            y=alt.value(0),
            text="label:N",
            # A name wider than its band on the screen is left out rather than run into the next.
            opacity=alt.condition(
                "scale('x', datum.high) - scale('x', datum.low) >= "
                f"length(datum.label) * {_CHARACTER_WIDTH * (FONT_SIZE - 2)} + 4",
                alt.value(1),
                alt.value(0),
            ),
        )
        for row, dy in ((0, -34), (1, -18))
    ]
    base = alt.Chart(data).encode(y=y)
    tooltip = [
        alt.Tooltip("name:N", title=word("dimension")),
        alt.Tooltip("text:N", title=word("mean_interval")),
        alt.Tooltip("likely:N", title=word("level")),
        alt.Tooltip("n:Q", title=word("respondents")),
    ]
    rule = base.mark_rule(strokeWidth=3, color=ACCENT, yOffset=shift).encode(
        x=alt.X("ci_low:Q", scale=x_scale), x2="ci_high:Q", tooltip=tooltip
    )
    point = base.mark_point(filled=True, size=220, color=ACCENT, opacity=1, yOffset=shift).encode(
        x=alt.X("mean:Q", scale=x_scale), tooltip=tooltip
    )
    # The interval's text goes right of the interval, or left of it when the right edge of the
    # axis is too close (it would be cut: "3.57]"): on a wide chart when the interval ends in the
    # last third of the axis, whose right padding keeps room for the text; on a narrow one, which
    # keeps no room, when the text would not fit between the interval and the plot's edge.
    span = high - low
    room_right = f"({high} - datum.ci_high) >= {0.34 * span}"
    fits = (
        f"{NARROW} ? scale('x', datum.ci_high) + 10 + "
        f"length(datum.text) * {_CHARACTER_WIDTH * (FONT_SIZE - 2)} <= width : {room_right}"
    )
    # Each text is drawn once; one left empty has no size, so it never widens the chart.
    label_right = (
        base.transform_filter(f"!isValid(datum.ci_high) || {NARROW} || {room_right}")
        .mark_text(align="left", dx=10, yOffset=shift, fontSize=FONT_SIZE - 2, color=INK)
        .encode(
            x=alt.X("ci_high:Q", scale=x_scale),
            text=alt.condition(f"!isValid(datum.ci_high) || ({fits})", "text:N", alt.value("")),
        )
    )
    label_left = (
        base.transform_filter(f"isValid(datum.ci_high) && ({NARROW} || !{room_right})")
        .mark_text(align="right", dx=-10, yOffset=shift, fontSize=FONT_SIZE - 2, color=INK)
        .encode(
            x=alt.X("ci_low:Q", scale=x_scale),
            text=alt.condition(f"isValid(datum.ci_high) && !({fits})", "text:N", alt.value("")),
        )
    )
    layers: list[alt.Chart] = [band_layer, *band_names, rule, point, label_right, label_left]
    if show_target and has_target:
        target = (
            base.transform_filter("isValid(datum.target_threshold)")
            .mark_tick(color=INK, thickness=3, size=26, yOffset=shift)
            .encode(x=alt.X("target_threshold:Q", scale=x_scale))
        )
        layers.append(target)
    room = _right_room(interval_texts, font_size=FONT_SIZE - 2, dx=10)
    return _as_layer(alt.layer(*layers).properties(height=height, padding=_narrow_padding(room)))


# -- heatmap --------------------------------------------------------------------------------------


#: Column widths (pixels) below which the heatmap's column names slant, and stand upright.
_FLAT_FROM = 120
_UPRIGHT_BELOW = 56


def heatmap_chart(
    cells: pd.DataFrame,
    *,
    colour_by: Literal["mean", "level"] = "mean",
    level_names: Sequence[str],
    scale_min: float,
    scale_max: float,
    language: str | None = None,
) -> alt.LayerChart:
    """Unit × dimension heatmap; hidden cells get a dashed outline and no colour, ever.

    ``cells`` is `assessment.results.dashboard.heatmap`.
    """
    word = _words(language)
    data = cells.copy()
    groups = list(pd.unique(data.sort_values("group_rank")["group"]))
    dimensions = list(pd.unique(data.sort_values("dimension_rank")["name"]))
    colours = level_colours(len(level_names))
    data["level_label"] = [
        str(name) if not hidden else word("hidden")
        for name, hidden in zip(data["level_name"], data["suppressed"], strict=True)
    ]
    data["text"] = data["label"] if colour_by == "mean" else data["level_label"]
    data["ink"] = [
        MUTED
        if hidden
        else (
            "#ffffff"
            if colour_by == "mean" and m > scale_min + 0.72 * (scale_max - scale_min)
            else INK
        )
        for hidden, m in zip(data["suppressed"], data["mean"].fillna(0.0), strict=True)
    ]
    if colour_by == "level":
        data["ink"] = [
            MUTED
            if hidden
            else ("#ffffff" if pd.notna(level) and int(level) in (1, len(level_names)) else INK)
            for hidden, level in zip(data["suppressed"], data["level"], strict=True)
        ]
    data = _plain(data)
    x = alt.X(
        "name:N",
        sort=dimensions,
        title=None,
        # Column names lie flat while a column is wide enough for them; slanted, a word per line,
        # when it is not; upright on a phone's narrow columns.
        axis=alt.Axis(
            orient="top",
            labelAngle=alt.ExprRef(
                f"bandwidth('x') < {_UPRIGHT_BELOW} ? -90 : bandwidth('x') < {_FLAT_FROM} ? -40 : 0"
            ),
            labelAlign=alt.ExprRef(f"bandwidth('x') < {_FLAT_FROM} ? 'left' : 'center'"),
            labelBaseline=alt.ExprRef(f"bandwidth('x') < {_UPRIGHT_BELOW} ? 'middle' : 'bottom'"),
            labelExpr=(
                f"bandwidth('x') < {_FLAT_FROM} && bandwidth('x') >= {_UPRIGHT_BELOW} "
                "? split(datum.value, ' ') : datum.value"
            ),
            labelLimit=220,
        ),
    )
    y = alt.Y("group:N", sort=groups, title=None)
    tooltip = [
        alt.Tooltip("group:N", title=word("unit")),
        alt.Tooltip("name:N", title=word("dimension")),
        alt.Tooltip("text:N", title=word("value")),
        alt.Tooltip("n:Q", title=word("respondents")),
    ]
    shown = alt.Chart(data).transform_filter("!datum.suppressed")
    if colour_by == "mean":
        colour = alt.Color(
            "mean:Q",
            scale=alt.Scale(scheme="blues", domain=[scale_min, scale_max]),
            title=word("mean"),
            legend=alt.Legend(orient="bottom", gradientLength=alt.ExprRef("min(320, width)")),
        )
    else:
        colour = alt.Color(
            "level_name:N",
            scale=alt.Scale(domain=list(level_names), range=colours),
            title=word("level"),
            legend=alt.Legend(orient="bottom", columns=_legend_columns(len(level_names), 620)),
        )
    filled = shown.mark_rect(stroke="#ffffff", strokeWidth=2).encode(
        x=x, y=y, color=colour, tooltip=tooltip
    )
    hidden = (
        alt.Chart(data)
        .transform_filter("datum.suppressed")
        .mark_rect(fill="#ffffff", stroke="#9aa5b1", strokeWidth=1.5, strokeDash=[4, 3])
        .encode(x=x, y=y, tooltip=tooltip)
    )
    text = (
        alt.Chart(data)
        .mark_text(fontSize=FONT_SIZE - 1)
        .encode(x=x, y=y, text="text:N", color=alt.Color("ink:N", scale=None))
    )
    return _as_layer(
        alt.layer(filled, hidden, text)
        .resolve_scale(color="independent")
        .properties(height=max(40 * len(groups), 80))
    )


# -- gaps, changes and role differences -----------------------------------------------------------


def gap_chart(gaps: pd.DataFrame, *, language: str | None = None) -> alt.LayerChart:
    """Distance of each mean from its target threshold, with intervals, coloured by the verdict.

    ``gaps`` is `assessment.results.dashboard.target_gaps`; drawn as mean − threshold (= −gap) so that
    short of the target is left of 0.
    """
    word = _words(language)
    data = gaps.copy()
    data["distance"] = -data["gap"].astype(float)
    data["distance_low"] = -data["gap_ci_high"].astype(float)
    data["distance_high"] = -data["gap_ci_low"].astype(float)
    data["p_text"] = [word("reached_likely", p=f"{100 * p:.0f}") for p in data["p_target"]]
    # Each row's label carries its probability on a second line: axis labels are part of Vega's
    # layout, so they are never cut or run into a point, whatever the width.
    data["label"] = [
        f"{word('target_label', name=name, target=target)}\n{p_text}"
        for name, target, p_text in zip(
            data["name"], data["target_name"], data["p_text"], strict=True
        )
    ]
    names = list(data["label"])
    data = _plain(data)
    height = max(_GAP_ROW * len(names), 90)
    step = height / max(len(names), 1)
    shift = _narrow(narrow_row(step, mark=_POINT, lines=2), 0)
    y = alt.Y(
        "label:N",
        sort=names,
        title=None,
        axis=_row_axis(
            step, mark=_POINT, lines=2, labelExpr="split(datum.value, '\\n')", labelLimit=0
        ),
    )
    colour = alt.Color(
        "verdict:N",
        scale=alt.Scale(
            domain=["below", "unclear", "reached"],
            range=[
                VERDICT_COLOURS["below"],
                VERDICT_COLOURS["unclear"],
                VERDICT_COLOURS["reached"],
            ],
        ),
        legend=alt.Legend(
            title=None,
            orient="bottom",
            columns=_legend_columns(3, 600),
            labelExpr=_label_expression(
                {
                    "below": word("clearly_short"),
                    "unclear": word("not_clear"),
                    "reached": word("clearly_reached"),
                }
            ),
        ),
    )
    tooltip = [
        alt.Tooltip("label:N", title=word("dimension")),
        alt.Tooltip("distance:Q", title=word("distance"), format="+.2f"),
        alt.Tooltip("p_text:N", title=word("target")),
    ]
    base = alt.Chart(data).encode(y=y)
    x = alt.X("distance_low:Q", title=_title_lines(word("distance_axis")))
    rule = base.mark_rule(strokeWidth=3, yOffset=shift).encode(
        x=x, x2="distance_high:Q", color=colour, tooltip=tooltip
    )
    point = base.mark_point(filled=True, size=220, opacity=1, yOffset=shift).encode(
        x="distance:Q", color=colour, tooltip=tooltip
    )
    zero = (
        alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color=INK, strokeWidth=1.5).encode(x="x:Q")
    )
    return _as_layer(alt.layer(zero, rule, point).properties(height=height))


def comparison_chart(
    change: pd.DataFrame,
    *,
    before: str,
    after: str,
    width: int = 320,
    direction: bool = True,
    stacked: bool = False,
    language: str | None = None,
) -> alt.HConcatChart | alt.VConcatChart:
    """Two groups (waves or roles) side by side with intervals, and their difference; with
    ``stacked`` the difference under the means, each with the names (a phone's form, `STACKED_WIDTH`).

    ``change`` is `assessment.analysis.waves.wave_change` or `assessment.results.dashboard.role_gaps`;
    ``before``/``after`` name the two groups in the legend. With ``direction`` a clear rise is green
    and a clear fall red (waves); without, every clear difference has one colour (role groups:
    neither is better).
    """
    word = _words(language)
    names = list(change["name"])
    ends = np.concatenate(
        [change["diff_ci_low"].to_numpy(dtype=float), change["diff_ci_high"].to_numpy(dtype=float)]
    )
    low, high = float(np.nanmin([*ends, 0.0])), float(np.nanmax([*ends, 0.0]))
    span = max(high - low, 0.1)
    # Room on the right for the labels that follow each interval.
    diff_domain = [low - 0.05 * span, high + 0.45 * span]
    means = pd.concat(
        [
            pd.DataFrame(
                {
                    "name": change["name"],
                    "group": before,
                    "mean": change["mean_before"].astype(float),
                    "low": change["ci_low_before"].astype(float),
                    "high": change["ci_high_before"].astype(float),
                    "n": change["n_before"].astype(float),
                }
            ),
            pd.DataFrame(
                {
                    "name": change["name"],
                    "group": after,
                    "mean": change["mean"].astype(float),
                    "low": change["ci_low"].astype(float),
                    "high": change["ci_high"].astype(float),
                    "n": change["n"].astype(float),
                }
            ),
        ],
        ignore_index=True,
    )
    means = _plain(means)
    y = alt.Y("name:N", sort=names, title=None)
    group_colour = alt.Color(
        "group:N",
        scale=alt.Scale(domain=[before, after], range=["#9aa5b1", ACCENT]),
        legend=alt.Legend(title=None, orient="top", columns=1 if stacked else 0),
    )
    offset = alt.YOffset("group:N", sort=[before, after], scale=alt.Scale(paddingInner=0.3))
    tooltip = [
        alt.Tooltip("name:N", title=word("dimension")),
        alt.Tooltip("group:N", title=word("group")),
        alt.Tooltip("mean:Q", format=".2f", title=word("mean")),
        alt.Tooltip("low:Q", format=".2f", title=word("interval_from")),
        alt.Tooltip("high:Q", format=".2f", title=word("interval_to")),
        alt.Tooltip("n:Q", title=word("respondents")),
    ]
    left_base = alt.Chart(means).encode(y=y, yOffset=offset, color=group_colour)
    left = alt.layer(
        left_base.mark_rule(strokeWidth=3).encode(
            x=alt.X(
                "low:Q", scale=alt.Scale(zero=False), title=word("mean"), axis=alt.Axis(tickCount=6)
            ),
            x2="high:Q",
            tooltip=tooltip,
        ),
        left_base.mark_point(filled=True, size=140, opacity=1).encode(x="mean:Q", tooltip=tooltip),
    ).properties(width=width, height=max(ROW_HEIGHT * 1.6 * len(names), 90))

    diff = change.copy()
    diff["text"] = [
        f"{d:+.2f} · g {g:+.2f}" if pd.notna(g) else f"{d:+.2f}"
        for d, g in zip(diff["diff"], diff["g"], strict=True)
    ]
    # Labels start right of the interval, and right of the zero line when it crosses it.
    diff["label_x"] = np.maximum(diff["diff_ci_high"].astype(float), 0.0)
    diff_texts = list(diff["text"])
    diff = _plain(diff)
    clear = (
        [VERDICT_COLOURS["down"], VERDICT_COLOURS["unclear"], VERDICT_COLOURS["up"]]
        if direction
        else [ACCENT, VERDICT_COLOURS["unclear"], ACCENT]
    )
    verdict_colour = alt.Color(
        "verdict:N",
        scale=alt.Scale(domain=["down", "unclear", "up"], range=clear),
        legend=None,
    )
    diff_tooltip = [
        alt.Tooltip("name:N", title=word("dimension")),
        alt.Tooltip("diff:Q", format="+.2f", title=word("difference")),
        alt.Tooltip("diff_ci_low:Q", format="+.2f", title=word("interval_from")),
        alt.Tooltip("diff_ci_high:Q", format="+.2f", title=word("interval_to")),
        alt.Tooltip("g:Q", format="+.2f", title=word("hedges")),
    ]
    right_base = alt.Chart(diff).encode(
        y=alt.Y("name:N", sort=names, title=None, axis=alt.Axis() if stacked else None)
    )
    right = alt.layer(
        alt.Chart(pd.DataFrame({"x": [0.0]}))
        .mark_rule(color=INK, strokeWidth=1.5)
        .encode(x=alt.X("x:Q", scale=alt.Scale(domain=diff_domain))),
        right_base.mark_rule(strokeWidth=3).encode(
            x=alt.X(
                "diff_ci_low:Q",
                title=_title_lines(word("difference_axis")),
                scale=alt.Scale(domain=diff_domain, nice=False),
                axis=alt.Axis(tickCount=6),
            ),
            x2="diff_ci_high:Q",
            color=verdict_colour,
            tooltip=diff_tooltip,
        ),
        right_base.mark_point(filled=True, size=160, opacity=1).encode(
            x="diff:Q", color=verdict_colour, tooltip=diff_tooltip
        ),
        right_base.mark_text(align="left", dx=8, dy=-12, fontSize=FONT_SIZE - 3, color=INK).encode(
            x="label_x:Q", text="text:N"
        ),
    ).properties(width=width, height=max(ROW_HEIGHT * 1.6 * len(names), 90))
    if stacked:
        # The difference's texts have their room in its scale's domain (right of the intervals).
        stack = alt.vconcat(left, right, spacing=24).resolve_scale(color="independent")
        if not isinstance(stack, alt.VConcatChart):
            raise TypeError(f"expected a stacked chart; got {type(stack).__name__}")
        return stack
    chart = (
        alt.hconcat(left, right, spacing=24)
        .resolve_scale(color="independent")
        .properties(padding=_padding(_right_room(diff_texts, font_size=FONT_SIZE - 3, dx=8)))
    )
    if not isinstance(chart, alt.HConcatChart):
        raise TypeError(f"expected a side-by-side chart; got {type(chart).__name__}")
    return chart


# -- discussion queue -----------------------------------------------------------------------------


#: Width (px) of each plot of a stacked `comparison_chart`, so that with the names left of it the
#: chart fits a phone (390 px) without being scaled down.
STACKED_WIDTH = 170


def likert_chart(
    segments: pd.DataFrame,
    queue: pd.DataFrame,
    *,
    options: Sequence[str],
    language: str | None = None,
) -> alt.LayerChart:
    """Diverging stacked bars of the answers to the queued statements (ranked top first).

    ``segments`` is `assessment.results.dashboard.likert_segments`, ``queue`` the `discussion_queue` it was
    built from, ``options`` the answer labels low to high.
    """
    word = _words(language)
    # Statements in full, wrapped (a facilitator reads them aloud): lines joined by a newline
    # that the axis splits into lines again.
    lines = {
        item: _wrapped(f"{rank}. {statement}")
        for item, rank, statement in zip(
            queue["item"], queue["rank"], queue["statement"], strict=True
        )
    }
    labels = {item: "\n".join(parts) for item, parts in lines.items()}
    # On a phone, in narrower lines above the bars.
    narrow_lines = {
        labels[item]: _wrapped(f"{rank}. {statement}", NARROW_STATEMENT_LINE)
        for item, rank, statement in zip(
            queue["item"], queue["rank"], queue["statement"], strict=True
        )
    }
    most_lines = max((len(parts) for parts in lines.values()), default=1)
    most_narrow = max((len(parts) for parts in narrow_lines.values()), default=1)
    # Every name as many lines high, empty ones first (a zero-width space: SVG drops the line
    # break of an empty line), so each stands right above its own bar.
    narrow_lines = {
        label: ["\u200b"] * (most_narrow - len(parts)) + parts
        for label, parts in narrow_lines.items()
    }
    step: float = max(
        ROW_HEIGHT,
        int(FONT_SIZE * 1.3 * most_lines) + 12,
        narrow_step(mark=_BAR, lines=most_narrow),
    )
    height = max(step * len(lines), 80)
    step = height / max(len(lines), 1)
    shift = _narrow(narrow_row(step, mark=_BAR, lines=most_narrow), 0)
    statements = dict(zip(queue["item"], queue["statement"], strict=True))
    data = segments.copy()
    data["label"] = data["item"].map(labels)
    data["statement"] = data["item"].map(statements)
    data["share_text"] = [f"{s:.0f}%" for s in data["share"]]
    colours = answer_colours(len(options))
    dark = {options[0], options[-1]} if len(options) > 2 else set()
    data["ink"] = ["#ffffff" if o in dark else INK for o in data["option"]]
    order = [labels[i] for i in queue["item"]]
    data = _plain(data)
    colour = alt.Color(
        "option:N",
        scale=alt.Scale(domain=list(options), range=colours),
        sort=list(options),
        legend=alt.Legend(title=None, orient="bottom", columns=_legend_columns(len(options), 900)),
    )
    narrow_labels = json.dumps(narrow_lines, ensure_ascii=False)
    base = alt.Chart(data).encode(
        y=alt.Y(
            "label:N",
            sort=order,
            title=None,
            axis=_row_axis(
                step,
                mark=_BAR,
                lines=most_narrow,
                labelExpr=f"{NARROW} ? {narrow_labels}[datum.value] : split(datum.value, '\\n')",
                labelLimit=0,
            ),
        )
    )
    bars = base.mark_bar(height=2 * _BAR, yOffset=shift).encode(
        x=alt.X(
            "start:Q",
            title=_title_lines(word("share_axis")),
            scale=alt.Scale(domain=[-100, 100]),
            axis=alt.Axis(
                labelExpr="abs(datum.value)",
                values=[-100, -75, -50, -25, 0, 25, 50, 75, 100],
                labelOverlap="greedy",
            ),
        ),
        x2="end:Q",
        color=colour,
        tooltip=[
            alt.Tooltip("item:N", title=word("id")),
            alt.Tooltip("statement:N", title=word("statement")),
            alt.Tooltip("option:N", title=word("answer")),
            alt.Tooltip("count:Q", title=word("answers")),
            alt.Tooltip("share_text:N", title=word("share")),
        ],
    )
    # A share is written inside its segment only where the segment is wide enough on the screen.
    text = (
        base.transform_filter("datum.share >= 8")
        .transform_calculate(middle="(datum.start + datum.end) / 2")
        .mark_text(fontSize=FONT_SIZE - 3, yOffset=shift)
        .encode(
            x="middle:Q",
            text="share_text:N",
            color=alt.Color("ink:N", scale=None),
            opacity=alt.condition(
                "abs(scale('x', datum.end) - scale('x', datum.start)) >= "
                f"length(datum.share_text) * {_CHARACTER_WIDTH * (FONT_SIZE - 3)} + 6",
                alt.value(1),
                alt.value(0),
            ),
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color=INK).encode(x="x:Q")
    return _as_layer(
        alt.layer(bars, zero, text).resolve_scale(color="independent").properties(height=height)
    )


# -- benchmark and reliability --------------------------------------------------------------------


def benchmark_chart(frame: pd.DataFrame, *, language: str | None = None) -> alt.LayerChart:
    """Percentile rank among the benchmark organisations with the range the own interval allows.

    ``frame`` is `assessment.results.dashboard.benchmark_position`.
    """
    word = _words(language)
    data = frame.copy()
    data["text"] = [
        word("percentile_of", p=f"{p:.0f}", interval=format_interval(lo, hi, language, 0), n=int(n))
        for p, lo, hi, n in zip(
            data["percentile"],
            data["percentile_low"],
            data["percentile_high"],
            data["n_orgs"],
            strict=True,
        )
    ]
    names = list(data["name"])
    texts = list(data["text"])
    data = _plain(data)
    x_scale = alt.Scale(domain=[0, 100])
    step = max(ROW_HEIGHT * 1.2, narrow_step(mark=_POINT))
    height = max(step * len(names), 80)
    step = height / max(len(names), 1)
    shift = _narrow(narrow_row(step, mark=_POINT), 0)
    base = alt.Chart(data).encode(
        y=alt.Y("name:N", sort=names, title=None, axis=_row_axis(step, mark=_POINT))
    )
    quartiles = (
        alt.Chart(pd.DataFrame({"x": [25.0, 50.0, 75.0]}))
        .mark_rule(color="#cbd2d9", strokeDash=[4, 4])
        .encode(x=alt.X("x:Q", scale=x_scale))
    )
    tooltip = [
        alt.Tooltip("name:N", title=word("dimension")),
        alt.Tooltip("text:N", title=word("percentile_range")),
        alt.Tooltip("pooled_median:Q", format=".2f", title=word("their_median")),
    ]
    rule = base.mark_rule(strokeWidth=3, color=ACCENT, yOffset=shift).encode(
        x=alt.X(
            "percentile_low:Q",
            scale=x_scale,
            title=_title_lines(word("percentile_axis")),
            axis=_value_axis(),
        ),
        x2="percentile_high:Q",
        tooltip=tooltip,
    )
    point = base.mark_point(filled=True, size=200, color=ACCENT, opacity=1, yOffset=shift).encode(
        x="percentile:Q", tooltip=tooltip
    )
    # Above the interval's end; on a phone, where the row's name stands above it, beside it.
    text = base.mark_text(
        align="left", dx=8, dy=_narrow(0, -12), yOffset=shift, fontSize=FONT_SIZE - 3, color=INK
    ).encode(x="percentile_high:Q", text="text:N")
    room = _right_room(texts, font_size=FONT_SIZE - 3, dx=8)
    return _as_layer(
        alt.layer(quartiles, rule, point, text).properties(height=height, padding=_padding(room))
    )


def reliability_chart(table: pd.DataFrame, *, language: str | None = None) -> alt.LayerChart:
    """Cronbach's alpha per dimension with its Feldt interval; dashed line at 0.7.

    ``table`` is `assessment.results.dashboard.reliability_table` (rows without alpha are left out).
    """
    word = _words(language)
    data = table[table["alpha"].notna()].copy()
    data["text"] = [
        _interval_text(a, lo, hi, language)
        for a, lo, hi in zip(
            data["alpha"], data["alpha_ci_low"], data["alpha_ci_high"], strict=True
        )
    ]
    names = list(data["name"])
    low = float(min(0.5, np.nanmin(data["alpha_ci_low"]) if len(data) else 0.5))
    data = _plain(data)
    x_scale = alt.Scale(domain=[math.floor(low * 10) / 10, 1.0])
    mark = math.sqrt(160 / math.pi)
    step = max(ROW_HEIGHT, narrow_step(mark=mark))
    height = max(step * len(names), 80)
    step = height / max(len(names), 1)
    shift = _narrow(narrow_row(step, mark=mark), 0)
    base = alt.Chart(data).encode(
        y=alt.Y("name:N", sort=names, title=None, axis=_row_axis(step, mark=mark))
    )
    line = (
        alt.Chart(pd.DataFrame({"x": [0.7]}))
        .mark_rule(color=MUTED, strokeDash=[5, 4])
        .encode(x=alt.X("x:Q", scale=x_scale))
    )
    tooltip = [
        alt.Tooltip("name:N", title=word("dimension")),
        alt.Tooltip("text:N", title=word("alpha_interval")),
    ]
    rule = base.mark_rule(strokeWidth=3, color=ACCENT, yOffset=shift).encode(
        x=alt.X("alpha_ci_low:Q", scale=x_scale, title=_title_lines(word("alpha"))),
        x2="alpha_ci_high:Q",
        tooltip=tooltip,
    )
    point = base.mark_point(filled=True, size=160, color=ACCENT, opacity=1, yOffset=shift).encode(
        x="alpha:Q", tooltip=tooltip
    )
    return _as_layer(alt.layer(line, rule, point).properties(height=height))


# -- images ---------------------------------------------------------------------------------------


def chart_image(chart: alt.TopLevelMixin, fmt: Literal["png", "svg"]) -> bytes:
    """The chart as a PNG (2× scale, for slides) or SVG file, rendered locally by vl-convert."""
    if isinstance(chart, alt.Chart | alt.LayerChart) and chart.width is alt.Undefined:
        chart = chart.properties(width=IMAGE_WIDTH)
    # The specs are this module's own and validated where the dashboard draws them (and in
    # tests/assessment/outputs/test_charts.py); skipping Altair's schema check here halves the
    # time of a report's charts.
    spec = styled(chart).to_json(validate=False)
    if fmt == "png":
        return bytes(vl_convert.vegalite_to_png(spec, scale=2))
    if fmt == "svg":
        return vl_convert.vegalite_to_svg(spec).encode("utf-8")
    raise ValueError(f"chart images are 'png' or 'svg'; got {fmt!r}")


def inline_svg(chart: alt.TopLevelMixin, *, title: str) -> str:
    """The chart as an ``<svg>`` element to embed in an HTML page that loads nothing.

    Rendered locally by vl-convert with the dashboard's styling; the XML prolog is dropped, the
    chart gets an accessible name (``role="img"``, ``aria-label`` and a ``<title>``), text keeps the
    page's own fonts (no font is embedded or fetched), and the ids of its gradients and clip paths
    get a prefix of the chart's own, so several charts on one page never share an id. Every
    reference left is to the chart itself (``url(#…)``).
    """
    svg = chart_image(chart, "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]
    # Inline in HTML the <svg> element needs no namespace declarations (and xlink: no prefix).
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r'\sxmlns(:xlink)?="[^"]*"', "", svg, count=2)
    # vl-convert numbers gradients across calls (gradient_0, gradient_1, ...): number the chart's
    # ids by their first appearance, so the same chart always reads the same, then prefix them.
    names: dict[str, str] = {}
    for found in re.findall(r'\bid="([^"]+)"', svg):
        names.setdefault(found, f"i{len(names)}")

    def renamed(name: str) -> str:
        return "\x00" + names.get(name, name)

    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{renamed(m.group(1))}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{renamed(m.group(1))})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{renamed(m.group(1))}"', svg)
    prefix = "c" + hashlib.sha256(f"{title}\n{svg}".encode()).hexdigest()[:8] + "-"
    svg = svg.replace("\x00", prefix)
    label = html.escape(title, quote=True)
    head_end = svg.index(">")
    head = re.sub(r'\s(role|aria-label|aria-roledescription)="[^"]*"', "", svg[:head_end])
    return f'{head} role="img" aria-label="{label}"><title>{label}</title>' + svg[head_end + 1 :]
