"""The dashboard and the report render one results model: for the demo campaign (two waves, role
groups, a benchmark pool) they show the same numbers and lists in every view — flywheel, levels with
their probability, heatmap, target gaps, discussion queue, recommendations, change since the previous
wave, roles, benchmark and reliability — in English and in German."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui.pages import open_page, spec_records

from assessment.demo.seed import seed_demo
from assessment.results import dashboard as dash
from assessment.storage import Database, connect, upgrade
from assessment.ui.pages import dashboard as dashboard_page

PASSWORD = "parity-test-password"


@dataclass(frozen=True)
class Demo:
    db: Database
    code: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("parity")
    url = f"sqlite:///{folder / 'wmm.sqlite'}"
    db = connect(url, create=True)
    upgrade(db)
    seeded = seed_demo(db, folder=folder / "no-demo-files")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WMM_DATABASE_URL", url)
        patch.setenv("WMM_ADMIN_PASSWORD", PASSWORD)
        patch.setenv("WMM_BASE_URL", "https://wmm.example.org")
        patch.setenv("WMM_DEMO", "0")
        yield Demo(db, seeded.campaigns[-1].code)
    db.dispose()
    st.cache_resource.clear()
    dash.clear_caches()


def _script() -> None:
    from assessment.ui.pages import dashboard as dashboard_page

    dashboard_page.render()


def _dashboard(demo: Demo, tab: str, language: str) -> AppTest:
    at = open_page(_script, password=PASSWORD, state={dashboard_page.CAMPAIGN_KEY: demo.code})
    at.selectbox(key="wmm_dashboard_language").select(language).run()
    at.session_state["wmm_dashboard_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def _section(page: str, sid: str) -> str:
    return page.split(f'<section id="{sid}">', 1)[1].split("</section>", 1)[0]


def _rows(section: str) -> list[list[str]]:
    """The cells of each body row of the section's tables, as plain text."""
    rows = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", section, flags=re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
            rows.append([html.unescape(re.sub(r"<[^>]+>", "\n", c)) for c in cells])
    return rows


@pytest.fixture(scope="module", params=["en", "de"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def report(demo: Demo, language: str) -> str:
    return dash.report_html(demo.db, demo.code, language=language).decode("utf-8")


def test_same_discussion_queue_in_the_same_order(demo: Demo, language: str, report: str) -> None:
    at = _dashboard(demo, "Discussion", language)
    shown = at.dataframe[0].value
    on_dashboard = [str(s) for s in shown.iloc[:, 1]]  # "#", then the statement
    in_report = [cells[1].split("\n")[0] for cells in _rows(_section(report, "disagreement"))]
    # Only statements worth discussing (priority > 0), at most the queue's length.
    assert 1 <= len(on_dashboard) <= dashboard_page.QUEUE_LENGTH
    assert in_report == on_dashboard
    # Both come from the one model: the same statements as the organisation's queue.
    results = dash.load_results(demo.db, demo.code)
    model = results.model(dash.View(), language)
    assert list(model.queue["statement"]) == on_dashboard


def test_same_levels_with_their_probability(demo: Demo, language: str, report: str) -> None:
    at = _dashboard(demo, "Overview", language)
    records: list[dict[str, Any]] = []
    for chart in at.get("vega_lite_chart"):
        records.extend(spec_records(json.loads(chart.proto.spec)))
        for dataset in chart.proto.datasets:
            frame = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            records.extend(frame.astype(object).where(frame.notna(), None).to_dict("records"))
    on_dashboard = {
        str(r["name"]): str(r["likely"]) for r in records if "likely" in r and "ci_low" in r
    }
    in_report = {cells[0]: cells[4] for cells in _rows(_section(report, "components"))}
    assert set(in_report) <= set(on_dashboard) and len(in_report) == 5
    for name, level in in_report.items():
        assert level == on_dashboard[name], name
    if language == "de":
        # The German dashboard speaks German: no English level text under "Klarheit".
        assert all("likely" not in text for text in on_dashboard.values())
        assert "Klarheit" in on_dashboard
        assert "Abstände zu den Zielen" in [
            s.value for s in _dashboard(demo, "Targets", "de").subheader
        ]


def test_same_target_gaps(demo: Demo, language: str, report: str) -> None:
    at = _dashboard(demo, "Targets", language)
    shown = at.dataframe[0].value
    # Dimension, target, mean, then how far short of the target or above it (one of the two)
    on_dashboard = {
        str(name): _number(short, language) if short else -_number(above, language)
        for name, short, above in zip(
            shown.iloc[:, 0], shown.iloc[:, 3], shown.iloc[:, 4], strict=True
        )
    }
    assert on_dashboard, "the demo campaign sets targets"
    in_report: dict[str, str] = {}
    for section in ("components", "principles", "indices"):
        if f'<section id="{section}">' in report:
            for cells in _rows(_section(report, section)):
                if len(cells) >= 8 and cells[7] != "–":
                    in_report[cells[0]] = cells[7]
    assert set(in_report) == set(on_dashboard)
    mark = "," if language == "de" else "."
    for name, gap in on_dashboard.items():
        distance = f"{abs(gap):.2f}".replace(".", mark)
        assert in_report[name].startswith(distance), (name, in_report[name], gap)


def _records(at: AppTest) -> list[dict[str, Any]]:
    """Every data record of every chart on the page (inline values and Arrow datasets)."""
    records: list[dict[str, Any]] = []
    for chart in at.get("vega_lite_chart"):
        records.extend(spec_records(json.loads(chart.proto.spec)))
        for dataset in chart.proto.datasets:
            frame = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            records.extend(frame.astype(object).where(frame.notna(), None).to_dict("records"))
    return records


def _number(cell: object, language: str) -> float:
    """The first number of a cell ("+0,12", "0.12 [0.01, 0.23]", 3.1) as a float."""
    if isinstance(cell, int | float):
        return float(cell)
    first = str(cell).split(" ")[0].strip()
    if language == "de":
        first = first.replace(",", ".")
    return float(first.replace("−", "-"))


def _table(report: str, sid: str, index: int = 0) -> list[list[str]]:
    """The body rows of the ``index``-th table of a report section."""
    section = _section(report, sid)
    tables = re.findall(r"<table>.*?</table>", section, flags=re.S)
    return _rows(tables[index])


def test_same_flywheel(demo: Demo, language: str, report: str) -> None:
    """The flywheel's cards and the report's components: the same means and levels."""
    at = _dashboard(demo, "Overview", language)
    wheel = {
        str(r["name"]): round(float(r["mean"]), 2)
        for r in _records(at)
        if r.get("role") in {"cycle", "power", "base"} and r.get("mean") is not None
    }
    in_report = {
        cells[0]: (_number(cells[2], language), cells[4])
        for cells in _rows(_section(report, "components"))
    }
    assert len(in_report) == 5
    assert {name: mean for name, (mean, _) in in_report.items()} == wheel


def test_same_heatmap(demo: Demo, language: str, report: str) -> None:
    at = _dashboard(demo, "Units", language)
    on_dashboard = {
        (str(r["group"]), str(r["name"])): round(float(r["mean"]), 2)
        for r in _records(at)
        if "group_rank" in r and r.get("mean") is not None
    }
    section = _section(report, "units")
    table = re.findall(r"<table>.*?</table>", section, flags=re.S)[0]
    names = [html.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)[1:]]
    in_report = {}
    for cells in _rows(table):
        for name, cell in zip(names, cells[1:], strict=True):
            if cell not in {"suppressed", "unterdrückt"} and cell != "–":
                in_report[(cells[0], name)] = _number(cell, language)
    assert on_dashboard and in_report == on_dashboard


def test_same_answered_and_dont_know(demo: Demo, language: str, report: str) -> None:
    """The shares answered and "don't know" per unit and component: the Units tab's table and the
    report's, cell for cell."""
    at = _dashboard(demo, "Units", language)
    cell = re.compile(r"(?:answered|beantwortet)")
    frames = [d.value for d in at.dataframe if d.value.astype(str).stack().str.contains(cell).any()]
    assert len(frames) == 1, "the Units tab shows one table of shares answered"
    on_dashboard = [
        [str(index), *(str(v) for v in row)]
        for index, row in zip(frames[0].index, frames[0].itertuples(index=False), strict=True)
    ]
    tables = re.findall(r"<table>.*?</table>", _section(report, "units"), flags=re.S)
    in_report = [
        [html.unescape(c) for c in cells]
        for table in tables
        if cell.search(table)
        for cells in _rows(table)
    ]
    assert on_dashboard and in_report == on_dashboard


def test_same_recommendations(demo: Demo, language: str, report: str) -> None:
    at = _dashboard(demo, "Actions", language)
    order = next(m.value for m in at.markdown if " → " in str(m.value))
    on_dashboard = [part.replace("**", "").strip() for part in str(order).split(" → ")]
    in_report = [cells[1] for cells in _table(report, "recommendations")]
    assert on_dashboard == in_report
    # The first component's actions: the dashboard's first expander, the report's focus list.
    first = _section(report, "recommendations").split("<ol>", 1)[1].split("</ol>", 1)[0]
    actions = [html.unescape(a) for a in re.findall(r"<li>(.*?)</li>", first, flags=re.S)]
    shown = [str(m.value).removeprefix("- ") for m in at.expander[0].markdown]
    assert actions == shown


def _difference_rows(frame: Any, language: str) -> dict[str, tuple[float, float, str]]:
    """Dimension -> (mean after, difference, verdict) of the dashboard's table of differences."""
    return {
        str(row.iloc[0]): (
            _number(row.iloc[2], language),
            _number(row.iloc[3], language),
            str(row.iloc[6]),
        )
        for _, row in frame.iterrows()
    }


def _report_differences(
    rows: list[list[str]], language: str
) -> dict[str, tuple[float, float, str]]:
    return {
        cells[0]: (_number(cells[2], language), _number(cells[3], language), cells[5])
        for cells in rows
    }


def test_same_change(demo: Demo, language: str, report: str) -> None:
    at = _dashboard(demo, "Waves", language)
    assert not at.warning, [w.value for w in at.warning]
    on_dashboard = _difference_rows(at.dataframe[0].value, language)
    in_report = _report_differences(_table(report, "change"), language)
    assert on_dashboard and on_dashboard == in_report
    assert list(on_dashboard) == list(in_report)  # the same order


def test_same_roles(demo: Demo, language: str, report: str) -> None:
    at = _dashboard(demo, "Roles", language)
    on_dashboard = _difference_rows(at.dataframe[0].value, language)
    in_report = _report_differences(_table(report, "roles"), language)
    assert on_dashboard and on_dashboard == in_report


def test_same_benchmark(demo: Demo, language: str, report: str) -> None:
    at = _dashboard(demo, "Benchmark", language)
    shown = at.dataframe[0].value
    on_dashboard = {
        str(row.iloc[0]): (
            round(_number(row.iloc[1], language), 2),
            round(_number(row.iloc[2], language)),
        )
        for _, row in shown.iterrows()
    }
    in_report = {
        cells[0]: (_number(cells[1], language), round(_number(cells[2], language)))
        for cells in _table(report, "benchmark")
    }
    assert on_dashboard and on_dashboard == in_report


def test_same_reliability(demo: Demo, language: str, report: str) -> None:
    at = _dashboard(demo, "Reliability", language)
    shown = at.dataframe[0].value
    # The dashboard shows alpha to 3 decimals, the report to 2: the same number, rounded twice.
    on_dashboard = {
        str(row.iloc[0]): (_number(row.iloc[1], language), int(row.iloc[5]))
        for _, row in shown.iterrows()
    }
    in_report = {
        cells[0]: (_number(cells[1], language), int(cells[4]))
        for cells in _table(report, "reliability")
    }
    assert on_dashboard and list(on_dashboard) == list(in_report)
    for name, (alpha, n) in on_dashboard.items():
        assert abs(alpha - in_report[name][0]) <= 0.0051, name
        assert n == in_report[name][1], name
    quality = at.dataframe[1].value
    in_report_quality = [(cells[0], int(cells[1])) for cells in _table(report, "reliability", 1)]
    assert [
        (str(a), int(b)) for a, b in zip(quality.iloc[:, 0], quality.iloc[:, 1], strict=True)
    ] == (in_report_quality)


def test_same_language_check(demo: Demo, language: str, report: str) -> None:
    """The reliability view's language check: the same sentence and the same flagged statements."""
    at = _dashboard(demo, "Reliability", language)
    results = dash.load_results(demo.db, demo.code)
    view = results.reliability_view(language)
    assert view is not None and not view.dif.empty, "the demo answers in English and German"
    _, sentence = dash.dif_summary(view.dif, language)
    assert any(sentence in str(m.value) for m in at.markdown)
    section = html.unescape(_section(report, "reliability"))
    assert sentence in section
    column = "ETS-Klasse" if language == "de" else "ETS class"
    on_dashboard = [
        [str(v) for v in row]
        for frame in (d.value for d in at.dataframe)
        if column in frame.columns
        for row in frame.itertuples(index=False)
    ]
    tables = re.findall(r"<table>.*?</table>", _section(report, "reliability"), flags=re.S)
    in_report = [
        cells for table in tables if f"<th>{column}</th>" in table for cells in _rows(table)
    ]
    assert on_dashboard == in_report


def test_same_rewording_check(demo: Demo, language: str, report: str) -> None:
    """The change's check of the reworded statements: the same sentence on the dashboard's
    Reliability tab and in the report's reliability section (their flagged statements are
    compared with the language check's, in `test_same_language_check`)."""
    at = _dashboard(demo, "Reliability", language)
    results = dash.load_results(demo.db, demo.code)
    change = dash.rewording_check(demo.db, results, language=language)
    assert change is not None and not change.dif.empty, "the demo's second wave rewords four"
    heading, sentence = dash.dif_summary(change.dif, language, versions=True)
    assert any(sentence in str(m.value) for m in at.markdown)
    section = html.unescape(_section(report, "reliability"))
    assert heading.replace("**", "") in section and sentence in section
