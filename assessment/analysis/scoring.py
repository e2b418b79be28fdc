"""Scoring a `ResponseTable` against its questionnaire: the spec, the pipeline and the metadata every output records.

Also the readable terminal table of scores a facilitator walks a group through (`format_scores_table`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from assessment import __version__
from assessment.analysis.spec import dimension_names, scoring_spec
from assessment.questionnaire.model import Questionnaire
from assessment.responses.wide_csv import ResponseTable
from assessment.results.coarsening import (
    NOT_GIVEN,
    coarsen_secondary,
    coarsen_units,
    pooling_notes,
    published_head_counts,
)
from assessment.runtime import single_threaded_blas
from scoring.pipeline import DRIVER_RESAMPLES, PARTS, OrgInterval, ScoreResult, score
from scoring.suppression import TOTAL_LABEL

__all__ = ["NOT_GIVEN", "ScoredTable", "format_scores_table", "score_table"]


@dataclass(frozen=True)
class ScoredTable:
    """Scores of a table and the metadata that makes them reproducible.

    ``metadata`` holds ``questionnaire`` (``id@version``), ``questionnaire_id``,
    ``questionnaire_version``, ``questionnaire_sha256``, ``confidence``, ``min_group_size``,
    ``min_item_coverage``, ``method``, ``by``, ``n_respondents``, ``generated_at`` (UTC, ISO 8601)
    and ``generator`` (``wmm <version>``).
    """

    result: ScoreResult
    metadata: dict[str, Any]

    @property
    def group_column(self) -> str:
        return str(self.metadata["by"])


def score_table(
    table: ResponseTable,
    questionnaire: Questionnaire,
    *,
    by: str = "unit",
    confidence: float | None = None,
    min_group_size: int | None = None,
    min_item_coverage: float | None = None,
    method: Literal["t", "bca"] = "t",
    org_interval: OrgInterval = "as-surveyed",
    head_counts: Mapping[str, int] | None = None,
    targets: Mapping[str, int] | None = None,
    sha256: str | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
    driver_resamples: int = DRIVER_RESAMPLES,
    parts: Collection[str] | None = None,
) -> ScoredTable:
    """Score ``table`` by unit (or a demographic such as ``role``) with the questionnaire's rules.

    Parameters
    ----------
    table : validated responses to ``questionnaire``
    questionnaire : the questionnaire the table answers
    by : ``unit``, or a demographic id of the questionnaire (``role``); respondents who did not
        give the demographic form the group ``(not given)``. Every breakdown is coarsened before
        anything is computed (DESIGN §7, docs/formats.md "Privacy model"): units under the minimum
        are pooled into ``(other units)`` (`scoring.partitions.coarsen`), a demographic's groups
        into ``(other roles)`` and further so that no difference with the units exposes fewer
        than the minimum (`scoring.partitions.protect_differences`); the organisation rows,
        ICCs, pooled estimates, agreement and drivers use the coarsened units. What was pooled
        and why is added to the result's ``notes``.
    confidence, min_group_size, min_item_coverage : override the questionnaire's settings
    method : ``t`` (t-intervals) or ``bca`` (BCa bootstrap intervals for the group rows)
    org_interval : what the organisation row estimates: ``as-surveyed`` (the organisation as it
        was surveyed: stratified by unit, head-count weights, finite-population correction) or
        ``wider-pool`` (a wider pool of units like these: CR2, Bell–McCaffrey df); see
        docs/statistics.md
    head_counts : people per unit (finite-population correction; only when ``by="unit"``)
    targets : target level per dimension id (adds target, gap and p_target columns)
    sha256 : the questionnaire file's sha256 (default: looked up in the default registry)
    n_resamples, seed : bootstrap settings of the BCa intervals (the drivers' bootstrap uses the
        same seed)
    driver_resamples : bootstrap resamples of the key drivers' intervals (0: point estimates
        only, for callers that do not show the drivers)
    parts : the outputs to compute (`scoring.pipeline.PARTS`; default all): a command that writes
        only the scores, or the scores and stats, need not compute the rest

    Raises
    ------
    ValueError
        When the table answers another questionnaire, ``by`` is unknown, head-counts are given
        for a breakdown other than units, or the sha256 cannot be found.
    """
    if table.questionnaire != questionnaire.key:
        raise ValueError(
            f"the responses answer {table.questionnaire}, not {questionnaire.key}; score them "
            f"with {table.questionnaire}"
        )
    groups = _groups(table, questionnaire, by)
    if head_counts is not None and by != "unit":
        raise ValueError(f"head-counts are per unit; they cannot be used when scoring by {by!r}")
    spec = scoring_spec(
        questionnaire,
        confidence=confidence,
        min_group_size=min_group_size,
        min_item_coverage=min_item_coverage,
    )
    wanted = set(parts or PARTS)
    k = spec.min_group_size
    units, poolings = coarsen_units(table.unit, min_group_size=k)
    # Never an inconsistent head-count: a published unit with more respondents is a census.
    published = published_head_counts(table.unit, units, head_counts)
    unit_head_counts = published.counts
    if by == "unit":
        groups = units
    else:
        groups, more = coarsen_secondary(units, groups, by, min_group_size=k)
        poolings = poolings + more

    def run(labels: np.ndarray, group_column: str, outputs: set[str]) -> ScoreResult:
        return score(
            table.codes,
            labels,
            spec,
            group_column=group_column,
            head_counts=unit_head_counts if group_column == "unit" else None,
            targets=targets,
            method=method,
            org_interval=org_interval,
            n_resamples=n_resamples,
            seed=seed,
            duration_seconds=table.duration_seconds,
            driver_resamples=driver_resamples,
            parts=outputs,
        )

    with single_threaded_blas():
        if by == "unit":
            result = run(groups, by, wanted)
        else:
            # A breakdown takes its organisation rows and drivers from a scoring by unit, so the
            # drivers are not computed twice.
            result = _organisation_rows_across_units(
                run(groups, by, wanted - {"drivers"}),
                run(units, "unit", {"scores"} | (wanted & {"drivers"})),
                by,
            )
    notes = (*(o.note for o in published.over_counts), *pooling_notes(poolings))
    if notes:
        result = replace(result, notes=(*notes, *result.notes))
    metadata: dict[str, Any] = {
        "questionnaire": questionnaire.key,
        "questionnaire_id": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "questionnaire_sha256": sha256 or _registry_sha256(questionnaire),
        "confidence": spec.confidence,
        "min_group_size": spec.min_group_size,
        "min_item_coverage": spec.min_item_coverage,
        "method": method,
        "org_interval": org_interval,
        "by": by,
        "n_respondents": table.n_respondents,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "generator": f"wmm {__version__}",
    }
    return ScoredTable(result=result, metadata=metadata)


def _groups(table: ResponseTable, questionnaire: Questionnaire, by: str) -> np.ndarray:
    if by == "unit":
        return table.unit
    known = [d.id for d in questionnaire.demographics]
    if by not in known:
        raise ValueError(
            f"cannot score by {by!r}; expected 'unit' or a demographic of {questionnaire.key} "
            f"({', '.join(known) or 'none'})"
        )
    values = np.asarray(table.demographics[by], dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = NOT_GIVEN
    return values


def _organisation_rows_across_units(
    result: ScoreResult, by_unit: ScoreResult, by: str
) -> ScoreResult:
    """Replace the organisation rows of a breakdown by role (say) with those of ``by_unit``, the
    same answers scored by unit, and take its drivers (resampled by unit).

    docs/formats.md "Scores": the organisation row's se is cluster-robust across *units*, whatever the breakdown;
    clustering on the handful of role groups would give intervals on 3 or 4 df.
    """
    organisation = by_unit.scores[by_unit.scores["unit"] == TOTAL_LABEL].rename(
        columns={"unit": by}
    )
    scores = result.scores
    keep = scores[scores[by] != TOTAL_LABEL]
    common = [c for c in scores.columns if c in organisation.columns]
    merged = pd.concat([keep, organisation[common]], ignore_index=True)[list(scores.columns)]
    # The drivers too: resampling units, not the handful of role groups.
    return replace(result, scores=merged, drivers=by_unit.drivers)


def _registry_sha256(questionnaire: Questionnaire) -> str:
    from assessment.questionnaire import default_registry

    registry = default_registry()
    available = registry.keys()
    if questionnaire.key not in available:
        raise ValueError(
            f"the sha256 of {questionnaire.key} is unknown: it is not in the questionnaire folder "
            f"{registry.root}; pass sha256= (the file's sha256)"
        )
    return registry.sha256(questionnaire.key)


# -- the readable table ---------------------------------------------------------------------------


def format_scores_table(
    scored: ScoredTable | ScoreResult,
    questionnaire: Questionnaire,
    language: str | None = None,
    *,
    group_column: str | None = None,
    min_group_size: int | None = None,
    confidence: float | None = None,
) -> str:
    """The scores as text a facilitator can read out: the organisation first, then each group.

    For each group: its respondents, then one line per component (and the overall score, the
    indices and the outcome statements): mean, confidence interval, maturity level with the
    probability that the true mean lies in that level, and n. Suppressed groups show only
    ``suppressed (n<5)`` (or why a larger group is hidden too).
    """
    if isinstance(scored, ScoredTable):
        result, metadata = scored.result, scored.metadata
    else:
        result, metadata = scored, {}
    group_column = group_column or str(metadata.get("by", "unit"))
    rules = questionnaire.scoring
    minimum = int(min_group_size or metadata.get("min_group_size") or rules.min_group_size)
    level = float(confidence or metadata.get("confidence") or rules.confidence)
    names = dimension_names(questionnaire, language)
    frame = result.scores
    shown = frame[frame["dimension_type"].isin(["component", "overall", "index", "outcome"])]
    groups = [g for g in pd.unique(shown[group_column]) if g != TOTAL_LABEL]
    total = shown[shown[group_column] == TOTAL_LABEL]
    n_total = int(total["n"].max()) if len(total) else 0
    percent = f"{level * 100:g}%"
    title = "units" if group_column == "unit" else f"{group_column} groups"
    low, high = questionnaire.scale.minimum, questionnaire.scale.maximum
    lines = [
        f"{questionnaire.text(questionnaire.title, language)} ({questionnaire.key}): "
        f"{n_total} respondents, {len(groups)} {title}",
        f"Means on the {low}-{high} scale with {percent} confidence intervals. Level: the maturity "
        "level of the mean,",
        "with the probability that the true mean lies in that level.",
        f"Groups with fewer than {minimum} respondents are pooled with others before scoring;",
        "a dimension answered by too few is suppressed (no statistics shown).",
    ]
    shown_names = [names.get(d, d) for d in pd.unique(shown["dimension"])]
    width = max([len(n) for n in shown_names] + [len("dimension")]) + 2
    header = f"  {'dimension':<{width}}{'mean':>5}  {percent + ' CI':<14}{'level (probability)':<26}{'n':>5}"
    for label in [TOTAL_LABEL, *groups]:
        rows = shown[shown[group_column] == label]
        if rows.empty:
            continue
        heading = "Organisation, all respondents" if label == TOTAL_LABEL else str(label)
        n_group = int(rows["n"].max())
        lines.append("")
        if bool(rows["suppressed"].all()):
            lines.append(f"{heading}: {_suppressed_text(n_group, minimum)}")
            continue
        lines.append(f"{heading} (n={n_group})")
        lines.append(header)
        for row in rows.itertuples(index=False):
            name = names.get(row.dimension, row.dimension)
            if bool(row.suppressed):
                lines.append(f"  {name:<{width}}{_suppressed_text(int(row.n), minimum)}")
                continue
            lines.append(
                f"  {name:<{width}}{_number(row.mean):>5}  "
                f"{'[' + _number(row.ci_low) + ', ' + _number(row.ci_high) + ']':<14}"
                f"{_level_text(row.level, row.level_probability, questionnaire, language):<26}"
                f"{int(row.n):>5}"
            )
    if result.notes:
        lines.append("")
        lines.extend(
            textwrap.fill(f"Note: {note}", width=100, subsequent_indent="  ")
            for note in result.notes
        )
    return "\n".join(lines)


def _suppressed_text(n: int, minimum: int) -> str:
    if n < minimum:
        return f"suppressed (n<{minimum})"
    return f"suppressed (n={n}; hidden so that a smaller group cannot be worked out)"


def _number(value: object) -> str:
    if value is None or value is pd.NA:
        return "-"
    number = float(value)  # type: ignore[arg-type]
    return "-" if math.isnan(number) else f"{number:.2f}"


def _level_text(
    level: object, probability: object, questionnaire: Questionnaire, language: str | None
) -> str:
    if level is None or level is pd.NA or (isinstance(level, float) and math.isnan(level)):
        return "-"
    name = questionnaire.level_name(int(level), language)  # type: ignore[call-overload]
    p = float(probability) if probability is not None and probability is not pd.NA else math.nan  # type: ignore[arg-type]
    return f"{name} ({p * 100:.0f}%)" if not math.isnan(p) else name
