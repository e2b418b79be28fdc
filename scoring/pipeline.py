"""The scoring pipeline: answer codes of a whole organisation in, privacy-filtered tidy results out.

`score` runs every statistic of docs/formats.md "Scores" on one pass of group sums and applies docs/formats.md "Privacy rules" before returning.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring import notes as remarks
from scoring.agreement import ad_m, awg, item_disagreement, item_rwg, rwg_j, rwg_j_lindell
from scoring.bootstrap import bca_group_means
from scoring.dimensions import DimensionScorer, membership_matrix
from scoring.drivers import relative_weights
from scoring.estimates import (
    ORDINARY_T,
    Estimates,
    OrganisationEstimates,
    group_estimates,
    head_count_below_n,
    organisation_as_surveyed,
    organisation_wider_pool,
)
from scoring.groups import FloatArray, GroupIndex, ItemMoments
from scoring.maturity import assess_levels, level_of, target_gap
from scoring.notes import Note
from scoring.pooling import PooledPosterior, pooled_posterior
from scoring.quality import response_quality_from_codes
from scoring.recoding import (
    AnswerCounts,
    CodeArray,
    check_codes,
    count_checked_answers,
    recode_checked,
)
from scoring.reliability import (
    PAIRWISE_BLOCK_ROWS,
    AlphaResult,
    IccResult,
    PairwiseCovariance,
    PairwiseSums,
    alpha_item_statistics_from_cov,
    cronbach_alpha_from_cov,
    icc_from_moments,
)
from scoring.shrinkage import rank_units
from scoring.spec import ScoringSpec
from scoring.suppression import TOTAL_LABEL, blank_statistics, suppression_mask

#: Fewest complete rows (all component scores and the outcome) for a driver analysis.
MIN_DRIVER_ROWS = 30
#: Bootstrap resamples of the drivers' percentile intervals unless `score` is told otherwise.
DRIVER_RESAMPLES = 500
#: Fewest respondents for a BCa interval; smaller units keep their t interval (docs/statistics.md).
BCA_MIN_N = 20
#: Below this level probability the level reads as borderline.
BORDERLINE = 0.8
#: LeBreton & Senter (2008) agreement bands on r*wg(J): (upper bound, name), ascending.
AGREEMENT_BANDS: tuple[tuple[float, str], ...] = (
    (0.30, "lack of agreement"),
    (0.50, "weak agreement"),
    (0.70, "moderate agreement"),
    (0.90, "strong agreement"),
    (np.inf, "very strong agreement"),
)
OrgInterval = Literal["as-surveyed", "wider-pool"]

# Rows per block of the quality flags: small enough for the item-major copies to stay in cache
# (8,192 to 131,072 rows measured at 1M x 41; 32,768 was fastest).
_QUALITY_BLOCK_ROWS = 32_768

SCORE_COLUMNS: tuple[str, ...] = (
    "dimension_type",
    "dimension",
    "n",
    "mean",
    "sd",
    "se",
    "ci_low",
    "ci_high",
    "pooled_mean",
    "pooled_sd",
    "pooled_ci_low",
    "pooled_ci_high",
    "level",
    "level_name",
    "level_probability",
    "level_borderline",
    "level_low",
    "level_high",
    "rank",
    "rwg_j",
    "rwg_j_lindell",
    "awg",
    "ad_m",
    "agreement_band",
    "eb_mean",
    "coverage",
    "dk_share",
    "ci_method",
    "head_count_stale",
    "suppressed",
)
TARGET_COLUMNS: tuple[str, ...] = (
    "target",
    "target_threshold",
    "gap",
    "gap_ci_low",
    "gap_ci_high",
    "p_target",
    "below_target",
)
# Not statistics: kept on suppressed rows (the target is a setting, not a result).
_KEPT_WHEN_SUPPRESSED = frozenset(
    {"dimension_type", "dimension", "n", "suppressed", "target", "target_threshold", "item"}
)
_AGREEMENT: tuple[str, ...] = ("rwg_j", "rwg_j_lindell", "awg", "ad_m")
_ITEM_FIXED_COLUMNS: tuple[str, ...] = (
    "item",
    "mean",
    "sd",
    "ad",
    "rwg",
    "disagreement",
    "n_dk",
    "n_na",
    "n_skipped",
    "alpha_if_deleted",
    "item_rest_r",
)
STATS_COLUMNS: tuple[str, ...] = (
    "dimension_type",
    "dimension",
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "icc1",
    "icc2",
    "n_respondents",
    "n_units",
    "n_items",
)


#: The outputs `score` can compute (the fields of `ScoreResult` that hold frames).
PARTS: tuple[str, ...] = ("scores", "stats", "items", "respondents", "drivers")


@dataclass(frozen=True)
class ScoreResult:
    """Everything `score` computes.

    Attributes
    ----------
    scores : one row per group × dimension (groups sorted, then the organisation rows
        ``__all__``), privacy rules applied
    stats : one row per dimension: reliability and the ICCs
    items : one row per group × item (then ``__all__``), privacy rules applied
    respondents : one row per respondent: group, dimension scores and quality flags. **Not
        privacy-filtered**: it is for internal use (drivers, quality review) and must never be
        exported or shown.
    drivers : relative weights of the component scores on each outcome score (empty when there is
        no outcome dimension or fewer than `MIN_DRIVER_ROWS` complete rows)
    notes : remarks on fallbacks taken (e.g. an ordinary t interval for the organisation row
        when fewer than 2 units have scores), each a `scoring.notes.Note` whose ``str()`` is
        its English sentence
    """

    scores: pd.DataFrame
    stats: pd.DataFrame
    items: pd.DataFrame
    respondents: pd.DataFrame
    drivers: pd.DataFrame
    notes: tuple[Note, ...] = ()


def score(
    codes: npt.ArrayLike,
    groups: Sequence[str] | npt.ArrayLike,
    spec: ScoringSpec,
    *,
    group_column: str = "unit",
    head_counts: Mapping[str, int] | None = None,
    targets: Mapping[str, int] | None = None,
    method: Literal["t", "bca"] = "t",
    n_resamples: int = 2000,
    seed: int = 0,
    duration_seconds: npt.ArrayLike | None = None,
    driver_resamples: int = DRIVER_RESAMPLES,
    parts: Collection[str] | None = None,
    org_interval: OrgInterval = "as-surveyed",
) -> ScoreResult:
    """Score an organisation's answers by group and dimension.

    Parameters
    ----------
    codes : (N, J) int8 answer codes (scale values, -1 skipped, -2 don't know, -3 not applicable)
    groups : (N,) the group (unit) of each respondent; labels are used as text
    spec : the scoring spec
    group_column : name of the group column in the outputs
    head_counts : people per group; enables the finite-population correction of that group's se
    targets : target level (1..K) per dimension id; adds the target columns to ``scores``
    method : ``"t"`` (t-intervals) or ``"bca"`` (BCa bootstrap intervals for the group rows)
    n_resamples : bootstrap resamples of the BCa intervals (``method="bca"``)
    seed : seed of every bootstrap (BCa intervals and the drivers' intervals)
    duration_seconds : (N,) time each respondent took, for the quality flags
    driver_resamples : bootstrap resamples of the drivers' percentile intervals (0: no intervals)
    parts : the outputs to compute, a subset of `PARTS` (default: all); ``scores`` is always
        computed, and a part not asked for is an empty DataFrame in the result. A command that
        writes only the scores skips the reliability sums, the quality flags, the item table and
        the drivers.
    org_interval : what the organisation row estimates: ``"as-surveyed"`` (default; the
        organisation's people: stratified by unit, weighted by head-count, else n, with the
        finite-population correction) or ``"wider-pool"`` (a wider pool of units like these:
        mean over respondents, CR2 se, Bell-McCaffrey df)

    Returns
    -------
    ScoreResult

    Notes
    -----
    Definitions as docs/formats.md "Scores" and docs/statistics.md: respondents' dimension scores (`dimension_scores`),
    group estimates with t-intervals and the finite-population correction (`group_estimates`,
    bounded to the answer scale; a head-count below n is ignored with a note), the organisation
    row as surveyed (`organisation_as_surveyed`) or for a wider pool (`organisation_wider_pool`),
    partially pooled unit estimates (`pooled_posterior`, shown units only) from which the units'
    levels, level probabilities, the levels of the pooled interval, p_target, ranks, eb_mean and
    the FDR-controlled below_target flags come (`flag_below_target`); the organisation row's
    level from its own t distribution (`assess_levels`); agreement (rwg(J), r*wg(J), awg, AD_M
    and the r*wg(J) band, `agreement_band`) on the group's item moments, alpha with a Feldt
    interval (every dimension's from one pairwise covariance matrix of the items), ICC(1) (n₀)
    and ICC(2) from the group moments of the dimension scores (`icc_from_moments`). The answers
    are read in one pass of row blocks, each recoded once for both the covariance sums and the
    scores. ``coverage`` is the mean share of the dimension's items the group's respondents
    answered, ``dk_share`` the share of "don't know" among the possible answers.
    With ``method="bca"`` the intervals of group rows with at least `BCA_MIN_N` respondents
    come from `bca_group_means` (no finite-population correction; ``ci_method`` says which).
    Privacy (docs/formats.md "Privacy rules"): units below the minimum group
    size, and complementary units until the suppressed units together reach it, are suppressed
    in every dimension and item; then each dimension and item applies the same rules to its own
    n. A suppressed row keeps its n and loses every statistic.
    """
    arr = check_codes(codes, spec)
    n_respondents = arr.shape[0]
    if n_respondents == 0:
        raise ValueError("there are no responses to score; the answer matrix has no rows")
    index = _group_index(groups, n_respondents)
    _check_options(
        spec,
        group_column,
        targets,
        method,
        n_resamples,
        duration_seconds,
        n_respondents,
        driver_resamples,
    )
    if org_interval not in ("as-surveyed", "wider-pool"):
        raise ValueError(
            f"org_interval must be 'as-surveyed' or 'wider-pool'; got {org_interval!r}"
        )
    wanted = _wanted_parts(parts)
    member = membership_matrix(spec)
    notes: list[Note] = []
    empty = pd.DataFrame()

    # Two threads: numpy releases the GIL in its array operations and matrix products, while
    # `np.bincount` and pandas hold it, so the respondent pass and then the drivers run in a
    # second thread beside the item counts, quality flags and tables (results do not depend on it).
    # This block only schedules; the steps are the functions it calls.
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Respondent level: one pass over the codes in row blocks gives the dimension scores
        # and, when alpha or the item statistics are wanted, the items' pairwise covariance sums.
        # With the scores alone, the blocks are shared: this thread scores the blocks still
        # left once its own work below is done.
        shared = None if wanted & {"stats", "items"} else _SharedScoring(arr, spec)
        respondent_level = (
            pool.submit(shared.run)
            if shared is not None
            else pool.submit(_respondent_pass, arr, spec, pairwise=True)
        )
        # Item level (and the quality flags) here while the respondent pass runs.
        counted = _count_items(arr, index, spec, member)
        quality = _quality(arr, spec, duration_seconds) if "respondents" in wanted else None
        if shared is not None:
            shared.run()
        covariance, y = respondent_level.result()
        driver_notes: list[Note] = []
        drivers_future = (
            pool.submit(
                _drivers,
                spec,
                y,
                index.codes,
                n_resamples=int(driver_resamples),
                seed=seed,
                notes=driver_notes,
            )
            if "drivers" in wanted
            else None
        )
        reliability = None if covariance is None else _reliability(covariance, spec)
        moments = _group_moments(index, y, pool if drivers_future is None else None)
        estimated = _estimate_groups(
            spec,
            index,
            moments,
            y,
            head_counts=head_counts,
            method=method,
            n_resamples=n_resamples,
            seed=seed,
            org_interval=org_interval,
            notes=notes,
        )
        scores, items, stats = _tables(
            spec,
            index,
            counted,
            estimated,
            reliability,
            wanted,
            member=member,
            group_column=group_column,
            targets=targets,
        )
        drivers = empty
        if drivers_future is not None:
            drivers = drivers_future.result()
            notes.extend(driver_notes)
    respondents = (
        empty
        if quality is None
        else _respondents_frame(spec, index, y, quality, group_column=group_column)
    )
    return ScoreResult(
        scores=scores,
        stats=stats,
        items=items,
        respondents=respondents,
        drivers=drivers,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class _ItemCounts:
    """The item level of a scoring run, from one pass of answer counts."""

    answers: AnswerCounts
    moments: ItemMoments
    abs_dev: FloatArray
    #: (G, D) group sums of the respondents' coverage of each dimension.
    coverage_sum: FloatArray


def _count_items(
    arr: CodeArray, index: GroupIndex, spec: ScoringSpec, member: FloatArray
) -> _ItemCounts:
    """Per group and item: the answer counts, moments and mean absolute deviations, and the
    groups' coverage sums per dimension."""
    answers = count_checked_answers(arr, index, spec)
    moments = answers.moments()
    # Σ_i∈g coverage_id = Σ_i∈g Σ_j∈d answered_ij / J_d = (n_g· B)_d / J_d: the group sums of
    # the respondents' coverage follow from the per-item answer counts.
    coverage_sum = (moments.n @ member) / member.sum(axis=0)
    return _ItemCounts(answers, moments, answers.mean_abs_deviation(), coverage_sum)


@dataclass(frozen=True)
class _GroupEstimates:
    """The group and organisation estimates of the dimension scores, with what is suppressed."""

    moments: ItemMoments
    group: Estimates
    org: OrganisationEstimates
    pooled: PooledPosterior
    iccs: list[IccResult]
    #: (G,) units suppressed as a whole; (G, D) cells suppressed.
    unit_suppressed: npt.NDArray[np.bool_]
    cell_suppressed: npt.NDArray[np.bool_]
    #: (G,) units whose head-count is below their respondents (no finite-population correction).
    stale: npt.NDArray[np.bool_]
    #: (G, D) cells whose interval is a BCa bootstrap interval.
    bca_rows: npt.NDArray[np.bool_]


def _estimate_groups(
    spec: ScoringSpec,
    index: GroupIndex,
    moments: ItemMoments,
    y: FloatArray,
    *,
    head_counts: Mapping[str, int] | None,
    method: Literal["t", "bca"],
    n_resamples: int,
    seed: int,
    org_interval: OrgInterval,
    notes: list[Note],
) -> _GroupEstimates:
    """Group estimates, the organisation row, suppression, the pooled model, BCa intervals and the
    ICCs from the groups' moments of the dimension scores; remarks on fallbacks go to ``notes``."""
    dims = spec.dimensions
    population = _population(head_counts, index)
    group = group_estimates(
        moments, confidence=spec.confidence, head_counts=population, labels=list(index.labels)
    )
    if org_interval == "wider-pool":
        org = organisation_wider_pool(moments, confidence=spec.confidence)
    else:
        org = organisation_as_surveyed(moments, confidence=spec.confidence, head_counts=population)
    for d, how in enumerate(org.method):
        if how == ORDINARY_T and org.n[0, d] > 0:
            notes.append(remarks.org_dimension_ordinary_t(dims[d].id))
    notes.append(remarks.org_row(org.method[0]))
    unit_suppressed = suppression_mask(
        index.counts, min_group_size=spec.min_group_size, total_n=float(index.codes.shape[0])
    )
    cell_suppressed = suppression_mask(
        moments.n,
        min_group_size=spec.min_group_size,
        total_n=org.n[0],
        forced=unit_suppressed[:, None],
    )
    # The pooled model sees only the cells that are shown: otherwise a shown unit's pooled
    # mean (through the grand mean it is pulled to) and the organisation row would be two
    # different weightings of the suppressed units, and together could reveal them.
    shown = ~cell_suppressed
    pooled = pooled_posterior(
        np.where(shown, moments.n, 0.0),
        np.where(shown, moments.mean, np.nan),
        np.where(shown, moments.var, np.nan),
    )
    stale = np.zeros(index.n_groups, dtype=bool)
    if population is not None:
        stale = head_count_below_n(moments.n, population)
        for g in np.flatnonzero(stale):
            notes.append(remarks.stale_head_count(str(index.labels[g]), int(population[g])))
    bca_rows = np.zeros(group.n.shape, dtype=bool)
    if method == "bca":
        group, bca_rows = _with_bca_intervals(
            spec, index, group, y, n_resamples=n_resamples, seed=seed, notes=notes
        )
    iccs = [
        icc_from_moments(moments.n[:, d], moments.mean[:, d], moments.var[:, d])
        for d in range(len(dims))
    ]
    return _GroupEstimates(
        moments=moments,
        group=group,
        org=org,
        pooled=pooled,
        iccs=iccs,
        unit_suppressed=unit_suppressed,
        cell_suppressed=cell_suppressed,
        stale=stale,
        bca_rows=bca_rows,
    )


def _with_bca_intervals(
    spec: ScoringSpec,
    index: GroupIndex,
    group: Estimates,
    y: FloatArray,
    *,
    n_resamples: int,
    seed: int,
    notes: list[Note],
) -> tuple[Estimates, npt.NDArray[np.bool_]]:
    """``group`` with BCa bootstrap intervals for the cells of at least `BCA_MIN_N` respondents,
    and which cells those are."""
    low = group.ci_low.copy()
    high = group.ci_high.copy()
    # BCa under-covers in small samples (0.88 at n 5-9, 0.92 at n 10-19 measured):
    # below BCA_MIN_N respondents the unit keeps its t interval.
    bca_rows = group.n >= BCA_MIN_N
    for d in range(len(spec.dimensions)):
        if not bca_rows[:, d].any():
            continue
        boot_low, boot_high = bca_group_means(
            y[:, d], index, confidence=spec.confidence, n_resamples=n_resamples, seed=seed
        )
        low[:, d] = np.where(bca_rows[:, d], boot_low, low[:, d])
        high[:, d] = np.where(bca_rows[:, d], boot_high, high[:, d])
    small = int(((group.n >= 2) & ~bca_rows).sum())
    if small:
        notes.append(remarks.bca_small_units(small, BCA_MIN_N))
    return replace(group, ci_low=low, ci_high=high), bca_rows


def _tables(
    spec: ScoringSpec,
    index: GroupIndex,
    counted: _ItemCounts,
    estimated: _GroupEstimates,
    reliability: _Reliability | None,
    wanted: set[str],
    *,
    member: FloatArray,
    group_column: str,
    targets: Mapping[str, int] | None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The scores (privacy rules applied), items and stats tables; a part not wanted is empty."""
    org, cell_suppressed = estimated.org, estimated.cell_suppressed
    scores = _scores_frame(
        spec,
        index,
        estimated.group,
        org,
        counted.moments,
        counted.abs_dev,
        counted.coverage_sum,
        estimated.iccs,
        group_column=group_column,
        targets=targets,
        bca_rows=estimated.bca_rows,
        stale=estimated.stale,
        pooled=estimated.pooled,
        dont_know=counted.answers.dont_know,
        suppressed=cell_suppressed,
    )
    org_suppressed = org.n[0] < spec.min_group_size
    blank_statistics(
        scores,
        np.concatenate([cell_suppressed.ravel(), org_suppressed]),
        [c for c in scores.columns if c not in _KEPT_WHEN_SUPPRESSED and c != group_column],
    )
    items = stats = pd.DataFrame()
    if "items" in wanted and reliability is not None:
        item_forced = estimated.unit_suppressed[:, None] | (
            (cell_suppressed.astype(float) @ member.T) > 0
        )
        items = _items_frame(
            spec,
            index,
            counted.answers,
            counted.moments,
            counted.abs_dev,
            reliability.item_table,
            group_column=group_column,
            forced=item_forced,
        )
    if "stats" in wanted and reliability is not None:
        stats = _stats_frame(
            spec, reliability.alpha, estimated.iccs, org, min_group_size=spec.min_group_size
        )
    return scores, items, stats


@dataclass(frozen=True)
class _Reliability:
    alpha: list[AlphaResult]
    item_table: pd.DataFrame


def _wanted_parts(parts: Collection[str] | None) -> set[str]:
    if parts is None:
        return set(PARTS)
    if isinstance(parts, str):
        raise ValueError(
            f"parts must be a collection of part names, e.g. {{'scores'}}; got {parts!r}"
        )
    wanted = set(parts)
    unknown = sorted(wanted - set(PARTS))
    if unknown:
        raise ValueError(f"unknown parts {unknown}; expected some of {', '.join(PARTS)}")
    return wanted | {"scores"}


def _group_index(groups: Sequence[str] | npt.ArrayLike, n_respondents: int) -> GroupIndex:
    """The group index of the respondents, with the labels as text, sorted."""
    values = np.asarray(groups, dtype=object)
    if values.ndim != 1 or values.shape[0] != n_respondents:
        raise ValueError(
            f"groups must give one label per respondent ({n_respondents}); got shape {values.shape}"
        )
    codes, uniques = pd.factorize(values, sort=True)
    if (codes < 0).any():
        raise ValueError(
            f"respondent {int(np.flatnonzero(codes < 0)[0])} has no group; give every respondent "
            "a group (unit)"
        )
    # Labels become text; labels that differ only in type (1 and "1") become one group.
    text = pd.Index(uniques, dtype=object).astype(str).to_numpy(dtype=object)
    remap, labels = pd.factorize(text, sort=True)
    if (labels == TOTAL_LABEL).any():
        raise ValueError(f"{TOTAL_LABEL!r} is reserved for the organisation row; rename that group")
    return GroupIndex.from_codes(remap[codes], np.asarray(labels, dtype=object))


def _check_options(
    spec: ScoringSpec,
    group_column: str,
    targets: Mapping[str, int] | None,
    method: str,
    n_resamples: int,
    duration_seconds: npt.ArrayLike | None,
    n_respondents: int,
    driver_resamples: int,
) -> None:
    reserved = {*SCORE_COLUMNS, *TARGET_COLUMNS, *_ITEM_FIXED_COLUMNS, *spec.dimension_ids}
    if not isinstance(group_column, str) or not group_column or group_column in reserved:
        raise ValueError(
            f"group_column must be a non-empty name that is not an output column or a dimension "
            f"id; got {group_column!r}"
        )
    if method not in ("t", "bca"):
        raise ValueError(f"method must be 't' or 'bca'; got {method!r}")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise ValueError(f"n_resamples must be a positive integer; got {n_resamples!r}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer; got {n_resamples}")
    if (
        isinstance(driver_resamples, bool)
        or not isinstance(driver_resamples, int | np.integer)
        or driver_resamples < 0
    ):
        raise ValueError(
            f"driver_resamples must be a non-negative integer (0 for no driver intervals); got "
            f"{driver_resamples!r}"
        )
    if targets is not None:
        for dimension_id, level in targets.items():
            if dimension_id not in spec.dimension_ids:
                raise ValueError(
                    f"target for unknown dimension {dimension_id!r}; known: "
                    f"{', '.join(spec.dimension_ids)}"
                )
            if (
                isinstance(level, bool)
                or not isinstance(level, int | np.integer)
                or not 1 <= level <= spec.n_levels
            ):
                raise ValueError(
                    f"target level of {dimension_id!r} must be a level 1..{spec.n_levels}; "
                    f"got {level!r}"
                )
    if duration_seconds is not None:
        durations = np.asarray(duration_seconds)
        if durations.shape != (n_respondents,):
            raise ValueError(
                f"duration_seconds must give one value per respondent ({n_respondents}); got "
                f"shape {durations.shape}"
            )


def _quality(
    codes: CodeArray, spec: ScoringSpec, duration_seconds: npt.ArrayLike | None
) -> pd.DataFrame:
    """Quality flags in row blocks: each respondent's flags depend on their own row only, and
    blocks keep the flagging's temporaries small."""
    reverse = np.asarray(spec.reverse, dtype=bool)
    durations = None if duration_seconds is None else np.asarray(duration_seconds, dtype=np.float64)
    parts = [
        response_quality_from_codes(
            codes[start : start + _QUALITY_BLOCK_ROWS],
            reverse=reverse,
            duration_seconds=(
                None if durations is None else durations[start : start + _QUALITY_BLOCK_ROWS]
            ),
        )
        for start in range(0, codes.shape[0], _QUALITY_BLOCK_ROWS)
    ]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _population(head_counts: Mapping[str, int] | None, index: GroupIndex) -> FloatArray | None:
    """Head-count per group of the index (NaN where unknown); groups without respondents ignored."""
    if not head_counts:
        return None
    known = {str(label): count for label, count in head_counts.items()}
    for label, count in known.items():
        if isinstance(count, bool) or not isinstance(count, int | np.integer | float):
            raise ValueError(
                f"unit {label!r}: the head-count must be a whole number; got {count!r}"
            )
    lookup = pd.Series({label: float(count) for label, count in known.items()}, dtype=np.float64)
    population = lookup.reindex(pd.Index(index.labels, dtype=object)).to_numpy(dtype=np.float64)
    return np.asarray(population, dtype=np.float64)


def _home_dimensions(spec: ScoringSpec) -> list[int | None]:
    """For each item the dimension its alpha-if-deleted refers to: its first component, else its
    first outcome, else the first dimension that holds it (None: in no dimension)."""
    home: list[int | None] = [None] * spec.n_items
    for kinds in (("component",), ("outcome",), None):
        for d, dimension in enumerate(spec.dimensions):
            if kinds is not None and dimension.type not in kinds:
                continue
            for j in dimension.items:
                if home[j] is None:
                    home[j] = d
    return home


def _group_moments(
    index: GroupIndex, y: FloatArray, pool: ThreadPoolExecutor | None
) -> ItemMoments:
    """`GroupIndex.moments` of the (N, D) scores; with a free second thread (``pool``), half of the
    dimensions are summed there (`np.bincount` releases the GIL). Each column's moments are the
    same either way."""
    half = y.shape[1] // 2
    if pool is None or half == 0:
        return index.moments(y)
    first = pool.submit(index.moments, y[:, :half])
    second = index.moments(y[:, half:])
    done = first.result()
    return ItemMoments(
        n=np.hstack([done.n, second.n]),
        sum=np.hstack([done.sum, second.sum]),
        mean=np.hstack([done.mean, second.mean]),
        var=np.hstack([done.var, second.var]),
    )


class _SharedScoring:
    """The respondents' dimension scores from the codes, in row blocks that any number of threads
    take in turn: each thread calling `run` scores blocks until none is left, and `run` returns
    (None, scores) once its thread runs out. Each block is scored the same whichever thread takes
    it, so the result does not depend on how the blocks were shared."""

    def __init__(self, codes: CodeArray, spec: ScoringSpec) -> None:
        self._codes = codes
        self._scorer = DimensionScorer(spec)
        n_rows = codes.shape[0]
        # Scores column-major: every later step reads them one dimension (column) at a time.
        self.scores = np.empty((n_rows, len(spec.dimensions)), dtype=np.float64, order="F")
        self._starts = iter(range(0, n_rows, PAIRWISE_BLOCK_ROWS))
        self._lock = threading.Lock()

    def _next_block(self) -> slice | None:
        with self._lock:
            start = next(self._starts, None)
        if start is None:
            return None
        return slice(start, min(start + PAIRWISE_BLOCK_ROWS, self._codes.shape[0]))

    def run(self) -> tuple[None, FloatArray]:
        while (rows := self._next_block()) is not None:
            self.scores[rows] = self._scorer.score_codes(self._codes[rows])[0]
        return None, self.scores


def _respondent_pass(
    codes: CodeArray, spec: ScoringSpec, *, pairwise: bool = True
) -> tuple[PairwiseCovariance | None, FloatArray]:
    """One pass over the answer codes in row blocks: each block is recoded once (reverse-keyed)
    and feeds both the items' pairwise covariance sums (unless ``pairwise`` is False, then None)
    and the respondents' (N, D) dimension scores. No full float copy of the answers is made."""
    if not pairwise:
        return _SharedScoring(codes, spec).run()
    n_rows = codes.shape[0]
    pairs = PairwiseSums(spec.n_items)
    scorer = DimensionScorer(spec)
    # Scores column-major: every later step reads them one dimension (column) at a time.
    scores = np.empty((n_rows, len(spec.dimensions)), dtype=np.float64, order="F")
    for start in range(0, n_rows, PAIRWISE_BLOCK_ROWS):
        stop = min(start + PAIRWISE_BLOCK_ROWS, n_rows)
        block = codes[start:stop]
        values = recode_checked(block, spec, missing=None)
        centred_and_mask = pairs.add_masked(values, block >= 0)
        scores[start:stop] = scorer.score_centred(centred_and_mask, pairs.shift)[0]
    return pairs.result(), scores


def _reliability(pairs: PairwiseCovariance, spec: ScoringSpec) -> _Reliability:
    """Alpha of every dimension and the item statistics of each item's home dimension, all from one
    pairwise covariance matrix of the items (an entry depends on its two items only, so a
    dimension's sub-matrix is its own pairwise matrix)."""
    cov = pairs.cov
    n = pairs.n_rows
    alphas = [
        cronbach_alpha_from_cov(
            cov[np.ix_(dimension.items, dimension.items)], n, confidence=spec.confidence
        )
        for dimension in spec.dimensions
    ]
    home = _home_dimensions(spec)
    alpha_drop = np.full(spec.n_items, np.nan)
    rest_r = np.full(spec.n_items, np.nan)
    for d in sorted({h for h in home if h is not None}):
        items = spec.dimensions[d].items
        table = alpha_item_statistics_from_cov(
            cov[np.ix_(items, items)], item_ids=[spec.item_ids[j] for j in items]
        )
        for row, j in enumerate(items):
            if home[j] == d:
                alpha_drop[j] = table["alpha_if_deleted"].iloc[row]
                rest_r[j] = table["item_rest_r"].iloc[row]
    table = pd.DataFrame(
        {"item": list(spec.item_ids), "alpha_if_deleted": alpha_drop, "item_rest_r": rest_r}
    )
    return _Reliability(alpha=alphas, item_table=table)


def _stack(group_values: FloatArray, org_values: FloatArray) -> FloatArray:
    """(G, D) group values then (1, D) organisation values as one column, group-major."""
    return np.concatenate([np.asarray(group_values).ravel(), np.asarray(org_values).ravel()])


def _nullable_int(values: FloatArray) -> pd.arrays.IntegerArray:
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def _scores_frame(
    spec: ScoringSpec,
    index: GroupIndex,
    group: Estimates,
    org: OrganisationEstimates,
    item_moments: ItemMoments,
    item_abs_dev: FloatArray,
    coverage_sum: FloatArray,
    iccs: list[IccResult],
    *,
    group_column: str,
    targets: Mapping[str, int] | None,
    bca_rows: npt.NDArray[np.bool_],
    stale: npt.NDArray[np.bool_],
    pooled: PooledPosterior,
    dont_know: FloatArray,
    suppressed: npt.NDArray[np.bool_],
) -> pd.DataFrame:
    dims = spec.dimensions
    n_groups, n_dims = index.n_groups, len(dims)
    thresholds = np.asarray(spec.level_thresholds)
    scale = (float(spec.scale_min), float(spec.scale_max))

    mean = np.vstack([group.mean, org.mean])
    se = np.vstack([group.se, org.se])
    df = np.vstack([group.df, org.df])
    # The true mean lies on the answer scale: an interval end beyond it says nothing more.
    ci_low = np.clip(np.vstack([group.ci_low, org.ci_low]), *scale)
    ci_high = np.clip(np.vstack([group.ci_high, org.ci_high]), *scale)
    ci_method = np.vstack(
        [
            np.where(bca_rows, "bca", "t").astype(object),
            np.full((1, n_dims), "t", dtype=object),
        ]
    )
    # Raw t levels: the organisation row's, and the units' wherever there is no pooled posterior
    # (one unit, or no spread at all).
    raw = assess_levels(mean, se, df, ci_low, ci_high, thresholds=thresholds)
    pooled_low, pooled_high = pooled.interval(spec.confidence)
    pooled_low = np.clip(pooled_low, *scale)
    pooled_high = np.clip(pooled_high, *scale)
    has_pool = ~np.isnan(pooled.mean)
    unit_level = level_of(pooled.mean, thresholds)
    band_low = np.concatenate(([-np.inf], thresholds[1:]))
    band_high = np.concatenate((thresholds[1:], [np.inf]))
    at = np.where(np.isnan(unit_level), 1, unit_level).astype(np.intp) - 1
    unit_probability = pooled.band_probability(band_low[at], band_high[at])

    def units_then_org(pooled_values: FloatArray, raw_values: FloatArray) -> FloatArray:
        units = np.where(has_pool, pooled_values, raw_values[:n_groups])
        units = np.where(suppressed, np.nan, units)
        return np.vstack([units, raw_values[n_groups:]])

    level = units_then_org(unit_level, raw.level)
    level_probability = units_then_org(unit_probability, raw.level_probability)
    level_low = units_then_org(level_of(pooled_low, thresholds), raw.level_low)
    level_high = units_then_org(level_of(pooled_high, thresholds), raw.level_high)
    pooled_mean = np.vstack([pooled.mean, org.mean])
    pooled_sd = np.vstack([pooled.sd, org.se])
    pooled_ci_low = np.vstack([pooled_low, ci_low[n_groups:]])
    pooled_ci_high = np.vstack([pooled_high, ci_high[n_groups:]])
    # Units are ranked on the pooled means (never raw means of small units); the organisation
    # row has no rank. eb_mean, read by older code to rank, is the pooled mean too.
    ranking = units_then_org(pooled.mean, mean)
    rank = np.full((n_groups + 1, n_dims), np.nan)
    # Only shown units take a place: a rank gap would place a suppressed unit.
    shown_ranking = np.where(suppressed, np.nan, ranking[:n_groups])
    for d in range(n_dims):
        rank[:n_groups, d] = rank_units(shown_ranking[:, d])

    agreement = {name: np.full((n_groups + 1, n_dims), np.nan) for name in _AGREEMENT}
    for d, dimension in enumerate(dims):
        items = list(dimension.items)
        sub = item_moments.columns(items)
        agreement["rwg_j"][:n_groups, d] = rwg_j(sub, n_options=spec.n_options)
        agreement["rwg_j_lindell"][:n_groups, d] = rwg_j_lindell(sub, n_options=spec.n_options)
        agreement["awg"][:n_groups, d] = awg(
            sub, scale_min=spec.scale_min, scale_max=spec.scale_max
        )
        agreement["ad_m"][:n_groups, d] = ad_m(item_abs_dev[:, items], n=sub.n)

    counts = index.counts.astype(np.float64)
    member = membership_matrix(spec)
    items_per_dimension = member.sum(axis=0)
    dk_sum = dont_know @ member
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.vstack(
            [coverage_sum / counts[:, None], coverage_sum.sum(axis=0, keepdims=True) / counts.sum()]
        )
        # Share of the unit's possible answers (respondents × the dimension's statements) that
        # were "don't know".
        dk_share = np.vstack(
            [
                dk_sum / (counts[:, None] * items_per_dimension[None, :]),
                dk_sum.sum(axis=0, keepdims=True) / (counts.sum() * items_per_dimension[None, :]),
            ]
        )

    flat_level = level.ravel()
    names = np.asarray(spec.level_names, dtype=object)
    level_name: npt.NDArray[np.object_] = np.full(flat_level.shape, None, dtype=object)
    known = ~np.isnan(flat_level)
    level_name[known] = names[flat_level[known].astype(np.intp) - 1]
    probability = level_probability.ravel()
    group_labels = np.concatenate(
        [np.repeat(index.labels.astype(object), n_dims), np.full(n_dims, TOTAL_LABEL, dtype=object)]
    )
    frame = pd.DataFrame(
        {
            group_column: pd.array(group_labels, dtype="str"),
            "dimension_type": pd.array([d.type for d in dims] * (n_groups + 1), dtype="str"),
            "dimension": pd.array([d.id for d in dims] * (n_groups + 1), dtype="str"),
            "n": _stack(group.n, org.n).astype(np.int64),
            "mean": mean.ravel(),
            "sd": _stack(group.sd, org.sd),
            "se": se.ravel(),
            "ci_low": ci_low.ravel(),
            "ci_high": ci_high.ravel(),
            "pooled_mean": pooled_mean.ravel(),
            "pooled_sd": pooled_sd.ravel(),
            "pooled_ci_low": pooled_ci_low.ravel(),
            "pooled_ci_high": pooled_ci_high.ravel(),
            "level": _nullable_int(flat_level),
            "level_name": pd.array(level_name, dtype="str"),
            "level_probability": probability,
            "level_borderline": pd.array(
                np.where(np.isnan(probability), False, probability < BORDERLINE),
                dtype="boolean",
            ),
            "level_low": _nullable_int(level_low.ravel()),
            "level_high": _nullable_int(level_high.ravel()),
            "rank": _nullable_int(rank.ravel()),
            **{name: agreement[name].ravel() for name in _AGREEMENT},
            "agreement_band": pd.array(
                agreement_band(agreement["rwg_j_lindell"].ravel()), dtype="str"
            ),
            "eb_mean": ranking.ravel(),
            "coverage": coverage.ravel(),
            "dk_share": dk_share.ravel(),
            "ci_method": pd.array(ci_method.ravel(), dtype="str"),
            "head_count_stale": np.concatenate(
                [np.repeat(stale, n_dims), np.zeros(n_dims, dtype=bool)]
            ),
            "suppressed": np.zeros((n_groups + 1) * n_dims, dtype=bool),
        }
    )
    frame.loc[np.isnan(probability), "level_borderline"] = pd.NA
    if targets is not None:
        target = np.array([float(targets.get(d.id, np.nan)) for d in dims])
        threshold = np.where(
            np.isnan(target),
            np.nan,
            thresholds[np.nan_to_num(target, nan=1.0).astype(int) - 1],
        )
        gap = target_gap(mean, se, df, ci_low, ci_high, threshold=threshold[None, :])
        unit_p_target = 1.0 - pooled.cdf(np.broadcast_to(threshold, pooled.mean.shape))
        p_target = units_then_org(np.clip(unit_p_target, 0.0, 1.0), gap.p_target)
        p_target[:, np.isnan(target)] = np.nan
        below = np.full(p_target.shape, np.nan)
        alpha = 1.0 - spec.confidence
        for d in range(n_dims):
            below[:n_groups, d] = flag_below_target(p_target[:n_groups, d], fdr=alpha)
        below[n_groups:] = np.where(
            np.isnan(p_target[n_groups:]), np.nan, p_target[n_groups:] <= alpha
        )
        frame["target"] = _nullable_int(np.tile(target, n_groups + 1))
        frame["target_threshold"] = np.tile(threshold, n_groups + 1)
        frame["gap"] = gap.gap.ravel()
        frame["gap_ci_low"] = gap.gap_ci_low.ravel()
        frame["gap_ci_high"] = gap.gap_ci_high.ravel()
        frame["p_target"] = p_target.ravel()
        flags = below.ravel()
        frame["below_target"] = pd.array(
            np.where(np.isnan(flags), False, flags == 1.0), dtype="boolean"
        )
        frame.loc[np.isnan(flags), "below_target"] = pd.NA
    return frame


def agreement_band(r_star: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """LeBreton & Senter's (2008, table 3) band of each r*wg(J) value; None where missing.

    0-.30 lack of agreement, .31-.50 weak, .51-.70 moderate, .71-.90 strong, .91-1.00 very
    strong agreement; a negative r*wg(J) (more spread than random answers) is a lack of agreement.
    """
    values = np.asarray(r_star, dtype=np.float64)
    uppers = np.array([upper for upper, _ in AGREEMENT_BANDS])
    labels = np.array([name for _, name in AGREEMENT_BANDS], dtype=object)
    # Values are reported to two decimals in the source's table: .305 counts as .31 (weak).
    at = np.searchsorted(uppers, np.round(values, 2), side="left")
    out: npt.NDArray[np.object_] = np.full(values.shape, None, dtype=object)
    known = ~np.isnan(values)
    out[known] = labels[np.minimum(at[known], labels.size - 1)]
    return out


def flag_below_target(p_target: npt.ArrayLike, *, fdr: float) -> FloatArray:
    """Units flagged "below target" with the Bayesian false discovery rate kept at ``fdr``.

    Notes
    -----
    A unit's posterior probability of having reached the target, p_target, is the probability
    that a "below target" flag on it is false (its posterior error probability). Flagging the
    units with the smallest p_target, the expected share of false flags among k flags is their
    mean p_target; the largest k whose mean is at most ``fdr`` is flagged (Newton et al. 2004;
    Müller, Parmigiani & Rice 2007). Benjamini-Hochberg on 1 − p_target would treat posterior
    probabilities as p-values, which they are not. Returns 1.0 (flagged), 0.0, or NaN.
    """
    p = np.asarray(p_target, dtype=np.float64)
    out = np.where(np.isnan(p), np.nan, 0.0)
    known = np.flatnonzero(~np.isnan(p))
    if known.size == 0:
        return out
    order = known[np.argsort(p[known], kind="stable")]
    running = np.cumsum(p[order]) / np.arange(1, order.size + 1)
    passing = np.flatnonzero(running <= fdr)
    if passing.size:
        out[order[: int(passing[-1]) + 1]] = 1.0
    return out


def _items_frame(
    spec: ScoringSpec,
    index: GroupIndex,
    answer_counts: AnswerCounts,
    item_moments: ItemMoments,
    item_abs_dev: FloatArray,
    item_table: pd.DataFrame,
    *,
    group_column: str,
    forced: npt.NDArray[np.bool_],
) -> pd.DataFrame:
    n_groups, n_items = index.n_groups, spec.n_items
    total = answer_counts.total()
    total_moments = total.moments()
    nan_row = np.full((1, n_items), np.nan)
    rwg = item_rwg(item_moments, n_options=spec.n_options)
    disagreement = item_disagreement(item_moments, item_abs_dev, n_options=spec.n_options)
    group_labels = np.concatenate(
        [
            np.repeat(index.labels.astype(object), n_items),
            np.full(n_items, TOTAL_LABEL, dtype=object),
        ]
    )
    columns: dict[str, object] = {
        group_column: pd.array(group_labels, dtype="str"),
        "item": pd.array(list(spec.item_ids) * (n_groups + 1), dtype="str"),
        "n": _stack(item_moments.n, total_moments.n).astype(np.int64),
        "mean": _stack(item_moments.mean, total_moments.mean),
        "sd": np.sqrt(_stack(item_moments.var, total_moments.var)),
        "ad": _stack(item_abs_dev, nan_row),
        "rwg": _stack(rwg, nan_row),
        "disagreement": _stack(disagreement, nan_row),
        "n_dk": _counts(answer_counts.dont_know, total.dont_know),
        "n_na": _counts(answer_counts.not_applicable, total.not_applicable),
        "n_skipped": _counts(answer_counts.skipped, total.skipped),
    }
    for a, value in enumerate(range(spec.scale_min, spec.scale_max + 1)):
        columns[f"count_{value}"] = _counts(answer_counts.values[:, :, a], total.values[:, :, a])
    table = item_table.set_index("item")
    group_nan = np.full((n_groups, n_items), np.nan)
    for name in ("alpha_if_deleted", "item_rest_r"):
        columns[name] = _stack(group_nan, table[name].to_numpy(dtype=np.float64)[None, :])
    columns["suppressed"] = np.zeros((n_groups + 1) * n_items, dtype=bool)
    frame = pd.DataFrame(columns)
    cell = suppression_mask(
        item_moments.n,
        min_group_size=spec.min_group_size,
        total_n=total_moments.n[0],
        forced=forced,
    )
    total_suppressed = total_moments.n[0] < spec.min_group_size
    stat_columns = [
        c for c in frame.columns if c not in _KEPT_WHEN_SUPPRESSED and c != group_column
    ]
    blank_statistics(frame, np.concatenate([cell.ravel(), total_suppressed]), stat_columns)
    return frame


def _counts(group_counts: FloatArray, total_counts: FloatArray) -> pd.arrays.IntegerArray:
    return pd.array(_stack(group_counts, total_counts).astype(np.int64), dtype="Int64")


def _stats_frame(
    spec: ScoringSpec,
    alphas: list[AlphaResult],
    iccs: list[IccResult],
    org: OrganisationEstimates,
    *,
    min_group_size: int,
) -> pd.DataFrame:
    n_respondents = org.n[0].astype(np.int64)
    frame = pd.DataFrame(
        {
            "dimension_type": pd.array([d.type for d in spec.dimensions], dtype="str"),
            "dimension": pd.array(list(spec.dimension_ids), dtype="str"),
            "alpha": [a.alpha for a in alphas],
            "alpha_ci_low": [a.ci_low for a in alphas],
            "alpha_ci_high": [a.ci_high for a in alphas],
            "icc1": [r.icc1 for r in iccs],
            "icc2": [r.icc2 for r in iccs],
            "n_respondents": n_respondents,
            "n_units": org.n_units[0].astype(np.int64),
            "n_items": np.array([len(d.items) for d in spec.dimensions], dtype=np.int64),
        },
        columns=list(STATS_COLUMNS),
    )
    # An organisation below the minimum group size shows no statistic at all.
    small = n_respondents < min_group_size
    frame.loc[small, ["alpha", "alpha_ci_low", "alpha_ci_high", "icc1", "icc2"]] = np.nan
    return frame


def _drivers(
    spec: ScoringSpec,
    y: FloatArray,
    units: npt.NDArray[np.int64],
    *,
    n_resamples: int,
    seed: int,
    notes: list[Note],
) -> pd.DataFrame:
    outcomes = [d for d, dim in enumerate(spec.dimensions) if dim.type == "outcome"]
    components = [d for d, dim in enumerate(spec.dimensions) if dim.type == "component"]
    if not outcomes or not components:
        return pd.DataFrame()
    names = [spec.dimensions[d].id for d in components]
    frames = []
    for o in outcomes:
        outcome_id = spec.dimensions[o].id
        # Column by column: no (N, p) temporary for the mask.
        complete = ~np.isnan(y[:, o])
        for d in components:
            complete &= ~np.isnan(y[:, d])
        n_complete = int(complete.sum())
        if n_complete < MIN_DRIVER_ROWS:
            notes.append(remarks.drivers_too_few(outcome_id, n_complete, MIN_DRIVER_ROWS))
            continue
        weights = relative_weights(
            y[np.ix_(complete, np.asarray(components, dtype=np.intp))],
            y[complete, o],
            names=names,
            confidence=spec.confidence,
            n_resamples=n_resamples,
            seed=seed,
            # Resample units, the respondents' clusters, when there are enough of them.
            groups=units[complete],
        )
        weights.insert(0, "outcome", outcome_id)
        frames.append(weights)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _respondents_frame(
    spec: ScoringSpec,
    index: GroupIndex,
    y: FloatArray,
    quality: pd.DataFrame,
    *,
    group_column: str,
) -> pd.DataFrame:
    categories = pd.Index(index.labels.astype(object), dtype="str")
    columns: dict[str, object] = {
        group_column: pd.Categorical.from_codes(index.codes, categories=categories)
    }
    for d, dimension in enumerate(spec.dimensions):
        columns[dimension.id] = y[:, d]
    # Views of y, not copies: y is not used after this, and a copy would double the scores'
    # memory at the pipeline's peak.
    frame = pd.DataFrame(columns, copy=False)
    clash = [c for c in quality.columns if c in frame.columns]
    if clash:
        raise ValueError(
            f"quality flag columns {clash} clash with a dimension id or the group column; "
            "rename the dimension"
        )
    return pd.concat([frame, quality.reset_index(drop=True)], axis=1)
