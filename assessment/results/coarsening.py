"""A response table's breakdowns coarsened before anything is computed from them (DESIGN §7).

Units, every demographic (the role) and languages: groups under the minimum are pooled, and each
demographic is pooled further so that no difference with the units exposes fewer than k people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from assessment.questionnaire.model import Questionnaire
from assessment.responses_csv import ResponseTable
from scoring.partitions import (
    OTHER_LANGUAGES,
    OTHER_ROLES,
    OTHER_UNITS,
    Coarsening,
    coarsen,
    protect_differences,
)

#: The group of respondents who did not give a demographic (when scoring or counting by it).
NOT_GIVEN = "(not given)"
#: The language label of respondents whose language is unknown.
UNKNOWN_LANGUAGE = "(unknown)"


def other_label(breakdown: str) -> str:
    """The pooled group's label of a breakdown: ``(other units)``, ``(other roles)``, ..."""
    if breakdown == "unit":
        return OTHER_UNITS
    if breakdown == "role":
        return OTHER_ROLES
    if breakdown == "language":
        return OTHER_LANGUAGES
    return f"(other {breakdown} groups)"


def given(values: np.ndarray, missing: str = NOT_GIVEN) -> np.ndarray:
    """The labels with missing answers as their own group ``missing``."""
    out = np.asarray(values, dtype=object).copy()
    out[pd.isna(out)] = missing
    return out


@dataclass(frozen=True)
class Pooling:
    """What one breakdown's coarsening pooled and why (for the page and the notes)."""

    breakdown: str
    pooled: tuple[str, ...]
    pooled_label: str
    protected: int
    reason: str

    @classmethod
    def of(cls, breakdown: str, coarsening: Coarsening) -> Pooling:
        return cls(
            breakdown,
            coarsening.pooled,
            coarsening.pooled_label,
            coarsening.protected,
            coarsening.reason,
        )

    @property
    def note(self) -> str:
        return f"{self.breakdown}: {self.reason}" if self.reason else ""


def coarsen_units(units: np.ndarray, *, min_group_size: int) -> tuple[np.ndarray, list[Pooling]]:
    """Units with every group under ``min_group_size`` pooled into ``(other units)``."""
    result = coarsen(given(units), min_group_size=min_group_size, other_label=OTHER_UNITS)
    return result.labels, [Pooling.of("unit", result)] if result.pooled else []


def coarsen_secondary(
    units: np.ndarray, values: np.ndarray, breakdown: str, *, min_group_size: int
) -> tuple[np.ndarray, list[Pooling]]:
    """A breakdown other than units (``values`` with missing as ``(not given)``), pooled on its
    own (`scoring.partitions.coarsen`), then against the coarsened ``units``
    (`scoring.partitions.protect_differences`) so that no unit minus its groups, or group minus its
    units, holds fewer than k respondents."""
    label = other_label(breakdown)
    first = coarsen(given(values), min_group_size=min_group_size, other_label=label)
    second = protect_differences(
        units, first.labels, min_group_size=min_group_size, other_label=label
    )
    poolings = [Pooling.of(breakdown, c) for c in (first, second) if c.pooled]
    return second.labels, poolings


def pooled_head_counts(
    units: np.ndarray, coarse: np.ndarray, head_counts: Mapping[str, int] | None
) -> dict[str, int] | None:
    """Head-counts of the coarsened units: a pooled group's is the sum of its units' when every one
    is known (else unknown); units without respondents keep theirs."""
    if not head_counts:
        return None
    raw = np.asarray(units, dtype=object)
    out: dict[str, int] = {}
    members: dict[str, set[str]] = {}
    for original, label in zip(raw, coarse, strict=True):
        members.setdefault(str(label), set()).add(str(original))
    for label, originals in members.items():
        if all(o in head_counts for o in originals):
            out[label] = int(sum(head_counts[o] for o in originals))
    seen = {str(u) for u in raw}
    for unit, count in head_counts.items():
        if unit not in seen and unit not in out:
            out[unit] = count
    return out


@dataclass(frozen=True)
class CoarsenedTable:
    """A response table whose unit, demographic and language labels are the coarsened ones."""

    table: ResponseTable
    poolings: tuple[Pooling, ...]

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(p.note for p in self.poolings if p.note)


def coarsen_table(
    table: ResponseTable, questionnaire: Questionnaire, *, min_group_size: int
) -> CoarsenedTable:
    """The table with every breakdown coarsened: nothing computed from it can see a hidden group.

    Units are coarsened first (`coarsen_units`); each demographic and the language are then
    coarsened and protected against the units (`coarsen_secondary`). Respondents who skipped a
    demographic get ``(not given)`` (pooled like any group); an unknown language ``(unknown)``.
    """
    units, poolings = coarsen_units(table.unit, min_group_size=min_group_size)
    demographics = {}
    for demographic in questionnaire.demographics:
        values = table.demographics.get(demographic.id)
        if values is None:
            continue
        labels, more = coarsen_secondary(
            units, values, demographic.id, min_group_size=min_group_size
        )
        demographics[demographic.id] = labels
        poolings += more
    for key, values in table.demographics.items():
        demographics.setdefault(key, np.full(len(values), None, dtype=object))
    language, more = coarsen_secondary(
        units,
        given(table.language, UNKNOWN_LANGUAGE),
        "language",
        min_group_size=min_group_size,
    )
    poolings += more
    coarse = replace(table, unit=units, demographics=demographics, language=language)
    return CoarsenedTable(coarse, tuple(poolings))
