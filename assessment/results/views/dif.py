"""The language check of the reliability view: does each statement work alike in the
questionnaire's languages? A Mantel-Haenszel DIF check (`scoring.dif.mantel_haenszel_dif`) of every
statement between the first language and each other one with enough respondents."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

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
    respondents are matched on the rounded mean of their other answered statements of the same
    component (the rest score; Holland & Thayer 1988 match on the total score, which a mean of
    the answered statements keeps comparable when some are skipped). Statements with ETS class C
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
    records = []
    for component in questionnaire.components:
        items = [i.id for i in questionnaire.items_of_component(component.id) if i.id in column]
        if len(items) < 2:
            continue
        answers = np.column_stack(
            [_scored(table.codes[:, column[i]], questionnaire, i) for i in items]
        )
        for position, item in enumerate(items):
            others = np.delete(answers, position, axis=1)
            answered = np.sum(~np.isnan(others), axis=1)
            with np.errstate(invalid="ignore"):
                rest = np.where(
                    answered > 0,
                    np.round(np.nansum(others, axis=1) / np.maximum(answered, 1)),
                    np.nan,
                )
            value = answers[:, position]
            agree = np.where(np.isnan(value), np.nan, (value > midpoint).astype(np.float64))
            for focal in focal_languages:
                chosen = (languages == reference) | (languages == focal)
                result = mantel_haenszel_dif(
                    agree[chosen],
                    languages[chosen] == focal,
                    rest[chosen],
                    confidence=confidence,
                )
                records.append(
                    {
                        "item": item,
                        "component": component.id,
                        "reference": reference,
                        "focal": focal,
                        "n_reference": n_reference,
                        "n_focal": int((languages == focal).sum()),
                        "odds_ratio": result.odds_ratio,
                        "ci_low": result.ci_low,
                        "ci_high": result.ci_high,
                        "delta": result.delta,
                        "p_value": result.p_value,
                        "category": result.category,
                    }
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
