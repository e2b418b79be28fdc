"""The problems of an error as a table the pages show (where, what, and its type)."""

from __future__ import annotations

import pandas as pd

from assessment.errors import AssessmentError, Problem


def problems_frame(error: AssessmentError) -> pd.DataFrame:
    """The problems of an error as a table: where (file, row, column), what, and its type."""
    problems = getattr(error, "problems", None) or [Problem("", str(error), error.code)]
    return pd.DataFrame(
        {
            "Where": [p.path for p in problems],
            "Problem": [p.message for p in problems],
            "Type": [p.type for p in problems],
        }
    )
