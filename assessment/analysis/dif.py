"""Does a statement work alike for two groups of respondents? The Mantel-Haenszel DIF checks
(`scoring.dif.mantel_haenszel_dif`) on response tables: every statement between the questionnaire's
first language and each other one with enough respondents (`language_dif`), and every reworded
statement between the wave that answered its earlier wording and the wave that answered the new one
(`version_dif`). `assessment.results.views.dif` writes their findings for the dashboard and the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from assessment.analysis.spec import CommonItemSpec
from assessment.questionnaire import Questionnaire
from assessment.responses.wide_csv import ResponseTable
from scoring.dif import mantel_haenszel_dif

#: The columns of `language_dif` and `version_dif`. ``n_reference`` and ``n_focal`` count the
#: respondents each group's check used (answered the statement on the scale and at least one
#: matching statement).
DIF_COLUMNS = (
    "item",
    "component",
    "reference",
    "focal",
    "n_reference",
    "n_focal",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "delta",
    "p_value",
    "category",
)

#: The matching score's step: a respondent's mean of the matching statements rounded to a quarter
#: point. Integer steps leave so much of a real difference between the groups inside each stratum
#: that it reads as DIF (Δ_MH ≈ 0.7 for a statement that works alike, after an improvement of half
#: a point; 0.17 with quarter points on every unchanged statement, measured on the demo generator).
MATCHING_STEP = 0.25


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=list(DIF_COLUMNS))


def _scored(
    codes: npt.NDArray[np.int8], questionnaire: Questionnaire, items: Sequence[str]
) -> npt.NDArray[np.float64]:
    """The items' answers (columns of ``codes``) in the scored direction (reverse-keyed
    x' = L + H − x), NaN where not answered on the scale (skipped, don't know, not applicable)."""
    low, high = questionnaire.scale.minimum, questionnaire.scale.maximum
    values = codes.astype(np.float64)
    values[(values < low) | (values > high)] = np.nan
    reverse = {i.id for i in questionnaire.items if i.reverse}
    flip = np.asarray([item in reverse for item in items], dtype=bool)
    values[:, flip] = low + high - values[:, flip]
    return values


def _matching(
    total: npt.NDArray[np.float64], count: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The matching variable: the mean ``total / count`` rounded to `MATCHING_STEP` (NaN when
    ``count`` is 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return np.round(mean / MATCHING_STEP) * MATCHING_STEP


def _check(
    value: npt.NDArray[np.float64],
    rest: npt.NDArray[np.float64],
    in_focal: npt.NDArray[np.bool_],
    about: Mapping[str, object],
    *,
    midpoint: float,
    min_group_size: int,
    confidence: float,
) -> dict[str, object] | None:
    """One row of `DIF_COLUMNS`: the Mantel-Haenszel check of one statement's scored answers
    ``value`` between the reference (``~in_focal``) and focal groups, matched on ``rest``; None
    when either group has fewer than ``min_group_size`` respondents with both (DESIGN §7: no
    published number rests on fewer people)."""
    used = ~np.isnan(value) & ~np.isnan(rest)
    n_focal = int((used & in_focal).sum())
    n_reference = int((used & ~in_focal).sum())
    if min(n_focal, n_reference) < min_group_size:
        return None
    agree = np.where(np.isnan(value), np.nan, (value > midpoint).astype(np.float64))
    result = mantel_haenszel_dif(agree, in_focal, rest, confidence=confidence)
    return {
        **about,
        "n_reference": n_reference,
        "n_focal": n_focal,
        "odds_ratio": result.odds_ratio,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "delta": result.delta,
        "p_value": result.p_value,
        "category": result.category,
    }


def language_dif(
    table: ResponseTable,
    questionnaire: Questionnaire,
    *,
    language_counts: Mapping[str, int],
    min_group_size: int,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mantel-Haenszel DIF of every statement between the questionnaire's default language
    (reference) and each other language with at least ``min_group_size`` respondents (focal).

    Parameters
    ----------
    table : the release's answers
    language_counts : respondents per published language group (the release's)
    min_group_size : both groups of a check need at least this many respondents who answered the
        statement and another one

    Returns
    -------
    One row per statement and focal language (`DIF_COLUMNS`), in questionnaire order; a statement
    too few of either group answered is left out; empty when no two languages have enough
    respondents.

    Notes
    -----
    A respondent agrees with a statement when their scored answer is above the scale's midpoint;
    respondents are matched on the mean of their other answered statements, rounded to
    `MATCHING_STEP` (the rest score; Holland & Thayer 1988 match on the total score, which a mean
    of the answered statements keeps comparable when some are skipped; the longer the matching
    score, the less a difference in level between the groups reads as DIF, Zwick 2012).
    Statements with ETS class C (|Δ_MH| ≥ 1.5, significantly above 1) read differently in the two
    languages: compare their translations before comparing the groups' scores.
    """
    reference = questionnaire.default_language
    languages = np.asarray([str(x) if x is not None else "" for x in table.language], dtype=object)
    focal_languages = [
        code
        for code, n in sorted(language_counts.items())
        if code != reference and n >= min_group_size
    ]
    if not focal_languages or int((languages == reference).sum()) < min_group_size:
        return _empty()
    column = {item: j for j, item in enumerate(table.item_ids)}
    statements = [i for i in questionnaire.items if i.id in column]
    if len(statements) < 2:
        return _empty()
    ids = [i.id for i in statements]
    answers = _scored(table.codes[:, [column[i] for i in ids]], questionnaire, ids)
    answered = ~np.isnan(answers)
    total = np.where(answered, answers, 0.0).sum(axis=1)
    count = answered.sum(axis=1).astype(np.float64)
    midpoint = (questionnaire.scale.minimum + questionnaire.scale.maximum) / 2.0
    records = []
    for j, statement in enumerate(statements):
        # The rest score: every other statement (this one's answer taken out of the sums).
        value = answers[:, j]
        rest = _matching(total - np.nan_to_num(value), count - answered[:, j])
        for focal in focal_languages:
            chosen = (languages == reference) | (languages == focal)
            record = _check(
                value[chosen],
                rest[chosen],
                languages[chosen] == focal,
                {
                    "item": statement.id,
                    "component": statement.component,
                    "reference": reference,
                    "focal": focal,
                },
                midpoint=midpoint,
                min_group_size=min_group_size,
                confidence=confidence,
            )
            if record is not None:
                records.append(record)
    return pd.DataFrame.from_records(records, columns=list(DIF_COLUMNS))


def version_dif(
    newer: ResponseTable,
    older: ResponseTable,
    common: CommonItemSpec,
    questionnaire: Questionnaire,
    *,
    min_group_size: int,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mantel-Haenszel DIF of every reworded statement between the older questionnaire version
    (reference: the wave that answered the old wording) and the newer one (focal).

    Parameters
    ----------
    newer, older : the two waves' released answers, answering ``common.new_key`` and
        ``common.old_key``
    common : the statements the versions share (`assessment.analysis.spec.common_item_spec`);
        its ``reworded`` ones are checked
    questionnaire : the newer version (names the components and which statements are reverse-keyed)
    min_group_size : each wave needs at least this many respondents who answered the statement
        and an unchanged one

    Returns
    -------
    One row per reworded statement (`DIF_COLUMNS`; ``reference`` and ``focal`` are the two
    versions' keys), in questionnaire order; a statement too few of either wave answered is left
    out; empty when nothing was reworded or no unchanged statement is left to match on.

    Notes
    -----
    The two waves may differ in level: the organisation may have changed between them. The check
    therefore matches respondents on the statements whose wording did not change (the anchors):
    the mean of the respondent's answered unchanged statements, rounded to `MATCHING_STEP`. All
    of them rather than the component's few: a short matching score leaves part of a real
    change inside each stratum, where it reads as DIF (Δ_MH ≈ 0.5 on the component's statements,
    0.17 on all of them, for statements that work alike after an improvement of half a point).
    A reworded statement that the newer wave agrees with more (or less) often than respondents of
    the older wave at the same anchor level reads differently (ETS class B or C): its change
    between the waves is partly the new wording, which is why the change is also reported without
    the reworded statements. The anchors are assumed free of DIF themselves (Holland & Thayer
    1988; Zwick 2012 on anchor purification).
    """
    statements = {i.id: i for i in questionnaire.items}
    ids = [item for item in common.spec.item_ids if item in statements]
    reworded = [i.id for i in questionnaire.items if i.id in common.reworded and i.id in ids]
    anchors = [item for item in ids if item not in common.reworded]
    if not reworded or not anchors:
        return _empty()
    position = {item: j for j, item in enumerate(common.spec.item_ids)}
    codes = np.vstack([common.codes(older), common.codes(newer)])
    in_focal = np.concatenate(
        [np.zeros(older.n_respondents, dtype=bool), np.ones(newer.n_respondents, dtype=bool)]
    )
    anchor_answers = _scored(codes[:, [position[a] for a in anchors]], questionnaire, anchors)
    answered = ~np.isnan(anchor_answers)
    rest = _matching(
        np.where(answered, anchor_answers, 0.0).sum(axis=1),
        answered.sum(axis=1).astype(np.float64),
    )
    values = _scored(codes[:, [position[r] for r in reworded]], questionnaire, reworded)
    midpoint = (questionnaire.scale.minimum + questionnaire.scale.maximum) / 2.0
    records = []
    for j, item in enumerate(reworded):
        record = _check(
            values[:, j],
            rest,
            in_focal,
            {
                "item": item,
                "component": statements[item].component,
                "reference": common.old_key,
                "focal": common.new_key,
            },
            midpoint=midpoint,
            min_group_size=min_group_size,
            confidence=confidence,
        )
        if record is not None:
            records.append(record)
    return pd.DataFrame.from_records(records, columns=list(DIF_COLUMNS))
