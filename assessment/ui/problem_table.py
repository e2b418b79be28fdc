"""The problems of an error as a table the pages show (where, what, and its type)."""

from __future__ import annotations

import pandas as pd

from assessment.errors import AssessmentError, problem_table


def problems_frame(error: AssessmentError) -> pd.DataFrame:
    """The problems of an error as a table: where (file, row, column), what, and its type."""
    return pd.DataFrame(problem_table(error))
