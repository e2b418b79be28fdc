"""The error boundaries of the app: one for the facilitator pages, one for the survey.

A library error (`assessment.errors.AssessmentError`) becomes its message, with a table of its
problems when it lists any. Anything unexpected is logged here with its traceback, server-side, and
the person sees a plain "Something went wrong" with what to do, never a traceback.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ParamSpec

import streamlit as st

from assessment.errors import AssessmentError, ProblemsError, problem_table
from assessment.i18n import text
from assessment.ui.markdown_text import as_text

__all__ = [
    "Outcome",
    "guarded_callback",
    "guarded_page",
    "page_errors",
    "show_error",
    "show_unexpected",
]

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")


@dataclass
class Outcome:
    """What happened inside a `page_errors` block: ``failed`` when an error was shown."""

    failed: bool = False
    error: AssessmentError | None = None


def show_error(error: AssessmentError, *, before: str = "") -> None:
    """``st.error`` with the error's message (``before`` it, e.g. "Nothing was imported. ") and,
    when it lists problems, a table of them: where (file, row, column), what, and its type."""
    listed = isinstance(error, ProblemsError) and bool(error.problems)
    message = error.message if listed else str(error)
    st.error(as_text(f"{before}{message}", keep_lines=True))
    if listed:
        st.dataframe(problem_table(error), hide_index=True, width="stretch")


def show_unexpected(
    error: BaseException, *, language: str | None = None, survey: bool = False
) -> None:
    """Log ``error`` with its traceback and tell the person, in ``language``, to try again."""
    logger.error("unexpected error behind the %s", "survey" if survey else "page", exc_info=error)
    st.error(text("errors.unexpected_survey" if survey else "errors.unexpected", language))


@contextmanager
def page_errors(*, before: str = "", language: str | None = None) -> Iterator[Outcome]:
    """The pages' boundary around one action: a library error is shown with its message, anything
    else as "Something went wrong" (logged); the page goes on drawing after the block.

    Streamlit's own control flow (``st.rerun``, ``st.stop``) passes through: it is not an
    ``Exception``.

    Examples
    --------
    >>> with page_errors() as outcome:  # doctest: +SKIP
    ...     changed = update_campaign(db, code, require_role=True)
    >>> if not outcome.failed:  # doctest: +SKIP
    ...     st.success(f"Saved {changed.name}.")
    """
    outcome = Outcome()
    try:
        yield outcome
    except AssessmentError as error:
        outcome.failed, outcome.error = True, error
        show_error(error, before=before)
    except Exception as error:
        outcome.failed = True
        show_unexpected(error, language=language)


def guarded_page(
    render: Callable[[], None],
    *,
    survey: bool = False,
    language: Callable[[], str | None] = lambda: None,
) -> Callable[[], None]:
    """A page's render function inside its surface's boundary (what an action on it did not catch).

    ``survey`` words the unexpected case for a respondent ("your answers so far are kept"), in the
    ``language()`` they chose.
    """

    @functools.wraps(render)
    def run() -> None:
        try:
            render()
        except AssessmentError as error:
            show_error(error)
        except Exception as error:
            show_unexpected(error, language=_safely(language), survey=survey)

    return run


def _safely(language: Callable[[], str | None]) -> str | None:
    """The respondent's language, or None (English) when even that cannot be read."""
    try:
        return language()
    except Exception:
        return None


def guarded_callback(
    on_error: Callable[[AssessmentError], None], on_unexpected: Callable[[], None]
) -> Callable[[Callable[_P, None]], Callable[_P, None]]:
    """The survey's boundary, for its widget callbacks (Streamlit runs those before the page).

    A library error goes to ``on_error`` (the survey turns it into its error page, the thank-you
    page or a notice); anything else is logged and ``on_unexpected`` shows the respondent that
    their answers are kept and to try again. The respondent never sees a traceback.
    """

    def decorate(callback: Callable[_P, None]) -> Callable[_P, None]:
        @functools.wraps(callback)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> None:
            try:
                callback(*args, **kwargs)
            except AssessmentError as error:
                on_error(error)
            except Exception as error:
                logger.error("unexpected error behind the survey", exc_info=error)
                on_unexpected()

        return run

    return decorate
