"""A response table's breakdowns coarsened before anything is computed from them (DESIGN §7).

Units, every demographic (the role) and languages: groups under the minimum are pooled, and each
demographic is pooled further so that no difference with the units exposes fewer than k people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from assessment import i18n
from assessment.i18n.notes import note_text
from assessment.questionnaire.model import Questionnaire
from assessment.responses.wide_csv import ResponseTable
from scoring.notes import Note, NoteValue, Word
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
    #: Why the groups were pooled (`scoring.notes.Note`); None when nothing was.
    why: Note | None

    @classmethod
    def of(cls, breakdown: str, coarsening: Coarsening) -> Pooling:
        return cls(
            breakdown,
            coarsening.pooled,
            coarsening.pooled_label,
            coarsening.protected,
            coarsening.note,
        )

    @property
    def reason(self) -> str:
        """Why the groups were pooled, in English; "" when nothing was."""
        return "" if self.why is None else str(self.why)

    @property
    def note(self) -> Note | None:
        """The breakdown and why it was pooled (``unit: pooled 1 unit with ...``); None when
        nothing was pooled."""
        if self.why is None:
            return None
        return Note(
            "pooled_breakdown",
            (("breakdown", Word(self.breakdown)), ("reason", self.why)),
            f"{self.breakdown}: {self.why}",
        )


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


@dataclass(frozen=True)
class OverCount:
    """A published group with more responses than its head-count (treated as a census of them).

    ``members`` are the units whose head-counts make the group's (the group itself for a unit that
    is published on its own).
    """

    label: str
    responses: int
    head_count: int
    members: tuple[str, ...]

    @property
    def note(self) -> Note:
        """The over-count as a note (``notes.over_count_unit`` or ``notes.over_count_group``),
        whose ``str()`` is its English line."""
        fields: dict[str, NoteValue] = {
            "label": self.label,
            "responses": self.responses,
            "head_count": self.head_count,
        }
        key = "over_count_unit"
        if self.members != (self.label,):
            key = "over_count_group"
            fields["members"] = ", ".join(self.members)
        return Note(key, tuple(fields.items()), i18n.text(f"notes.{key}", "en", **fields))

    def text(self, language: str | None = None) -> str:
        """One readable line in ``language``: "Marketing: 22 responses but a head-count of 21 —
        treated as 22; correct the head-count"."""
        return note_text(self.note, language)

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class PublishedHeadCounts:
    """Head-counts of the published (coarsened) units, made consistent with their respondents.

    Attributes
    ----------
    counts : people per published unit; None when no head-count is known
    over_counts : every published unit with more respondents than its head-count (`OverCount`;
        ``str()`` of one reads ``Marketing: 22 responses but a head-count of 21 — treated as 22;
        correct the head-count``); such a unit is scored as a census of its respondents
    """

    counts: dict[str, int] | None
    over_counts: tuple[OverCount, ...] = ()


def published_head_counts(
    units: np.ndarray, coarse: np.ndarray, head_counts: Mapping[str, int] | None
) -> PublishedHeadCounts:
    """Head-counts of the coarsened units, never smaller than their respondents.

    A pooled group's head-count is the sum of its units' when every one is known (else unknown);
    units without respondents keep theirs. A published group with more respondents n than its
    head-count N (one response more than the unit list says, which the survey accepts) is taken as
    a census, N = n, and named in ``over_counts``: the finite-population correction
    √((N − n)/(N − 1)) needs n ≤ N, and the results must not fail in front of a workshop.

    Notes
    -----
    The check runs on the *published* groups, so the warning names only numbers the results
    already show (a published group's respondents and head-count): a unit hidden in
    ``(other units)`` is never singled out by it (DESIGN §7).
    """
    if not head_counts:
        return PublishedHeadCounts(None)
    # One pass over the respondents (counted and de-duplicated by pandas), then a loop over the
    # distinct (unit, published group) pairs only.
    rows = pd.DataFrame(
        {
            "unit": pd.Series(np.asarray(units, dtype=object)).astype(str),
            "label": pd.Series(np.asarray(coarse, dtype=object)).astype(str),
        }
    )
    respondents = {str(k): int(v) for k, v in rows["label"].value_counts(sort=False).items()}
    pairs = rows.drop_duplicates()
    members: dict[str, set[str]] = {}
    for original, label in zip(pairs["unit"], pairs["label"], strict=True):
        members.setdefault(label, set()).add(original)
    out: dict[str, int] = {}
    for label, originals in members.items():
        if all(o in head_counts for o in originals):
            out[label] = int(sum(head_counts[o] for o in originals))
    seen = set(pairs["unit"])
    for unit, count in head_counts.items():
        if unit not in seen and unit not in out:
            out[unit] = count
    over_counts: list[OverCount] = []
    for label in sorted(out):
        n = respondents.get(label, 0)
        if n <= out[label]:
            continue
        over_counts.append(OverCount(label, n, out[label], tuple(sorted(members[label]))))
        out[label] = n
    return PublishedHeadCounts(out, tuple(over_counts))


def pooled_head_counts(
    units: np.ndarray, coarse: np.ndarray, head_counts: Mapping[str, int] | None
) -> dict[str, int] | None:
    """Head-counts of the coarsened units (`published_head_counts`): a pooled group's is the sum of
    its units' when every one is known, and none is smaller than its group's respondents."""
    return published_head_counts(units, coarse, head_counts).counts


@dataclass(frozen=True)
class CoarsenedTable:
    """A response table whose unit, demographic and language labels are the coarsened ones."""

    table: ResponseTable
    poolings: tuple[Pooling, ...]

    @property
    def notes(self) -> tuple[Note, ...]:
        """Why each breakdown was pooled (`Pooling.note`)."""
        return pooling_notes(self.poolings)


def pooling_notes(poolings: Iterable[Pooling]) -> tuple[Note, ...]:
    """The notes of the poolings that pooled something (`Pooling.note`)."""
    return tuple(p.note for p in poolings if p.note is not None)


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
