"""The vectorised CSV-injection guard on Arrow arrays agrees with the per-text one, for every layout
Arrow uses (string and large_string, slices, several chunks, nulls, empty cells)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from assessment.responses.csv_safety import (
    _FORMULA_BYTES,
    _FORMULA_PATTERN,
    _first_byte_in,
    neutralise_arrow,
    neutralise_frame,
    neutralise_text,
    restore_arrow,
    restore_text,
)

# Texts that start with a prefix, the guard, both, multi-byte characters or nothing at all.
texts = st.one_of(
    st.none(),
    st.text(max_size=6),
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "é", "€", "a", " "]), max_size=4
        ),
    ),
)
TYPES = [pa.string(), pa.large_string()]


def layouts(values: list[str | None], data: st.DataObject) -> pa.Array | pa.ChunkedArray:
    """The values as a plain, sliced or chunked Arrow array of either string type."""
    kind = data.draw(st.sampled_from(TYPES))
    layout = data.draw(st.sampled_from(["plain", "sliced", "chunked"]))
    if layout == "sliced":
        padded = pa.array(["=pad", *values, "@pad"], type=kind)
        return padded.slice(1, len(values))
    if layout == "chunked":
        cut = data.draw(st.integers(0, len(values)))
        return pa.chunked_array(
            [pa.array(values[:cut], type=kind), pa.array(values[cut:], type=kind)], type=kind
        )
    return pa.array(values, type=kind)


@given(values=st.lists(texts, max_size=12), data=st.data())
def test_first_byte_agrees_with_the_regex(values: list[str | None], data: st.DataObject) -> None:
    array = layouts(values, data)
    cells = _first_byte_in(array, _FORMULA_BYTES)
    regex = pc.match_substring_regex(array, _FORMULA_PATTERN).to_pylist()
    assert cells is not None
    assert cells.tolist() == [bool(r) for r in regex]


@given(values=st.lists(texts, max_size=12), data=st.data())
def test_arrow_guard_agrees_with_the_text_guard(
    values: list[str | None], data: st.DataObject
) -> None:
    array = layouts(values, data)
    guarded = neutralise_arrow(array)
    assert guarded.to_pylist() == [None if v is None else neutralise_text(v) for v in values]
    restored = restore_arrow(guarded).to_pylist()
    assert restored == [None if v is None else restore_text(neutralise_text(v)) for v in values]


@given(values=st.lists(texts, max_size=12))
def test_frame_guard_agrees_for_every_string_storage(values: list[str | None]) -> None:
    expected = [None if v is None else neutralise_text(v) for v in values]
    for dtype in [
        "str",
        "string[pyarrow]",
        "string[python]",
        pd.StringDtype("python", na_value=float("nan")),
    ]:
        frame = pd.DataFrame({"unit": pd.array(values, dtype=dtype)})
        out = neutralise_frame(frame)["unit"]
        assert [None if pd.isna(v) else v for v in out] == expected


def test_other_types_are_left_to_the_regex() -> None:
    assert _first_byte_in(pa.array([b"=x"]), _FORMULA_BYTES) is None
    assert _first_byte_in(pa.array([1, 2]), _FORMULA_BYTES) is None
