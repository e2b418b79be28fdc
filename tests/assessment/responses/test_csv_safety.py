"""CSV injection guard: risky text gets a leading apostrophe, numbers stay numbers, and it can be undone."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.responses.csv_safety import (
    frame_csv,
    neutralise_arrow,
    neutralise_frame,
    neutralise_text,
    restore_arrow,
    restore_text,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1", "'+1"),
        ("-Ops", "'-Ops"),
        ("@user", "'@user"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'quoted", "'quoted"),
        ("Finance", "Finance"),
        ("a=b", "a=b"),
        ("", ""),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "cr", "apostrophe", "plain", "inside", "empty"],
)  # fmt: skip
def test_neutralise_text(value: str, expected: str) -> None:
    assert neutralise_text(value) == expected
    assert restore_text(expected) == value


@given(st.text(max_size=20))
def test_restore_inverts_neutralise(value: str) -> None:
    guarded = neutralise_text(value)
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert neutralise_text(guarded) == guarded  # idempotent: layers may apply it twice
    if not (value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "\t", "\r")):
        assert restore_text(guarded) == value


def test_the_one_ambiguous_text() -> None:
    assert neutralise_text("'=x") == "'=x"
    assert restore_text("'=x") == "=x"


def test_frame_text_guarded_numbers_untouched() -> None:
    frame = pd.DataFrame(
        {
            "unit": pd.array(["=cmd", "Sales", None], dtype="str"),
            "mixed": np.array(["-x", -3, 2.5], dtype=object),
            "mean": [-1.5, 2.0, np.nan],
            "n": [1, 2, 3],
            "flag": [True, False, True],
            "cat": pd.Categorical(["+a", "b", "+a"]),
        }
    )
    out = neutralise_frame(frame)
    assert out["unit"].tolist()[:2] == ["'=cmd", "Sales"] and pd.isna(out["unit"].iloc[2])
    assert out["mixed"].tolist() == ["'-x", -3, 2.5]
    assert out["mean"].tolist()[:2] == [-1.5, 2.0] and out["mean"].dtype == frame["mean"].dtype
    assert out["n"].dtype == frame["n"].dtype and out["flag"].dtype == bool
    assert list(out["cat"]) == ["'+a", "b", "'+a"]
    assert frame["unit"].iloc[0] == "=cmd"  # the input is not changed


def test_arrow_versions_match_the_text_versions() -> None:
    values = ["=a", "-b", "c", "", "@d"]
    guarded = neutralise_arrow(pa.array(values))
    assert guarded.to_pylist() == [neutralise_text(v) for v in values]
    assert restore_arrow(guarded).to_pylist() == values


@pytest.mark.parametrize(
    "units",
    [["Sales", "=cmd", None], ["a,b", 'say "hi"', "-x"]],
    ids=["plain-text", "text-that-needs-quotes"],
)
def test_frame_csv_matches_pandas_after_neutralising(units: list[str | None]) -> None:
    frame = pd.DataFrame(
        {
            "unit": pd.array(units, dtype="str"),
            "mean": [3.5401731601731, np.nan, -1e-07],
            "n": [55, 7, 3],
            "level": pd.array([4, None, 2], dtype="Int64"),
            "suppressed": [False, True, False],
            "note": np.array(["@x", None, 2.5], dtype=object),
        }
    )
    expected = neutralise_frame(frame).to_csv(index=False, lineterminator="\n", na_rep="")
    written = frame_csv(frame).decode("utf-8")
    assert pd.read_csv(io.StringIO(written)).equals(pd.read_csv(io.StringIO(expected)))
    assert written.splitlines()[0] == "unit,mean,n,level,suppressed,note"
    assert "'=cmd" in written or "'-x" in written
