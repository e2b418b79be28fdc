"""Response quality: straight-lining across reverse-keyed items, long strings, speeding.

One row per respondent, computed with a loop over the items (tens) and vectorised over respondents.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.groups import FloatArray

__all__ = ["response_quality"]


def response_quality(
    raw: FloatArray,
    *,
    reverse: npt.ArrayLike,
    duration_seconds: FloatArray | None,
    min_seconds_per_item: float = 2.0,
    min_answered: int = 6,
) -> pd.DataFrame:
    """Flag careless response patterns, one row per respondent.

    Parameters
    ----------
    raw : (N, J) float array
        Answers as given, before reverse keying, in questionnaire order; NaN where the answer is
        not a number (skipped, DK or NA).
    reverse : (J,) bool array
        True for reverse-keyed items.
    duration_seconds : (N,) float array or None
        Time each respondent took; None (or NaN for a respondent) when unknown, which never
        flags as too fast.
    min_seconds_per_item : float
        Fastest plausible reading-and-answering time per statement.
    min_answered : int
        Fewest numeric answers for the straight-lining check.

    Returns
    -------
    DataFrame with columns ``n_answered`` (int), ``straight_lining`` (bool), ``longstring`` (int),
    ``too_fast`` (bool), ``flagged`` (bool = straight_lining or too_fast).

    Notes
    -----
    - straight_lining: the respondent answered at least ``min_answered`` items, gave the same
      answer to every one of them, and those items include at least one reverse-keyed and one
      normally keyed item. Agreeing equally with a statement and with its reversal is a
      contradiction, so this flag is about the content, not just low variability. A respondent
      who answers the midpoint everywhere is flagged too: the answers carry no information.
    - longstring: the longest run of identical consecutive numeric answers in questionnaire
      order; a non-numeric answer ends a run (as ``careless::longstring``, where NA breaks runs).
      It is reported, not used in ``flagged``, because a long run can be a genuine opinion.
    - too_fast: duration < ``min_seconds_per_item`` × n_answered.

    References
    ----------
    .. [1] Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
       Psychological Methods, 17, 437-455.
    .. [2] Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in
       survey data. Journal of Experimental Social Psychology, 66, 4-19.
    """
    answers = np.asarray(raw, dtype=np.float64)
    if answers.ndim != 2:
        raise ValueError(
            f"raw must be a 2-D (respondents × items) array, got shape {answers.shape}; pass one "
            "column per item and NaN for answers that are not numbers"
        )
    n_rows, n_items = answers.shape
    keyed = np.asarray(reverse)
    if keyed.shape != (n_items,) or keyed.dtype != np.bool_:
        raise ValueError(
            f"reverse must be a boolean array with one entry per item ({n_items}), got "
            f"{keyed.dtype} array of shape {keyed.shape}"
        )
    if isinstance(min_answered, bool) or not isinstance(min_answered, int) or min_answered < 2:
        raise ValueError(f"min_answered must be an integer >= 2, got {min_answered!r}")
    if not np.isfinite(min_seconds_per_item) or min_seconds_per_item < 0:
        raise ValueError(
            f"min_seconds_per_item must be a non-negative number, got {min_seconds_per_item!r}"
        )

    answered = ~np.isnan(answers)
    n_answered = answered.sum(axis=1)
    answered_reverse = (answered & keyed).any(axis=1)
    answered_normal = (answered & ~keyed).any(axis=1)
    low = np.where(answered, answers, np.inf).min(axis=1)
    high = np.where(answered, answers, -np.inf).max(axis=1)
    straight = (n_answered >= min_answered) & (low == high) & answered_reverse & answered_normal

    longest = np.zeros(n_rows, dtype=np.int64)
    run = np.zeros(n_rows, dtype=np.int64)
    previous = np.full(n_rows, np.nan)
    for j in range(n_items):
        current = answers[:, j]
        same = answered[:, j] & (current == previous)
        run = np.where(same, run + 1, answered[:, j].astype(np.int64))
        np.maximum(longest, run, out=longest)
        previous = current

    if duration_seconds is None:
        too_fast = np.zeros(n_rows, dtype=np.bool_)
    else:
        duration = np.asarray(duration_seconds, dtype=np.float64)
        if duration.shape != (n_rows,):
            raise ValueError(
                f"duration_seconds must have one value per respondent ({n_rows}), got shape "
                f"{duration.shape}; use NaN where the duration is unknown"
            )
        with np.errstate(invalid="ignore"):
            too_fast = duration < min_seconds_per_item * n_answered
    return pd.DataFrame(
        {
            "n_answered": n_answered.astype(np.int64),
            "straight_lining": straight,
            "longstring": longest,
            "too_fast": too_fast,
            "flagged": straight | too_fast,
        }
    )
