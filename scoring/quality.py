"""Response quality: straight-lining across reverse-keyed items, long strings, speeding.

One row per respondent, computed with a loop over the items (tens) and vectorised over respondents.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.groups import FloatArray

__all__ = ["response_quality", "response_quality_from_codes"]


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
    return _flags(answers, ~np.isnan(answers), reverse, duration_seconds, min_seconds_per_item,
                  min_answered)  # fmt: skip


def response_quality_from_codes(
    codes: npt.NDArray[np.integer[Any]],
    *,
    reverse: npt.ArrayLike,
    duration_seconds: FloatArray | None,
    min_seconds_per_item: float = 2.0,
    min_answered: int = 6,
) -> pd.DataFrame:
    """`response_quality` on integer answer codes: scale values as themselves (>= 0), negative
    codes for skipped, don't-know and not-applicable answers (see `scoring.recoding`).

    The same flags as ``response_quality(recode(codes, spec, reverse_keyed=False), ...)``, computed
    on the small integers themselves (an int8 matrix is an eighth of its float copy, and the
    comparisons run on it directly).
    """
    arr = np.asarray(codes)
    if arr.ndim != 2 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"codes must be a 2-D (respondents × items) integer array, got {arr.dtype} array of "
            f"shape {arr.shape}"
        )
    return _flags(arr, arr >= 0, reverse, duration_seconds, min_seconds_per_item, min_answered)


def _flags(
    answers: npt.NDArray[Any],
    answered: npt.NDArray[np.bool_],
    reverse: npt.ArrayLike,
    duration_seconds: FloatArray | None,
    min_seconds_per_item: float,
    min_answered: int,
) -> pd.DataFrame:
    """The flags of `response_quality` for answers of any numeric dtype; ``answered`` marks the
    numeric answers (the other cells of ``answers`` are never compared)."""
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

    above: float = np.inf
    below: float = -np.inf
    if np.issubdtype(answers.dtype, np.integer):
        info = np.iinfo(answers.dtype)
        above, below = info.max, info.min
    # One loop over the items (tens), vectorised over respondents, on item-major copies so that
    # each step reads contiguous columns; reductions along the short rows are slow in numpy.
    by_item = np.ascontiguousarray(answers.T)
    answered_by_item = np.ascontiguousarray(answered.T)
    n_answered = np.zeros(n_rows, dtype=np.int32)
    answered_reverse = np.zeros(n_rows, dtype=np.bool_)
    answered_normal = np.zeros(n_rows, dtype=np.bool_)
    low = np.full(n_rows, above, dtype=by_item.dtype)
    high = np.full(n_rows, below, dtype=by_item.dtype)
    # run = the current run of identical consecutive answers, longest = the longest so far.
    longest = np.zeros(n_rows, dtype=np.int32)
    run = np.zeros(n_rows, dtype=np.int32)
    for j in range(n_items):
        value = by_item[j]
        given = answered_by_item[j]
        n_answered += given
        if keyed[j]:
            answered_reverse |= given
        else:
            answered_normal |= given
        np.minimum(low, np.where(given, value, above), out=low)
        np.maximum(high, np.where(given, value, below), out=high)
        if j == 0:
            run += given
        else:
            # run + 1 where item j repeats the previous answer, else 1 if answered, else 0. A
            # missing previous answer never equals an answered one (NaN, or a negative code).
            same = given & (value == by_item[j - 1])
            run += 1
            run *= same
            run += given & ~same
        np.maximum(longest, run, out=longest)
    straight = (n_answered >= min_answered) & (low == high) & answered_reverse & answered_normal

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
            "longstring": longest.astype(np.int64),
            "too_fast": too_fast,
            "flagged": straight | too_fast,
        }
    )
