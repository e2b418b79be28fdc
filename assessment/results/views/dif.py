"""What the Mantel-Haenszel checks found, in words: the language check of the reliability view and
the check of reworded statements that goes with the change between waves
(`assessment.analysis.dif` computes both). The dashboard and the report write the same sentences
and list the same statements.
"""

from __future__ import annotations

import pandas as pd

from assessment.i18n import format_interval, format_number, text
from assessment.questionnaire import Questionnaire

#: The ETS classes that flag a statement (class A is negligible; "" could not be checked).
FLAGGED_CLASSES = ("B", "C")


def flagged(dif: pd.DataFrame) -> pd.DataFrame:
    """The rows of a check whose statement may read differently (ETS class B or C), largest
    |Δ_MH| first."""
    if dif.empty:
        return dif
    rows = dif[dif["category"].astype(str).isin(FLAGGED_CLASSES)]
    order = rows["delta"].abs().sort_values(ascending=False, kind="stable").index
    return rows.loc[order].reset_index(drop=True)


def dif_summary(
    dif: pd.DataFrame, language: str | None = None, *, versions: bool = False
) -> tuple[str, str]:
    """The heading and the sentences of a check: the languages' (``dashboard.reliability.dif*``)
    or, with ``versions``, the reworded statements' (``dashboard.waves.dif*``).

    A statement with no class (an undefined odds ratio) could not be checked and is counted as
    such, never as reading alike.
    """
    section = "dashboard.waves" if versions else "dashboard.reliability"
    reference = str(dif["reference"].iloc[0])
    focal = ", ".join(dict.fromkeys(str(f) for f in dif["focal"]))
    classes = dif.groupby("item", sort=False)["category"].agg(lambda c: set(c.astype(str)))
    unchecked = int(sum(c == {""} for c in classes))
    k = int(sum(bool(c & set(FLAGGED_CLASSES)) for c in classes))
    n = len(classes) - unchecked
    heading = text(f"{section}.dif", language, reference=reference, focal=focal)
    sentences = []
    if n:
        sentences.append(
            text(f"{section}.dif_flagged", language, k=k, n=n)
            if k
            else text(f"{section}.dif_alike", language, n=n)
        )
    if unchecked:
        sentences.append(text(f"{section}.dif_unchecked", language, u=unchecked))
    return heading, " ".join(sentences)


def dif_rows(
    rows: pd.DataFrame,
    questionnaire: Questionnaire,
    language: str | None = None,
    *,
    versions: bool = False,
) -> pd.DataFrame:
    """The statements that may read differently (`flagged`), as the dashboard and the report list
    them: statement, which group agrees more at the same level, ETS class, Δ_MH and the odds ratio
    with its interval. ``questionnaire`` gives the statements' wording (for the reworded ones,
    ``versions``: the newer version's).

    Δ_MH = −2.35 ln α_MH with α_MH the odds of agreeing of the reference group over the focal
    group's, so Δ_MH > 0 means the focal group (the other language, the new wording) agrees more
    often than the reference group's respondents at the same level.
    """
    statements = {i.id: questionnaire.text(i.text, language) for i in questionnaire.items}

    def direction(delta: float, focal: str) -> str:
        more = delta > 0
        if versions:
            return text(
                "dashboard.waves.dif_new_more" if more else "dashboard.waves.dif_new_less", language
            )
        key = (
            "dashboard.reliability.dif_focal_more"
            if more
            else "dashboard.reliability.dif_focal_less"
        )
        return text(key, language, focal=focal)

    return pd.DataFrame(
        {
            text("dashboard.reliability.dif_statement", language): [
                f"{item} · {statements.get(str(item), str(item))}" for item in rows["item"]
            ],
            text("dashboard.reliability.dif_direction", language): [
                direction(float(d), str(f))
                for d, f in zip(rows["delta"], rows["focal"], strict=True)
            ],
            text("dashboard.reliability.dif_class", language): rows["category"].astype(str),
            "Δ_MH": [format_number(d, language) for d in rows["delta"]],
            text("dashboard.reliability.dif_odds", language): [
                f"{format_number(o, language)} {format_interval(lo, hi, language)}"
                for o, lo, hi in zip(
                    rows["odds_ratio"], rows["ci_low"], rows["ci_high"], strict=True
                )
            ],
        }
    )
