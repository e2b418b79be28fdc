"""CSV injection: text cells that a spreadsheet would run as a formula get a leading apostrophe.

Every CSV the toolkit writes passes its text through here (docs/formats.md "Privacy rules"); numbers stay numbers.
`frame_csv` writes a whole frame that way, fast (Arrow), for large exports.
"""

from __future__ import annotations

import csv
import io
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

#: A cell starting with one of these is a formula (or a formula trigger) in common spreadsheets.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: What is put in front of such a cell; a spreadsheet shows the text as it is.
GUARD = "'"
# Neutralising is idempotent (a guarded cell starts with the guard), so layers may apply it twice.
# The price: a text that itself starts with ' and a formula prefix reads back without its '.
_FORMULA_PATTERN = r"^[=+\-@\t\r]"
_GUARDED_PATTERN = r"^'[=+\-@\t\r]"
# The same tests on the first byte of a UTF-8 text (every prefix, and the guard, is one ASCII byte,
# and an ASCII byte is always a character of its own in UTF-8).
_FORMULA_BYTES = np.zeros(256, dtype=bool)
_FORMULA_BYTES[[ord(prefix) for prefix in FORMULA_PREFIXES]] = True
_GUARD_BYTES = np.zeros(256, dtype=bool)
_GUARD_BYTES[ord(GUARD)] = True


def neutralise_text(value: str) -> str:
    """``value`` with a leading ``'`` when it begins with ``= + - @``, tab or carriage return.

    >>> neutralise_text("=SUM(A1)")
    "'=SUM(A1)"
    >>> neutralise_text("Finance")
    'Finance'
    """
    return GUARD + value if _is_risky(value) else value


def restore_text(value: str) -> str:
    """Undo `neutralise_text`: drop the guard in front of a formula prefix (exports re-import unchanged).

    Exact for every text except one that itself began with ``'`` and a formula prefix.
    """
    return value[1:] if value.startswith(GUARD) and _is_risky(value[1:]) else value


def _is_risky(value: str) -> bool:
    return value.startswith(FORMULA_PREFIXES)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are neutralised; numeric, boolean and date columns untouched.

    Only ``str`` values are changed: in an object column holding numbers and text, the numbers stay
    numbers. Column names are left alone (the caller chooses them).
    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.StringDtype) or column.dtype == object:
            out[name] = _neutralise_series(column)
        elif isinstance(column.dtype, pd.CategoricalDtype):
            categories = column.cat.categories
            if categories.dtype == object or isinstance(categories.dtype, pd.StringDtype):
                renamed = _neutralise_series(pd.Series(categories, dtype=categories.dtype))
                if not renamed.equals(pd.Series(categories, dtype=categories.dtype)):
                    out[name] = column.cat.rename_categories(list(renamed))
    return out


def _neutralise_series(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.StringDtype):
        if column.dtype.storage == "pyarrow":
            cells = _first_byte_in(pa.array(column.array), _FORMULA_BYTES)
            if cells is not None and not cells.any():
                return column
        risky = column.str.match(_FORMULA_PATTERN).fillna(False).astype(bool)
        if not risky.any():
            return column
        return column.where(~risky, GUARD + column)
    values = column.to_numpy(dtype=object, copy=True)
    for i in np.flatnonzero(
        [isinstance(v, str) and v.startswith(FORMULA_PREFIXES) for v in values]
    ):
        values[i] = GUARD + values[i]
    return pd.Series(values, index=column.index, name=column.name, dtype=object)


def neutralise_arrow(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Neutralise a pyarrow string array in one vectorised pass (used for large exports)."""
    cells = _first_byte_in(array, _FORMULA_BYTES)
    if cells is not None and not cells.any():  # the usual case, found without a regex
        return array
    risky = pc.match_substring_regex(array, _FORMULA_PATTERN)
    if not pc.any(risky).as_py():
        return array
    guard, empty = pa.scalar(GUARD, array.type), pa.scalar("", array.type)  # string or large_string
    return pc.if_else(risky, pc.binary_join_element_wise(guard, array, empty), array)


def restore_arrow(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Undo `neutralise_arrow` on a pyarrow string array (vectorised)."""
    cells = _first_byte_in(array, _GUARD_BYTES)
    if cells is not None and not cells.any():  # no cell starts with the guard
        return array
    guarded = pc.match_substring_regex(array, _GUARDED_PATTERN)
    if not pc.any(guarded).as_py():
        return array
    return pc.if_else(guarded, pc.utf8_slice_codeunits(array, 1), array)


def _first_byte_in(
    array: pa.Array | pa.ChunkedArray, table: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_] | None:
    """Per cell of a string array: is its first byte marked in ``table`` (256 flags)? Empty and
    null cells are not. None when the array does not hold strings.

    Reads the offsets and bytes Arrow stores, so a million cells take about a millisecond, several
    times less than a regular expression.
    """
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    parts: list[npt.NDArray[np.bool_]] = []
    for chunk in chunks:
        if pa.types.is_string(chunk.type):
            offset_type: type[np.signedinteger[Any]] = np.int32
        elif pa.types.is_large_string(chunk.type):
            offset_type = np.int64
        else:
            return None
        n = len(chunk)
        _, offsets_buffer, data_buffer = chunk.buffers()
        if n == 0 or data_buffer is None or data_buffer.size == 0:
            parts.append(np.zeros(n, dtype=bool))
            continue
        offsets = np.frombuffer(
            offsets_buffer,
            dtype=offset_type,
            count=n + 1,
            offset=chunk.offset * np.dtype(offset_type).itemsize,
        )
        data = np.frombuffer(data_buffer, dtype=np.uint8)
        # "clip": an empty cell at the end starts past the data; its byte is not used.
        first = np.take(data, offsets[:-1], mode="clip")
        cells = (offsets[1:] > offsets[:-1]) & np.take(table, first)
        if chunk.null_count:
            cells &= chunk.is_valid().to_numpy(zero_copy_only=False)
        parts.append(cells)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def frame_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV (header, LF, no index), text neutralised, missing values empty.

    Numbers are written in their shortest round-trip form, booleans as ``True``/``False`` (as
    pandas writes them). Columns are converted by Arrow, several at a time, so 150,000 rows take
    a fraction of a second where ``DataFrame.to_csv`` takes seconds; a cell that needs quotes (a
    comma, quote or line break in a text) makes the whole file go through Python's csv module
    instead.
    """
    names = [str(name) for name in frame.columns]
    series = [frame.iloc[:, position] for position in range(frame.shape[1])]
    # Arrow's casts and regular expressions release the GIL, so columns convert in parallel.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        converted = list(pool.map(_text_column, series))
    table = pa.table(dict(zip(names, converted, strict=True))) if names else pa.table({})
    sink = io.BytesIO()
    try:
        pv.write_csv(table, sink, pv.WriteOptions(quoting_style="none", quoting_header="none"))
        return sink.getvalue()
    except pa.ArrowInvalid:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(table.column_names)
        writer.writerows(zip(*(c.to_pylist() for c in table.columns), strict=True))
        return text.getvalue().encode("utf-8")


def _text_column(column: pd.Series) -> pa.Array:
    """One column as Arrow text: numbers formatted, text neutralised, missing as null."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        values = pa.array(column, from_pandas=True, type=pa.bool_())
        return pc.if_else(values, "True", "False")
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        return pc.cast(pa.array(column, from_pandas=True), pa.string())
    if isinstance(dtype, pd.StringDtype):
        # Straight from the column's own storage (no Python string per cell).
        return neutralise_arrow(pa.array(column.array, type=pa.string(), from_pandas=True))
    if isinstance(dtype, pd.CategoricalDtype):
        values = pa.array(column.astype(object), from_pandas=True, type=pa.string())
        return neutralise_arrow(values)
    texts = [
        None if _missing(v) else neutralise_text(v) if isinstance(v, str) else str(v)
        for v in column.to_numpy(dtype=object)
    ]
    return pa.array(texts, type=pa.string())


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and np.isnan(value)
