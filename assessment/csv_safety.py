"""CSV injection: text cells that a spreadsheet would run as a formula get a leading apostrophe.

Every CSV the toolkit writes passes its text through here (docs/formats.md "Privacy rules"); numbers stay numbers.
`frame_csv` writes a whole frame that way, fast (Arrow), for large exports.
"""

from __future__ import annotations

import csv
import io

import numpy as np
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
    risky = pc.match_substring_regex(array, _FORMULA_PATTERN)
    if not pc.any(risky).as_py():
        return array
    return pc.if_else(risky, pc.binary_join_element_wise(GUARD, array, ""), array)


def restore_arrow(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Undo `neutralise_arrow` on a pyarrow string array (vectorised)."""
    guarded = pc.match_substring_regex(array, _GUARDED_PATTERN)
    if not pc.any(guarded).as_py():
        return array
    return pc.if_else(guarded, pc.utf8_slice_codeunits(array, 1), array)


def frame_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV (header, LF, no index), text neutralised, missing values empty.

    Numbers are written in their shortest round-trip form, booleans as ``True``/``False`` (as
    pandas writes them). Columns are converted by Arrow, so 150,000 rows take a fraction of a
    second where ``DataFrame.to_csv`` takes seconds; a cell that needs quotes (a comma, quote or
    line break in a text) makes the whole file go through Python's csv module instead.
    """
    columns: dict[str, pa.Array] = {}
    for name in frame.columns:
        columns[str(name)] = _text_column(frame[name])
    table = pa.table(columns) if columns else pa.table({})
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
    if isinstance(dtype, pd.StringDtype | pd.CategoricalDtype):
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
