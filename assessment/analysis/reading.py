"""Reading a responses file for scoring in two threads: the file is parsed while the caller loads its
questionnaire, and its columns are converted while the caller loads the scoring code.

The parse (pyarrow) and the conversions (numpy, pyarrow compute) release the GIL, and Python imports
do not need it for long, so on two cores the two overlap (`wmm score` of 1M rows). This module imports
only numpy and pyarrow; the conversion code (pandas) loads in `ReadingResponses.convert`.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from assessment.responses.csv_text import DEFAULT_MAX_BYTES, ParsedCsv, parse_csv
from assessment.runtime import in_background, start_up_imports

if TYPE_CHECKING:
    from assessment.questionnaire.model import Questionnaire
    from assessment.responses.wide_csv import ResponseTable

__all__ = ["ReadingResponses", "read_in_background"]


class ReadingResponses:
    """A responses file being parsed in the background (`read_in_background`)."""

    def __init__(self, parsing: Future[ParsedCsv]) -> None:
        self._parsing = parsing

    def convert(self, questionnaire: Questionnaire) -> Future[ResponseTable]:
        """Check and convert the parsed columns for ``questionnaire`` in the background.

        The future's ``result()`` is the `ResponseTable`, or raises the `DataError` of the file
        (unreadable, too large, bad header or cells) as `read_responses_csv` does.
        """
        with start_up_imports():
            from assessment.responses.wide_csv import build_response_table
        parsing = self._parsing
        return in_background(lambda: build_response_table(parsing.result(), questionnaire))


def read_in_background(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadingResponses:
    """Start parsing the responses CSV at ``path`` (refusing files over ``max_bytes``) and return
    at once; `ReadingResponses.convert` turns it into a table once the questionnaire is known."""
    return ReadingResponses(in_background(parse_csv, path, max_bytes=max_bytes))
