"""The dashboard's chart builders: every chart renders, hidden groups carry no statistic and are never
coloured, and every chart has a caption."""

from __future__ import annotations

import json
import re
from typing import Any

import altair as alt
import pandas as pd
import pytest
import vl_convert
from support import uncoarsened_scores
from ui.pages import spec_records

from assessment.analysis.scoring import ScoredTable
from assessment.analysis.waves import score_waves, wave_change
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.outputs import charts
from assessment.questionnaire import Questionnaire, default_registry
from assessment.results import dashboard as dash
from scoring.suppression import TOTAL_LABEL

NEW = "work-management@1.1.0"
OLD = "work-management@1.0.0"


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return default_registry().get(NEW)


def _table(questionnaire: Questionnaire, units: dict[str, int], *, seed: int, wave: int = 1):
    profile = organisation_profile(
        seed=seed, n_units=len(units), unit_names=list(units), min_size=1, max_size=80
    )
    return generate_organisation(
        questionnaire, seed=seed, profile=profile, wave=wave, respondents=list(units.values())
    ).table


@pytest.fixture(scope="module")
def scored(q: Questionnaire) -> ScoredTable:
    table = _table(q, {"North": 40, "South": 35, "East": 30, "Tiny": 2, "Small": 4}, seed=4)
    # Without the release's pooling, so that the charts' own hiding of small units is tested.
    return uncoarsened_scores(
        table, q, targets={"clarity": 3, "completion": 4, "overall": 3}, head_counts={"North": 45}
    )


@pytest.fixture(scope="module")
def hidden_units(scored: ScoredTable) -> set[str]:
    scores = scored.result.scores
    units = set(scores["unit"]) - {TOTAL_LABEL}
    return units - set(dash.shown_groups(scores, "unit"))


def _levels(q: Questionnaire) -> tuple[list[float], list[str]]:
    levels = sorted(q.levels, key=lambda lv: lv.level)
    return [lv.threshold for lv in levels], [q.level_name(lv.level) for lv in levels]


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    return json.loads(charts.styled(chart).to_json())


def _all_charts(scored: ScoredTable, q: Questionnaire) -> dict[str, alt.TopLevelMixin]:
    scores = scored.result.scores
    rows = dash.group_rows(scores, "unit", TOTAL_LABEL)
    thresholds, names = _levels(q)
    queue = dash.discussion_queue(
        scored.result.items, rows, q, group_column="unit", label=TOTAL_LABEL, limit=6
    )
    participation = dash.participation(
        {"North": 40, "South": 35, "East": 30, "Tiny": 2, "Small": 4},
        {"North": 45},
        scores,
        min_group_size=5,
        max_half_width=0.4,
    )
    old = default_registry().get(OLD)
    waves = score_waves(
        _table(q, {"North": 30, "South": 25}, seed=9, wave=2),
        _table(old, {"North": 30, "South": 25}, seed=9, wave=1),
        current_questionnaire=q,
        previous_questionnaire=old,
        min_group_size=5,
    )
    benchmark = pd.DataFrame(
        {
            "dimension_type": ["component", "overall"],
            "dimension": ["clarity", "overall"],
            "name": ["Clarity", "Overall"],
            "mean": [3.2, 3.0],
            "ci_low": [3.0, 2.9],
            "ci_high": [3.4, 3.1],
            "percentile": [60.0, 40.0],
            "percentile_low": [45.0, 30.0],
            "percentile_high": [75.0, 50.0],
            "n_orgs": [12, 12],
            "pooled_p25": [2.8, 2.7],
            "pooled_median": [3.1, 3.0],
            "pooled_p75": [3.4, 3.3],
            "versions": ["1.1.0", "1.1.0"],
        }
    )
    return {
        "participation": charts.participation_chart(participation, min_group_size=5),
        "flywheel": charts.flywheel_chart(
            dash.flywheel(rows, q), level_names=names, confidence=0.95
        ),
        "components": charts.estimate_chart(
            dash.dimension_estimates(rows, q, "component"),
            thresholds=thresholds,
            level_names=names,
            scale_min=1,
            scale_max=5,
        ),
        "principles": charts.estimate_chart(
            dash.dimension_estimates(rows, q, "principle", sort="mean"),
            thresholds=thresholds,
            level_names=names,
            scale_min=1,
            scale_max=5,
            order="mean",
            show_target=False,
        ),
        "heatmap_mean": charts.heatmap_chart(
            dash.heatmap(scores, q), level_names=names, scale_min=1, scale_max=5
        ),
        "heatmap_level": charts.heatmap_chart(
            dash.heatmap(scores, q), colour_by="level", level_names=names, scale_min=1, scale_max=5
        ),
        "gaps": charts.gap_chart(dash.target_gaps(rows, q)),
        "likert": charts.likert_chart(
            dash.likert_segments(queue, q),
            queue,
            options=[q.text(o.label) for o in q.scale.options],
        ),
        "waves": charts.comparison_chart(wave_change(waves, q), before="Spring", after="Autumn"),
        "benchmark": charts.benchmark_chart(benchmark),
        "reliability": charts.reliability_chart(dash.reliability_table(scored.result.stats, q)),
    }


@pytest.fixture(scope="module")
def built(scored: ScoredTable, q: Questionnaire) -> dict[str, alt.TopLevelMixin]:
    return _all_charts(scored, q)


CHART_NAMES = [
    "participation",
    "flywheel",
    "components",
    "principles",
    "heatmap_mean",
    "heatmap_level",
    "gaps",
    "likert",
    "waves",
    "benchmark",
    "reliability",
]


@pytest.mark.parametrize("name", CHART_NAMES)
def test_chart_renders_to_svg(built: dict[str, alt.TopLevelMixin], name: str) -> None:
    svg = charts.chart_image(built[name], "svg").decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    # A chart with data draws marks, not only axes.
    assert svg.count("<path") + svg.count("<rect") + svg.count("<circle") > 3


@pytest.mark.parametrize("name", CHART_NAMES)
def test_hidden_units_carry_no_statistic(
    built: dict[str, alt.TopLevelMixin], hidden_units: set[str], name: str
) -> None:
    assert hidden_units, "the fixture must contain hidden units"
    for record in spec_records(_spec(built[name])):
        group = record.get("group", record.get("unit"))
        if group in hidden_units:
            for field in ("mean", "level", "ci_low", "ci_high", "sd", "level_name"):
                assert record.get(field) is None, (name, group, field)


@pytest.mark.parametrize("colour_by", ["mean", "level"])
def test_heatmap_never_colours_a_hidden_cell(scored, q, colour_by: str) -> None:
    _, names = _levels(q)
    chart = charts.heatmap_chart(
        dash.heatmap(scored.result.scores, q),
        colour_by=colour_by,
        level_names=names,
        scale_min=1,
        scale_max=5,
    )
    spec = _spec(chart)
    coloured = [
        layer
        for layer in spec["layer"]
        if layer.get("encoding", {}).get("color", {}).get("field") in ("mean", "level_name")
    ]
    assert len(coloured) == 1
    assert coloured[0]["transform"] == [{"filter": "!datum.suppressed"}]
    outlined = [layer for layer in spec["layer"] if layer.get("mark", {}).get("strokeDash")]
    assert outlined and outlined[0]["transform"] == [{"filter": "datum.suppressed"}]
    assert outlined[0]["mark"]["fill"] == "#ffffff"
    hidden = [r for r in spec_records(spec) if r.get("suppressed")]
    assert hidden and all(r["label"] == "hidden" for r in hidden)


def test_flywheel_draws_the_cycle_in_order(scored, q) -> None:
    _, names = _levels(q)
    wheel = dash.flywheel(dash.group_rows(scored.result.scores, "unit", TOTAL_LABEL), q)
    spec = _spec(charts.flywheel_chart(wheel, level_names=names, confidence=0.95))
    nodes = {r["dimension"]: r for r in spec_records(spec) if "dimension" in r}
    clarity, coordination, completion = (
        nodes["clarity"],
        nodes["coordination"],
        nodes["completion"],
    )
    # Clarity at the top, then clockwise: Coordination to the right, Completion to the left.
    assert clarity["y"] > coordination["y"] and coordination["x"] > 0 > completion["x"]
    assert (nodes["collaboration"]["x"], nodes["collaboration"]["y"]) == (0.0, 0.0)
    assert nodes["workflow-architecture"]["y"] < min(coordination["y"], completion["y"])
    for record in nodes.values():
        assert record["interval"].startswith("95% [")
        # A level reads with its probability, or as borderline between the interval's levels.
        assert "% likely" in record["likely"] or ", borderline (" in record["likely"]


def test_flywheel_of_hidden_group_is_grey_with_no_number(scored, q) -> None:
    _, names = _levels(q)
    wheel = dash.flywheel(dash.group_rows(scored.result.scores, "unit", "Tiny"), q)
    spec = _spec(charts.flywheel_chart(wheel, level_names=names, confidence=0.95))
    nodes = [r for r in spec_records(spec) if "dimension" in r]
    assert len(nodes) == len(q.components)
    assert {r["headline"] for r in nodes} == {"hidden"}
    assert {r["level_colour"] for r in nodes} == {"#ffffff"}


def test_every_chart_has_a_caption() -> None:
    values = {"p": "95", "m": 5, "half": 0.4, "first": "Leaders", "second": "Staff"}
    for name in CAPTIONS_USED:
        text = charts.caption(name, **values)
        assert text and "{" not in text and len(text.splitlines()) == 1


# The roles chart is `comparison_chart` drawn without direction; `_all_charts` builds it as "waves".
CAPTIONS_USED = [*CHART_NAMES, "roles"]


def test_captions_cover_every_chart() -> None:
    assert set(CAPTIONS_USED) == set(charts.CAPTIONS)


@pytest.mark.parametrize(
    ("n_levels", "ok"),
    [
        pytest.param(1, True, id="one"),
        pytest.param(5, True, id="five"),
        pytest.param(7, True, id="seven"),
        pytest.param(0, False, id="none"),
        pytest.param(8, False, id="too-many"),
    ],
)
def test_level_colours(n_levels: int, ok: bool) -> None:
    if not ok:
        with pytest.raises(ValueError, match="maturity levels"):
            charts.level_colours(n_levels)
        return
    colours = charts.level_colours(n_levels)
    assert len(colours) == len(set(colours)) == n_levels


def test_answer_colours_diverge_through_grey() -> None:
    colours = charts.answer_colours(5)
    assert colours[2] == "#d9d9d9"
    red, blue = (int(colours[0][i : i + 2], 16) for i in (1, 5))
    assert red > blue
    assert int(colours[-1][5:7], 16) > int(colours[-1][1:3], 16)


def test_chart_image_png_and_unknown_format(built) -> None:
    png = charts.chart_image(built["gaps"], "png")
    assert png.startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="'png' or 'svg'"):
        charts.chart_image(built["gaps"], "gif")  # type: ignore[arg-type]


def test_likert_bars_follow_the_queue_order(scored, q) -> None:
    rows = dash.group_rows(scored.result.scores, "unit", TOTAL_LABEL)
    queue = dash.discussion_queue(
        scored.result.items, rows, q, group_column="unit", label=TOTAL_LABEL, limit=4
    )
    spec = _spec(
        charts.likert_chart(
            dash.likert_segments(queue, q),
            queue,
            options=[q.text(o.label) for o in q.scale.options],
        )
    )
    bars = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "bar")
    order = bars["encoding"]["y"]["sort"]
    assert [label.split(". ", 1)[0] for label in order] == ["1", "2", "3", "4"]


def test_likert_statements_are_shown_in_full_wrapped_never_cut(scored, q) -> None:
    """Issue 15: a facilitator reads the statements aloud, so no "…" in the chart."""
    rows = dash.group_rows(scored.result.scores, "unit", TOTAL_LABEL)
    queue = dash.discussion_queue(
        scored.result.items, rows, q, group_column="unit", label=TOTAL_LABEL, limit=5
    )
    chart = charts.likert_chart(
        dash.likert_segments(queue, q), queue, options=[q.text(o.label) for o in q.scale.options]
    )
    labels = _spec(chart)["layer"][0]["encoding"]["y"]["sort"]
    for label, rank, statement in zip(labels, queue["rank"], queue["statement"], strict=True):
        assert "…" not in label
        assert label.replace("\n", " ") == f"{rank}. {statement}"
        assert all(len(line) <= charts.STATEMENT_LINE for line in label.split("\n"))
    svg = charts.chart_image(chart, "svg").decode()
    assert "…" not in svg


def test_inline_svg_is_self_contained_and_stable(scored: ScoredTable, q: Questionnaire) -> None:
    # The report embeds charts as inline SVG: nothing to fetch, ids unique per chart, and the same
    # chart reads the same every time (vl-convert numbers gradients across calls).
    heatmap = _all_charts(scored, q)["heatmap_mean"]
    first = charts.inline_svg(heatmap, title="Units & components")
    assert first == charts.inline_svg(heatmap, title="Units & components")
    assert first.startswith("<svg") and 'aria-label="Units &amp; components"' in first
    assert "http" not in first and "<image" not in first and "@font-face" not in first
    ids = re.findall(r'\bid="([^"]+)"', first)
    assert ids and len(ids) == len(set(ids))
    assert set(re.findall(r"url\(#([^)]+)\)", first)) <= set(ids)


@pytest.mark.parametrize("n_units", [1, 2, 3, 12])
def test_participation_rows_keep_their_height(n_units: int) -> None:
    """Issue 15: with three units the participation chart was squashed; every unit keeps a row of
    at least `charts.ROW_HEIGHT`, so its bar (22 px) and label never overlap the next row's."""
    units = [f"Unit {i}" for i in range(n_units)]
    frame = dash.participation(
        {u: 6 for u in units},
        {u: 8 for u in units},
        None,
        min_group_size=5,
        max_half_width=0.25,
    )
    spec = charts.participation_chart(frame, min_group_size=5).to_dict()
    assert spec["height"] >= n_units * charts.ROW_HEIGHT
    assert spec["height"] / n_units >= 22 + 8  # the bar and a gap


#: The charts whose rows take the narrow layout (names above the rows) in a narrow container.
ROW_CHARTS = ["participation", "components", "principles", "gaps", "likert", "benchmark"]


@pytest.mark.parametrize("name", ROW_CHARTS)
def test_narrow_layout_only_in_a_narrow_container(
    built: dict[str, alt.TopLevelMixin], name: str
) -> None:
    """Issue 15, phones: a row chart moves its names above the rows only when its container is
    narrower than `charts.NARROW_BELOW`; an image (no container) keeps them left of the rows."""
    spec = json.loads(charts.styled(built[name]).to_json())
    assert charts.NARROW in json.dumps(spec)
    svg = charts.chart_image(built[name], "svg").decode("utf-8")
    forced = json.dumps(spec).replace(json.dumps(charts.NARROW)[1:-1], "true")
    narrow = vl_convert.vegalite_to_svg(forced)
    # The anchors of the texts drawn (a text left empty is not).
    anchors = [re.findall(r'text-anchor="(\w+)"[^>]*>(?:<tspan>)?[^<\s]', s) for s in (svg, narrow)]
    # Names right-aligned left of the plot when wide, left-aligned in it when narrow.
    assert anchors[0].count("end") > anchors[1].count("end")
    assert anchors[1].count("start") > anchors[0].count("start")


@pytest.mark.parametrize(("step", "lines", "ok"), [(44, 1, True), (30, 1, False), (62, 2, True)])
def test_a_narrow_row_must_hold_its_name_and_marks(step: float, lines: int, ok: bool) -> None:
    if ok:
        shift = charts.narrow_row(step, mark=8, lines=lines)
        assert 0 < shift <= step / 2 - 8  # the marks move down but stay in their row
    else:
        with pytest.raises(ValueError, match="cannot hold a name"):
            charts.narrow_row(step, mark=8, lines=lines)


def test_stacked_comparison_names_both_plots(scored: ScoredTable, q: Questionnaire) -> None:
    """The phone's form of the waves and roles chart: the difference under the means, both with
    the names, each plot `charts.STACKED_WIDTH` wide."""
    old = default_registry().get(OLD)
    waves = score_waves(
        _table(q, {"North": 30, "South": 25}, seed=9, wave=2),
        _table(old, {"North": 30, "South": 25}, seed=9, wave=1),
        current_questionnaire=q,
        previous_questionnaire=old,
        min_group_size=5,
    )
    change = wave_change(waves, q)
    chart = charts.comparison_chart(
        change, before="Spring", after="Autumn", width=charts.STACKED_WIDTH, stacked=True
    )
    assert isinstance(chart, alt.VConcatChart)
    spec = chart.to_dict()
    for part in spec["vconcat"]:
        assert part["width"] == charts.STACKED_WIDTH
        axes = [layer["encoding"]["y"].get("axis", {}) for layer in part["layer"][1:]]
        assert any(axis is not None for axis in axes)
    svg = charts.chart_image(chart, "svg").decode("utf-8")
    assert svg.count(">Clarity<") == 2
