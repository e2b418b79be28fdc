"""The library's error hierarchy: one base class with a stable code per kind of failure.

The library never prints or exits; the CLI and the pages turn these into messages in one place each.
"""

from __future__ import annotations

from dataclasses import dataclass


class AssessmentError(Exception):
    """Base class of every error the library raises on purpose.

    ``code`` is stable (for programs and tests); ``str(error)`` is the message for people.
    """

    code = "assessment-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProblemsError(AssessmentError):
    """An error that lists every `Problem` found, each on its own line under the message."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = problems or []

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  {p}" for p in self.problems)])


class QuestionnaireError(ProblemsError):
    """A questionnaire file is unreadable or invalid; ``problems`` lists every problem found."""

    code = "invalid-questionnaire"


class UnknownQuestionnaireError(AssessmentError):
    """An ``id@version`` that is not among the available questionnaires."""

    code = "unknown-questionnaire"


class PublishedFileChangedError(AssessmentError):
    """A published questionnaire file no longer matches the sha256 recorded in the lock."""

    code = "published-file-changed"


class DataError(ProblemsError):
    """Input data (a CSV file, an answer) is malformed; ``problems`` names row and column."""

    code = "invalid-data"


@dataclass(frozen=True)
class Problem:
    """One problem found while validating: where (a path, or row and column), what, and a stable type."""

    path: str
    message: str
    type: str = "invalid"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class UnknownLanguageError(AssessmentError):
    """A language that the questionnaire does not offer."""

    code = "unknown-language"
