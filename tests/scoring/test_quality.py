"""Response quality flags, one row per respondent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scoring.quality import response_quality, response_quality_from_codes

N = np.nan
# Eight items; items 3 and 6 (0-based 2 and 5) are reverse-keyed.
REVERSE = np.array([False, False, True, False, False, True, False, False])


@pytest.mark.parametrize(
    ("answers", "n_answered", "straight", "longstring"),
    [
        ([4, 4, 4, 4, 4, 4, 4, 4], 8, True, 8),
        ([3, 3, 3, 3, 3, 3, 3, 3], 8, True, 8),  # all midpoint: no information either
        ([4, 4, 2, 4, 4, 2, 4, 4], 8, False, 2),  # consistent with the reversals
        ([5, 5, 5, 5, 5, N, N, N], 5, False, 5),  # fewer than six answers
        ([5, 5, N, 5, 5, N, 5, 5], 6, False, 2),  # same answers, but no reverse item answered
        ([5, 5, 5, 5, 5, N, 5, N], 6, True, 5),  # six answers including one reversal
        ([1, 2, 3, 4, 5, 1, 2, 3], 8, False, 1),
        ([N, N, N, N, N, N, N, N], 0, False, 0),
        ([2, 2, 2, N, 2, 2, 3, 3], 7, False, 3),  # a non-number answer ends a run
    ],
    ids=[
        "straight-line",
        "midpoint",
        "attentive",
        "too-few",
        "no-reverse-answered",
        "six-with-reversal",
        "varied",
        "empty",
        "run-broken-by-skip",
    ],
)
def test_straight_lining_and_longstring(
    answers: list[float], n_answered: int, straight: bool, longstring: int
) -> None:
    frame = response_quality(
        np.array([answers], dtype=np.float64), reverse=REVERSE, duration_seconds=None
    )
    row = frame.iloc[0]
    assert row["n_answered"] == n_answered
    assert row["straight_lining"] == straight
    assert row["longstring"] == longstring
    assert row["flagged"] == straight
    assert not row["too_fast"]


def test_straight_lining_needs_a_normally_keyed_item_too() -> None:
    reverse = np.array([True] * 6 + [False] * 2)
    answers = np.array([[4, 4, 4, 4, 4, 4, N, N]])
    frame = response_quality(answers, reverse=reverse, duration_seconds=None)
    assert not frame["straight_lining"].iloc[0]


@pytest.mark.parametrize(
    ("duration", "answered", "too_fast"),
    [(10.0, 8, True), (16.0, 8, False), (15.9, 8, True), (9.0, 4, False), (N, 8, False)],
    ids=["fast", "on-limit", "just-under", "few-answers", "unknown"],
)
def test_too_fast(duration: float, answered: int, too_fast: bool) -> None:
    answers = np.array([[1, 2, 3, 4, 5, 1, 2, 3]], dtype=np.float64)
    answers[0, answered:] = np.nan
    frame = response_quality(
        answers, reverse=REVERSE, duration_seconds=np.array([duration]), min_seconds_per_item=2.0
    )
    assert frame["too_fast"].iloc[0] == too_fast
    assert frame["flagged"].iloc[0] == too_fast


def test_many_respondents_at_once_with_dtypes() -> None:
    answers = np.array(
        [[4, 4, 4, 4, 4, 4, 4, 4], [1, 2, 3, 4, 5, 1, 2, 3], [2, 2, 4, 2, 2, 4, 2, 2]],
        dtype=np.float64,
    )
    frame = response_quality(
        answers, reverse=REVERSE, duration_seconds=np.array([100.0, 5.0, 100.0])
    )
    assert frame["flagged"].tolist() == [True, True, False]
    assert frame["longstring"].tolist() == [8, 1, 2]
    assert frame["n_answered"].dtype == np.int64 and frame["flagged"].dtype == np.bool_
    assert list(frame.columns) == [
        "n_answered",
        "straight_lining",
        "longstring",
        "too_fast",
        "flagged",
    ]


def test_min_answered_option() -> None:
    answers = np.array([[5, 5, 5, N, N, N, N, N]])
    reverse = np.array([False, True, False, False, False, False, False, False])
    loose = response_quality(answers, reverse=reverse, duration_seconds=None, min_answered=3)
    strict = response_quality(answers, reverse=reverse, duration_seconds=None)
    assert loose["straight_lining"].iloc[0] and not strict["straight_lining"].iloc[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"raw": np.ones(8)}, "2-D"),
        ({"reverse": np.array([1, 0, 0, 0, 0, 0, 0, 0])}, "boolean array"),
        ({"reverse": REVERSE[:5]}, "one entry per item"),
        ({"duration_seconds": np.ones(3)}, "one value per respondent"),
        ({"min_answered": 1}, "min_answered"),
        ({"min_seconds_per_item": -1.0}, "min_seconds_per_item"),
    ],
    ids=["raw-1d", "reverse-int", "reverse-length", "duration-length", "min-answered", "seconds"],
)
def test_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "raw": np.ones((2, 8)),
        "reverse": REVERSE,
        "duration_seconds": None,
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        response_quality(**arguments)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(
    codes=hnp.arrays(
        np.int8,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
        elements=st.integers(-3, 5),
    ),
    data=st.data(),
)
def test_codes_give_the_flags_of_the_float_answers(codes: np.ndarray, data: st.DataObject) -> None:
    """Negative codes (skipped, don't know, not applicable) are what NaN is to the floats."""
    reverse = np.array(data.draw(st.lists(st.booleans(), min_size=codes.shape[1],
                                          max_size=codes.shape[1])), dtype=bool)  # fmt: skip
    durations = data.draw(
        st.none() | hnp.arrays(np.float64, codes.shape[0], elements=st.floats(0, 60) | st.just(N))
    )
    answers = np.where(codes >= 0, codes, np.nan)
    expected = response_quality(
        answers, reverse=reverse, duration_seconds=durations, min_answered=2
    )
    got = response_quality_from_codes(
        codes, reverse=reverse, duration_seconds=durations, min_answered=2
    )
    pd.testing.assert_frame_equal(got, expected)


def test_codes_must_be_an_integer_matrix() -> None:
    with pytest.raises(ValueError, match="integer array"):
        response_quality_from_codes(
            np.ones((2, 3)), reverse=np.zeros(3, bool), duration_seconds=None
        )
