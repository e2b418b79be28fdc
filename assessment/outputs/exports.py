"""Privacy-safe exports: anonymised responses, the tidy scores file, and the guard every export runs.

The privacy rules of docs/formats.md "Privacy rules" are applied here, not left to the UI: a bug elsewhere cannot leak a small group.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from assessment.errors import PrivacyError
from assessment.responses.csv_safety import frame_csv, neutralise_frame
from assessment.responses.wide_csv import ResponseTable, pooled_label
from assessment.results.coarsening import NOT_GIVEN, coarsen_secondary, other_label
from scoring.partitions import OTHER_ROLES as OTHER_ROLES  # re-exported: the pooled role
from scoring.partitions import OTHER_UNITS, coarsen
from scoring.pipeline import ScoreResult
from scoring.suppression import TOTAL_LABEL, suppression_mask

#: Columns every scores export carries so each number can be recomputed (docs/formats.md, "Scores").
METADATA_COLUMNS: tuple[str, ...] = (
    "questionnaire",
    "questionnaire_sha256",
    "confidence",
    "min_group_size",
    "min_item_coverage",
    "method",
    "org_interval",
)

#: Columns a suppressed row of the scores export keeps (besides the group column and metadata).
SUPPRESSED_KEEPS: tuple[str, ...] = ("dimension_type", "dimension", "n", "suppressed")

#: How many offending rows a privacy error names before it counts the rest.
_SHOWN_PROBLEMS = 10
_FIX = (
    "Scores must be computed with the minimum group size they are exported under (score again "
    "with it); if they were, this is a bug in the code that built them, please report it."
)


# --- the guard ----------------------------------------------------------------------------------


def suppressed_rows(frame: pd.DataFrame) -> np.ndarray:
    """Per row of a scores or items frame: is it suppressed? A missing flag counts as suppressed,
    so nothing is shown that is not known to be safe to show."""
    flags: np.ndarray = frame["suppressed"].astype("boolean").fillna(True).to_numpy(dtype=bool)
    return flags


def _shows_statistic(frame: pd.DataFrame, statistic_columns: Sequence[str]) -> np.ndarray:
    """Per row: does any statistic column hold a value?"""
    if not statistic_columns:
        return np.zeros(len(frame), dtype=bool)
    shown: np.ndarray = frame[list(statistic_columns)].notna().any(axis=1).to_numpy(dtype=bool)
    return shown


def _describe(frame: pd.DataFrame, rows: np.ndarray, keys: Sequence[str]) -> list[str]:
    described = []
    for position in np.flatnonzero(rows)[:_SHOWN_PROBLEMS]:
        record = frame.iloc[int(position)]
        described.append(", ".join(f"{k}={record[k]}" for k in keys if k in frame.columns))
    rest = int(rows.sum()) - len(described)
    if rest > 0:
        described.append(f"... and {rest} more")
    return described


def assert_no_small_groups(
    frame: pd.DataFrame,
    min_group_size: int,
    *,
    n_column: str = "n",
    group_column: str | None = "unit",
    within: Sequence[str] = ("dimension_type", "dimension"),
    kept_columns: Collection[str] = (),
    total_label: str = TOTAL_LABEL,
    what: str = "export",
) -> None:
    """Refuse a frame that would reveal a statistic of a group below the minimum group size.

    Parameters
    ----------
    frame : a tidy frame, one row per group (× ``within``), with an n column
    min_group_size : the minimum group size m of docs/formats.md "Privacy rules"
    n_column : the respondents column of each row
    group_column : the group column (its ``total_label`` row is the breakdown's total); None
        when every row is a total (e.g. benchmark rows: one organisation)
    within : columns that split the frame into separate breakdowns (one per dimension)
    kept_columns : further columns that are not statistics (settings such as the metadata)
    total_label : label of the total row
    what : the name of the export, for the message

    Raises
    ------
    PrivacyError
        When a row with n < m (or flagged ``suppressed``) shows a statistic, or when, inside a
        breakdown whose total shows statistics, the respondents not covered by a row that shows
        statistics number between 1 and m − 1 (their statistics could be derived by subtracting
        the shown groups from the total).

    Notes
    -----
    Statistic columns are all columns except the group column, ``n_column``, ``suppressed``,
    ``within`` and ``kept_columns``. The hidden pool of a breakdown is P = n_total − Σ n_shown
    over the rows that show statistics; rows that are suppressed and groups missing from the frame
    both count towards it, so the check holds whatever the rows are.
    """
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int | np.integer):
        raise ValueError(f"min_group_size must be an integer >= 1; got {min_group_size!r}")
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be an integer >= 1; got {min_group_size}")
    needed = [n_column, *within, *([group_column] if group_column else [])]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(
            f"the {what} frame lacks the columns {missing} needed to check privacy; it has "
            f"{list(frame.columns)}"
        )
    if frame.empty:
        return
    not_statistics = {n_column, "suppressed", *within, *kept_columns}
    if group_column:
        not_statistics.add(group_column)
    statistics = [c for c in frame.columns if c not in not_statistics]
    shows = _shows_statistic(frame, statistics)
    n = pd.to_numeric(frame[n_column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    small = np.isnan(n) | (n < min_group_size)
    if "suppressed" in frame.columns:
        small |= frame["suppressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    keys = [c for c in (group_column, *within) if c]
    leaking = small & shows
    if leaking.any():
        raise PrivacyError(
            f"refusing to write the {what}: {int(leaking.sum())} row(s) show statistics of a group "
            f"below the minimum group size {min_group_size}: "
            + "; ".join(_describe(frame, leaking, [*keys, n_column]))
            + f". Nothing was written. {_FIX}"
        )
    if not group_column:
        return
    is_total = frame[group_column].astype(object).to_numpy() == total_label
    if not is_total.any():
        return
    keys = list(within)
    counts = pd.DataFrame({"_n": np.nan_to_num(n)}, index=frame.index)
    if keys:
        counts = pd.concat([frame[keys], counts], axis=1)
    else:
        counts["_part"] = 0
        keys = ["_part"]
    shown_cells = counts[shows & ~is_total].groupby(keys, dropna=False, sort=False)["_n"].sum()
    totals = counts[shows & is_total]
    merged = totals.merge(
        shown_cells.rename("_shown").reset_index(), on=keys, how="left", sort=False
    )
    hidden = (merged["_n"] - merged["_shown"].fillna(0.0)).to_numpy()
    problems = []
    for position in np.flatnonzero((hidden > 0) & (hidden < min_group_size)):
        record = merged.iloc[int(position)]
        where = ", ".join(f"{k}={record[k]}" for k in within)
        problems.append(f"{where or 'the total'}: {hidden[position]:g} hidden respondents")
    if problems:
        raise PrivacyError(
            f"refusing to write the {what}: subtracting the shown groups from the total would "
            f"reveal a pool of fewer than {min_group_size} respondents ("
            + "; ".join(problems[:_SHOWN_PROBLEMS])
            + (
                f"; ... and {len(problems) - _SHOWN_PROBLEMS} more"
                if len(problems) > _SHOWN_PROBLEMS
                else ""
            )
            + f"). Nothing was written. {_FIX}"
        )


# --- metadata -----------------------------------------------------------------------------------


def export_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata columns of an export (`METADATA_COLUMNS`) from the scoring metadata.

    ``metadata`` is the dict `assessment.analysis.scoring.score_table` returns with the result:
    the questionnaire (``questionnaire`` as ``id@version``, or ``questionnaire_id`` and
    ``questionnaire_version``), ``questionnaire_sha256``, ``confidence``, ``min_group_size``,
    ``method``, ``org_interval`` and, when known, ``min_item_coverage``.
    """
    questionnaire = metadata.get("questionnaire")
    if (
        not questionnaire
        and metadata.get("questionnaire_id")
        and metadata.get("questionnaire_version")
    ):
        questionnaire = f"{metadata['questionnaire_id']}@{metadata['questionnaire_version']}"
    values: dict[str, Any] = {
        "questionnaire": questionnaire,
        "questionnaire_sha256": metadata.get("questionnaire_sha256"),
        "confidence": metadata.get("confidence"),
        "min_group_size": metadata.get("min_group_size"),
        "min_item_coverage": metadata.get("min_item_coverage"),
        "method": metadata.get("method"),
        # What the organisation row estimates (metadata written before it existed: as surveyed).
        "org_interval": metadata.get("org_interval") or "as-surveyed",
    }
    required = ("questionnaire", "questionnaire_sha256", "confidence", "min_group_size", "method")
    missing = [k for k in required if values[k] is None or values[k] == ""]
    if missing:
        raise ValueError(
            f"the scoring metadata lacks {missing}; every export records the questionnaire "
            f"(id@version), its sha256 and the scoring settings. Got keys {sorted(metadata)}"
        )
    size = values["min_group_size"]
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ValueError(f"min_group_size in the metadata must be an integer >= 1; got {size!r}")
    values["min_group_size"] = int(size)
    values["confidence"] = float(values["confidence"])
    if values["min_item_coverage"] is not None:
        values["min_item_coverage"] = float(values["min_item_coverage"])
    return values


# --- scores -------------------------------------------------------------------------------------


def group_column_of(metadata: Mapping[str, Any], group_column: str | None = None) -> str:
    """The group column of a result: the one given, else the metadata's ``by``, else ``unit``."""
    return group_column or str(metadata.get("by") or "unit")


def scores_export(
    result: ScoreResult, metadata: Mapping[str, Any], *, group_column: str | None = None
) -> pd.DataFrame:
    """The tidy scores file: docs/formats.md "Scores" columns, suppressed rows stripped, metadata, injection-safe.

    Parameters
    ----------
    result : the scores (`scoring.pipeline.score`, privacy rules already applied there)
    metadata : the scoring metadata (see `export_metadata`)
    group_column : the group column of ``result.scores`` (default: the metadata's ``by``)

    Returns
    -------
    One row per group × dimension: the columns of ``result.scores`` then `METADATA_COLUMNS`.
    A suppressed row keeps only the group, ``dimension_type``, ``dimension``, ``n`` and
    ``suppressed`` (and the metadata); every other cell is empty.

    Raises
    ------
    PrivacyError
        When, despite the suppression of the scoring, a row would show statistics of a group
        below the minimum group size or a small group could be derived from the total
        (`assert_no_small_groups`).
    """
    meta = export_metadata(metadata)
    group_column = group_column_of(metadata, group_column)
    frame = result.scores.copy()
    if group_column not in frame.columns:
        raise ValueError(
            f"the scores have no group column {group_column!r}; their columns are "
            f"{list(frame.columns)}"
        )
    clash = [c for c in METADATA_COLUMNS if c in frame.columns]
    if clash:
        raise ValueError(f"the scores already have metadata columns {clash}")
    suppressed = suppressed_rows(frame)
    kept = {group_column, *SUPPRESSED_KEEPS}
    for column in frame.columns:
        if column not in kept and suppressed.any():
            frame[column] = _blank(frame[column], suppressed)
    for column in METADATA_COLUMNS:
        frame[column] = meta[column]
    frame = frame.astype({"questionnaire": "str", "questionnaire_sha256": "str", "method": "str"})
    assert_no_small_groups(
        frame,
        meta["min_group_size"],
        group_column=group_column,
        kept_columns=METADATA_COLUMNS,
        what="scores export",
    )
    return neutralise_frame(frame)


def _blank(column: pd.Series, mask: np.ndarray) -> pd.Series:
    """The column with masked rows missing, keeping (or choosing) a dtype that can hold missing."""
    out = column.copy()
    if pd.api.types.is_bool_dtype(out.dtype) and not isinstance(out.dtype, pd.BooleanDtype):
        out = out.astype("boolean")
    elif pd.api.types.is_integer_dtype(out.dtype) and not isinstance(
        out.dtype, pd.api.extensions.ExtensionDtype
    ):
        out = out.astype("Int64")
    missing = pd.NA if isinstance(out.dtype, pd.api.extensions.ExtensionDtype) else np.nan
    if out.dtype == object:
        missing = None
    out[mask] = missing
    return out


def scores_csv(
    result: ScoreResult, metadata: Mapping[str, Any], *, group_column: str | None = None
) -> bytes:
    """The scores CSV: the one writer of it, for `wmm score`, `wmm export scores` and the dashboard.

    The frame of `scores_export` (privacy guard included) as UTF-8 CSV, LF line endings, no index,
    text cells neutralised, missing values empty, numbers in their shortest round-trip form
    (`assessment.responses.csv_safety.frame_csv`, fast enough for 10,000 units).

    Raises
    ------
    PrivacyError
        As `scores_export`: nothing is returned for a frame that would reveal a small group.
    """
    return frame_csv(scores_export(result, metadata, group_column=group_column))


# --- responses ----------------------------------------------------------------------------------

#: Durations in an anonymised export are rounded to this many seconds (whole minutes).
DURATION_ROUNDING_SECONDS = 60

#: With at most this many quasi-identifier columns besides the unit, every order of generalising
#: them is tried (4! = 24 runs); with more, the default order alone.
_MAX_ORDERED_COLUMNS = 4


def _other_label(column: str) -> str | None:
    """What a pooled value of a quasi-identifier column becomes."""
    if column == "unit":
        return OTHER_UNITS
    if column == "language":
        return None  # "not given": a language code must stay a code the importer knows
    return pooled_label(column)


def _missing(values: np.ndarray) -> np.ndarray:
    """Per value: is it missing (None, or NaN for a number)?"""
    return np.asarray(pd.isna(pd.Series(values, dtype=object)), dtype=bool)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes of values in sorted order of their text, a missing value (None, NaN) first as
    a category of its own; so the codes, and every tie broken by them, do not depend on row order."""
    series = pd.Series(np.asarray(values, dtype=object), dtype=object)
    keys = ("\x01" + series.astype(str)).where(~series.isna(), "").to_numpy(dtype=object)
    uniques, codes = np.unique(keys, return_inverse=True)
    return np.asarray(codes, dtype=np.int64).reshape(-1), len(uniques)


def _cells(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Integer code of each respondent's combination of the given columns (in sorted order)."""
    codes = np.zeros(len(columns[0]), dtype=np.int64) if columns else np.zeros(0, dtype=np.int64)
    for values in columns:
        column_codes, n = _factorize(values)
        codes = codes * max(n, 1) + column_codes
        codes = np.unique(codes, return_inverse=True)[1].astype(np.int64).reshape(-1)
    return codes


def _pool_within(
    parent: np.ndarray, values: np.ndarray, *, min_group_size: int, other: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Pool small categories of ``values`` inside each parent cell (docs/formats.md "Privacy rules", with its complement).

    Returns the new values and a per-respondent flag of those whose value changed. Each parent
    cell must hold at least ``min_group_size`` respondents (or none) for the result to be safe;
    the categories then end up each with 0 or >= min_group_size respondents in every parent cell.
    Ties between equally small categories go to the first in sorted order.
    """
    codes, n_categories = _factorize(values)
    n_parents = int(parent.max()) + 1 if parent.size else 0
    counts = np.zeros((n_categories, n_parents))
    np.add.at(counts, (codes, parent), 1.0)
    mask = suppression_mask(counts, min_group_size=min_group_size, total_n=counts.sum(axis=0))
    pooled = mask[codes, parent] if parent.size else np.zeros(0, dtype=bool)
    out = values.copy()
    out[pooled] = other
    return out, pooled & ~_same(values, other)


def _same(values: np.ndarray, label: str | None) -> np.ndarray:
    """Per value: is it already ``label`` (a pooled value left as it is)?"""
    if label is None:
        return _missing(values)
    return np.asarray(pd.Series(values, dtype=object).eq(label).to_numpy(), dtype=bool)


def _hide_consistently(
    parent: np.ndarray,
    values: np.ndarray,
    new: np.ndarray,
    changed: np.ndarray,
    *,
    min_group_size: int,
    other: str | None,
) -> None:
    """Pool a value in more cells until the respondents it is hidden for number 0 or >= m (in place).

    A value (say role ``staff``) shown in some cells and pooled in others is a published total
    elsewhere too (the dashboard's role breakdown): subtracting the cells that show it from that
    total gives the pooled ones. So while 1 to m − 1 of its respondents are pooled, the smallest
    cell still showing it is pooled too (ties: the first cell in sorted order). That cell holds
    >= m of them, so one step suffices, and its cell's pool stays 0 or >= m.
    """
    codes, n_values = _factorize(values)
    n_parents = int(parent.max()) + 1 if parent.size else 0
    for value in range(n_values):
        is_value = codes == value
        hidden = int(np.count_nonzero(is_value & changed))
        if not 0 < hidden < min_group_size:
            continue
        shown = is_value & ~changed
        sizes = np.bincount(parent[shown], minlength=n_parents).astype(np.float64)
        if not sizes.any():
            continue
        sizes[sizes == 0] = np.inf
        rows = shown & (parent == int(np.argmin(sizes)))
        new[rows] = other
        changed[rows] = True


@dataclasses.dataclass(frozen=True)
class _Generalised:
    """The quasi-identifier columns of an anonymised export and which values were generalised."""

    values: dict[str, np.ndarray]
    changed: dict[str, np.ndarray]
    cells: np.ndarray

    @property
    def n_changed(self) -> int:
        return int(sum(np.count_nonzero(flags) for flags in self.changed.values()))


def _quasi_identifiers(table: ResponseTable) -> list[tuple[str, np.ndarray]]:
    """The categorical quasi-identifier columns besides the unit, in the default order of
    generalisation (last generalised first): role, any other demographic, language."""
    columns = [
        (name, np.asarray(table.demographics[name], dtype=object))
        for name in sorted(table.demographics, key=lambda d: (d != "role", d))
    ]
    columns.append(("language", np.asarray(table.language, dtype=object)))
    return columns


def _results_partition(
    units: np.ndarray, values: np.ndarray, name: str, min_group_size: int
) -> np.ndarray:
    """A quasi-identifier as the results' breakdown by it groups respondents (DESIGN §7).

    `assessment.results.coarsening.coarsen_secondary`, the rule the dashboard's role breakdown
    follows, so the export never shows a group the results pool. Back in the file's terms: a
    missing answer is empty again, and so is a pooled or unknown language (a language cell must be
    a code the importer knows).
    """
    labels, _ = coarsen_secondary(units, values, name, min_group_size=min_group_size)
    out = np.asarray(labels, dtype=object).copy()
    out[out == NOT_GIVEN] = None
    if name == "language":
        out[out == other_label(name)] = None
    return out


def _generalise(
    units: np.ndarray, inner: Sequence[tuple[str, np.ndarray]], min_group_size: int
) -> _Generalised:
    """Each further column pooled inside the cells of the (pooled) units and the columns before
    it (`_pool_within`, `_hide_consistently`); ``units`` and ``inner`` are the results'
    partitions (`_results_partition`)."""
    values = {"unit": units}
    changed = {"unit": np.zeros(len(units), dtype=bool)}
    parent = _cells([units])
    for name, start in inner:
        other = _other_label(name)
        new, flags = _pool_within(parent, start, min_group_size=min_group_size, other=other)
        _hide_consistently(parent, start, new, flags, min_group_size=min_group_size, other=other)
        values[name], changed[name] = new, flags
        parent = _cells([parent, new])
    return _Generalised(values, changed, parent)


def _differs(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Per respondent: did the value change (two missing values are the same)?"""
    old, new = _missing(before), _missing(after)
    text_old = pd.Series(before, dtype=object).astype(str).to_numpy()
    text_new = pd.Series(after, dtype=object).astype(str).to_numpy()
    return np.asarray((old != new) | (~old & ~new & (text_old != text_new)), dtype=bool)


def _aggregate_durations(
    cells: np.ndarray, durations: np.ndarray, tiebreak: np.ndarray, min_group_size: int
) -> np.ndarray:
    """Durations replaced by values each shared by >= m respondents of the same cell.

    Inside each cell, respondents are sorted by duration (ties by ``tiebreak``) and cut into runs
    of m (the last run takes the rest, so a run holds m to 2m − 1); every respondent of a run gets
    the run's median rounded to `DURATION_ROUNDING_SECONDS`. When 1 to m − 1 respondents of a cell
    have no duration, the longest known durations are left out too until they number m (all of
    them when fewer than m would remain), so "no duration" is a group of 0 or >= m as well.
    """
    m = min_group_size
    out = np.full(len(durations), np.nan)
    missing = np.isnan(durations)
    order = np.lexsort((tiebreak, np.where(missing, np.inf, durations), missing, cells))
    boundaries = np.flatnonzero(np.diff(cells[order])) + 1
    for rows in np.split(order, boundaries):
        known = rows[~missing[rows]]
        n_missing = len(rows) - len(known)
        if 0 < n_missing < m:
            known = known[: max(len(known) - (m - n_missing), 0)]
        if len(known) < m:
            continue
        runs = len(known) // m
        for run in range(runs):
            members = known[run * m : (run + 1) * m if run < runs - 1 else len(known)]
            median = float(np.median(durations[members]))
            out[members] = np.round(median / DURATION_ROUNDING_SECONDS) * DURATION_ROUNDING_SECONDS
    return out


def _combinations(table: ResponseTable) -> list[tuple[str, np.ndarray]]:
    """Every quasi-identifier column of a responses table: unit, demographics, language, duration."""
    durations = np.asarray(table.duration_seconds, dtype=np.float64)
    return [
        ("unit", np.asarray(table.unit, dtype=object)),
        *_quasi_identifiers(table),
        ("duration_seconds", _with_none(durations)),
    ]


def _with_none(numbers: np.ndarray) -> np.ndarray:
    """An object array of the numbers, None where NaN."""
    out = numbers.astype(object)
    out[np.isnan(numbers)] = None
    return out


def assert_responses_anonymised(table: ResponseTable, min_group_size: int) -> None:
    """Refuse a responses table that is not k-anonymous on its quasi-identifiers (k = m).

    Every combination of unit, demographics (role), language and duration present in the table
    must hold at least ``min_group_size`` respondents, so no row can be told apart from fewer than
    m others by what a colleague may know about a person; and it must carry no submission time.

    Raises
    ------
    PrivacyError
        Naming the first small combinations, or the time stamps.
    """
    if table.n_respondents == 0:
        return
    columns = _combinations(table)
    cells = _cells([values for _, values in columns])
    sizes = np.bincount(cells)
    small = np.flatnonzero(sizes < min_group_size)
    if small.size == 0:
        if np.any(~np.isnat(np.asarray(table.submitted_at))):
            raise PrivacyError(
                "refusing to write the responses export: it carries submission times, which can "
                "identify whoever was seen submitting. Nothing was written; this is a bug in the "
                "anonymisation, please report it."
            )
        return
    examples = []
    for cell in small[:_SHOWN_PROBLEMS]:
        first = int(np.flatnonzero(cells == cell)[0])
        where = ", ".join(f"{name}={values[first]}" for name, values in columns)
        examples.append(f"{where} ({int(sizes[cell])})")
    raise PrivacyError(
        f"refusing to write the responses export: {small.size} combination(s) of unit, role, "
        f"language and duration have fewer than {min_group_size} respondents: "
        + "; ".join(examples)
        + ". Nothing was written; this is a bug in the anonymisation, please report it."
    )


def anonymised_responses(
    table: ResponseTable, *, min_group_size: int, raw: bool = False
) -> tuple[ResponseTable, list[str]]:
    """The responses for export (`wmm export responses`): k-anonymous on unit, role, language and duration.

    Parameters
    ----------
    table : the campaign's responses
    min_group_size : the campaign's minimum group size m (the k of k-anonymity)
    raw : keep every unit, demographic, language, time stamp and duration as stored (a warning
        says so); the file then imports again unchanged

    Returns
    -------
    The table to write and warnings for the user (what was pooled, or the raw-export warning).

    Raises
    ------
    PrivacyError
        Without ``raw``, when the whole table has between 1 and m − 1 respondents: no pooling can
        protect them.

    Notes
    -----
    The file is anonymous but not aggregated: anyone can group its rows by any of its columns, so
    every combination of the quasi-identifiers (what a colleague may know: unit, role and any
    other demographic, language, how long someone took, when they answered) must hold at least m
    respondents (docs/formats.md "Responses CSV"):

    1. Units below m become ``(other units)``; while that pool holds 1 to m − 1 respondents the
       next-smallest unit joins it (the rule of the dashboard's unit breakdown).
    2. Inside each unit, roles (and other demographics) below m become ``(other roles)``, and
       inside each unit × role cell, languages below m become "not given" (empty), with the same
       complementary rule; a value pooled for 1 to m − 1 respondents overall is pooled in more
       cells until that number reaches m (`_hide_consistently`). The unit is generalised last
       (it is what results are read by); of the other columns, every order is tried and the one
       that changes the fewest values is used (ties: role kept before language).
    3. Durations are replaced, inside each combination, by the median of a run of m to 2m − 1
       respondents with similar times, rounded to whole minutes (`_aggregate_durations`).
    4. ``submitted_at`` is left empty: even the day can single out whoever was seen answering.

    Every combination then holds >= m respondents (checked by `assert_responses_anonymised`).
    Rows are ordered by unit and respondent id rather than by arrival.
    """
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int | np.integer):
        raise ValueError(f"min_group_size must be an integer >= 1; got {min_group_size!r}")
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be an integer >= 1; got {min_group_size}")
    n = table.n_respondents
    if raw:
        return table, _raw_warnings(table, min_group_size)
    if n == 0:
        return table, []
    if n < min_group_size:
        raise PrivacyError(
            f"the responses cannot be anonymised: there are only {n} respondents and the minimum "
            f"group size is {min_group_size}, so even all of them together form a group that is too "
            "small. Wait for more responses, or export with --raw (the file then identifies a "
            "small group; treat it as personal data)."
        )
    units = np.asarray(table.unit, dtype=object)
    inner = _quasi_identifiers(table)
    coarse_units = coarsen(units, min_group_size=min_group_size, other_label=OTHER_UNITS).labels
    starts = [
        (name, _results_partition(coarse_units, values, name, min_group_size))
        for name, values in inner
    ]
    orders = (
        list(itertools.permutations(starts)) if len(starts) <= _MAX_ORDERED_COLUMNS else [starts]
    )
    best = min(
        (_generalise(coarse_units, order, min_group_size) for order in orders),
        key=lambda generalised: generalised.n_changed,
    )
    ids = np.asarray(table.respondent_id, dtype=object)
    durations = _aggregate_durations(
        best.cells,
        np.asarray(table.duration_seconds, dtype=np.float64),
        ids.astype(str),
        min_group_size,
    )
    warnings: list[str] = []
    for name, original in [("unit", units), *inner]:
        flags = _differs(original, best.values[name])
        if flags.any():
            label = _other_label(name) or "not given"
            count = len(pd.Series(original[flags], dtype=object).unique())
            warnings.append(
                f"{int(flags.sum())} respondents in {count} {name} value(s) were pooled into "
                f"{label!r} so that no combination of fewer than {min_group_size} can be "
                "picked out"
            )
    if np.any(~np.isnan(table.duration_seconds)):
        warnings.append(
            f"durations were replaced by the median of at least {min_group_size} respondents "
            "with similar times, rounded to whole minutes"
        )
    if np.any(~np.isnat(table.submitted_at)):
        warnings.append("submission times were left out: even the day can identify a respondent")
    order = np.lexsort((ids.astype(str), np.asarray(best.values["unit"], dtype=str)))
    anonymised = dataclasses.replace(
        table,
        respondent_id=ids[order],
        unit=np.asarray(best.values["unit"], dtype=object)[order],
        demographics={
            name: np.asarray(best.values[name], dtype=object)[order] for name in table.demographics
        },
        language=np.asarray(best.values["language"], dtype=object)[order],
        submitted_at=np.full(n, np.datetime64("NaT"), dtype=table.submitted_at.dtype),
        duration_seconds=durations[order],
        codes=np.ascontiguousarray(table.codes[order]),
    )
    assert_responses_anonymised(anonymised, min_group_size)
    return anonymised, warnings


def _raw_warnings(table: ResponseTable, min_group_size: int) -> list[str]:
    """The warning of a raw export, naming the small groups it contains."""
    units = pd.Series(np.asarray(table.unit, dtype=object)).value_counts()
    small_units = units[units < min_group_size]
    message = (
        f"raw export: units, roles, languages, durations and submission times are kept as "
        f"stored; the file is not protected by the minimum group size {min_group_size}. Treat it "
        "as personal data and do not share it."
    )
    if len(small_units):
        listed = ", ".join(f"{unit} ({count})" for unit, count in small_units.head(10).items())
        more = f" and {len(small_units) - 10} more" if len(small_units) > 10 else ""
        message += f" Units below the minimum: {listed}{more}."
    return [message]
