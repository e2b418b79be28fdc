"""The HTML report of a campaign: one self-contained file with inline SVG charts and no network access.

Shows components, principles, levels with their probability, gaps, disagreements, recommendations
and, given the previous wave, the change since then on the statements both waves share.
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
from assessment.analysis.spec import CommonItemSpec, dimension_names
from assessment.analysis.waves import WaveScores, wave_change
from assessment.errors import UnknownLanguageError
from assessment.outputs.exports import (
    assert_no_small_groups,
    export_metadata,
    group_column_of,
    suppressed_rows,
)
from assessment.questionnaire.flywheel import flywheel
from assessment.questionnaire.model import Questionnaire
from assessment.results.discussion import discussion_queue
from assessment.results.recommendations import (
    prioritise_components,
    recommend,
    statement_disagreement,
)
from scoring.pipeline import ScoreResult
from scoring.suppression import TOTAL_LABEL

#: How many statements the disagreement section lists.
TOP_DISAGREEMENTS = 5

# Soft fills for the level bands (level 1 .. 7), light enough for dark marks on top.
_LEVEL_FILLS = ("#fbe3d6", "#fdf0c8", "#e8f3d6", "#d5ecec", "#dbe4f5", "#e7ddf3", "#f0f0f0")
# Sequential scale of the heatmap (low -> high).
_HEAT_LOW = (0xF1, 0xF5, 0xFA)
_HEAT_HIGH = (0x1F, 0x5F, 0xA6)
# Diverging answer colours: disagree (left) .. neutral .. agree (right).
_DISAGREE = (0xC0, 0x39, 0x2B)
_NEUTRAL = (0xD9, 0xD9, 0xD9)
_AGREE = (0x21, 0x66, 0xAC)

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Work-management maturity report",
        "subtitle": "{questionnaire} · {respondents} respondents in {units} units",
        "contents": "Contents",
        "glance": "At a glance",
        "overall": "Overall",
        "outcome": "Outcome statements",
        "start_with": "Start with",
        "respondents": "Respondents",
        "units": "Units",
        "components": "Components",
        "principles": "Principles",
        "indices": "Overall score and indices",
        "dimension": "Dimension",
        "component": "Component",
        "principle": "Principle",
        "mean": "Mean",
        "interval": "{p}% interval",
        "level": "Level",
        "level_confidence": "Level (probability)",
        "level_range": "Level range",
        "likely": "{p} likely {level}",
        "to": "{low} to {high}",
        "target": "Target",
        "gap": "Gap to target",
        "gap_below": "{gap} below [{low}, {high}]",
        "gap_reached": "{gap} above [{low}, {high}]",
        "p_target": "Chance target reached",
        "suppressed": "suppressed",
        "suppressed_note": (
            "Groups with fewer than {m} respondents show no statistics, and neither do groups "
            "that would let a smaller group be worked out from the totals (privacy rule)."
        ),
        "too_few": (
            "The organisation has fewer than {m} respondents with scores, so no results can be "
            "shown without revealing individual answers."
        ),
        "heatmap": "Units and components",
        "heatmap_by": "Groups by {group} and components",
        "heatmap_caption": (
            "Mean per unit and component. Dashed, uncoloured cells are suppressed (fewer than "
            "{m} respondents, or protecting such a group)."
        ),
        "whole_org": "Whole organisation",
        "participation": "Participation",
        "unit": "Unit",
        "disagreement": "Statements to discuss",
        "disagreement_note": (
            "Disagreement runs from 0 (everyone gave the same answer) to 1 (two equal camps at the "
            "ends of the scale). Statements are ranked by disagreement × how far they fall short "
            "of the target or the next level, as on the dashboard's discussion queue."
        ),
        "statement": "Statement",
        "disagreement_col": "Disagreement",
        "distribution": "Answers per statement",
        "distribution_note": (
            "Share of answers on the scale (don't know, not applicable and skipped are counted "
            "apart). Reverse-keyed statements are marked ↺: agreeing with them lowers the score."
        ),
        "answers": "Answers",
        "dont_know": "Don't know",
        "not_applicable": "N/A",
        "skipped": "Skipped",
        "recommendations": "Recommendations",
        "focus_intro": "Work on {component} first.",
        "reason_weakest": "It has the lowest mean of the components.",
        "reason_upstream": (
            "Its interval overlaps that of the weakest component ({weakest}), and it comes earlier "
            "in the flywheel Clarity → Coordination → Completion, so improving it also helps the "
            "components after it."
        ),
        "reason_close": "Its interval overlaps that of the weakest component ({weakest}).",
        "reason_next": "It is clearly above the weakest component.",
        "next_level": "From {from_level} to {to_level}: actions",
        "next_looks_like": "What {level} looks like",
        "priority_order": "Order of the components",
        "rank": "Rank",
        "why": "Why",
        "top_level": "Every component with results is at the top level; keep the practices that got it there.",
        "no_recommendations": "There are no component results to base a recommendation on.",
        "change": "Change since the previous wave",
        "change_note": (
            "Organisation means; difference with Welch's {p}% interval and Hedges' g with its "
            "interval, on the statements both waves share. The interval treats respondents as "
            "independent and ignores their grouping in units, so it is somewhat too narrow."
        ),
        "compared_with": "Compared with {previous}.",
        "overlap": (
            "Compared on the {n} statements that {old} and {new} share; not compared: {only_new} "
            "of {new}, {only_old} of {old}."
        ),
        "overlap_same": "Both waves answered {new}: all {n} statements are compared.",
        "previous": "Previous",
        "current": "Now",
        "difference": "Difference",
        "hedges": "Hedges' g",
        "benchmark": "Benchmark",
        "benchmark_note": (
            "Percentile rank among {orgs} other organisations: the share of them with a lower mean "
            "(ties half). The range in brackets is the rank of the ends of this organisation's "
            "interval."
        ),
        "percentile": "Percentile rank",
        "organisations": "Organisations",
        "pooled": "Their median [p25, p75]",
        "versions": "Versions",
        "actions": "Action plan",
        "title_col": "Action",
        "owner": "Owner",
        "due": "Due",
        "status": "Status",
        "reliability": "Reliability",
        "reliability_note": (
            "Cronbach's alpha with its Feldt interval (consistency of the statements of a "
            "dimension); ICC(1) (share of the variance between units) and ICC(2) (reliability of "
            "unit means)."
        ),
        "alpha": "Alpha",
        "items": "Items",
        "method": "Method and settings",
        "method_note": "Everything needed to recompute every number in this report:",
        "recompute": "Recompute the scores from the responses file with:",
        "notes": "Notes from the scoring",
        "generated": "Generated by wmm {version}.",
        "none": "–",
    },
    "de": {
        "title": "Bericht zur Reife des Arbeitsmanagements",
        "subtitle": "{questionnaire} · {respondents} Antwortende in {units} Einheiten",
        "contents": "Inhalt",
        "glance": "Auf einen Blick",
        "overall": "Gesamt",
        "outcome": "Ergebnisaussagen",
        "start_with": "Beginnen mit",
        "respondents": "Antwortende",
        "units": "Einheiten",
        "components": "Komponenten",
        "principles": "Prinzipien",
        "indices": "Gesamtwert und Indizes",
        "dimension": "Dimension",
        "component": "Komponente",
        "principle": "Prinzip",
        "mean": "Mittelwert",
        "interval": "{p}-%-Intervall",
        "level": "Stufe",
        "level_confidence": "Stufe (Wahrscheinlichkeit)",
        "level_range": "Stufenbereich",
        "likely": "zu {p} wahrscheinlich {level}",
        "to": "{low} bis {high}",
        "target": "Ziel",
        "gap": "Abstand zum Ziel",
        "gap_below": "{gap} darunter [{low}, {high}]",
        "gap_reached": "{gap} darüber [{low}, {high}]",
        "p_target": "Wahrscheinlichkeit Ziel erreicht",
        "suppressed": "unterdrückt",
        "suppressed_note": (
            "Gruppen mit weniger als {m} Antwortenden zeigen keine Kennzahlen, ebenso Gruppen, aus "
            "denen sich eine kleinere Gruppe über die Summen errechnen ließe (Datenschutzregel)."
        ),
        "too_few": (
            "Die Organisation hat weniger als {m} Antwortende mit Werten; ohne einzelne Antworten "
            "offenzulegen, lassen sich keine Ergebnisse zeigen."
        ),
        "heatmap": "Einheiten und Komponenten",
        "heatmap_by": "Gruppen nach {group} und Komponenten",
        "heatmap_caption": (
            "Mittelwert je Einheit und Komponente. Gestrichelte, ungefärbte Zellen sind unterdrückt "
            "(weniger als {m} Antwortende oder zum Schutz einer solchen Gruppe)."
        ),
        "whole_org": "Gesamte Organisation",
        "participation": "Beteiligung",
        "unit": "Einheit",
        "disagreement": "Aussagen zum Besprechen",
        "disagreement_note": (
            "Uneinigkeit reicht von 0 (alle antworteten gleich) bis 1 (zwei gleich große Lager an "
            "den Enden der Skala). Die Aussagen sind nach Uneinigkeit × Abstand zum Ziel oder zur "
            "nächsten Stufe geordnet, wie in der Gesprächsliste des Dashboards."
        ),
        "statement": "Aussage",
        "disagreement_col": "Uneinigkeit",
        "distribution": "Antworten je Aussage",
        "distribution_note": (
            "Anteil der Antworten auf der Skala („weiß nicht“, „nicht anwendbar“ und übersprungene "
            "Antworten werden getrennt gezählt). Umgekehrt gepolte Aussagen sind mit ↺ markiert: "
            "Zustimmung senkt den Wert."
        ),
        "answers": "Antworten",
        "dont_know": "Weiß nicht",
        "not_applicable": "n. a.",
        "skipped": "Übersprungen",
        "recommendations": "Empfehlungen",
        "focus_intro": "Zuerst an {component} arbeiten.",
        "reason_weakest": "Sie hat den niedrigsten Mittelwert der Komponenten.",
        "reason_upstream": (
            "Ihr Intervall überlappt das der schwächsten Komponente ({weakest}), und sie steht im "
            "Schwungrad Klarheit → Koordination → Fertigstellung weiter vorn; ihre Verbesserung "
            "hilft auch den folgenden Komponenten."
        ),
        "reason_close": "Ihr Intervall überlappt das der schwächsten Komponente ({weakest}).",
        "reason_next": "Sie liegt deutlich über der schwächsten Komponente.",
        "next_level": "Von {from_level} zu {to_level}: Maßnahmen",
        "next_looks_like": "So sieht {level} aus",
        "priority_order": "Reihenfolge der Komponenten",
        "rank": "Rang",
        "why": "Begründung",
        "top_level": "Alle Komponenten mit Ergebnissen sind auf der höchsten Stufe; die Praktiken beibehalten, die dorthin geführt haben.",
        "no_recommendations": "Es gibt keine Ergebnisse der Komponenten, auf die sich eine Empfehlung stützen könnte.",
        "change": "Veränderung seit der letzten Befragung",
        "change_note": (
            "Mittelwerte der Organisation; Differenz mit Welch-{p}-%-Intervall und Hedges' g mit "
            "Intervall, auf den Aussagen, die beide Befragungen teilen. Das Intervall behandelt die "
            "Antwortenden als unabhängig und übergeht ihre Gruppierung in Einheiten; es ist daher "
            "etwas zu schmal."
        ),
        "compared_with": "Verglichen mit {previous}.",
        "overlap": (
            "Verglichen auf den {n} Aussagen, die {old} und {new} gemeinsam haben; nicht verglichen: "
            "{only_new} aus {new}, {only_old} aus {old}."
        ),
        "overlap_same": "Beide Befragungen beantworteten {new}: alle {n} Aussagen werden verglichen.",
        "previous": "Vorher",
        "current": "Jetzt",
        "difference": "Differenz",
        "hedges": "Hedges' g",
        "benchmark": "Vergleich mit anderen Organisationen",
        "benchmark_note": (
            "Perzentilrang unter {orgs} anderen Organisationen: Anteil derer mit niedrigerem "
            "Mittelwert (Gleichstände zur Hälfte). Der Bereich in Klammern ist der Rang der Enden "
            "des Intervalls dieser Organisation."
        ),
        "percentile": "Perzentilrang",
        "organisations": "Organisationen",
        "pooled": "Deren Median [p25, p75]",
        "versions": "Versionen",
        "actions": "Maßnahmenplan",
        "title_col": "Maßnahme",
        "owner": "Verantwortlich",
        "due": "Fällig",
        "status": "Status",
        "reliability": "Reliabilität",
        "reliability_note": (
            "Cronbachs Alpha mit Feldt-Intervall (Konsistenz der Aussagen einer Dimension); ICC(1) "
            "(Anteil der Varianz zwischen Einheiten) und ICC(2) (Reliabilität der "
            "Einheiten-Mittelwerte)."
        ),
        "alpha": "Alpha",
        "items": "Aussagen",
        "method": "Methode und Einstellungen",
        "method_note": "Alles, was nötig ist, um jede Zahl dieses Berichts nachzurechnen:",
        "recompute": "Die Werte aus der Antwortdatei neu berechnen mit:",
        "notes": "Hinweise der Auswertung",
        "generated": "Erstellt mit wmm {version}.",
        "none": "–",
    },
}


def _e(value: object) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def _finite(value: object) -> bool:
    try:
        return value is not None and value is not pd.NA and math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _float(value: object) -> float:
    return float(value) if _finite(value) else math.nan  # type: ignore[arg-type]


class _Words:
    """The report's own words and number formats in one language (English when not translated)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in _TEXT else "en"
        self.table = _TEXT[self.language]

    def __call__(self, key: str, **values: object) -> str:
        return self.table[key].format(**values)

    def num(self, value: object, digits: int = 2) -> str:
        if not _finite(value):
            return self.table["none"]
        text = f"{float(value):.{digits}f}"  # type: ignore[arg-type]
        return text.replace(".", ",") if self.language == "de" else text

    def pct(self, probability: object) -> str:
        """A probability as a whole percentage, never claiming certainty (>99% / <1%)."""
        if not _finite(probability):
            return self.table["none"]
        p = 100.0 * float(probability)  # type: ignore[arg-type]
        sep = "\u202f" if self.language == "de" else ""
        if p > 99.5:
            return f">99{sep}%"
        if p < 0.5:
            return f"<1{sep}%"
        return f"{round(p)}{sep}%"


# --- SVG helpers --------------------------------------------------------------------------------


def _mix(low: tuple[int, int, int], high: tuple[int, int, int], t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    r, g, b = (round(a + (b - a) * t) for a, b in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _luminance(colour: str) -> float:
    """Relative luminance of a ``#rrggbb`` colour (WCAG 2)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _white_reads_better(fill: str) -> bool:
    """Whether white text contrasts more with ``fill`` than the dark ink (#1f2933) does."""
    lum = _luminance(fill)
    ink = _luminance("#1f2933")
    return (1.05 / (lum + 0.05)) > ((lum + 0.05) / (ink + 0.05))


def _answer_colours(n_options: int) -> list[str]:
    """Diverging colours for the answer options, lowest (disagree) first."""
    colours = []
    for i in range(n_options):
        t = i / (n_options - 1)
        if t < 0.5:
            colours.append(_mix(_DISAGREE, _NEUTRAL, t / 0.5))
        else:
            colours.append(_mix(_NEUTRAL, _AGREE, (t - 0.5) / 0.5))
    return colours


def _svg(width: int, height: int, label: str, body: Sequence[str]) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_e(label)}"><title>{_e(label)}</title>' + "".join(body) + "</svg>"
    )


def _text(
    x: float, y: float, content: str, *, anchor: str = "start", css: str = "", size: int = 0
) -> str:
    attrs = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
    if css:
        attrs += f' class="{css}"'
    if size:
        attrs += f' style="font-size:{size}px"'
    return f"<text {attrs}>{_e(content)}</text>"


class _Scale:
    """Maps the answer scale (and the level thresholds) to x positions."""

    def __init__(self, questionnaire: Questionnaire, x0: float, x1: float) -> None:
        self.lo = float(questionnaire.scale.minimum)
        self.hi = float(questionnaire.scale.maximum)
        self.x0, self.x1 = x0, x1
        self.levels = sorted(questionnaire.levels, key=lambda lv: lv.level)

    def x(self, value: float) -> float:
        v = min(max(value, self.lo), self.hi)
        return self.x0 + (v - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)


def _estimate_chart(
    rows: Sequence[Mapping[str, Any]],
    questionnaire: Questionnaire,
    words: _Words,
    *,
    label: str,
    style: str,
) -> str:
    """Means with interval whiskers, one row per dimension, over the level bands.

    ``style`` is ``dot`` (components) or ``bar`` (principles). Each row mapping has ``name``,
    ``mean``, ``ci_low``, ``ci_high``, ``summary`` (tooltip) and optionally ``target_threshold``.
    """
    width, left, right_pad, top, row_h = 760, 220, 60, 34, 34
    scale = _Scale(questionnaire, left, width - right_pad)
    height = top + row_h * len(rows) + 30
    body: list[str] = []
    bottom = top + row_h * len(rows)
    for i, level in enumerate(scale.levels):
        start = level.threshold
        end = scale.levels[i + 1].threshold if i + 1 < len(scale.levels) else scale.hi
        x_start, x_end = scale.x(start), scale.x(end)
        fill = _LEVEL_FILLS[min(i, len(_LEVEL_FILLS) - 1)]
        if style == "dot":
            body.append(
                f'<rect x="{x_start:.1f}" y="{top}" width="{x_end - x_start:.1f}" '
                f'height="{row_h * len(rows)}" fill="{fill}" />'
            )
        else:
            body.append(
                f'<line class="grid" x1="{x_start:.1f}" y1="{top}" x2="{x_start:.1f}" y2="{bottom}" />'
            )
        name = questionnaire.level_name(level.level, words.language)
        body.append(
            _text((x_start + x_end) / 2, top - 10, name, anchor="middle", css="muted", size=11)
        )
    for value in range(int(scale.lo), int(scale.hi) + 1):
        x = scale.x(value)
        body.append(
            f'<line class="axis" x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}" />'
        )
        body.append(_text(x, bottom + 18, words.num(value, 0), anchor="middle", css="muted"))
    body.append(
        f'<line class="axis" x1="{left}" y1="{bottom}" x2="{width - right_pad}" y2="{bottom}" />'
    )
    for i, row in enumerate(rows):
        y = top + row_h * i + row_h / 2
        body.append("<g>")
        body.append(f"<title>{_e(row['summary'])}</title>")
        body.append(_text(left - 10, y + 4, row["name"], anchor="end"))
        mean = _float(row.get("mean"))
        if math.isnan(mean):
            body.append(_text(left + 8, y + 4, words("suppressed"), css="muted"))
            body.append("</g>")
            continue
        low, high = _float(row.get("ci_low")), _float(row.get("ci_high"))
        if style == "bar":
            body.append(
                f'<rect class="bar" x="{left}" y="{y - 8:.1f}" width="{scale.x(mean) - left:.1f}" height="16" />'
            )
        if not math.isnan(low) and not math.isnan(high):
            xl, xh = scale.x(low), scale.x(high)
            body.append(
                f'<line class="whisker" x1="{xl:.1f}" y1="{y:.1f}" x2="{xh:.1f}" y2="{y:.1f}" />'
            )
            for x in (xl, xh):
                body.append(
                    f'<line class="whisker" x1="{x:.1f}" y1="{y - 6:.1f}" x2="{x:.1f}" y2="{y + 6:.1f}" />'
                )
        if style == "dot":
            body.append(f'<circle class="dot" cx="{scale.x(mean):.1f}" cy="{y:.1f}" r="6" />')
        target = _float(row.get("target_threshold"))
        if not math.isnan(target):
            xt = scale.x(target)
            body.append(f'<path class="target" d="M{xt:.1f} {y - 15:.1f} l5 -7 h-10 z" />')
        body.append(_text(width - right_pad + 8, y + 4, words.num(mean)))
        body.append("</g>")
    return _svg(width, height, label, body)


def _heatmap(
    scores: pd.DataFrame,
    group_column: str,
    components: Sequence[tuple[str, str]],
    questionnaire: Questionnaire,
    words: _Words,
) -> str:
    """Unit × component means; suppressed cells dashed, uncoloured and without a number."""
    component_rows = scores[scores["dimension_type"] == "component"]
    groups = [g for g in pd.unique(component_rows[group_column].astype(str)) if g != TOTAL_LABEL]
    groups = [TOTAL_LABEL, *sorted(groups, key=str.casefold)]
    left, top, cell_w, cell_h = 200, 46, 104, 26
    width = left + cell_w * len(components) + 10
    height = top + cell_h * len(groups) + 10
    lookup = {
        (str(r[group_column]), str(r["dimension"])): r for r in component_rows.to_dict("records")
    }
    lo, hi = float(questionnaire.scale.minimum), float(questionnaire.scale.maximum)
    body: list[str] = []
    for j, (_, name) in enumerate(components):
        x = left + cell_w * j + cell_w / 2
        parts = name.split(" ", 1) if len(name) > 13 else [name]
        for k, part in enumerate(parts):
            body.append(
                _text(x, top - 8 - 14 * (len(parts) - 1 - k), part, anchor="middle", size=11)
            )
    for i, group in enumerate(groups):
        y = top + cell_h * i
        shown = words("whole_org") if group == TOTAL_LABEL else group
        body.append(_text(left - 8, y + cell_h / 2 + 4, shown, anchor="end"))
        for j, (component, name) in enumerate(components):
            x = left + cell_w * j
            row = lookup.get((group, component))
            mean = _float(row["mean"]) if row is not None else math.nan
            suppressed = row is None or bool(row.get("suppressed")) or math.isnan(mean)
            rect = f'x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}"'
            if suppressed:
                n = row.get("n") if row is not None else None
                tip = f"{shown} · {name}: {words('suppressed')}" + (
                    f" (n = {int(n)})" if _finite(n) else ""
                )
                body.append(f'<g><title>{_e(tip)}</title><rect class="cell-suppressed" {rect} />')
                body.append(
                    _text(
                        x + cell_w / 2,
                        y + cell_h / 2 + 4,
                        words("none"),
                        anchor="middle",
                        css="muted",
                    )
                )
                body.append("</g>")
                continue
            t = (mean - lo) / (hi - lo)
            fill = _mix(_HEAT_LOW, _HEAT_HIGH, t)
            css = "cell-text-dark" if _white_reads_better(fill) else ""
            tip = (
                f"{shown} · {name}: {words.num(mean)} [{words.num(row['ci_low'])}, "
                f"{words.num(row['ci_high'])}], n = {int(row['n'])}"
            )
            body.append(f'<g><title>{_e(tip)}</title><rect {rect} fill="{fill}" />')
            body.append(
                _text(x + cell_w / 2, y + cell_h / 2 + 4, words.num(mean), anchor="middle", css=css)
            )
            body.append("</g>")
    label = words("heatmap") if group_column == "unit" else words("heatmap_by", group=group_column)
    return _svg(width, height, label, body)


def _likert_bar(counts: Sequence[float], labels: Sequence[str], words: _Words) -> str:
    """A diverging stacked bar of one statement's answers (shares of the answers on the scale)."""
    width, height, half = 300, 18, 150.0
    total = float(sum(counts))
    if total <= 0:
        return ""
    colours = _answer_colours(len(counts))
    shares = [c / total for c in counts]
    k = len(counts)
    middle = k // 2 if k % 2 else None
    lower = list(range(k // 2))
    upper = list(range(k - k // 2, k))
    segments: list[tuple[int, float, float]] = []  # option, x, width
    left_edge = half
    right_edge = half
    if middle is not None:
        w = shares[middle] * half
        segments.append((middle, half - w / 2, w))
        left_edge -= w / 2
        right_edge += w / 2
    for option in reversed(lower):
        w = shares[option] * half
        left_edge -= w
        segments.append((option, left_edge, w))
    for option in upper:
        w = shares[option] * half
        segments.append((option, right_edge, w))
        right_edge += w
    body = []
    for option, x, w in segments:
        if w <= 0:
            continue
        tip = f"{labels[option]}: {int(counts[option])} ({words.pct(shares[option])})"
        body.append(
            f'<rect x="{x:.2f}" y="2" width="{w:.2f}" height="{height - 4}" fill="{colours[option]}">'
            f"<title>{_e(tip)}</title></rect>"
        )
    body.append(f'<line class="axis" x1="{half}" y1="0" x2="{half}" y2="{height}" />')
    label = "; ".join(f"{labels[i]} {words.pct(s)}" for i, s in enumerate(shares))
    return _svg(width, height, label, body)


def _percentile_chart(rows: Sequence[Mapping[str, Any]], words: _Words) -> str:
    """Percentile ranks 0..100 with the interval from the organisation's own interval."""
    width, left, right_pad, top, row_h = 760, 220, 60, 16, 28
    x0, x1 = left, width - right_pad
    height = top + row_h * len(rows) + 26
    bottom = top + row_h * len(rows)

    def x(value: float) -> float:
        return x0 + min(max(value, 0.0), 100.0) / 100.0 * (x1 - x0)

    body: list[str] = []
    for tick in (0, 25, 50, 75, 100):
        body.append(
            f'<line class="grid" x1="{x(tick):.1f}" y1="{top}" x2="{x(tick):.1f}" y2="{bottom}" />'
        )
        body.append(_text(x(tick), bottom + 16, str(tick), anchor="middle", css="muted"))
    for i, row in enumerate(rows):
        y = top + row_h * i + row_h / 2
        body.append("<g>")
        body.append(f"<title>{_e(row['summary'])}</title>")
        body.append(_text(left - 10, y + 4, row["name"], anchor="end"))
        rank = _float(row["percentile"])
        if not math.isnan(rank):
            low, high = _float(row["percentile_low"]), _float(row["percentile_high"])
            if not math.isnan(low) and not math.isnan(high):
                body.append(
                    f'<line class="whisker" x1="{x(low):.1f}" y1="{y:.1f}" x2="{x(high):.1f}" y2="{y:.1f}" />'
                )
            body.append(f'<circle class="dot" cx="{x(rank):.1f}" cy="{y:.1f}" r="6" />')
            body.append(_text(x1 + 8, y + 4, words.num(rank, 0)))
        body.append("</g>")
    return _svg(width, height, words("percentile"), body)


# --- content ------------------------------------------------------------------------------------


class _Report:
    """Builds the sections of one report."""

    def __init__(
        self,
        result: ScoreResult,
        questionnaire: Questionnaire,
        metadata: Mapping[str, Any],
        *,
        language: str,
        group_column: str,
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

    # names and rows -----------------------------------------------------------------------------

    def name(self, dimension: str, dimension_type: str = "") -> str:
        if dimension in self.names:
            return self.names[dimension]
        if dimension_type == "overall":
            return self.words("overall")
        return dimension

    def org_rows(
        self, dimension_type: str, order: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        rows = self.org[self.org["dimension_type"] == dimension_type].to_dict("records")
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
        if not _finite(row.get("level")):
            return self.words("none")
        return self.words(
            "likely",
            p=self.words.pct(row.get("level_probability")),
            level=self.level_text(row["level"]),
        )

    def interval(self, row: Mapping[str, Any]) -> str:
        if not _finite(row.get("ci_low")) or not _finite(row.get("ci_high")):
            return self.words("none")
        return f"[{self.words.num(row['ci_low'])}, {self.words.num(row['ci_high'])}]"

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
        component_rows = self.org_rows("component")
        focus = (
            prioritise_components(pd.DataFrame(component_rows), cycle=flywheel(self.q).cycle)
            if component_rows
            else []
        )
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

    def dimension_table(self, rows: Sequence[Mapping[str, Any]], first_header: str) -> str:
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
        for row in rows:
            name = self.name(str(row["dimension"]), str(row["dimension_type"]))
            n = int(row["n"]) if _finite(row.get("n")) else 0
            if not _finite(row.get("mean")):
                span = len(head) - 2
                out.append(
                    f'<tr><td>{_e(name)}</td><td class="num">{n}</td>'
                    f'<td class="suppressed" colspan="{span}">{_e(w("suppressed"))}</td></tr>'
                )
                continue
            level_range = w(
                "to",
                low=self.level_text(row.get("level_low")),
                high=self.level_text(row.get("level_high")),
            )
            cells = [
                f"<td>{_e(name)}</td>",
                f'<td class="num">{n}</td>',
                f'<td class="num">{_e(w.num(row["mean"]))}</td>',
                f'<td class="num">{_e(self.interval(row))}</td>',
                f"<td>{_e(self.likely(row))}</td>",
                f"<td>{_e(level_range)}</td>",
            ]
            if targets:
                cells += self._target_cells(row)
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        return "".join(out)

    def _target_cells(self, row: Mapping[str, Any]) -> list[str]:
        w = self.words
        if not _finite(row.get("target")):
            return [f"<td>{_e(w('none'))}</td>"] * 3
        gap = _float(row.get("gap"))
        low, high = row.get("gap_ci_low"), row.get("gap_ci_high")
        if math.isnan(gap):
            gap_text = w("none")
        elif gap > 0:
            gap_text = w("gap_below", gap=w.num(gap), low=w.num(low), high=w.num(high))
        else:
            # Above the target: show the distance above it, so the interval is negated and swapped.
            gap_text = w(
                "gap_reached", gap=w.num(-gap), low=w.num(-_float(high)), high=w.num(-_float(low))
            )
        return [
            f"<td>{_e(self.level_text(row['target']))}</td>",
            f"<td>{_e(gap_text)}</td>",
            f'<td class="num">{_e(w.pct(row.get("p_target")))}</td>',
        ]

    def chart_rows(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "name": self.name(str(r["dimension"]), str(r["dimension_type"])),
                "mean": r.get("mean"),
                "ci_low": r.get("ci_low"),
                "ci_high": r.get("ci_high"),
                "target_threshold": r.get("target_threshold"),
                "summary": self.summary(r),
            }
            for r in rows
        ]

    def components_section(self) -> str:
        w = self.words
        rows = self.org_rows("component", [c.id for c in self.q.components])
        chart = _estimate_chart(
            self.chart_rows(rows), self.q, w, label=w("components"), style="dot"
        )
        return f"<figure>{chart}</figure>" + self.dimension_table(rows, w("component"))

    def principles_section(self) -> str:
        w = self.words
        rows = self.org_rows("principle", [p.id for p in self.q.principles])
        chart = _estimate_chart(
            self.chart_rows(rows), self.q, w, label=w("principles"), style="bar"
        )
        return f"<figure>{chart}</figure>" + self.dimension_table(rows, w("principle"))

    def indices_section(self) -> str:
        rows = self.org_rows("overall") + self.org_rows(
            "index", [i.id for i in self.q.scoring.indices]
        )
        if not rows:
            return ""
        notes = []
        for index in self.q.scoring.indices:
            if index.description:
                notes.append(
                    f'<p class="note"><strong>{_e(self.q.text(index.name, self.lang))}</strong>: '
                    f"{_e(self.q.text(index.description, self.lang))}</p>"
                )
        return self.dimension_table(rows, self.words("dimension")) + "".join(notes)

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
        w = self.words
        components = [(c.id, self.q.text(c.name, self.lang)) for c in self.q.components]
        heatmap = _heatmap(self.result.scores, self.group_column, components, self.q, w)
        caption = _e(w("heatmap_caption", m=self.m))
        rows = "".join(
            f'<tr><td>{_e(unit)}</td><td class="num">{int(count)}</td></tr>'
            for unit, count in self.unit_counts().items()
        )
        participation = (
            f"<h3>{_e(w('participation'))}</h3><table><thead><tr><th>{_e(self.group_heading)}</th>"
            f'<th class="num">{_e(w("respondents"))}</th></tr></thead><tbody>{rows}</tbody></table>'
        )
        return f"<figure>{heatmap}<figcaption>{caption}</figcaption></figure>{participation}"

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
        """The organisation's statements to discuss: `assessment.results.discussion.discussion_queue`,
        the dashboard's ranking (disagreement × gap), so both list the same statements in order."""
        return discussion_queue(
            self.result.items,
            self.org,
            self.q,
            group_column=self.group_column,
            label=TOTAL_LABEL,
            language=self.lang,
            limit=TOP_DISAGREEMENTS,
        )

    def disagreement_section(self) -> str:
        w = self.words
        top = self.discussion()
        if top.empty:
            return ""
        body = []
        for row in top.to_dict("records"):
            text, component = self.statement(str(row["item"]))
            body.append(
                f'<tr><td>{_e(text)}<br><span class="note">{_e(row["item"])} · {_e(component)}</span></td>'
                f'<td class="num">{_e(w.num(row["disagreement"]))}</td><td class="bar-cell">{self.bar(row)}</td></tr>'
            )
        return (
            f'<p class="note">{_e(w("disagreement_note"))}</p><table><thead><tr><th>{_e(w("statement"))}</th>'
            f'<th class="num">{_e(w("disagreement_col"))}</th><th>{_e(w("answers"))}</th></tr></thead>'
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

    def bar(self, row: Mapping[str, Any]) -> str:
        values = range(self.q.scale.minimum, self.q.scale.maximum + 1)
        counts = [_float(row.get(f"count_{v}")) for v in values]
        counts = [0.0 if math.isnan(c) else c for c in counts]
        return _likert_bar(counts, self.option_labels(), self.words)

    def distribution_section(self) -> str:
        w = self.words
        rows = self.item_rows()
        if rows.empty:
            return ""
        by_item = {str(r["item"]): r for r in rows.to_dict("records")}
        colours = _answer_colours(len(self.q.scale.options))
        legend = "".join(
            f'<span><i class="swatch" style="background:{c}"></i>{_e(label)}</span>'
            for c, label in zip(colours, self.option_labels(), strict=True)
        )
        parts = [f'<p class="note">{_e(w("distribution_note"))}</p><p class="legend">{legend}</p>']
        groups: list[tuple[str, list[str]]] = [
            (self.q.text(c.name, self.lang), [i.id for i in self.q.items_of_component(c.id)])
            for c in self.q.components
        ]
        if self.q.outcomes:
            groups.append((self.words("outcome"), [o.id for o in self.q.outcomes]))
        for title, item_ids in groups:
            body = []
            for item_id in item_ids:
                row = by_item.get(item_id)
                text, _ = self.statement(item_id)
                if row is None:
                    body.append(
                        f'<tr><td>{_e(text)}</td><td class="suppressed" colspan="4">{_e(w("suppressed"))}</td></tr>'
                    )
                    continue
                answered = sum(
                    0 if not _finite(row.get(f"count_{v}")) else int(row[f"count_{v}"])
                    for v in range(self.q.scale.minimum, self.q.scale.maximum + 1)
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
                    f'<tr><td>{_e(text)}<br><span class="note">{_e(item_id)}</span></td><td class="bar-cell">{self.bar(row)}</td>'
                    f'<td class="num">{answered}</td><td class="note">{_e(extra)}</td></tr>'
                )
            parts.append(
                f"<h3>{_e(title)}</h3><table><thead><tr><th>{_e(w('statement'))}</th><th>{_e(w('answers'))}</th>"
                f'<th class="num">n</th><th></th></tr></thead><tbody>{"".join(body)}</tbody></table>'
            )
        return "".join(parts)

    def recommendations_section(self) -> str:
        w = self.words
        rows = pd.DataFrame(self.org_rows("component"))
        priorities = (
            prioritise_components(rows, cycle=flywheel(self.q).cycle) if not rows.empty else []
        )
        if not priorities:
            return f"<p>{_e(w('no_recommendations'))}</p>"
        weakest = next(p for p in priorities if p.reason == "weakest")
        weakest_name = self.name(weakest.component)
        parts = []
        chosen = recommend(rows, self.q, language=self.lang, limit=1)
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

    def overlap(self, common: CommonItemSpec) -> str:
        """Which statements the change is computed on, in the report's language."""
        n = len(common.new_ids)
        if common.new_key == common.old_key:
            return self.words("overlap_same", n=n, new=common.new_key)

        def count(ids: Sequence[str]) -> str:
            return f"{len(ids)} ({', '.join(ids)})" if ids else "0"

        return self.words(
            "overlap",
            n=n,
            old=common.old_key,
            new=common.new_key,
            only_new=count(common.only_new),
            only_old=count(common.only_old),
        )

    def change_section(self, waves: WaveScores, previous_name: str | None) -> str:
        w = self.words
        change = wave_change(
            waves,
            self.q,
            confidence=float(self.meta["confidence"]),
            dimension_types=("overall", "component", "principle", "index", "outcome"),
            language=self.lang,
        )
        if change.empty:
            return ""
        order = {
            (t, d): i
            for i, (t, d) in enumerate(
                [("overall", "")]
                + [("component", c.id) for c in self.q.components]
                + [("principle", p.id) for p in self.q.principles]
                + [("index", x.id) for x in self.q.scoring.indices]
            )
        }
        records = sorted(
            change.to_dict("records"),
            key=lambda r: order.get(
                (str(r["dimension_type"]), str(r["dimension"])),
                order.get((str(r["dimension_type"]), ""), len(order)),
            ),
        )
        body = []
        for r in records:
            name = self.name(str(r["dimension"]), str(r["dimension_type"]))
            body.append(
                f'<tr><td>{_e(name)}</td><td class="num">{_e(w.num(r["mean_before"]))}</td>'
                f'<td class="num">{_e(w.num(r["mean"]))}</td>'
                f'<td class="num">{_e(w.num(r["diff"]))} [{_e(w.num(r["diff_ci_low"]))}, {_e(w.num(r["diff_ci_high"]))}]</td>'
                f'<td class="num">{_e(w.num(r["g"]))} [{_e(w.num(r["g_ci_low"]))}, {_e(w.num(r["g_ci_high"]))}]</td></tr>'
            )
        against = w("compared_with", previous=previous_name) + " " if previous_name else ""
        return (
            f"<p>{_e(against)}{_e(self.overlap(waves.common))}</p>"
            f'<p class="note">{_e(w("change_note", p=self.confidence_pct))}</p><table><thead><tr>'
            f'<th>{_e(w("dimension"))}</th><th class="num">{_e(w("previous"))}</th>'
            f'<th class="num">{_e(w("current"))}</th><th class="num">{_e(w("difference"))}</th>'
            f'<th class="num">{_e(w("hedges"))}</th></tr></thead><tbody>{"".join(body)}</tbody></table>'
        )

    def benchmark_section(self, benchmark: pd.DataFrame) -> str:
        w = self.words
        if benchmark.empty:
            return ""
        rows = benchmark.to_dict("records")
        chart_rows = []
        body = []
        for r in rows:
            name = self.name(str(r["dimension"]), str(r["dimension_type"]))
            rank = (
                f"{w.num(r['percentile'], 0)} [{w.num(r['percentile_low'], 0)}, {w.num(r['percentile_high'], 0)}]"
                if _finite(r.get("percentile"))
                else w("none")
            )
            pooled = (
                f"{w.num(r['pooled_median'])} [{w.num(r['pooled_p25'])}, {w.num(r['pooled_p75'])}]"
                if _finite(r.get("pooled_median"))
                else w("none")
            )
            chart_rows.append({**r, "name": name, "summary": f"{name}: {rank}"})
            body.append(
                f'<tr><td>{_e(name)}</td><td class="num">{_e(w.num(r["mean"]))}</td>'
                f'<td class="num">{_e(rank)}</td><td class="num">{int(r["n_orgs"])}</td>'
                f'<td class="num">{_e(pooled)}</td><td>{_e(r.get("versions", ""))}</td></tr>'
            )
        orgs = int(benchmark["n_orgs"].max()) if len(benchmark) else 0
        return (
            f'<p class="note">{_e(w("benchmark_note", orgs=orgs))}</p>'
            f"<figure>{_percentile_chart(chart_rows, w)}</figure>"
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
        w = self.words
        stats = self.result.stats
        if stats.empty:
            return ""
        body = []
        for r in stats.to_dict("records"):
            name = self.name(str(r["dimension"]), str(r.get("dimension_type", "")))
            alpha = w.num(r.get("alpha"))
            if _finite(r.get("alpha")) and _finite(r.get("alpha_ci_low")):
                alpha += f" [{w.num(r['alpha_ci_low'])}, {w.num(r['alpha_ci_high'])}]"
            body.append(
                f'<tr><td>{_e(name)}</td><td class="num">{_e(alpha)}</td>'
                f'<td class="num">{_e(w.num(r.get("icc1")))}</td><td class="num">{_e(w.num(r.get("icc2")))}</td>'
                f'<td class="num">{_e(r.get("n_respondents", ""))}</td><td class="num">{_e(r.get("n_units", ""))}</td>'
                f'<td class="num">{_e(r.get("n_items", ""))}</td></tr>'
            )
        return (
            f'<p class="note">{_e(w("reliability_note"))}</p><table><thead><tr><th>{_e(w("dimension"))}</th>'
            f'<th class="num">{_e(w("alpha"))}</th><th class="num">ICC(1)</th><th class="num">ICC(2)</th>'
            f'<th class="num">{_e(w("respondents"))}</th><th class="num">{_e(w("units"))}</th>'
            f'<th class="num">{_e(w("items"))}</th></tr></thead><tbody>{"".join(body)}</tbody></table>'
        )

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
                + "".join(f"<li>{_e(n)}</li>" for n in self.result.notes)
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
    benchmark: pd.DataFrame | None = None,
    group_column: str | None = None,
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
    benchmark : the output of `assessment.outputs.benchmark.compare`
    group_column : the group column of the result's frames (default: the metadata's ``by``)

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
    report = _Report(result, questionnaire, metadata, language=language, group_column=group_column)
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
        if waves is not None:
            change = report.change_section(waves, previous_name)
            if change:
                sections.append(("change", w("change"), change))
        if benchmark is not None:
            bench = report.benchmark_section(benchmark)
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
