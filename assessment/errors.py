"""The error catalogue: every exception the library raises on purpose and every problem type it reports.

Each entry has a stable code (exceptions) or type (problems), a title, and a description of cause and
fix; a problem also has a message template with named fields. ``python -m assessment.errors
--markdown`` writes docs/errors.md from this module. The library never prints or exits; the CLI
(`assessment.cli`), the pages and the survey (`assessment.ui.errors`) turn these into messages.
"""

from __future__ import annotations

import string
import sys
from collections.abc import Iterator, Sequence
from typing import ClassVar

#: Problems listed in one `ProblemsError`; the rest are counted ("and N more problem(s) not listed").
MAX_LISTED_PROBLEMS = 50


# -- problems: one class per problem type ------------------------------------------------------------


def template_fields(template: str) -> frozenset[str]:
    """The named fields of a message template (``"expected {expected}"`` -> ``{"expected"}``)."""
    return frozenset(
        name.split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    )


def where(file: str, row: int | None = None, column: str | None = None) -> str:
    """The location of a problem in a file as people read it: ``answers.csv row 4, column Q01``."""
    text = file
    if row is not None:
        text += f" row {row}"
    if column is not None:
        text += f", column {column}" if text else f"column {column}"
    return text


class Problem:
    """One problem found while validating: where it is and what is wrong, as a catalogue entry.

    A subclass is one problem type: ``type`` (a stable slug for programs and tests), ``title``,
    ``template`` (the message, with named fields) and ``description`` (cause and fix, for
    docs/errors.md). An instance is raised as ``DuplicateId("items[1].id", id="I01", what="item")``:
    ``path`` says where (a field path, or file, row and column), the keyword fields fill the template.
    """

    type: ClassVar[str] = ""
    title: ClassVar[str] = ""
    template: ClassVar[str] = ""
    description: ClassVar[str] = ""

    __slots__ = ("fields", "message", "path")

    def __init__(self, path: str, /, **fields: object) -> None:
        if not self.type:
            raise TypeError("Problem is the base of the catalogue; report one of its entries")
        missing = template_fields(self.template) - fields.keys()
        if missing:
            raise TypeError(
                f"{type(self).__name__} needs the field(s) {', '.join(sorted(missing))}"
            )
        self.path = path
        self.fields: dict[str, object] = fields
        self.message = self.template.format(**fields)

    def at(self, path: str) -> Problem:
        """The same problem at another place (a form's field path mapped to a file's row and column)."""
        return type(self)(path, **self.fields)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return (self.type, self.path, self.message) == (other.type, other.path, other.message)

    def __hash__(self) -> int:
        return hash((self.type, self.path, self.message))


# File and format ------------------------------------------------------------------------------------


class UnreadableFile(Problem):
    type = "unreadable-file"
    title = "Unreadable file"
    template = "cannot read the file: {reason}"
    description = (
        "The file does not exist, is a folder, or this process may not read it. Check the path "
        "and the file's permissions."
    )


class NotUtf8(Problem):
    type = "not-utf8"
    title = "Not UTF-8 text"
    template = "expected UTF-8 text, found {found}; save the file as UTF-8 (in Excel: 'CSV UTF-8')"
    description = (
        "The file holds bytes that are not UTF-8, usually because it was saved as Windows-1252 "
        "('CSV (comma delimited)' in Excel). Save it again as UTF-8."
    )


class FileTooLarge(Problem):
    type = "file-too-large"
    title = "File too large"
    template = "expected at most {limit_mb:.0f} MB, found {size_mb:.1f} MB"
    description = (
        "The file is larger than the limit of what is read in one go. Split it into several "
        "files, or raise the limit where the command offers it (`wmm import --max-size`)."
    )


class EmptyFile(Problem):
    type = "empty-file"
    title = "Empty file"
    template = "the file is empty; expected {expected}"
    description = "The file holds nothing, not even a header row. Export it again."


class NoRows(Problem):
    type = "no-rows"
    title = "No data rows"
    template = "has a header but no data rows; expected {expected}"
    description = "The file has a header row and nothing below it. Export it again with its rows."


class NotCsv(Problem):
    type = "not-csv"
    title = "Not CSV"
    template = "expected comma-separated values; the CSV parser says: {reason}"
    description = (
        "The file cannot be split into rows and cells, usually an unclosed quote. Open it in a "
        "spreadsheet program and save it as CSV."
    )


class WrongFormat(Problem):
    type = "wrong-format"
    title = "Wrong file format"
    template = "expected {expected}, found {found}"
    description = (
        "The file is another kind of file than the command reads (a responses CSV given where a "
        "benchmark file is expected, say). Give the command the file it names."
    )


class YamlSyntax(Problem):
    type = "yaml-syntax"
    title = "Malformed YAML"
    template = "malformed YAML: {reason}"
    description = (
        "The questionnaire file is not valid YAML: an unclosed bracket, a tab used for "
        "indentation, a key given twice. The message names line and column."
    )


# Header and cells ----------------------------------------------------------------------------------


class WrongCellCount(Problem):
    type = "wrong-cell-count"
    title = "Wrong number of cells"
    template = "expected {expected} cells (one per header column), found {found}"
    description = (
        "A row has more or fewer cells than the header has columns, usually a comma inside an "
        "unquoted cell. Quote the cell or remove the extra comma."
    )


class WrongFieldCount(Problem):
    type = "wrong-field-count"
    title = "Wrong number of fields"
    template = "expected {expected}; found {found} fields"
    description = "A line of a list typed into a form has more fields than the form reads."


class UnnamedColumn(Problem):
    type = "unnamed-column"
    title = "Unnamed column"
    template = "expected a column name, found an empty header cell; name the column or remove it"
    description = "A header cell is empty. Name the column, or delete it if it holds nothing."


class UnknownColumn(Problem):
    type = "unknown-column"
    title = "Unknown column"
    template = "unknown column {column!r}: expected {expected}"
    description = (
        "The header names a column the format does not have, often a misspelt item id. Rename "
        "it to a column of the format (the message suggests the nearest) or remove it."
    )


class DuplicateColumn(Problem):
    type = "duplicate-column"
    title = "Duplicate column"
    template = "column {column!r} appears more than once (columns {positions}); keep one"
    description = "Two header cells have the same name, so the file is ambiguous. Keep one."


class MissingColumn(Problem):
    type = "missing-column"
    title = "Missing column"
    template = "missing the required column {column!r}; the header has: {header}"
    description = "The header lacks a column the format requires. Add it (see docs/formats.md)."


class InvalidValue(Problem):
    type = "invalid-value"
    title = "Invalid value"
    template = "expected {expected}, found {found}"
    description = (
        "A cell or field holds a value of the wrong kind (text where a number is expected, a "
        "negative count, a malformed date). The message says what is expected."
    )


class EmptyValue(Problem):
    type = "empty-value"
    title = "Empty value"
    template = "expected {expected}, found an empty cell"
    description = "A cell that must hold a value (a respondent id, a unit) is empty. Fill it in."


class DuplicateRespondent(Problem):
    type = "duplicate-respondent"
    title = "Duplicate respondent"
    template = (
        "expected each respondent_id once, found {id!r} again (first on row {first_row}); remove "
        "the duplicate row or give it its own id"
    )
    description = "Two rows have the same respondent id. Remove the repeated row or renumber it."


class ReservedUnit(Problem):
    type = "reserved-unit"
    title = "Reserved unit name"
    template = (
        "expected a unit name other than {name!r} (it is reserved for the organisation row); "
        "rename the unit"
    )
    description = "The unit name is the one the results use for the whole organisation."


class InvalidTimestamp(Problem):
    type = "invalid-timestamp"
    title = "Invalid date-time"
    template = "expected an ISO 8601 date-time such as 2024-05-14T09:31:00Z or an empty cell, found {found!r}"
    description = (
        "A submission time is not an ISO 8601 date-time. Write it as 2024-05-14T09:31:00Z."
    )


class InvalidDuration(Problem):
    type = "invalid-duration"
    title = "Invalid duration"
    template = "expected {expected}, found {found!r}"
    description = (
        "A duration is not a number of seconds >= 0. Write it as a plain number or leave it empty."
    )


class OffScale(Problem):
    type = "off-scale"
    title = "Answer off the scale"
    template = "expected {expected}, found {found!r} (off the scale)"
    description = (
        "An answer is a whole number outside the questionnaire's scale (a 6 on a 1-5 scale). "
        "Correct it, or leave the cell empty for a skipped statement."
    )


class NotAnAnswer(Problem):
    type = "not-an-answer"
    title = "Not an answer"
    template = "expected {expected}, found {found!r}"
    description = (
        "An answer cell holds neither a scale value nor a special code (DK, NA). Correct it, or "
        "leave it empty for a skipped statement."
    )


class WrongQuestionnaire(Problem):
    type = "wrong-questionnaire"
    title = "Wrong questionnaire"
    template = "expected {expected}, found {found}"
    description = (
        "The answers name another questionnaire (id@version) than the one they are read with. "
        "Read them with the questionnaire they name."
    )


class IncompatibleQuestionnaire(Problem):
    type = "incompatible-questionnaire"
    title = "Incompatible questionnaire"
    template = (
        "questionnaire {found!r} is not compatible with {origin}, which is on {expected!r}; only "
        "versions of one questionnaire can be compared"
    )
    description = "Benchmark rows of another questionnaire cannot be compared with these."


class ChecksumMismatch(Problem):
    type = "checksum-mismatch"
    title = "Questionnaire checksum differs"
    template = (
        "{questionnaire} has sha256 {found}... here but {expected}... in {other}; one of the files "
        "was made with a changed questionnaire file"
    )
    description = (
        "Two files name the same questionnaire version but were made from different files of it. "
        "Export both again from the published questionnaire."
    )


class DuplicateRow(Problem):
    type = "duplicate-row"
    title = "Duplicate row"
    template = (
        "{key} appears more than once ({other}); remove the duplicate (a file imported twice?)"
    )
    description = "The same row (organisation, period, dimension) appears twice."


class ConflictingRow(Problem):
    type = "conflicting-row"
    title = "Conflicting row"
    template = (
        "{key} was imported before from {source} with other values ({columns}); remove that "
        "organisation's rows first to replace them"
    )
    description = (
        "A row was imported before with other values. Remove the old rows to replace them."
    )


class ChangedAnswers(Problem):
    type = "changed-answers"
    title = "Changed answers"
    template = "respondent {respondent!r} was imported before with other answers ({differences})"
    description = (
        "A response was imported before with other answers. Importing never overwrites: remove "
        "the earlier import or give the respondent a new id."
    )


# Questionnaire files -------------------------------------------------------------------------------


class MissingField(Problem):
    type = "missing-field"
    title = "Missing field"
    template = "required field is missing{hint}"
    description = (
        "A field the questionnaire format requires is absent (docs/questionnaire-format.md)."
    )


class UnknownField(Problem):
    type = "unknown-field"
    title = "Unknown field"
    template = "unknown field (check the spelling against the format)"
    description = "A field the format does not have, usually a misspelling. Check its spelling."


class WrongType(Problem):
    type = "wrong-type"
    title = "Wrong type"
    template = "expected {expected}, found {found}"
    description = (
        "A field holds the wrong kind of value (text where a number or a list is expected)."
    )


class UnsupportedSchema(Problem):
    type = "unsupported-schema"
    title = "Unsupported schema version"
    template = "expected schema_version {expected}, found {found}; {fix}"
    description = (
        "The file's schema_version is newer (or older) than this toolkit reads. Upgrade the "
        "toolkit, or upgrade the file."
    )


class DuplicateId(Problem):
    type = "duplicate-id"
    title = "Duplicate id"
    template = "{what} {id!r} {note}"
    description = (
        "An id (item, dimension, language, option, code) is declared more than once where it must "
        "be unique. Rename or remove one."
    )


class ReservedId(Problem):
    type = "reserved-id"
    title = "Reserved id"
    template = "id {id!r} is a reserved column of the responses CSV; choose another"
    description = "The id is the name of a fixed column of the responses CSV (unit, role, ...)."


class UnknownReference(Problem):
    type = "unknown-reference"
    title = "Unknown reference"
    template = "unknown {what} {value!r}: expected {expected}"
    description = (
        "A field refers to an id that is not declared (an item of a component, a language, a "
        "previous item of the crosswalk). Declare it or fix the reference."
    )


class MissingTranslation(Problem):
    type = "missing-translation"
    title = "Missing translation"
    template = (
        "missing translation for {missing} (every text needs all declared languages {declared})"
    )
    description = "A text lacks one of the languages the questionnaire declares. Add it."


class UnknownLanguage(Problem):
    type = "unknown-language"
    title = "Unknown language"
    template = "text in undeclared language {extra} (declared: {declared})"
    description = "A text or a choice names a language the questionnaire does not declare."


class InvalidScale(Problem):
    type = "invalid-scale"
    title = "Invalid scale"
    template = "values must ascend by 1 from the first option, expected {expected}, found {found}"
    description = "The answer scale's values must be consecutive whole numbers in ascending order."


class InvalidLevels(Problem):
    type = "invalid-levels"
    title = "Invalid levels"
    template = "expected {expected}, found {found}"
    description = (
        "The maturity levels must be numbered 1..n in order, and a recommendation covers one step "
        "from a level to the next."
    )


class InvalidThresholds(Problem):
    type = "invalid-thresholds"
    title = "Invalid thresholds"
    template = "expected {expected}, found {found}"
    description = "Level thresholds must ascend, start at the scale minimum and lie on the scale."


class InvalidWeight(Problem):
    type = "invalid-weight"
    title = "Invalid weight"
    template = "expected {expected}, found {found}"
    description = "An item's weight must be > 0; a reverse-keyed item must count."


class TooFewItems(Problem):
    type = "too-few-items"
    title = "Too few items"
    template = (
        "{what} {id!r} has {count} item(s); at least {minimum} are needed for a reliable score"
    )
    description = "A component or principle needs a minimum number of items for a reliable score."


class MissingDescriptor(Problem):
    type = "missing-descriptor"
    title = "Missing descriptor"
    template = "every component needs a descriptor for every level; missing: {missing}"
    description = "Each component needs a descriptor text for each maturity level."


class EmptyIndex(Problem):
    type = "empty-index"
    title = "Empty index"
    template = "an index needs at least one component or item"
    description = "An index in scoring.indices lists neither components nor items."


class InvalidCrosswalk(Problem):
    type = "invalid-crosswalk"
    title = "Invalid crosswalk"
    template = "{note}"
    description = (
        "The crosswalk (how the items of this version map to the previous one) breaks a rule: "
        "every item has exactly one entry, 'same' items have the same text, splits have two or more "
        "parts. See docs/questionnaire-format.md."
    )


class WrongFileName(Problem):
    type = "wrong-file-name"
    title = "File name does not match"
    template = "expected {expected}, found {found}"
    description = (
        "A published questionnaire lives at <id>/<version>.yaml; the file's id and version must "
        "match its folder and name."
    )


# Campaigns, units and head-counts ------------------------------------------------------------------


class UnknownUnit(Problem):
    type = "unknown-unit"
    title = "Unknown unit"
    template = "unknown unit {unit!r}{expected}"
    description = "The unit is not among the campaign's units. Fix the name or add the unit first."


class DuplicateUnit(Problem):
    type = "duplicate-unit"
    title = "Duplicate unit"
    template = "unit {unit!r} is {note}"
    description = "A unit is listed (or set) twice. Keep one entry."


class MissingName(Problem):
    type = "missing-name"
    title = "Missing name"
    template = "a unit needs a name"
    description = "A unit has an empty name."


class NameTooLong(Problem):
    type = "name-too-long"
    title = "Name too long"
    template = "at most {maximum} characters"
    description = "A name is longer than the limit."


class InvalidHeadCount(Problem):
    type = "invalid-head-count"
    title = "Invalid head-count"
    template = (
        "expected a head-count, a whole number >= 1 (people in the unit){empty}; found {found!r}"
    )
    description = (
        "A head-count is the number of people in the unit, a whole number >= 1. It is used for "
        "response rates."
    )


class InvalidAssignment(Problem):
    type = "invalid-assignment"
    title = "Invalid assignment"
    template = "expected UNIT=HEAD-COUNT such as Marketing=22; got {found!r}"
    description = "An option takes UNIT=VALUE pairs."


class HeadCountBelowResponses(Problem):
    type = "head-count-below-responses"
    title = "Head-count below responses"
    template = (
        "it has {responses} responses; expected a head-count of at least {responses}; got {found}"
    )
    description = "A unit cannot have fewer people than responses received."


class UnknownParent(Problem):
    type = "unknown-parent"
    title = "Unknown parent unit"
    template = "unknown parent unit {parent!r}"
    description = "A unit's parent is not among the campaign's units."


class UnitCycle(Problem):
    type = "unit-cycle"
    title = "Units in a cycle"
    template = "unit {unit!r} is inside itself (parents form a cycle)"
    description = "Following a unit's parents leads back to it. Fix one parent."


class UnknownDimension(Problem):
    type = "unknown-dimension"
    title = "Unknown dimension"
    template = "unknown dimension; expected one of {known}"
    description = "A target names a dimension the questionnaire does not have."


class InvalidLevel(Problem):
    type = "invalid-level"
    title = "Invalid level"
    template = "the target is a level {low}..{high}; got {found!r}"
    description = "A target is a maturity level of the questionnaire."


class MissingRole(Problem):
    type = "missing-role"
    title = "Missing role"
    template = "{note}"
    description = (
        "The campaign requires the role question (`--require-role`), and the answer or the "
        "column is missing."
    )


# Survey answers ------------------------------------------------------------------------------------


class UnknownOption(Problem):
    type = "unknown-option"
    title = "Unknown option"
    template = "expected one of {options}{or_empty}, found {found!r}{suggestion}"
    description = (
        "A choice (role, language, a demographic question) is not among the options offered. "
        "Pick one of the options the message lists (it suggests the nearest)."
    )


class UnknownItem(Problem):
    type = "unknown-item"
    title = "Unknown statement"
    template = "{questionnaire} has no statement {item!r}"
    description = "An answer names a statement the questionnaire does not have."


class MissingUnit(Problem):
    type = "missing-unit"
    title = "Missing unit"
    template = "choose your unit before submitting"
    description = "The respondent did not choose a unit."


class NoAnswers(Problem):
    type = "no-answers"
    title = "No answers"
    template = "answer at least one statement before submitting"
    description = "A response without a single answer cannot be submitted."


# Reporting -----------------------------------------------------------------------------------------


class MoreProblems(Problem):
    type = "more-problems"
    title = "More problems"
    template = "and {count} more problem(s) not listed"
    description = (
        f"Only the first {MAX_LISTED_PROBLEMS} problems are listed; this line counts the rest."
    )


def problem_types() -> dict[str, type[Problem]]:
    """Every problem type of the catalogue, by its stable type slug."""
    found: dict[str, type[Problem]] = {}
    pending = list(Problem.__subclasses__())
    while pending:
        kind = pending.pop(0)
        found[kind.type] = kind
        pending.extend(kind.__subclasses__())
    return dict(sorted(found.items()))


# -- the collector -----------------------------------------------------------------------------------


class Problems:
    """Collects every problem of one validation; lists the first `MAX_LISTED_PROBLEMS`, counts the rest.

    Reporting is all-or-nothing: `raise_if_any` raises one error with every listed problem, and the
    caller reads nothing.
    """

    def __init__(self, source: str = "") -> None:
        self.source = source
        self.listed: list[Problem] = []
        self.total = 0

    def add(self, problem: Problem) -> None:
        """Record one problem (listed while under the cap, else only counted)."""
        self.total += 1
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append(problem)

    def extend(self, problems: Sequence[Problem]) -> None:
        """Record several problems."""
        for problem in problems:
            self.add(problem)

    def count(self, unlisted: int) -> None:
        """Count problems found but never built (bad cells beyond the cap of a vectorised check)."""
        self.total += unlisted

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.report())

    def report(self) -> list[Problem]:
        """The listed problems, and one `MoreProblems` line when some were only counted."""
        shown = list(self.listed)
        if self.total > len(shown):
            shown.append(MoreProblems(self.source, count=self.total - len(shown)))
        return shown

    def raise_if_any(self, message: str, error: type[ProblemsError] | None = None) -> None:
        """Raise ``error`` (a `DataError` by default) with every problem, if there is any."""
        if self.total:
            raise (error or DataError)(message, self.report())


# -- exceptions: one class per kind of failure -------------------------------------------------------


class AssessmentError(Exception):
    """Base class of every error the library raises on purpose.

    ``code`` is stable (for programs and tests); ``str(error)`` is the message for people.
    """

    code: ClassVar[str] = "assessment-error"
    title: ClassVar[str] = "Error"
    description: ClassVar[str] = (
        "Any error the toolkit raises on purpose; the message says what to do."
    )

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProblemsError(AssessmentError):
    """An error that lists every `Problem` found, each on its own line under the message."""

    def __init__(self, message: str, problems: Sequence[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  {p}" for p in self.problems)])


class QuestionnaireError(ProblemsError):
    """A questionnaire file is unreadable or invalid; ``problems`` lists every problem found."""

    code = "invalid-questionnaire"
    title = "Invalid questionnaire"
    description = "A questionnaire file breaks the format; each problem names its field path."


class UnknownQuestionnaireError(AssessmentError):
    """An ``id@version`` that is not among the available questionnaires."""

    code = "unknown-questionnaire"
    title = "Unknown questionnaire"
    description = "No published questionnaire has this id@version; `wmm questionnaires` lists them."


class PublishedFileChangedError(AssessmentError):
    """A published questionnaire file no longer matches the sha256 recorded in the lock."""

    code = "published-file-changed"
    title = "Published questionnaire changed"
    description = (
        "A published questionnaire is frozen; its file no longer matches the recorded sha256. "
        "Restore the file and publish the change as a new version."
    )


class DataError(ProblemsError):
    """Input data (a CSV file, an answer) is malformed; ``problems`` names row and column."""

    code = "invalid-data"
    title = "Invalid data"
    description = "A file or an answer is malformed; each problem names file, row and column."


class UnknownLanguageError(AssessmentError):
    """A language that the questionnaire does not offer."""

    code = "unknown-language"
    title = "Unknown language"
    description = "The questionnaire has no texts in this language."


class WeakPasswordError(AssessmentError):
    """A configured facilitator password is too short or only whitespace."""

    code = "weak-password"
    title = "Weak password"
    description = "The configured facilitator password is too short. Set a longer one."


class ResponseNotFoundError(AssessmentError):
    """The resume token matches no response (mistyped, or from another database)."""

    code = "unknown-response"
    title = "Unknown response"
    description = "A resume link names no response: mistyped, or made on another installation."


class AlreadyReceivedError(AssessmentError):
    """The response was submitted; its answers can no longer change."""

    code = "already-received"
    title = "Already received"
    description = "A submitted response cannot change."


class InvitationError(AssessmentError):
    """An invitation-only campaign got no, an unknown, or an already used invitation token."""

    code = "invalid-invitation"
    title = "Invalid invitation"
    description = "The campaign accepts invitations only, and this one is missing, unknown or used."


class WrongQuestionnaireError(AssessmentError):
    """The answers were given to another questionnaire version than the campaign's."""

    code = "wrong-questionnaire"
    title = "Wrong questionnaire"
    description = "The answers were given to another questionnaire version than the campaign's."


class AnswerError(DataError):
    """Answers that do not fit the questionnaire (unknown statement, value off the scale ...)."""

    code = "invalid-answer"
    title = "Invalid answer"
    description = "Answers that do not fit the questionnaire; each problem names the statement."


class ImportConflictError(DataError):
    """Rows of the file were imported before with other answers."""

    code = "import-conflict"
    title = "Import conflict"
    description = "Rows of the file were imported before with other answers; nothing was imported."


class PrivacyError(AssessmentError):
    """An export would reveal a group below the minimum group size; nothing was written."""

    code = "privacy-violation"
    title = "Privacy violation"
    description = (
        "An output would reveal a group below the minimum group size; nothing was written."
    )


class DatabaseURLError(AssessmentError):
    """A database URL that wmm cannot use (unknown backend, unparsable)."""

    code = "invalid-database-url"
    title = "Invalid database URL"
    description = "Use sqlite:///path.db or postgresql://user@host/db."


class DatabaseMissingError(AssessmentError):
    """The SQLite file does not exist yet (and the command does not create databases)."""

    code = "database-missing"
    title = "Database missing"
    description = "The SQLite database file does not exist yet; `wmm db upgrade` creates it."


class MigrationNeededError(AssessmentError):
    """The database schema is not the one this version of wmm expects."""

    code = "database-needs-migration"
    title = "Database needs migration"
    description = "The database was made by another version; `wmm db upgrade` migrates it."


class NoResponsesError(AssessmentError):
    """A campaign without submitted responses cannot be scored."""

    code = "no-responses"
    title = "No responses"
    description = "A campaign without submitted responses has nothing to score."


class ActionError(AssessmentError):
    """An action item that cannot be saved (unknown dimension or status, empty title ...)."""

    code = "invalid-action"
    title = "Invalid action"
    description = "An action item with an unknown dimension or status, or an empty title."


class UnknownActionError(AssessmentError):
    """No action item has this id in this campaign."""

    code = "unknown-action"
    title = "Unknown action"
    description = "No action item has this id in this campaign."


class UnknownCampaignError(AssessmentError):
    """No campaign has this survey code."""

    code = "unknown-campaign"
    title = "Unknown campaign"
    description = "No campaign has this survey code; `wmm campaign list` lists them."


class CampaignClosedError(AssessmentError):
    """The campaign does not accept answers or imports (closed, or outside its dates)."""

    code = "campaign-closed"
    title = "Campaign closed"
    description = "The campaign is closed or outside its dates, so it takes no answers or imports."


class CampaignSettingsError(AssessmentError):
    """A campaign setting is invalid (language, target, unit, mode ...)."""

    code = "invalid-campaign-settings"
    title = "Invalid campaign settings"
    description = "A campaign setting (language, target, unit, mode) is invalid."


class VoteError(AssessmentError):
    """A vote that cannot be opened or a ballot that cannot be counted (unknown statement, ...)."""

    code = "invalid-vote"
    title = "Invalid vote"
    description = (
        "A workshop vote cannot be opened, or a ballot names an unknown statement or too many."
    )


class UnknownVoteError(AssessmentError):
    """No vote has this code."""

    code = "unknown-vote"
    title = "Unknown vote"
    description = "A voting link names no vote: scan the code on the screen again."


class VoteClosedError(AssessmentError):
    """The vote no longer takes ballots."""

    code = "vote-closed"
    title = "Vote closed"
    description = "The facilitator closed the vote; it takes no more ballots."


class AlreadyVotedError(AssessmentError):
    """This device has already voted in this vote."""

    code = "already-voted"
    title = "Already voted"
    description = "A device votes once per vote."


def problem_table(error: AssessmentError) -> dict[str, list[str]]:
    """The problems of an error as columns ``Where``, ``Problem`` and ``Type`` (for a table on a
    page); an error without problems is one row with its message and code."""
    problems = error.problems if isinstance(error, ProblemsError) else []
    if not problems:
        return {"Where": [""], "Problem": [str(error)], "Type": [error.code]}
    return {
        "Where": [p.path for p in problems],
        "Problem": [p.message for p in problems],
        "Type": [p.type for p in problems],
    }


def error_classes() -> dict[str, type[AssessmentError]]:
    """Every exception class of the catalogue, by its stable code."""
    found: dict[str, type[AssessmentError]] = {AssessmentError.code: AssessmentError}
    pending = list(AssessmentError.__subclasses__())
    while pending:
        kind = pending.pop(0)
        if "code" in vars(kind):
            found[kind.code] = kind
        pending.extend(kind.__subclasses__())
    return dict(sorted(found.items()))


# -- docs/errors.md ----------------------------------------------------------------------------------


def markdown() -> str:
    """docs/errors.md: the catalogue as a reference page (tests fail when the file differs)."""
    lines = [
        "# Errors and problems",
        "",
        "Generated from `assessment/errors.py` by `python -m assessment.errors --markdown > "
        "docs/errors.md`; do not edit by hand.",
        "",
        "A command that fails prints `error: <message>` and exits 1. When a file or a form is "
        "invalid, the message lists every problem found (up to "
        f"{MAX_LISTED_PROBLEMS}, then a count of the rest), one per line: where (file, row and "
        "column, or the field path) and what was expected. Nothing is read or saved until every "
        "problem is fixed.",
        "",
        "## Errors",
        "",
        "| Code | Title | Cause and fix |",
        "| --- | --- | --- |",
    ]
    for code, error in error_classes().items():
        lines.append(f"| `{code}` | {error.title} | {error.description} |")
    lines += ["", "## Problem types", ""]
    for slug, kind in problem_types().items():
        lines += [
            f"### `{slug}`: {kind.title}",
            "",
            kind.description,
            "",
            f"Message: `{kind.template}`",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str]) -> int:
    """``python -m assessment.errors --markdown``: print docs/errors.md."""
    if list(argv) != ["--markdown"]:
        print("usage: python -m assessment.errors --markdown > docs/errors.md", file=sys.stderr)
        return 2
    sys.stdout.write(markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
