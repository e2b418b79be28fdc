"""The HTML report: one valid, self-contained page; every component; no statistic of a small group."""

from __future__ import annotations

import html as html_module
import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser

import numpy as np
import pytest
from support import uncoarsened_scores

from assessment.analysis.scoring import score_table
from assessment.analysis.spec import common_item_spec
from assessment.analysis.waves import WaveScores
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.errors import PrivacyError, UnknownLanguageError
from assessment.i18n import text
from assessment.outputs.benchmark import benchmark_rows, compare
from assessment.outputs.report import render_report
from assessment.questionnaire import default_registry
from assessment.questionnaire.flywheel import flywheel
from assessment.responses.wide_csv import ResponseTable
from assessment.results.recommendations import prioritise_components

KEY = "work-management@1.0.0"
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}
SVG_LEAVES = {"rect", "line", "circle", "path"}
EVIL_UNIT = "<script>alert('x')</script>"


class Page(HTMLParser):
    """Checks that tags nest and close, and collects links, SVG groups and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []
        self.ids: list[str] = []
        self.groups: list[list[str]] = []  # text inside each SVG <g> (title first)
        self._group_depth: list[int] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        values = dict(attrs)
        for name in ("src", "href", "xlink:href", "action"):
            if name in values:
                self.urls.append(values[name] or "")
        if "id" in values:
            self.ids.append(values["id"] or "")
        if tag in VOID:
            return
        if tag == "g":
            self.groups.append([])
            self._group_depth.append(len(self.stack))
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        for name in ("src", "href", "xlink:href"):
            if name in dict(attrs):
                self.urls.append(dict(attrs)[name] or "")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "g":
            self._group_depth.pop()

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())
            if self._group_depth:
                self.groups[-1].append(data.strip())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="module")
def questionnaire():
    return default_registry().get(KEY)


@pytest.fixture(scope="module")
def organisation(questionnaire):
    profile = organisation_profile(seed=8, n_units=6, min_size=3, max_size=25)
    sizes = profile.respondents.copy()
    sizes[0] = 3  # one unit below the minimum group size
    org = generate_organisation(questionnaire, seed=8, profile=profile, respondents=sizes)
    units = np.asarray(org.table.unit, dtype=object).copy()
    units[units == profile.units[1]] = EVIL_UNIT
    table = ResponseTable(**{**org.table.__dict__, "unit": units})
    return profile, table


@pytest.fixture(scope="module")
def scored(questionnaire, organisation):
    _, table = organisation
    return score_table(
        table, questionnaire, targets={"clarity": 4, "completion": 3}, n_resamples=50
    )


@pytest.fixture(scope="module")
def html(scored, questionnaire) -> str:
    return render_report(scored.result, questionnaire, scored.metadata)


@pytest.fixture(scope="module")
def raw_scored(questionnaire, organisation):
    """Scored without the release's pooling, so a unit under the minimum is left to the second
    layer (per-dimension suppression and the export guard)."""
    _, table = organisation
    return uncoarsened_scores(
        table, questionnaire, targets={"clarity": 4, "completion": 3}, n_resamples=50
    )


def test_valid_html(html) -> None:
    page = parse(html)
    assert html.startswith("<!DOCTYPE html>")
    assert page.errors == []
    assert page.stack == []
    assert page.tags.count("html") == 1 and page.tags.count("body") == 1
    assert page.tags.count("title") >= 1
    assert "svg" in page.tags
    assert len(page.ids) == len(set(page.ids))


def test_self_contained(html) -> None:
    page = parse(html)
    assert page.urls, "the table of contents links its sections"
    assert all(url.startswith("#") for url in page.urls), page.urls
    assert not any("http" in url for url in page.urls)
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert "@import" not in html
    # The charts' gradients and clip paths refer to themselves only.
    assert all(ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", html))
    assert "<image" not in html and "@font-face" not in html and 'href="http' not in html


def test_every_component_and_principle_present(html, questionnaire) -> None:
    page_text = " ".join(parse(html).text)
    for component in questionnaire.components:
        assert component.name["en"] in page_text
    for principle in questionnaire.principles:
        assert principle.name["en"] in page_text


def test_levels_with_their_probability(html, scored, questionnaire) -> None:
    org = scored.result.scores[scored.result.scores["unit"] == "__all__"]
    clarity = org[org["dimension"] == "clarity"].iloc[0]
    p = 100 * clarity["level_probability"]
    shown = ">99%" if p > 99.5 else "<1%" if p < 0.5 else f"{round(p)}%"
    name = questionnaire.level_name(int(clarity["level"]))
    # The dashboard's words: "Managed · 86% likely", or both levels of a borderline estimate.
    if clarity["level_borderline"]:
        assert f"borderline ({shown} {name})" in html
    else:
        assert f"{name} · {shown} likely" in parse(html).text


def test_suppressed_unit_shows_no_numbers(organisation, raw_scored, questionnaire) -> None:
    profile, _ = organisation
    small = profile.units[0]
    rows = raw_scored.result.scores[raw_scored.result.scores["unit"] == small]
    assert rows["suppressed"].all()
    html = render_report(raw_scored.result, questionnaire, raw_scored.metadata)
    # The heatmap is the dashboard's chart: each cell names its unit in its accessible label.
    units = html.split('id="units"')[1].split("</section>")[0]
    cells = [c for c in re.findall(r'aria-label="([^"]*)"', units) if f"group: {small};" in c]
    # one heatmap cell per component and the overall score, as on the dashboard
    assert len({c.split(";")[0] for c in cells}) == len(questionnaire.components) + 1
    for cell in cells:
        assert "hidden" in cell
        assert not re.search(r"\d\.\d", cell), cell


def test_the_guard_stops_a_leaking_result(raw_scored, questionnaire, organisation) -> None:
    profile, _ = organisation
    scores = raw_scored.result.scores.copy()
    small = (scores["unit"] == profile.units[0]) & (scores["dimension"] == "clarity")
    scores.loc[small, ["mean", "suppressed"]] = [3.21, False]
    leaking = replace(raw_scored.result, scores=scores)
    with pytest.raises(PrivacyError):
        render_report(leaking, questionnaire, raw_scored.metadata)


def test_the_small_unit_is_pooled_and_the_report_says_so(html, organisation, scored) -> None:
    profile, _ = organisation
    assert profile.units[0] not in set(scored.result.scores["unit"])
    assert "(other units)" in set(scored.result.scores["unit"])
    assert "pooled 1 unit with fewer than 5 respondents" in html


def test_text_is_escaped(html) -> None:
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_recommendation_for_the_first_priority(html, scored, questionnaire) -> None:
    org = scored.result.scores[scored.result.scores["unit"] == "__all__"]
    first = prioritise_components(
        org[org["dimension_type"] == "component"], cycle=flywheel(questionnaire).cycle
    )[0]
    name = next(c.name["en"] for c in questionnaire.components if c.id == first.component)
    assert f"Work on {name} first." in html
    action = next(
        r.actions[0]["en"]
        for r in questionnaire.recommendations
        if r.component == first.component and r.from_level == first.level
    )
    assert action in parse(html).text


def test_metadata_to_recompute(html, scored) -> None:
    text = " ".join(parse(html).text)
    assert scored.metadata["questionnaire_sha256"] in text
    assert "--min-group-size 5" in text
    assert KEY in text


def test_gaps_to_targets(html) -> None:
    assert "Gap to target" in html
    assert re.search(r"\d\.\d\d (below|above) \[", html)


def test_disagreement_and_answers_sections(html) -> None:
    page = parse(html)
    assert {"disagreement", "answers", "reliability", "units", "principles"} <= set(page.ids)


def test_optional_sections(scored, questionnaire, tmp_path) -> None:
    rows = benchmark_rows(
        scored.result, scored.metadata, org="us", sector="", size_band="", period="2025-03"
    )
    pooled = rows.assign(org="them", mean=rows["mean"] - 0.2)
    actions = [
        {
            "dimension": "clarity",
            "title": "Weekly priorities",
            "owner": "Ann",
            "due_date": date(2025, 5, 1),
            "status": "open",
        }
    ]
    html = render_report(
        scored.result,
        questionnaire,
        scored.metadata,
        waves=_waves(scored.result, scored.result, questionnaire),
        actions=actions,
        benchmark=compare(rows, pooled),
        title="Acme <2025>",
    )
    page = parse(html)
    assert page.errors == []
    assert {"change", "benchmark", "actions"} <= set(page.ids)
    assert "Weekly priorities" in html and "2025-05-01" in html
    assert "Acme &lt;2025&gt;" in html


def test_german(scored, questionnaire) -> None:
    html = render_report(scored.result, questionnaire, scored.metadata, language="de")
    assert '<html lang="de">' in html
    assert "Klarheit" in html and "wahrscheinlich" in html
    assert parse(html).errors == []


def test_unknown_language(scored, questionnaire) -> None:
    with pytest.raises(UnknownLanguageError, match="available in en, de"):
        render_report(scored.result, questionnaire, scored.metadata, language="fr")


def test_organisation_below_the_minimum(questionnaire) -> None:
    profile = organisation_profile(seed=4, n_units=2, min_size=1, max_size=2)
    org = generate_organisation(questionnaire, seed=4, profile=profile)
    scored = score_table(org.table, questionnaire, n_resamples=20)
    html = render_report(scored.result, questionnaire, scored.metadata)
    page = parse(html)
    assert page.errors == []
    assert "fewer than 5 respondents" in html
    assert "likely" not in html
    assert "svg" not in page.tags


def _waves(current, previous, questionnaire, old=None) -> WaveScores:
    common = common_item_spec(questionnaire, old or questionnaire)
    return WaveScores(current, previous, common, min_group_size=common.spec.min_group_size)


def _section(html: str, sid: str) -> str:
    return html.split(f'id="{sid}"')[1].split("</section>")[0]


def test_change_uses_this_wave_on_the_shared_statements(scored, questionnaire) -> None:
    # With this wave's scores on the shared statements equal to the previous wave's, every
    # difference is zero, whatever the full result says.
    previous = replace(
        scored.result,
        scores=scored.result.scores.assign(mean=scored.result.scores["mean"] - 0.5),
    )
    html = render_report(
        scored.result,
        questionnaire,
        scored.metadata,
        waves=_waves(previous, previous, questionnaire),
    )
    changes = re.findall(r'<td class="num">(-?\d\.\d\d) \[', _section(html, "change"))
    assert changes and set(changes) == {"0.00"}
    shifted = render_report(
        scored.result,
        questionnaire,
        scored.metadata,
        waves=_waves(scored.result, previous, questionnaire),
    )
    assert "0.50 [" in _section(shifted, "change")


@pytest.mark.parametrize(
    ("old", "language", "stated"),
    [
        pytest.param(
            None, "en", "Both waves answered work-management@1.0.0: all", id="same-version"
        ),
        pytest.param(
            "work-management@1.0.0",
            "en",
            "statements that work-management@1.0.0 and work-management@1.1.0 share; not compared:",
            id="two-versions",
        ),
        pytest.param(
            "work-management@1.0.0",
            "de",
            "Aussagen, die work-management@1.0.0 und work-management@1.1.0 gemeinsam haben",
            id="two-versions-de",
        ),
    ],
)
def test_change_states_the_overlap_and_the_previous_wave(
    scored, questionnaire, old: str | None, language: str, stated: str
) -> None:
    new = default_registry().get("work-management@1.1.0") if old else questionnaire
    waves = _waves(scored.result, scored.result, new, default_registry().get(old) if old else None)
    html = render_report(
        scored.result,
        questionnaire,
        scored.metadata,
        language=language,
        waves=waves,
        previous_name="Spring <2024>",
    )
    section = _section(html, "change")
    assert stated in section
    assert "Spring &lt;2024&gt;" in section
    assert "Hedges" in section


def test_no_change_section_without_waves(html) -> None:
    assert 'id="change"' not in html


def test_german_report_writes_the_notes_in_german(questionnaire) -> None:
    """Every kind of note the scoring makes reads German in a German report, none English:
    the organisation row's method, a unit pooled for being small, an over-count, BCa intervals
    kept as t for small units and drivers with too few respondents (a small organisation); a
    stale head-count (scored on the raw units, where the pipeline itself notes it)."""
    profile = organisation_profile(seed=5, n_units=3, min_size=3, max_size=9)
    org = generate_organisation(questionnaire, seed=5, profile=profile, respondents=[3, 8, 9])
    small, middle, large = profile.units
    scored = score_table(
        org.table,
        questionnaire,
        method="bca",
        n_resamples=50,
        head_counts={small: 4, middle: 10, large: 7},
    )
    raw = uncoarsened_scores(org.table, questionnaire, head_counts={small: 4, middle: 6, large: 20})
    expected = [
        (
            scored,
            [
                "Organisationszeile: die Organisation, wie sie befragt wurde",
                f"{large}: 9 Antworten, aber eine Kopfzahl von 7",
                f"Einheit: 1 Einheit mit weniger als 5 Befragten ({small}) mit {middle} zusammengefasst",
                "Zeilen von Einheiten mit weniger als 20 Befragten: 30; BCa-Intervalle",
                f"Treiber von {text('common.dimension.outcome', 'de')}: Befragte mit allen "
                "Komponentenwerten und dem Ergebnis: 19; nötig sind mindestens 30",
            ],
        ),
        (raw, [f"Einheit „{middle}“: mehr Befragte als ihre Kopfzahl von 6"]),
    ]
    for result, german in expected:
        page = html_module.unescape(
            render_report(result.result, questionnaire, result.metadata, language="de")
        )
        for sentence in german:
            assert sentence in page
        for note in result.result.notes:
            assert str(note) not in page
