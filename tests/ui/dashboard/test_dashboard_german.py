"""The German dashboard speaks German: every tab of the demo campaign, rendered with the dashboard's
language set to German, shows none of the English catalogue's dashboard texts that German words
differently (issue 13: "Defined · 100% likely" under "Klarheit")."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui.pages import open_page

from assessment import i18n
from assessment.demo.seed import seed_demo
from assessment.results import dashboard as dash
from assessment.storage import connect, upgrade
from assessment.ui.language import LANGUAGE_KEY
from assessment.ui.pages import dashboard as dashboard_page
from assessment.ui.pages.dashboard.page import TAB_IDS, tab_labels

PASSWORD = "german-dashboard-password"
#: Fragments shorter than this are words both languages share ("Alpha", "ICC(1)").
SHORTEST = 8


@pytest.fixture(scope="module")
def demo_code(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("german-dashboard")
    url = f"sqlite:///{folder / 'wmm.sqlite'}"
    db = connect(url, create=True)
    upgrade(db)
    seeded = seed_demo(db, folder=folder / "no-demo-files")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WMM_DATABASE_URL", url)
        patch.setenv("WMM_ADMIN_PASSWORD", PASSWORD)
        patch.setenv("WMM_BASE_URL", "https://wmm.example.org")
        patch.setenv("WMM_DEMO", "0")
        yield seeded.campaigns[-1].code
    db.dispose()
    st.cache_resource.clear()
    dash.clear_caches()


def _script() -> None:
    from assessment.ui.pages import dashboard as dashboard_page

    dashboard_page.render()


def english_only_fragments(section: str = "dashboard.") -> dict[str, str]:
    """Literal parts of the English texts of ``section`` that the German catalogue words
    differently (each fragment of a template between its fields), with their key."""
    keys = sorted(k for k in i18n.keys("en") if k.startswith(section))
    german = "\n".join(i18n.text(k, "de") for k in keys)
    fragments: dict[str, str] = {}
    for key in keys:
        english = i18n.text(key, "en")
        if english == i18n.text(key, "de"):
            continue
        for part in re.split(r"\{[^}]*\}", english):
            part = part.strip(" .,;:·()[]*")
            if len(part) >= SHORTEST and part not in german:
                fragments[part] = key
    return fragments


def _shows(page: str, fragment: str) -> bool:
    """Whether ``page`` shows ``fragment`` as words (not inside a longer word)."""
    return re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", page) is not None


#: Keys of a Vega-Lite spec that hold names of fields, types and expressions, not words shown.
SPEC_NAMES = frozenset(
    {
        "field",
        "type",
        "$schema",
        "name",
        "as",
        "groupby",
        "domain",
        "expr",
        "test",
        "filter",
        "calculate",
        "param",
        "labelExpr",
        "datum",
        "mark",
        "format",
        "sort",
        "orient",
        "scheme",
    }
)


def _spec_strings(spec: Any) -> Iterator[str]:
    """The words a chart shows: titles, labels, tooltips and data values, not field names."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key not in SPEC_NAMES:
                yield from _spec_strings(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _spec_strings(value)
    elif isinstance(spec, str):
        yield spec


def _is_message(value: object) -> bool:
    """Whether ``value`` is a protobuf message (Streamlit's element protos)."""
    return hasattr(value, "ListFields")


def _strings(message: Any) -> Iterator[str]:
    """Every text field anywhere in a protobuf message (labels, bodies, help)."""
    for field, value in message.ListFields():
        values = value if getattr(field, "is_repeated", False) else [value]
        for item in values:
            if isinstance(item, str):
                yield item
            elif _is_message(item):
                yield from _strings(item)


def _page_text(at: AppTest) -> str:
    """Every word the page shows, the scoring's notes included, markdown escapes removed."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if getattr(node, "type", None) == "vega_lite_chart":
            parts.extend(_spec_strings(json.loads(node.proto.spec)))
            for dataset in node.proto.datasets:
                frame = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
                parts.extend(str(v) for v in frame.to_numpy().ravel())
        elif _is_message(proto):
            parts.extend(_strings(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for frame in at.dataframe:
        parts.extend(str(c) for c in frame.value.columns)
        parts.extend(str(v) for v in frame.value.to_numpy().ravel())
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def test_the_catalogue_check_can_fail() -> None:
    """The fragments are real English words the German dashboard must not show."""
    fragments = english_only_fragments()
    assert "Responses so far" in fragments
    assert "clearly higher" in fragments
    assert "Units reliable enough to read" in fragments
    assert "respondents have every component score and the outcome; at least" in (
        english_only_fragments("notes.")
    )


def _german_tab(demo_code: str, tab: str) -> AppTest:
    """The demo campaign's ``tab`` for a German facilitator (the page's texts and the results'
    language German), drawn without an exception."""
    at = open_page(_script, password=PASSWORD, state={dashboard_page.CAMPAIGN_KEY: demo_code})
    at.session_state[LANGUAGE_KEY] = "de"
    at.selectbox(key="wmm_dashboard_language").select("de").run()
    at.session_state["wmm_dashboard_tab"] = tab_labels("de")[TAB_IDS.index(tab)]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("tab", TAB_IDS)
def test_every_tab_speaks_german(demo_code: str, tab: str) -> None:
    at = _german_tab(demo_code, tab)
    page = _page_text(at)
    assert tab_labels("de")[TAB_IDS.index(tab)] in page
    fragments = {**english_only_fragments(), **english_only_fragments("notes.")}
    english = {f: k for f, k in fragments.items() if _shows(page, f)}
    assert not english, english


#: The tabs that show tables of numbers for the demo campaign.
TAB_IDS_WITH_TABLES = (
    "units",
    "targets",
    "discussion",
    "roles",
    "waves",
    "benchmark",
    "reliability",
)
#: A number written with a decimal point ("3.25"), which German writes "3,25".
DECIMAL_POINT = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")


@pytest.mark.parametrize("tab", TAB_IDS_WITH_TABLES)
def test_german_tables_write_decimal_commas(demo_code: str, tab: str) -> None:
    at = _german_tab(demo_code, tab)
    cells = [v for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    assert cells, "the tab shows a table"
    assert [v for v in cells if _has_decimal_point(v)] == []


def _has_decimal_point(value: object) -> bool:
    """A cell Streamlit would show with a decimal point: a fraction, or text such as "3.25"."""
    if isinstance(value, float):
        return math.isfinite(value) and not value.is_integer()
    return isinstance(value, str) and DECIMAL_POINT.search(value) is not None
