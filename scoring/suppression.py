"""Privacy rules for aggregated results: minimum group size and complementary suppression (docs/formats.md "Privacy rules").

A suppressed group keeps only its n; every statistic is blanked, so no output reveals a small group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

BoolArray = npt.NDArray[np.bool_]

TOTAL_LABEL = "__all__"


def suppression_mask(
    n: npt.ArrayLike,
    *,
    min_group_size: int,
    total_n: npt.ArrayLike | None = None,
    forced: npt.ArrayLike | None = None,
) -> BoolArray:
    """Which cells of a breakdown to suppress, for several breakdowns (columns) at once.

    Parameters
    ----------
    n : (G,) or (G, K) respondents per cell; column k is one breakdown (e.g. one dimension)
    min_group_size : the minimum group size m
    total_n : (K,) n of each breakdown's total row, or None when no total is shown
    forced : cells that must be suppressed anyway (e.g. a unit suppressed on another level)

    Returns
    -------
    Boolean mask of the shape of ``n``.

    Notes
    -----
    1. Primary suppression: a cell with n < m (or a forced cell) is suppressed.
    2. Complementary suppression, only when the total is shown (total n ≥ m): the suppressed
       cells' pooled n P is what subtracting the shown cells from the total reveals, so it must be
       0 or ≥ m. While 0 < P < m, the smallest cell still shown is suppressed too (ties: the
       first in row order). Vectorised by sorting each column by n.
    A total below m is itself suppressed by the caller (see `suppress_frame`); all its cells are
    then below m and suppressed by rule 1.
    """
    counts = np.asarray(n, dtype=np.float64)
    one_dim = counts.ndim == 1
    if one_dim:
        counts = counts[:, None]
    if counts.ndim != 2:
        raise ValueError(f"n must be a (G,) or (G, K) array; got shape {counts.shape}")
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be >= 1; got {min_group_size}")
    counts = np.nan_to_num(counts, nan=0.0)
    mask = counts < min_group_size
    if forced is not None:
        forced_arr = np.asarray(forced, dtype=bool)
        if one_dim and forced_arr.ndim == 1:
            forced_arr = forced_arr[:, None]
        mask |= np.broadcast_to(forced_arr, counts.shape)
    if total_n is not None and counts.shape[0] > 0:
        totals = np.broadcast_to(np.asarray(total_n, dtype=np.float64), (counts.shape[1],))
        pooled = np.where(mask, counts, 0.0).sum(axis=0)
        needs_more = (totals >= min_group_size) & (pooled > 0) & (pooled < min_group_size)
        if needs_more.any():
            shown_n = np.where(mask, np.inf, counts)
            order = np.argsort(shown_n, axis=0, kind="stable")
            sorted_n = np.take_along_axis(shown_n, order, axis=0)
            finite = np.isfinite(sorted_n)
            before = np.cumsum(np.where(finite, sorted_n, 0.0), axis=0) - np.where(
                finite, sorted_n, 0.0
            )
            add_sorted = finite & needs_more[None, :] & (pooled[None, :] + before < min_group_size)
            add = np.zeros_like(mask)
            np.put_along_axis(add, order, add_sorted, axis=0)
            mask |= add
    return mask[:, 0] if one_dim else mask


def suppress_frame(
    frame: pd.DataFrame,
    *,
    group_column: str,
    stat_columns: Sequence[str],
    min_group_size: int,
    n_column: str = "n",
    within: Sequence[str] = (),
    total_label: str = TOTAL_LABEL,
    forced_groups: Sequence[object] | pd.DataFrame = (),
    flag_column: str | None = "suppressed",
) -> pd.DataFrame:
    """Apply docs/formats.md "Privacy rules" to a tidy frame: blank the statistics of small groups and their complements.

    Parameters
    ----------
    frame : one row per group (× the ``within`` keys), with a group column, an n column and stats
    group_column : the group column; the row labelled ``total_label`` is the breakdown's total
    stat_columns : columns blanked (set to missing) in suppressed rows; n is always kept
    min_group_size : the minimum group size m
    n_column : the respondent-count column
    within : columns that split the frame into separate breakdowns (e.g. ``["dimension"]``): each
        has its own total row and its own complementary suppression
    total_label : label of the total row (absent: no total is shown, only rule 1 applies)
    forced_groups : groups to suppress in every breakdown (a list of labels), or a frame with the
        group column, the ``within`` columns and a boolean ``suppressed`` column for per-breakdown
        forcing
    flag_column : name of the boolean column that marks suppressed rows (None: no column)

    Returns
    -------
    A copy of the frame with suppressed statistics set to missing (NaN, or <NA> for nullable
    columns) and the flag column added or updated.

    Notes
    -----
    Rules as in `suppression_mask`; a total with n < m is suppressed too.
    """
    missing = [c for c in (group_column, n_column, *within, *stat_columns) if c not in frame]
    if missing:
        raise ValueError(f"the frame lacks the columns {missing}; it has {list(frame.columns)}")
    out = frame.copy()
    if out.empty:
        if flag_column is not None:
            out[flag_column] = pd.Series(dtype=bool)
        return out
    keys = list(within)
    if keys:
        part_codes, _ = pd.factorize(
            pd.MultiIndex.from_frame(out[keys]) if len(keys) > 1 else out[keys[0]]
        )
    else:
        part_codes = np.zeros(len(out), dtype=np.int64)
    labels = out[group_column].astype(object).to_numpy()
    is_total = labels == total_label
    group_codes, group_uniques = pd.factorize(pd.Series(labels[~is_total], dtype=object))
    n_parts = int(part_codes.max()) + 1
    n_groups = len(group_uniques)
    n_values = pd.to_numeric(out[n_column]).to_numpy(dtype=np.float64, na_value=np.nan)

    cell_rows = np.flatnonzero(~is_total)
    cell_keys = group_codes * n_parts + part_codes[cell_rows]
    if np.unique(cell_keys).size != cell_keys.size:
        raise ValueError(
            f"the frame must hold one row per {group_column}"
            + (f" and {', '.join(keys)}" if keys else "")
            + "; aggregate duplicate rows first"
        )
    counts = np.zeros((n_groups, n_parts))
    present = np.zeros((n_groups, n_parts), dtype=bool)
    counts[group_codes, part_codes[cell_rows]] = np.nan_to_num(n_values[cell_rows])
    present[group_codes, part_codes[cell_rows]] = True

    total_n: npt.NDArray[np.float64] | None = None
    total_rows = np.flatnonzero(is_total)
    if total_rows.size:
        total_n = np.full(n_parts, np.nan)
        total_n[part_codes[total_rows]] = np.nan_to_num(n_values[total_rows])
        # A breakdown without a total row shows no total: only rule 1 applies to it.
        total_n = np.where(np.isnan(total_n), 0.0, total_n)

    forced = np.zeros((n_groups, n_parts), dtype=bool)
    forced_rows = _forced_rows(forced_groups, out, group_column, keys)
    forced[group_codes, part_codes[cell_rows]] = forced_rows[cell_rows]
    mask = suppression_mask(counts, min_group_size=min_group_size, total_n=total_n, forced=forced)
    # Cells absent from the frame must not count as shown cells of the breakdown.
    mask = mask | ~present

    row_mask = np.zeros(len(out), dtype=bool)
    row_mask[cell_rows] = mask[group_codes, part_codes[cell_rows]]
    if total_rows.size:
        row_mask[total_rows] = np.nan_to_num(n_values[total_rows]) < min_group_size
    return blank_statistics(out, row_mask, stat_columns, flag_column=flag_column)


def blank_statistics(
    frame: pd.DataFrame,
    mask: npt.ArrayLike,
    stat_columns: Sequence[str],
    *,
    flag_column: str | None = "suppressed",
) -> pd.DataFrame:
    """Set the statistics of the masked rows to missing and flag them (in place on ``frame``).

    Float columns get NaN; integer, boolean and text columns become nullable and get <NA>.
    The flag column is OR-ed with the mask (created when absent). Returns the frame.
    """
    row_mask = np.asarray(mask, dtype=bool)
    if row_mask.shape != (len(frame),):
        raise ValueError(f"mask must have one entry per row ({len(frame)}); got {row_mask.shape}")
    for column in stat_columns:
        frame[column] = _blank(frame[column], row_mask)
    if flag_column is not None:
        previous = (
            frame[flag_column].astype("boolean").fillna(False).to_numpy(dtype=bool)
            if flag_column in frame
            else np.zeros(len(frame), dtype=bool)
        )
        frame[flag_column] = previous | row_mask
    return frame


def _forced_rows(
    forced_groups: Sequence[object] | pd.DataFrame,
    frame: pd.DataFrame,
    group_column: str,
    keys: list[str],
) -> BoolArray:
    """Per row of the frame: is its group forced into suppression (in its breakdown)?"""
    labels = frame[group_column].astype(object)
    if isinstance(forced_groups, pd.DataFrame):
        needed = [group_column, *keys, "suppressed"]
        lacking = [c for c in needed if c not in forced_groups]
        if lacking:
            raise ValueError(f"forced_groups lacks the columns {lacking}; it needs {needed}")
        flags = forced_groups["suppressed"].astype("boolean").fillna(False).astype(bool)
        flagged = forced_groups.loc[flags.to_numpy(), [group_column, *keys]]
        flagged = flagged.astype({group_column: object}).drop_duplicates()
        left = frame[[group_column, *keys]].astype({group_column: object})
        hit = left.merge(flagged.assign(_forced=True), how="left", on=[group_column, *keys])
        return np.asarray(hit["_forced"].astype("boolean").fillna(False).to_numpy(dtype=bool))
    wanted = pd.Index(list(forced_groups), dtype=object)
    return np.asarray(labels.isin(wanted).to_numpy(dtype=bool))


def _blank(column: pd.Series, mask: BoolArray) -> pd.Series:
    """The column with masked rows set to missing, keeping a nullable dtype where there is one."""
    if not mask.any():
        return column
    result = column.copy()
    if pd.api.types.is_bool_dtype(result.dtype) and not isinstance(result.dtype, pd.BooleanDtype):
        result = result.astype("boolean")
    elif pd.api.types.is_integer_dtype(result.dtype) and not isinstance(
        result.dtype, pd.api.extensions.ExtensionDtype
    ):
        result = result.astype("Int64")
    result[mask] = pd.NA if isinstance(result.dtype, pd.api.extensions.ExtensionDtype) else np.nan
    return result
