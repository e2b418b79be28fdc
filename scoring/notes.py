"""The remarks a scoring run makes about what it did (fallbacks taken, groups pooled), as data.

A `Note` holds a stable key, the values its sentence names, and its English sentence (``str(note)``,
what the command line and files have always shown), so an application can write it in any language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from scoring.estimates import AS_SURVEYED, CLUSTER_ROBUST, ORDINARY_T, WIDER_POOL

#: Fields whose value is a dimension id (an application may show the dimension's name instead).
DIMENSION_FIELDS = frozenset({"dimension", "outcome"})


@dataclass(frozen=True)
class Word:
    """An English word in a note that a translation replaces (``units``, ``respondent``, ``role``).

    The word is already singular or plural as the count beside it needs, so a catalogue translates
    the word and never has to work out a plural itself.
    """

    english: str

    def __str__(self) -> str:
        return self.english


#: What a note's field can hold: text, a count, a number, a word to translate, or another note.
NoteValue: TypeAlias = "str | int | float | Word | Note"


@dataclass(frozen=True)
class Note:
    """One remark of a scoring run.

    Attributes
    ----------
    key : stable name of the kind of remark (``"stale_head_count"``); one sentence per key
    fields : ``(name, value)`` pairs the sentence names, in order; a value is text, an int, a
        float, a `Word` or a nested `Note`
    text : the English sentence (``str(note)``)
    """

    key: str
    fields: tuple[tuple[str, NoteValue], ...]
    text: str

    @property
    def values(self) -> dict[str, NoteValue]:
        """The fields as a mapping."""
        return dict(self.fields)

    def __str__(self) -> str:
        return self.text


def note(key: str, text: str, **fields: NoteValue) -> Note:
    """A `Note` of kind ``key`` with its English ``text``."""
    return Note(key, tuple(fields.items()), text)


# -- the remarks of `scoring.pipeline.score` ------------------------------------------------------

#: The organisation row's method (`scoring.estimates`) -> the key of its note.
ORG_ROW_KEYS: Mapping[str, str] = {
    AS_SURVEYED: "org_row_as_surveyed",
    WIDER_POOL: "org_row_wider_pool",
    ORDINARY_T: "org_row_ordinary_t",
    CLUSTER_ROBUST: "org_row_cluster_robust",
}


def org_row(method: str) -> Note:
    """What the organisation row estimates: ``organisation row: <method>``."""
    return note(ORG_ROW_KEYS[method], f"organisation row: {method}")


def org_dimension_ordinary_t(dimension: str) -> Note:
    """A dimension whose organisation row falls back to an ordinary t interval."""
    return note(
        "org_dimension_ordinary_t",
        f"{dimension}: organisation row uses an {ORDINARY_T}",
        dimension=dimension,
    )


def stale_head_count(unit: str, head_count: int) -> Note:
    """A unit with more respondents than its head-count: no finite-population correction."""
    return note(
        "stale_head_count",
        f"unit {unit!r}: more respondents than its head-count of {head_count}; the head-count is "
        "out of date, so the unit gets no finite-population correction; correct its head-count",
        unit=unit,
        head_count=head_count,
    )


def bca_small_units(rows: int, minimum: int) -> Note:
    """Unit rows below the BCa minimum that keep their t interval."""
    return note(
        "bca_small_units",
        f"{rows} unit rows have fewer than {minimum} respondents: BCa intervals under-cover "
        "there, so those rows use t intervals (column ci_method)",
        rows=rows,
        minimum=minimum,
    )


def drivers_too_few(outcome: str, complete: int, minimum: int) -> Note:
    """An outcome whose drivers cannot be computed: too few complete respondents."""
    return note(
        "drivers_too_few",
        f"drivers of {outcome}: {complete} respondents have every component score and the "
        f"outcome; at least {minimum} are needed",
        outcome=outcome,
        complete=complete,
        minimum=minimum,
    )


# -- the remarks of `scoring.partitions` ----------------------------------------------------------


def _counted(n: int, plural: str) -> Word:
    """The word for ``n`` of ``plural``: ``unit`` for 1 of ``units``, else ``units``."""
    return Word(plural[:-1] if n == 1 and plural.endswith("s") else plural)


def pooled_all(noun: str, total: int, minimum: int) -> Note:
    """A whole breakdown pooled into one group: fewer than the minimum in total."""
    people = _counted(total, "respondents")
    return note(
        "pooled_all",
        f"all {noun} pooled: only {total} {people} in total, fewer than {minimum}",
        noun=Word(noun),
        total=total,
        people=people,
        minimum=minimum,
    )


def pooled_small(noun: str, groups: list[str], minimum: int, joined: list[str]) -> Note:
    """Groups under the minimum pooled (with the smallest others ``joined`` to reach it)."""
    count = len(groups)
    word = _counted(count, noun)
    names = ", ".join(groups)
    text = f"pooled {count} {word} with fewer than {minimum} respondents ({names})"
    if not joined:
        return note("pooled_small", text, count=count, noun=word, minimum=minimum, groups=names)
    others = ", ".join(joined)
    return note(
        "pooled_small_joined",
        f"{text} with {others}, so that the pooled group has at least {minimum}",
        count=count,
        noun=word,
        minimum=minimum,
        groups=names,
        joined=others,
    )


def pooled_to_protect(
    noun: str, groups: list[str], pooled_label: str, exposed: int, minimum: int
) -> Note:
    """Groups pooled so that no difference of published groups shows fewer than the minimum."""
    people = _counted(exposed, "respondents")
    names = ", ".join(groups)
    return note(
        "pooled_to_protect",
        f"{noun} {names} pooled into {pooled_label} to protect {exposed} {people}: otherwise a "
        f"difference of published groups would show {exposed} {people}, fewer than {minimum}",
        noun=Word(noun),
        groups=names,
        pooled_label=pooled_label,
        exposed=exposed,
        people=people,
        minimum=minimum,
    )
