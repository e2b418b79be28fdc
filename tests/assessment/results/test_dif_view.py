"""The language check of the reliability view: a statement that reads differently in German is
found, statements that read alike are not flagged, and a language with fewer than the minimum of
respondents is never compared."""

from __future__ import annotations

import collections
from dataclasses import replace

import numpy as np
import pytest

from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import Questionnaire, default_registry
from assessment.responses.wide_csv import ResponseTable
from assessment.results.views.dif import DIF_COLUMNS, dif_rows, dif_summary, language_dif


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return default_registry().get("work-management@1.1.0")


@pytest.fixture(scope="module")
def table(q: Questionnaire) -> ResponseTable:
    profile = organisation_profile(seed=21, n_units=3, unit_names=["A", "B", "C"], min_size=1)
    generated = generate_organisation(q, seed=21, profile=profile, respondents=[120, 120, 120])
    return generated.table


def _counts(table: ResponseTable) -> dict[str, int]:
    return dict(collections.Counter(str(x) for x in table.language))


def _planted(table: ResponseTable, q: Questionnaire, item: str) -> ResponseTable:
    """German respondents answer ``item`` one point lower than they would in English (the
    translation reads as a stronger claim)."""
    codes = table.codes.copy()
    j = table.item_ids.index(item)
    german = np.asarray([x == "de" for x in table.language])
    answered = codes[:, j] >= q.scale.minimum
    lowered = np.maximum(codes[:, j].astype(np.int16) - 1, q.scale.minimum).astype(codes.dtype)
    codes[german & answered, j] = lowered[german & answered]
    return replace(table, codes=codes)


def test_a_statement_that_reads_differently_is_found(
    q: Questionnaire, table: ResponseTable
) -> None:
    assert _counts(table).get("de", 0) >= 30, "the demo generator answers some surveys in German"
    planted = _planted(table, q, "CLA03")
    dif = language_dif(planted, q, language_counts=_counts(planted), min_group_size=5)
    assert list(dif.columns) == list(DIF_COLUMNS)
    row = dif[dif["item"] == "CLA03"].iloc[0]
    assert row["category"] == "C" and row["reference"] == "en" and row["focal"] == "de"
    assert row["p_value"] < 0.001
    # Most other statements read alike.
    others = dif[dif["item"] != "CLA03"]
    assert (others["category"] == "A").mean() > 0.8
    heading, sentence = dif_summary(dif, "en")
    assert "en against de" in heading and "may read differently" in sentence
    rows = dif_rows(dif[dif["category"] != "A"], q, "de")
    assert any(str(s).startswith("CLA03 · ") for s in rows["Aussage"])


def test_a_small_language_group_is_never_compared(q: Questionnaire, table: ResponseTable) -> None:
    counts = _counts(table)
    assert language_dif(table, q, language_counts=counts, min_group_size=counts["de"] + 1).empty
    assert language_dif(table, q, language_counts={"en": counts["en"]}, min_group_size=5).empty
