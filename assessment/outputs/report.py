"""The HTML report of a campaign: one self-contained file with inline SVG charts and no network access.

It renders the results model the dashboard renders (`assessment.results.views.model.ResultsModel`)
with the same chart specs (`assessment.outputs.charts`, drawn to SVG by vl-convert) and the texts of
the ``report`` section of the catalogues (`assessment.i18n`): components, principles, levels with
their probability, gaps, the discussion queue, recommendations and, given the previous wave, the
change since then on the statements both waves share.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from string import Template
from typing import Any

import numpy as np
import pandas as pd

from assessment import __version__
from assessment.analysis.spec import dimension_names
from assessment.analysis.waves import WaveScores
from assessment.errors import UnknownLanguageError
from assessment.i18n import format_interval, format_number, text
from assessment.i18n.notes import notes_text
from assessment.outputs import charts
from assessment.outputs.exports import (
    assert_no_small_groups,
    export_metadata,
    group_column_of,
    suppressed_rows,
)
from assessment.questionnaire.model import Questionnaire
from assessment.results.recommendations import statement_disagreement
from assessment.results.views.benchmark import BenchmarkView, benchmark_view
from assessment.results.views.change import change_view
from assessment.results.views.coverage import coverage_cells, coverage_table
from assessment.results.views.dif import dif_rows, dif_summary
from assessment.results.views.discussion import likert_segments
from assessment.results.views.estimates import format_probability, level_text
from assessment.results.views.heatmap import heatmap
from assessment.results.views.model import ResultsModel, results_model
from assessment.results.views.reliability import reliability_view
from assessment.results.views.roles import roles_view
from scoring.pipeline import ScoreResult
from scoring.suppression import TOTAL_LABEL


def _e(value: object) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def _finite(value: object) -> bool:
    """Whether ``value`` is a finite number (not None, NA or NaN)."""
    if value is None or value is pd.NA or isinstance(value, str):
        return False
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _float(value: object) -> float:
    """``value`` as a float; NaN when it is not a finite number."""
    return float(value) if _finite(value) else math.nan  # type: ignore[arg-type]


class _Words:
    """The report's words (the ``report`` section of the catalogue) and number formats in one
    language (English where the catalogues have no such language)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        return text(f"report.{key}", self.language, **values)

    def num(self, value: object, digits: int = 2) -> str:
        """A number with the language's decimal mark; "–" when there is none."""
        return format_number(_float(value), self.language, digits)

    def interval(self, low: object, high: object, digits: int = 2) -> str:
        """An interval in the language's format ("[2.97, 3.29]", "[2,97; 3,29]")."""
        return format_interval(_float(low), _float(high), self.language, digits)

    def pct(self, probability: object) -> str:
        """A probability as a whole percentage, never claiming certainty (>99% / <1%)."""
        if not _finite(probability):
            return self("none")
        sep = "\u202f" if self.language == "de" else ""
        return f"{format_probability(_float(probability))}{sep}%"


class _Report:
    """Builds the sections of one report from the organisation's results model."""

    def __init__(
        self,
        result: ScoreResult,
        questionnaire: Questionnaire,
        metadata: Mapping[str, Any],
        *,
        language: str,
        group_column: str,
        waves: WaveScores | None = None,
        previous_name: str | None = None,
        benchmark: BenchmarkView | None = None,
        role_scores: pd.DataFrame | None = None,
        dif: pd.DataFrame | None = None,
    ) -> None:
        self.result = result
        self.q = questionnaire
        self.metadata = metadata
        self.meta = export_metadata(metadata)
        self.m = int(self.meta["min_group_size"])
        self.lang = language
        self.words = _Words(language)
        self.group_column = group_column
        scores = result.scores
        self.org = scores[scores[group_column].astype(str) == TOTAL_LABEL]
        self.names = dimension_names(questionnaire, language)
        confidence = float(self.meta["confidence"])
        #: The organisation's views, built by the dashboard's builders.
        self.model: ResultsModel | None = (
            results_model(
                scores,
                result.items,
                questionnaire,
                group_column=group_column,
                label=TOTAL_LABEL,
                language=language,
                reliability=reliability_view(
                    result.stats,
                    result.respondents,
                    scores,
                    questionnaire,
                    min_group_size=self.m,
                    notes=result.notes,
                    group_column=group_column,
                    language=language,
                    dif=dif,
                ),
                roles=roles_view(
                    role_scores, questionnaire, confidence=confidence, language=language
                )
                if role_scores is not None
                else None,
                benchmark=benchmark,
                change=change_view(
                    waves,
                    questionnaire,
                    confidence=confidence,
                    previous=previous_name or "",
                    language=language,
                )
                if waves is not None
                else None,
            )
            if bool(self.org["mean"].notna().any())
            else None
        )

    # names and rows -----------------------------------------------------------------------------

    def name(self, dimension: str, dimension_type: str = "") -> str:
        """The dimension's name in the report's language."""
        if dimension in self.names:
            return self.names[dimension]
        if dimension_type == "overall":
            return self.words("overall")
        return dimension

    def org_rows(
        self, dimension_type: str, order: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.org[self.org["dimension_type"] == dimension_type].to_dict(
            "records"
        )
        if order is not None:
            position = {d: i for i, d in enumerate(order)}
            rows.sort(key=lambda r: position.get(str(r["dimension"]), len(position)))
        return rows

    def level_text(self, level: object) -> str:
        if not _finite(level):
            return self.words("none")
        try:
            return self.q.level_name(int(float(level)), self.lang)  # type: ignore[arg-type]
        except KeyError:
            return str(level)

    def likely(self, row: Mapping[str, Any]) -> str:
        """The level with its probability, in the dashboard's words ("Managed · 86% likely",
        or the two levels of a borderline estimate)."""
        if not _finite(row.get("level")) or not _finite(row.get("level_probability")):
            return self.words("none")
        borderline = row.get("level_borderline")
        return level_text(
            self.level_text(row["level"]),
            _float(row["level_probability"]),
            borderline=bool(borderline) if isinstance(borderline, bool | np.bool_) else False,
            low=self.level_text(row.get("level_low")),
            high=self.level_text(row.get("level_high")),
            language=self.lang,
        )

    def interval(self, row: Mapping[str, Any]) -> str:
        """The row's interval in the language's format."""
        if not _finite(row.get("ci_low")) or not _finite(row.get("ci_high")):
            return self.words("none")
        return self.words.interval(row["ci_low"], row["ci_high"])

    def summary(self, row: Mapping[str, Any]) -> str:
        name = self.name(str(row["dimension"]), str(row["dimension_type"]))
        if not _finite(row.get("mean")):
            return f"{name}: {self.words('suppressed')}"
        return f"{name}: {self.words.num(row['mean'])} {self.interval(row)}, {self.likely(row)}"

    @property
    def group_heading(self) -> str:
        """Header of the group column: "Unit", or the demographic's id (e.g. role)."""
        return self.words("unit") if self.group_column == "unit" else self.group_column

    @property
    def has_targets(self) -> bool:
        return "target" in self.org.columns and bool(self.org["target"].notna().any())

    @property
    def confidence_pct(self) -> str:
        return self.words.num(100 * float(self.meta["confidence"]), 0)

    # sections -----------------------------------------------------------------------------------

    def glance(self) -> str:
        w = self.words
        cards = []
        n_respondents = len(self.result.respondents)
        units = self.unit_counts()
        cards.append(
            self._card(w("respondents"), str(n_respondents), f"{w('units')}: {len(units)}")
        )
        overall = self.org_rows("overall")
        if overall and _finite(overall[0].get("mean")):
            row = overall[0]
            cards.append(
                self._card(
                    w("overall"),
                    self.level_text(row["level"]),
                    f"{w.num(row['mean'])} {self.interval(row)} · {self.likely(row)}",
                )
            )
        focus = self.model.priorities if self.model is not None else ()
        if focus:
            first = focus[0]
            cards.append(
                self._card(
                    w("start_with"),
                    self.name(first.component),
                    f"{w.num(first.mean)} · {self.level_text(first.level)}",
                )
            )
        return '<div class="cards">' + "".join(cards) + "</div>"

    @staticmethod
    def _card(label: str, value: str, detail: str) -> str:
        return (
            f'<div class="card"><div class="label">{_e(label)}</div><div class="value">{_e(value)}</div>'
            f'<div class="detail">{_e(detail)}</div></div>'
        )

    def dimension_table(
        self, frame: pd.DataFrame, dimensions: Sequence[tuple[str, str]], first_header: str
    ) -> str:
        """The model's estimates (`dimension_estimates`: the rows the dashboard's charts draw) as
        a table, and every other dimension of ``dimensions`` (type, id) as suppressed."""
        w = self.words
        targets = self.has_targets
        head = [
            first_header,
            "n",
            w("mean"),
            w("interval", p=self.confidence_pct),
            w("level_confidence"),
            w("level_range"),
        ]
        if targets:
            head += [w("target"), w("gap"), w("p_target")]
        numeric = {"n", w("mean")}
        out = ["<table><thead><tr>"]
        numeric_class = ' class="num"'
        out += [f"<th{numeric_class if h in numeric else ''}>{_e(h)}</th>" for h in head]
        out.append("</tr></thead><tbody>")
        records = frame.to_dict("records") if not frame.empty else []
        shown = {str(r["dimension"]) for r in records}
        for row in records:
            dimension_type = next((t for t, d in dimensions if d == str(row["dimension"])), "")
            level_range = w(
                "to",
                low=self.level_text(row.get("level_low")),
                high=self.level_text(row.get("level_high")),
            )
            cells = [
                f"<td>{_e(row['name'])}</td>",
                f'<td class="num">{int(row["n"]) if _finite(row.get("n")) else 0}</td>',
                f'<td class="num">{_e(w.num(row["mean"]))}</td>',
                f'<td class="num">{_e(self.interval(row))}</td>',
                f"<td>{_e(row['level_text'])}</td>",
                f"<td>{_e(level_range)}</td>",
            ]
            if targets:
                cells += self._target_cells({**row, "dimension_type": dimension_type})
            out.append("<tr>" + "".join(cells) + "</tr>")
        counts = {
            str(r["dimension"]): int(r["n"]) if _finite(r.get("n")) else 0
            for r in self.org.to_dict("records")
        }
        for dimension_type, dimension in dimensions:
            if dimension in shown:
                continue
            span = len(head) - 2
            out.append(
                f"<tr><td>{_e(self.name(dimension, dimension_type))}</td>"
                f'<td class="num">{counts.get(dimension, 0)}</td>'
                f'<td class="suppressed" colspan="{span}">{_e(w("suppressed"))}</td></tr>'
            )
        out.append("</tbody></table>")
        return "".join(out)

    def _target_cells(self, row: Mapping[str, Any]) -> list[str]:
        """Target, gap and the chance the target is reached, from the model's target gaps."""
        w = self.words
        gaps = self.targets()
        key = (str(row["dimension_type"]), str(row["dimension"]))
        if key not in gaps:
            return [f"<td>{_e(w('none'))}</td>"] * 3
        gap_row = gaps[key]
        gap = _float(gap_row["gap"])
        low, high = _float(gap_row["gap_ci_low"]), _float(gap_row["gap_ci_high"])
        if math.isnan(gap):
            gap_text = w("none")
        elif gap > 0:
            gap_text = w("gap_below", gap=w.num(gap), interval=w.interval(low, high))
        else:
            # Above the target: show the distance above it, so the interval is negated and swapped.
            gap_text = w("gap_reached", gap=w.num(-gap), interval=w.interval(-high, -low))
        return [
            f"<td>{_e(gap_row['target_name'])}</td>",
            f"<td>{_e(gap_text)}</td>",
            f'<td class="num">{_e(w.pct(gap_row["p_target"]))}</td>',
        ]

    def targets(self) -> dict[tuple[str, str], Mapping[str, Any]]:
        """The model's target gaps by (dimension type, dimension)."""
        if self.model is None:
            return {}
        return {
            (str(r["dimension_type"]), str(r["dimension"])): r
            for r in self.model.targets.to_dict("records")
        }

    def thresholds(self) -> tuple[list[float], list[str]]:
        """The level thresholds and the level names, lowest level first."""
        levels = sorted(self.q.levels, key=lambda lv: lv.level)
        return [lv.threshold for lv in levels], [
            self.q.level_name(lv.level, self.lang) for lv in levels
        ]

    def estimate_figure(self, frame: pd.DataFrame, title: str, *, principles: bool) -> str:
        """The dashboard's estimate chart of ``frame`` as an inline SVG figure."""
        if frame.empty:
            return ""
        thresholds, names = self.thresholds()
        chart = charts.estimate_chart(
            frame,
            thresholds=thresholds,
            level_names=names,
            scale_min=self.q.scale.minimum,
            scale_max=self.q.scale.maximum,
            order="mean" if principles else "given",
            show_target=not principles,
            language=self.lang,
        )
        caption = charts.caption(
            "principles" if principles else "components", self.lang, p=self.confidence_pct
        )
        return (
            f"<figure>{charts.inline_svg(chart, title=title)}"
            f"<figcaption>{_e(caption)}</figcaption></figure>"
        )

    def components_section(self) -> str:
        """The components: the dashboard's estimate chart and a table of every component."""
        w = self.words
        assert self.model is not None  # only rendered when the organisation has results
        figure = self.estimate_figure(self.model.components, w("components"), principles=False)
        dimensions = [("component", c.id) for c in self.q.components]
        return figure + self.dimension_table(self.model.components, dimensions, w("component"))

    def principles_section(self) -> str:
        """The principles, strongest first in the chart (as on the dashboard)."""
        w = self.words
        assert self.model is not None
        figure = self.estimate_figure(self.model.principles, w("principles"), principles=True)
        dimensions = [("principle", p.id) for p in self.q.principles]
        return figure + self.dimension_table(self.model.principles, dimensions, w("principle"))

    def indices_section(self) -> str:
        rows = self.org_rows("overall") + self.org_rows(
            "index", [i.id for i in self.q.scoring.indices]
        )
        if not rows or self.model is None:
            return ""
        frame = pd.concat([self.model.overall, self.model.indices], ignore_index=True)
        dimensions = [(str(r["dimension_type"]), str(r["dimension"])) for r in rows]
        notes = []
        for index in self.q.scoring.indices:
            if index.description:
                notes.append(
                    f'<p class="note"><strong>{_e(self.q.text(index.name, self.lang))}</strong>: '
                    f"{_e(self.q.text(index.description, self.lang))}</p>"
                )
        return self.dimension_table(frame, dimensions, self.words("dimension")) + "".join(notes)

    def unit_counts(self) -> pd.Series:
        respondents = self.result.respondents
        if self.group_column not in respondents.columns:
            return pd.Series(dtype=np.int64)
        return (
            respondents[self.group_column]
            .astype(str)
            .value_counts()
            .sort_index(key=lambda s: s.str.casefold())
        )

    def units_section(self) -> str:
        """The dashboard's heatmap of groups × components and overall (the same cells), the means
        as a table under it, the respondents per group, and the shares answered and "don't know"."""
        w = self.words
        cells = heatmap(
            self.result.scores, self.q, group_column=self.group_column, language=self.lang
        )
        figure = ""
        if not cells.empty:
            _, names = self.thresholds()
            chart = charts.heatmap_chart(
                cells,
                colour_by="mean",
                level_names=names,
                scale_min=self.q.scale.minimum,
                scale_max=self.q.scale.maximum,
                language=self.lang,
            )
            caption = _e(w("heatmap_caption", m=self.m))
            figure = (
                f"<figure>{charts.inline_svg(chart, title=w('heatmap'))}"
                f"<figcaption>{caption}</figcaption></figure>"
            ) + self.heatmap_table(cells)
        rows = "".join(
            f'<tr><td>{_e(unit)}</td><td class="num">{int(count)}</td></tr>'
            for unit, count in self.unit_counts().items()
        )
        participation = (
            f"<h3>{_e(w('participation'))}</h3><table><thead><tr><th>{_e(self.group_heading)}</th>"
            f'<th class="num">{_e(w("respondents"))}</th></tr></thead><tbody>{rows}</tbody></table>'
        )
        return figure + participation + self.coverage_table()

    def coverage_table(self) -> str:
        """The dashboard's coverage view: per group and component, the share answered on the scale
        and the share of "don't know" (`assessment.results.views.coverage`)."""
        coverage = coverage_table(
            self.result.scores, self.q, group_column=self.group_column, language=self.lang
        )
        if coverage.empty:
            return ""
        organisation = text("dashboard.view.organisation", self.lang)
        cells = coverage_cells(
            coverage, self.lang, organisation=organisation[:1].upper() + organisation[1:]
        )
        frame = cells.reset_index().rename(columns={cells.index.name: self.group_heading})
        return (
            f"<h3>{_e(text('dashboard.units.coverage', self.lang).replace('**', ''))}</h3>"
            + self.frame_table(frame.fillna("–"))
            + f'<p class="note">{_e(text("dashboard.units.coverage_note", self.lang))}</p>'
        )

    def heatmap_table(self, cells: pd.DataFrame) -> str:
        """The heatmap's cells as a table: one row per group in the chart's order, one column per
        dimension, the mean (or "suppressed")."""
        w = self.words
        ordered = cells.sort_values(["group_rank", "dimension_rank"], kind="stable")
        names = list(dict.fromkeys(ordered["name"].astype(str)))
        by_group: dict[str, dict[str, object]] = {}
        for r in ordered.to_dict("records"):
            by_group.setdefault(str(r["group"]), {})[str(r["name"])] = r["mean"]
        head = "".join(f'<th class="num">{_e(n)}</th>' for n in names)
        body = "".join(
            f"<tr><td>{_e(group)}</td>"
            + "".join(
                f'<td class="num">{_e(w.num(means.get(n)))}</td>'
                if _finite(means.get(n))
                else f'<td class="suppressed">{_e(w("suppressed"))}</td>'
                for n in names
            )
            + "</tr>"
            for group, means in by_group.items()
        )
        return (
            f"<table><thead><tr><th>{_e(self.group_heading)}</th>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )

    def item_rows(self) -> pd.DataFrame:
        """The organisation rows of the item table that are not suppressed, with disagreement."""
        items = self.result.items
        rows = items[(items[self.group_column].astype(str) == TOTAL_LABEL)].copy()
        rows = rows[~suppressed_rows(rows)]
        values = list(range(self.q.scale.minimum, self.q.scale.maximum + 1))
        count_columns = [f"count_{v}" for v in values]
        if rows.empty or any(c not in rows.columns for c in count_columns):
            return rows.iloc[0:0]
        rows["disagreement"] = statement_disagreement(rows, self.q)
        return rows

    def discussion(self) -> pd.DataFrame:
        """The organisation's discussion queue: the model's, so the dashboard and the report list
        the same statements in the same order."""
        if self.model is None:
            return pd.DataFrame()
        return self.model.queue

    def disagreement_section(self) -> str:
        """The discussion queue: the dashboard's diverging bars and its table."""
        w = self.words
        top = self.discussion()
        if top.empty or self.model is None:
            return ""
        chart = charts.likert_chart(
            self.model.segments, top, options=self.option_labels(), language=self.lang
        )
        body = []
        for row in top.to_dict("records"):
            text_, component = self.statement(str(row["item"]))
            body.append(
                f'<tr><td class="num">{int(row["rank"])}</td><td>{_e(text_)}<br><span class="note">'
                f"{_e(row['item'])} · {_e(component)}</span></td>"
                f'<td class="num">{_e(w.num(row["mean"]))}</td>'
                f'<td class="num">{_e(w.num(row["disagreement"]))}</td>'
                f'<td class="num">{_e(w.num(row["gap"]))}</td></tr>'
            )
        return (
            f'<p class="note">{_e(w("disagreement_note"))}</p>'
            f"<figure>{charts.inline_svg(chart, title=w('disagreement'))}"
            f"<figcaption>{_e(charts.caption('likert', self.lang))}</figcaption></figure>"
            f'<table><thead><tr><th class="num">{_e(w("rank"))}</th><th>{_e(w("statement"))}</th>'
            f'<th class="num">{_e(w("mean"))}</th><th class="num">{_e(w("disagreement_col"))}</th>'
            f'<th class="num">{_e(w("gap_col"))}</th></tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def statement(self, item_id: str) -> tuple[str, str]:
        """The statement's text (with ↺ when reverse-keyed) and the name of its component."""
        for item in self.q.items:
            if item.id == item_id:
                text = self.q.text(item.text, self.lang) + (" ↺" if item.reverse else "")
                return text, self.name(item.component)
        for outcome in self.q.outcomes:
            if outcome.id == item_id:
                text = self.q.text(outcome.text, self.lang) + (" ↺" if outcome.reverse else "")
                return text, self.words("outcome")
        return item_id, ""

    def option_labels(self) -> list[str]:
        return [
            self.q.text(o.label, self.lang)
            for o in sorted(self.q.scale.options, key=lambda o: o.value)
        ]

    def distribution_section(self) -> str:
        """The answers to every statement, one diverging-bar chart per component (the dashboard's
        chart), with the answers off the scale counted apart."""
        w = self.words
        rows = self.item_rows()
        if rows.empty:
            return ""
        by_item = {str(r["item"]): r for r in rows.to_dict("records")}
        values = list(range(self.q.scale.minimum, self.q.scale.maximum + 1))
        parts = [f'<p class="note">{_e(w("distribution_note"))}</p>']
        groups: list[tuple[str, list[str]]] = [
            (self.q.text(c.name, self.lang), [i.id for i in self.q.items_of_component(c.id)])
            for c in self.q.components
        ]
        if self.q.outcomes:
            groups.append((self.words("outcome"), [o.id for o in self.q.outcomes]))
        for title, item_ids in groups:
            shown = [i for i in item_ids if i in by_item]
            figure = ""
            if shown:
                frame = pd.DataFrame(
                    {
                        "item": shown,
                        "rank": np.arange(1, len(shown) + 1, dtype=np.int64),
                        "statement": [self.statement(i)[0] for i in shown],
                        **{
                            f"count_{v}": [
                                int(_float(by_item[i].get(f"count_{v}")) or 0)
                                if _finite(by_item[i].get(f"count_{v}"))
                                else 0
                                for i in shown
                            ]
                            for v in values
                        },
                    }
                )
                chart = charts.likert_chart(
                    likert_segments(frame, self.q, language=self.lang),
                    frame,
                    options=self.option_labels(),
                    language=self.lang,
                )
                figure = f"<figure>{charts.inline_svg(chart, title=title)}</figure>"
            body = []
            for item_id in item_ids:
                row = by_item.get(item_id)
                text_, _ = self.statement(item_id)
                if row is None:
                    body.append(
                        f'<tr><td>{_e(text_)}</td><td class="suppressed" colspan="2">{_e(w("suppressed"))}</td></tr>'
                    )
                    continue
                answered = sum(
                    int(_float(row.get(f"count_{v}"))) if _finite(row.get(f"count_{v}")) else 0
                    for v in values
                )
                extra = " · ".join(
                    f"{label} {int(row[key])}"
                    for key, label in (
                        ("n_dk", w("dont_know")),
                        ("n_na", w("not_applicable")),
                        ("n_skipped", w("skipped")),
                    )
                    if key in row and _finite(row[key]) and int(row[key]) > 0
                )
                body.append(
                    f'<tr><td>{_e(text_)}<br><span class="note">{_e(item_id)}</span></td>'
                    f'<td class="num">{answered}</td><td class="note">{_e(extra)}</td></tr>'
                )
            parts.append(
                f"<h3>{_e(title)}</h3>{figure}<table><thead><tr><th>{_e(w('statement'))}</th>"
                f'<th class="num">n</th><th></th></tr></thead><tbody>{"".join(body)}</tbody></table>'
            )
        return "".join(parts)

    def recommendations_section(self) -> str:
        """The component to work on first with its next-level actions, and the order of all."""
        w = self.words
        priorities = self.model.priorities if self.model is not None else ()
        if not priorities:
            return f"<p>{_e(w('no_recommendations'))}</p>"
        weakest = next(p for p in priorities if p.reason == "weakest")
        weakest_name = self.name(weakest.component)
        parts = []
        chosen = self.model.actions[:1] if self.model is not None else ()
        if chosen:
            rec = chosen[0]
            name = self.name(rec.priority.component)
            reason = w(f"reason_{rec.priority.reason}", weakest=weakest_name)
            actions = "".join(f"<li>{_e(a)}</li>" for a in rec.actions)
            from_name, to_name = self.level_text(rec.from_level), self.level_text(rec.to_level)
            descriptor = next(
                (
                    self.q.text(d.text, self.lang)
                    for d in self.q.descriptors
                    if d.component == rec.priority.component and d.level == rec.to_level
                ),
                None,
            )
            parts.append(
                f'<div class="focus"><p><strong>{_e(w("focus_intro", component=name))}</strong> {_e(reason)}</p>'
                f"<h3>{_e(w('next_level', from_level=from_name, to_level=to_name))}</h3><ol>{actions}</ol>"
                + (
                    f"<p><strong>{_e(w('next_looks_like', level=to_name))}:</strong> {_e(descriptor)}</p>"
                    if descriptor
                    else ""
                )
                + "</div>"
            )
        else:
            parts.append(f"<p>{_e(w('top_level'))}</p>")
        body = "".join(
            f'<tr><td class="num">{p.rank}</td><td>{_e(self.name(p.component))}</td>'
            f'<td class="num">{_e(w.num(p.mean))}</td><td>{_e(self.level_text(p.level))}</td>'
            f"<td>{_e(w(f'reason_{p.reason}', weakest=weakest_name))}</td></tr>"
            for p in priorities
        )
        parts.append(
            f'<h3>{_e(w("priority_order"))}</h3><table><thead><tr><th class="num">{_e(w("rank"))}</th>'
            f'<th>{_e(w("component"))}</th><th class="num">{_e(w("mean"))}</th><th>{_e(w("level"))}</th>'
            f"<th>{_e(w('why'))}</th></tr></thead><tbody>{body}</tbody></table>"
        )
        return "".join(parts)

    def difference_table(self, frame: pd.DataFrame, before: str, after: str) -> str:
        """Differences of `score_differences` (the change since a wave, or between two roles):
        both means, the difference and Hedges' g with their intervals, and the verdict."""
        w = self.words
        body = []
        for r in frame.to_dict("records"):
            body.append(
                f'<tr><td>{_e(r["name"])}</td><td class="num">{_e(w.num(r["mean_before"]))}</td>'
                f'<td class="num">{_e(w.num(r["mean"]))}</td>'
                f'<td class="num">{_e(w.num(r["diff"]))} {_e(w.interval(r["diff_ci_low"], r["diff_ci_high"]))}</td>'
                f'<td class="num">{_e(w.num(r["g"]))} {_e(w.interval(r["g_ci_low"], r["g_ci_high"]))}</td>'
                f"<td>{_e(text('dashboard.change.' + str(r['verdict']), self.lang))}</td></tr>"
            )
        return (
            f"<table><thead><tr>"
            f'<th>{_e(w("dimension"))}</th><th class="num">{_e(before)}</th>'
            f'<th class="num">{_e(after)}</th><th class="num">{_e(w("difference"))}</th>'
            f'<th class="num">{_e(w("hedges"))}</th>'
            f"<th>{_e(text('dashboard.page.col_verdict', self.lang))}</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def change_section(self) -> str:
        """The model's change since the previous wave: the dashboard's chart and table, and the
        change without the reworded statements."""
        w = self.words
        change = self.model.change if self.model is not None else None
        if change is None or change.frame.empty:
            return ""
        against = w("compared_with", previous=change.previous) + " " if change.previous else ""
        figure = ""
        if not change.chart_rows.empty:
            chart = charts.comparison_chart(
                change.chart_rows, before=w("previous"), after=w("current"), language=self.lang
            )
            caption = charts.caption("waves", self.lang, p=self.confidence_pct)
            figure = (
                f"<figure>{charts.inline_svg(chart, title=w('change'))}"
                f"<figcaption>{_e(caption)}</figcaption></figure>"
            )
        same_only = ""
        if change.same_only is not None and not change.same_only.empty:
            same_only = (
                f"<h3>{_e(text('dashboard.waves.same_only', self.lang, n=len(change.reworded), ids=', '.join(change.reworded)).replace('**', ''))}</h3>"
                + self.difference_table(change.same_only, w("previous"), w("current"))
            )
        return (
            f"<p>{_e(against)}{_e(change.overlap)}</p>"
            f'<p class="note">{_e(w("change_note", p=self.confidence_pct))}</p>'
            + figure
            + self.difference_table(change.frame, w("previous"), w("current"))
            + same_only
        )

    def roles_section(self) -> str:
        """The model's roles view: the pair of role groups the dashboard compares first."""
        roles = self.model.roles if self.model is not None else None
        if roles is None or roles.first is None or roles.second is None or roles.gaps.empty:
            return ""
        a = roles.names.get(roles.first, roles.first)
        b = roles.names.get(roles.second, roles.second)
        chart = charts.comparison_chart(
            roles.gaps, before=a, after=b, direction=False, language=self.lang
        )
        caption = charts.caption("roles", self.lang, p=self.confidence_pct, first=a, second=b)
        return (
            f"<figure>{charts.inline_svg(chart, title=text('dashboard.page.roles', self.lang))}"
            f"<figcaption>{_e(caption)}</figcaption></figure>"
            + self.difference_table(roles.gaps, a, b)
        )

    def benchmark_section(self) -> str:
        """The model's benchmark view: the dashboard's chart and table."""
        w = self.words
        view = self.model.benchmark if self.model is not None else None
        if view is None or view.position.empty:
            return ""
        body = []
        for r in view.position.to_dict("records"):
            rank = (
                f"{w.num(r['percentile'], 0)} {w.interval(r['percentile_low'], r['percentile_high'], 0)}"
                if _finite(r.get("percentile"))
                else w("none")
            )
            pooled = (
                f"{w.num(r['pooled_median'])} {w.interval(r['pooled_p25'], r['pooled_p75'])}"
                if _finite(r.get("pooled_median"))
                else w("none")
            )
            body.append(
                f'<tr><td>{_e(r["name"])}</td><td class="num">{_e(w.num(r["mean"]))}</td>'
                f'<td class="num">{_e(rank)}</td><td class="num">{int(r["n_orgs"])}</td>'
                f'<td class="num">{_e(pooled)}</td><td>{_e(r.get("versions", ""))}</td></tr>'
            )
        figure = ""
        if not view.ranked.empty:
            chart = charts.benchmark_chart(view.ranked, language=self.lang)
            caption = charts.caption("benchmark", self.lang, p=self.confidence_pct)
            figure = (
                f"<figure>{charts.inline_svg(chart, title=w('benchmark'))}"
                f"<figcaption>{_e(caption)}</figcaption></figure>"
            )
        return (
            f'<p class="note">{_e(w("benchmark_note", orgs=view.n_organisations))}</p>'
            f"{figure}"
            f'<table><thead><tr><th>{_e(w("dimension"))}</th><th class="num">{_e(w("mean"))}</th>'
            f'<th class="num">{_e(w("percentile"))}</th><th class="num">{_e(w("organisations"))}</th>'
            f'<th class="num">{_e(w("pooled"))}</th><th>{_e(w("versions"))}</th></tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def actions_section(self, actions: Iterable[Any]) -> str:
        w = self.words
        body = []
        for action in actions:

            def field(name: str, action: Any = action) -> Any:
                if isinstance(action, Mapping):
                    return action.get(name)
                return getattr(action, name, None)

            due = field("due_date")
            body.append(
                f"<tr><td>{_e(self.name(str(field('dimension') or '')))}</td><td>{_e(field('title') or '')}</td>"
                f"<td>{_e(field('owner') or '')}</td><td>{_e(due.isoformat() if hasattr(due, 'isoformat') else (due or ''))}</td>"
                f"<td>{_e(field('status') or '')}</td></tr>"
            )
        if not body:
            return ""
        return (
            f"<table><thead><tr><th>{_e(w('dimension'))}</th><th>{_e(w('title_col'))}</th>"
            f"<th>{_e(w('owner'))}</th><th>{_e(w('due'))}</th><th>{_e(w('status'))}</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def reliability_section(self) -> str:
        """The model's reliability view: alpha and ICCs per dimension (the dashboard's table),
        response quality, agreement within units, whether statements read alike in each language,
        and whether the reworded ones read as their earlier wording did (the change's check)."""
        w = self.words
        view = self.model.reliability if self.model is not None else None
        if view is None or view.table.empty:
            return ""
        body = []
        for r in view.table.to_dict("records"):
            alpha = w.num(r.get("alpha"))
            if _finite(r.get("alpha")) and _finite(r.get("alpha_ci_low")):
                alpha += f" {w.interval(r['alpha_ci_low'], r['alpha_ci_high'])}"
            body.append(
                f'<tr><td>{_e(r["name"])}</td><td class="num">{_e(alpha)}</td>'
                f'<td class="num">{_e(w.num(r.get("icc1")))}</td><td class="num">{_e(w.num(r.get("icc2")))}</td>'
                f'<td class="num">{_e(r.get("n_respondents", ""))}</td><td class="num">{_e(r.get("n_units", ""))}</td>'
                f'<td class="num">{_e(r.get("n_items", ""))}</td></tr>'
            )
        parts = [
            f'<p class="note">{_e(w("reliability_note"))}</p><table><thead><tr><th>{_e(w("dimension"))}</th>'
            f'<th class="num">{_e(w("alpha"))}</th><th class="num">ICC(1)</th><th class="num">ICC(2)</th>'
            f'<th class="num">{_e(w("respondents"))}</th><th class="num">{_e(w("units"))}</th>'
            f'<th class="num">{_e(w("items"))}</th></tr></thead><tbody>{"".join(body)}</tbody></table>'
        ]
        if not view.quality.empty:
            rows = "".join(
                f'<tr><td>{_e(r["description"])}</td><td class="num">{int(r["count"])}</td>'
                f'<td class="num">{_e(w.num(r["share"], 1))}</td></tr>'
                for r in view.quality.to_dict("records")
            )
            parts.append(
                f"<h3>{_e(text('dashboard.reliability.quality', self.lang))}</h3>"
                f"<table><thead><tr><th>{_e(text('dashboard.reliability.flag', self.lang))}</th>"
                f'<th class="num">{_e(w("respondents"))}</th>'
                f'<th class="num">{_e(text("dashboard.chart.share", self.lang))} (%)</th></tr></thead>'
                f"<tbody>{rows}</tbody></table>"
            )
        change = self.model.change if self.model is not None else None
        checks = [(view.dif, view.dif_flagged, self.q, False)]
        if change is not None:
            checks.append((change.dif, change.dif_flagged, change.wording or self.q, True))
        for dif, flagged, wording, versions in checks:
            if dif.empty:
                continue
            heading, sentence = dif_summary(dif, self.lang, versions=versions)
            parts.append(f"<h3>{_e(heading.replace('**', ''))}</h3><p>{_e(sentence)}</p>")
            if not flagged.empty:
                parts.append(
                    self.frame_table(dif_rows(flagged, wording, self.lang, versions=versions))
                )
        return "".join(parts)

    @staticmethod
    def frame_table(frame: pd.DataFrame) -> str:
        """A frame of texts as a plain table (the header from its columns)."""
        head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
            for row in frame.itertuples(index=False)
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def method_section(self) -> str:
        w = self.words
        entries = dict(self.meta)
        for key, value in self.metadata.items():
            if key not in entries and isinstance(value, str | int | float | bool):
                entries[key] = value
        dl = "".join(
            f"<dt>{_e(key)}</dt><dd>{_e(value)}</dd>"
            for key, value in entries.items()
            if value is not None
        )
        command = (
            f"wmm score responses.csv --questionnaire {self.meta['questionnaire']} --by {self.group_column} "
            f"--confidence {self.meta['confidence']:g} --min-group-size {self.m}"
        )
        notes = ""
        if self.result.notes:
            notes = (
                f"<h3>{_e(w('notes'))}</h3><ul>"
                + "".join(
                    f"<li>{_e(n)}</li>"
                    for n in notes_text(self.result.notes, self.lang, names=self.names)
                )
                + "</ul>"
            )
        return (
            f'<p>{_e(w("method_note"))}</p><dl class="meta">{dl}</dl>'
            f"<p>{_e(w('recompute'))}</p><pre>{_e(command)}</pre>{notes}"
            f'<p class="note">{_e(w("suppressed_note", m=self.m))} {_e(w("generated", version=__version__))}</p>'
        )


def render_report(
    result: ScoreResult,
    questionnaire: Questionnaire,
    metadata: Mapping[str, Any],
    *,
    language: str = "en",
    title: str | None = None,
    waves: WaveScores | None = None,
    previous_name: str | None = None,
    actions: Iterable[Any] | None = None,
    benchmark: pd.DataFrame | BenchmarkView | None = None,
    group_column: str | None = None,
    role_scores: pd.DataFrame | None = None,
    dif: pd.DataFrame | None = None,
) -> str:
    """The campaign report as one self-contained HTML page.

    Parameters
    ----------
    result : the campaign's scores (`scoring.pipeline.score`, privacy rules applied)
    questionnaire : the questionnaire version the responses answered (names, texts, levels,
        recommendations)
    metadata : the scoring metadata (questionnaire, sha256, settings; see
        `assessment.outputs.exports.export_metadata`); any further plain values (campaign name, period) are
        listed in the method section too
    language : language of the questionnaire texts and of the report's own words (English and
        German are translated; other languages fall back to English for the report's words)
    title : the page title (default: the report's name and the questionnaire's title)
    waves : this wave and the previous one scored on the statements both questionnaire versions
        share (`assessment.analysis.waves.score_waves`), for the change section: the organisation's change
        per dimension with Welch's interval and Hedges' g (`assessment.analysis.waves.wave_change`, as the
        dashboard shows it), and which statements it is computed on
    previous_name : what the change section calls the previous wave (e.g. its campaign's name)
    actions : action items (objects or mappings with ``dimension``, ``title``, ``owner``,
        ``due_date``, ``status``), e.g. `assessment.campaigns.actions.Action`
    benchmark : the benchmark view (`assessment.results.views.benchmark.benchmark_view`), or the
        output of `assessment.outputs.benchmark.compare` to build it from
    group_column : the group column of the result's frames (default: the metadata's ``by``)
    role_scores : the scores by role (privacy rules applied), for the roles section: the pair of
        role groups the dashboard compares first (`assessment.results.views.roles.roles_view`)
    dif : whether each statement reads alike in the languages
        (`assessment.analysis.dif.language_dif`), for the reliability section

    Returns
    -------
    The HTML text (UTF-8). It loads nothing: styles are inline, charts are inline SVG.

    Raises
    ------
    UnknownLanguageError
        When the questionnaire is not available in ``language``.
    PrivacyError
        When the scores or item rows would show a statistic of a group below the minimum group size
        (the report runs the export guard before rendering anything).
    """
    if language not in questionnaire.languages:
        raise UnknownLanguageError(
            f"the questionnaire {questionnaire.key} is available in {', '.join(questionnaire.languages)}; "
            f"got language {language!r}"
        )
    meta = export_metadata(metadata)
    m = int(meta["min_group_size"])
    group_column = group_column_of(metadata, group_column)
    kept = ("target", "target_threshold")
    assert_no_small_groups(
        result.scores, m, group_column=group_column, kept_columns=kept, what="report"
    )
    assert_no_small_groups(
        result.items, m, group_column=group_column, within=("item",), what="report"
    )
    if waves is not None:
        for wave in (waves.current, waves.previous):
            assert_no_small_groups(
                wave.scores,
                max(m, waves.min_group_size),  # each wave keeps its own minimum (DESIGN §7)
                group_column="unit",
                kept_columns=kept,
                what="report",
            )
    if role_scores is not None:
        assert_no_small_groups(
            role_scores, m, group_column="role", kept_columns=kept, what="report"
        )
    benchmark_model = (
        benchmark_view(benchmark, questionnaire, language=language)
        if isinstance(benchmark, pd.DataFrame)
        else benchmark
    )
    report = _Report(
        result,
        questionnaire,
        metadata,
        language=language,
        group_column=group_column,
        waves=waves,
        previous_name=previous_name,
        benchmark=benchmark_model,
        role_scores=role_scores,
        dif=dif,
    )
    w = report.words
    q_title = questionnaire.text(questionnaire.title, language)
    page_title = title or f"{w('title')} · {q_title}"
    sections: list[tuple[str, str, str]] = []  # id, heading, html

    org_shown = bool(report.org["mean"].notna().any())
    sections.append(("glance", w("glance"), report.glance()))
    if not org_shown:
        sections.append(("results", w("components"), f"<p>{_e(w('too_few', m=m))}</p>"))
    else:
        sections.append(("components", w("components"), report.components_section()))
        sections.append(("recommendations", w("recommendations"), report.recommendations_section()))
        sections.append(("principles", w("principles"), report.principles_section()))
        indices = report.indices_section()
        if indices:
            sections.append(("indices", w("indices"), indices))
        heatmap = w("heatmap") if group_column == "unit" else w("heatmap_by", group=group_column)
        sections.append(("units", heatmap, report.units_section()))
        disagreement = report.disagreement_section()
        if disagreement:
            sections.append(("disagreement", w("disagreement"), disagreement))
        change = report.change_section()
        if change:
            sections.append(("change", w("change"), change))
        roles = report.roles_section()
        if roles:
            sections.append(("roles", text("dashboard.page.roles", language), roles))
        bench = report.benchmark_section()
        if bench:
            sections.append(("benchmark", w("benchmark"), bench))
    if actions is not None:
        plan = report.actions_section(actions)
        if plan:
            sections.append(("actions", w("actions"), plan))
    if org_shown:
        distribution = report.distribution_section()
        if distribution:
            sections.append(("answers", w("distribution"), distribution))
        sections.append(("reliability", w("reliability"), report.reliability_section()))
    sections.append(("method", w("method"), report.method_section()))

    n_units = len(report.unit_counts())
    subtitle = w(
        "subtitle",
        questionnaire=f"{q_title} ({questionnaire.key})",
        respondents=len(result.respondents),
        units=n_units,
    )
    campaign = metadata.get("campaign")
    toc = "".join(f'<li><a href="#{sid}">{_e(heading)}</a></li>' for sid, heading, _ in sections)
    body = [
        f"<header><h1>{_e(page_title)}</h1>",
        f'<p class="subtitle">{_e(campaign) + " · " if campaign else ""}{_e(subtitle)}</p></header>',
        f'<nav class="toc"><h2>{_e(w("contents"))}</h2><ol>{toc}</ol></nav>',
    ]
    for sid, heading, content in sections:
        # Wide tables scroll inside their own box instead of widening the page (all text is
        # escaped, so every "<table>" here is one of ours).
        content = content.replace("<table>", '<div class="table-wrap"><table>').replace(
            "</table>", "</table></div>"
        )
        body.append(f'<section id="{sid}"><h2>{_e(heading)}</h2>{content}</section>')
    template = Template(
        resources.files("assessment").joinpath("templates/report.html").read_text("utf-8")
    )
    return template.substitute(
        lang=_e(language),
        title=_e(page_title),
        generator=_e(f"wmm {__version__}"),
        body="\n".join(body),
    )
