"""Does a statement work alike for two groups of respondents? The Mantel-Haenszel DIF checks
(`scoring.dif.mantel_haenszel_dif`) of the reliability view: every statement between the
questionnaire's first language and each other one with enough respondents (`language_dif`), and
every reworded statement between the wave that answered its earlier wording and the wave that
answered the new one (`version_dif`, shown with the change between waves)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from assessment.analysis.spec import CommonItemSpec
from assessment.i18n import format_interval, format_number, text
from assessment.questionnaire import Questionnaire
from assessment.responses.wide_csv import ResponseTable
from scoring.dif import mantel_haenszel_dif

#: The columns of `language_dif`.
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


def _scored(
    codes: npt.NDArray[np.int8], questionnaire: Questionnaire, item: str
) -> npt.NDArray[np.float64]:
    """An item's answers in the scored direction (reverse-keyed x' = L + H − x), NaN where not
    answered on the scale (skipped, don't know, not applicable)."""
    low, high = questionnaire.scale.minimum, questionnaire.scale.maximum
    values = codes.astype(np.float64)
    values[(values < low) | (values > high)] = np.nan
    reverse = next((i.reverse for i in questionnaire.items if i.id == item), False)
    return low + high - values if reverse else values


#: The matching score's step: a respondent's mean of the matching statements rounded to a quarter
#: point. Integer steps leave so much of a real difference between the groups inside each stratum
#: that it reads as DIF (Δ_MH ≈ 0.7 for a statement that works alike, after an improvement of half
#: a point; 0.17 with quarter points on every unchanged statement, measured on the demo generator).
MATCHING_STEP = 0.25


def _rest_scores(answers: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The matching variable: each respondent's mean of the answered columns, rounded to
    `MATCHING_STEP` (NaN when none is answered)."""
    answered = np.sum(~np.isnan(answers), axis=1)
    with np.errstate(invalid="ignore"):
        mean = np.nansum(answers, axis=1) / np.maximum(answered, 1)
    return np.where(answered > 0, np.round(mean / MATCHING_STEP) * MATCHING_STEP, np.nan)


def _dif_record(
    value: npt.NDArray[np.float64],
    rest: npt.NDArray[np.float64],
    in_focal: npt.NDArray[np.bool_],
    about: Mapping[str, object],
    *,
    midpoint: float,
    confidence: float,
) -> dict[str, object]:
    """One row of `DIF_COLUMNS`: the Mantel-Haenszel check of one statement's scored answers
    ``value`` between the reference (``~in_focal``) and focal groups, matched on ``rest``;
    ``about`` gives the row's other columns."""
    agree = np.where(np.isnan(value), np.nan, (value > midpoint).astype(np.float64))
    result = mantel_haenszel_dif(agree, in_focal, rest, confidence=confidence)
    return {
        **about,
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
    min_group_size : both groups of a comparison need at least this many respondents

    Returns
    -------
    One row per statement and focal language (`DIF_COLUMNS`), in questionnaire order; empty when
    no two languages have enough respondents.

    Notes
    -----
    A respondent agrees with a statement when their scored answer is above the scale's midpoint;
    respondents are matched on the mean of their other answered statements, rounded to
    `MATCHING_STEP` (the rest score; Holland & Thayer 1988 match on the total score, which a mean
    of the answered statements keeps comparable when some are skipped; the longer the matching
    score, the less a difference in level between the groups reads as DIF, Zwick 2012). Statements with ETS class C
    (|Δ_MH| ≥ 1.5, significantly above 1) read differently in the two languages: compare their
    translations before comparing the groups' scores.
    """
    reference = questionnaire.default_language
    languages = np.asarray([str(x) if x is not None else "" for x in table.language], dtype=object)
    focal_languages = [
        code
        for code, n in sorted(language_counts.items())
        if code != reference and n >= min_group_size
    ]
    n_reference = int((languages == reference).sum())
    if not focal_languages or n_reference < min_group_size:
        return pd.DataFrame(columns=list(DIF_COLUMNS))
    column = {item: j for j, item in enumerate(table.item_ids)}
    midpoint = (questionnaire.scale.minimum + questionnaire.scale.maximum) / 2.0
    items = [i for i in questionnaire.items if i.id in column]
    if len(items) < 2:
        return pd.DataFrame(columns=list(DIF_COLUMNS))
    answers = np.column_stack(
        [_scored(table.codes[:, column[i.id]], questionnaire, i.id) for i in items]
    )
    records = []
    for position, statement in enumerate(items):
        rest = _rest_scores(np.delete(answers, position, axis=1))
        for focal in focal_languages:
            chosen = (languages == reference) | (languages == focal)
            records.append(
                _dif_record(
                    answers[chosen, position],
                    rest[chosen],
                    languages[chosen] == focal,
                    {
                        "item": statement.id,
                        "component": statement.component,
                        "reference": reference,
                        "focal": focal,
                        "n_reference": n_reference,
                        "n_focal": int((languages == focal).sum()),
                    },
                    midpoint=midpoint,
                    confidence=confidence,
                )
            )
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
    min_group_size : both waves need at least this many respondents

    Returns
    -------
    One row per reworded statement (`DIF_COLUMNS`; ``reference`` and ``focal`` are the two
    versions' keys), in questionnaire order; empty when nothing was reworded, no unchanged
    statement is left to match on, or a wave has fewer than ``min_group_size`` respondents.

    Notes
    -----
    The two waves may differ in level: the organisation may have changed between them. The check
    therefore matches respondents on the statements whose wording did not change (the anchors):
    the mean of the respondent's answered unchanged statements, rounded to `MATCHING_STEP`. All
    of them rather than the component's few: a short matching score leaves part of a real
    change inside each stratum, where it reads as DIF (Δ_MH ≈ 0.5 on the component's statements,
    0.17 on all of them, for statements that work alike after an improvement of half a point). A reworded statement that the newer
    wave agrees with more (or less) often than respondents of the older wave at the same anchor
    level reads differently (ETS class B or C): its change between the waves is partly the new
    wording, which is why the change is also reported without the reworded statements. The
    anchors are assumed free of DIF themselves (Holland & Thayer 1988; Zwick 2012 on anchor
    purification).
    """
    if not common.reworded or min(newer.n_respondents, older.n_respondents) < min_group_size:
        return pd.DataFrame(columns=list(DIF_COLUMNS))
    ids = common.spec.item_ids
    reworded = set(common.reworded)
    codes = np.vstack([common.codes(older), common.codes(newer)])
    focal = np.concatenate(
        [np.zeros(older.n_respondents, dtype=bool), np.ones(newer.n_respondents, dtype=bool)]
    )
    statements = {i.id for i in questionnaire.items}
    answers = {
        item: _scored(codes[:, j], questionnaire, item)
        for j, item in enumerate(ids)
        if item in statements
    }
    component_of = {i.id: i.component for i in questionnaire.items if i.id in answers}
    anchors = [i for i in answers if i not in reworded]
    if not anchors:
        return pd.DataFrame(columns=list(DIF_COLUMNS))
    rest = _rest_scores(np.column_stack([answers[a] for a in anchors]))
    midpoint = (questionnaire.scale.minimum + questionnaire.scale.maximum) / 2.0
    records = []
    for item in (i.id for i in questionnaire.items if i.id in reworded and i.id in answers):
        records.append(
            _dif_record(
                answers[item],
                rest,
                focal,
                {
                    "item": item,
                    "component": component_of[item],
                    "reference": common.old_key,
                    "focal": common.new_key,
                    "n_reference": older.n_respondents,
                    "n_focal": newer.n_respondents,
                },
                midpoint=midpoint,
                confidence=confidence,
            )
        )
    return pd.DataFrame.from_records(records, columns=list(DIF_COLUMNS))


def dif_summary(dif: pd.DataFrame, language: str | None = None) -> tuple[str, str]:
    """The heading and the sentence of the language check (``dashboard.reliability.dif*``)."""
    reference = str(dif["reference"].iloc[0])
    focal = ", ".join(dict.fromkeys(str(f) for f in dif["focal"]))
    n = int(dif["item"].nunique())
    flagged = dif[dif["category"].astype(str) != "A"]
    k = int(flagged["item"].nunique())
    heading = text("dashboard.reliability.dif", language, reference=reference, focal=focal)
    sentence = (
        text("dashboard.reliability.dif_flagged", language, k=k, n=n)
        if k
        else text("dashboard.reliability.dif_alike", language, n=n)
    )
    return heading, sentence


def version_dif_summary(dif: pd.DataFrame, language: str | None = None) -> tuple[str, str]:
    """The heading and the sentence of the check of reworded statements
    (``dashboard.waves.dif*``)."""
    n = int(dif["item"].nunique())
    k = int(dif.loc[dif["category"].astype(str) != "A", "item"].nunique())
    heading = text(
        "dashboard.waves.dif",
        language,
        reference=str(dif["reference"].iloc[0]),
        focal=str(dif["focal"].iloc[0]),
    )
    sentence = (
        text("dashboard.waves.dif_flagged", language, k=k, n=n)
        if k
        else text("dashboard.waves.dif_alike", language, n=n)
    )
    return heading, sentence


def dif_rows(
    flagged: pd.DataFrame, questionnaire: Questionnaire, language: str | None = None
) -> pd.DataFrame:
    """The statements that may read differently, as the dashboard and the report list them:
    statement, ETS class, Δ_MH and the odds ratio with its interval."""
    statements = {i.id: questionnaire.text(i.text, language) for i in questionnaire.items}
    return pd.DataFrame(
        {
            text("dashboard.reliability.dif_statement", language): [
                f"{item} · {statements.get(str(item), str(item))}" for item in flagged["item"]
            ],
            text("dashboard.reliability.dif_class", language): flagged["category"].astype(str),
            "Δ_MH": [format_number(d, language) for d in flagged["delta"]],
            text("dashboard.reliability.dif_odds", language): [
                f"{format_number(o, language)} {format_interval(lo, hi, language)}"
                for o, lo, hi in zip(
                    flagged["odds_ratio"], flagged["ci_low"], flagged["ci_high"], strict=True
                )
            ],
        }
    )
