"""The scoring's notes (`scoring.notes.Note`) written in the reader's language.

Each note's key names its sentence in the catalogues (``notes.<key>``); its counts and numbers are
written the language's way, its words (``units``, ``respondent``) come from ``notes.words``, and a
dimension id can be shown by the dimension's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from assessment.i18n import format_number, keys, supported, text
from scoring.notes import DIMENSION_FIELDS, Note, NoteValue, Word
from scoring.partitions import OTHER_LANGUAGES, OTHER_ROLES, OTHER_UNITS


def note_text(
    note: Note, language: str | None = None, *, names: Mapping[str, str] | None = None
) -> str:
    """``note`` in ``language`` (``notes.<key>``); ``names`` maps dimension ids to their names."""
    fields = {name: _value(name, value, language, names) for name, value in note.fields}
    return text(f"notes.{note.key}", language, **fields)


def notes_text(
    notes: Iterable[Note], language: str | None = None, *, names: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Every note of ``notes`` in ``language`` (`note_text`)."""
    return tuple(note_text(n, language, names=names) for n in notes)


def _value(
    name: str, value: NoteValue, language: str | None, names: Mapping[str, str] | None
) -> str:
    if isinstance(value, Note):
        return note_text(value, language, names=names)
    if isinstance(value, Word):
        return _word(value, language)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value, language)
    if names is not None and name in DIMENSION_FIELDS:
        return names.get(value, value)
    return group_name(value, language)


#: The pooled groups' labels (`scoring.partitions`) -> their name in the catalogues.
_POOLED = {
    OTHER_UNITS: "common.pooled.units",
    OTHER_ROLES: "common.pooled.roles",
    OTHER_LANGUAGES: "common.pooled.languages",
}


def group_name(label: str, language: str | None = None) -> str:
    """A group's label as the reader's language shows it: a pooled group (``(other units)``)
    by its name in the catalogue, any other label (a unit's own name) as it is."""
    key = _POOLED.get(label)
    return text(key, language) if key is not None else label


def _word(word: Word, language: str | None) -> str:
    """The word in ``language`` (``notes.words.<word>``); a word no catalogue knows, such as a
    demographic's own name, stays as it is."""
    key = f"notes.words.{word.english}"
    return text(key, language) if key in keys(supported(language)) else word.english
