"""The checks of the reliability view: a statement that reads differently in German is found,
statements that read alike are not flagged, and a language with fewer than the minimum of
respondents is never compared; a reworded statement that reads differently from its earlier
wording is found even when the organisation changed between the waves."""

from __future__ import annotations

import collections
from dataclasses import replace

import numpy as np
import pytest

from assessment.analysis.dif import DIF_COLUMNS, language_dif, version_dif
from assessment.analysis.spec import common_item_spec
from assessment.analysis.waves import score_waves
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import Questionnaire, default_registry
from assessment.responses.wide_csv import ResponseTable
from assessment.results.views.change import change_view
from assessment.results.views.dif import dif_rows, dif_summary, flagged


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
    rows = dif_rows(flagged(dif), q, "de")
    assert rows.iloc[0]["Auf gleicher Stufe"] == "de: weniger Zustimmung"
    assert any(str(s).startswith("CLA03 · ") for s in rows["Aussage"])


def test_a_small_language_group_is_never_compared(q: Questionnaire, table: ResponseTable) -> None:
    counts = _counts(table)
    assert language_dif(table, q, language_counts=counts, min_group_size=counts["de"] + 1).empty
    assert language_dif(table, q, language_counts={"en": counts["en"]}, min_group_size=5).empty


@pytest.fixture(scope="module")
def waves() -> tuple[ResponseTable, ResponseTable, Questionnaire, Questionnaire]:
    """Two waves of one organisation: the first on 1.0.0, the second on 1.1.0 (which rewords
    CLA05, CLA07, COL07 and WFA07), with an organisation that improved by half a point."""
    old = default_registry().get("work-management@1.0.0")
    new = default_registry().get("work-management@1.1.0")
    profile = organisation_profile(seed=5, n_units=3, unit_names=["A", "B", "C"], min_size=1)
    first = generate_organisation(old, seed=5, profile=profile, respondents=[150, 150, 150])
    second = generate_organisation(
        new, seed=5, profile=profile, wave=2, improvement=0.5, respondents=[150, 150, 150]
    )
    return second.table, first.table, new, old


def _lowered(table: ResponseTable, q: Questionnaire, item: str) -> ResponseTable:
    """Every respondent answers ``item`` one point lower (the new wording reads as a stronger claim)."""
    codes = table.codes.copy()
    j = table.item_ids.index(item)
    answered = codes[:, j] >= q.scale.minimum
    lowered = np.maximum(codes[:, j].astype(np.int16) - 1, q.scale.minimum).astype(codes.dtype)
    codes[answered, j] = lowered[answered]
    return replace(table, codes=codes)


def test_a_reworded_statement_that_reads_differently_is_found_despite_real_change(
    waves: tuple[ResponseTable, ResponseTable, Questionnaire, Questionnaire],
) -> None:
    newer, older, new, old = waves
    common = common_item_spec(new, old)
    assert set(common.reworded) == {"CLA05", "CLA07", "COL07", "WFA07"}
    # The organisation improved on every statement: matched on the unchanged statements, the
    # reworded ones read as before.
    plain = version_dif(newer, older, common, new, min_group_size=5)
    assert list(plain.columns) == list(DIF_COLUMNS)
    assert list(plain["item"]) == ["CLA05", "CLA07", "COL07", "WFA07"]
    assert set(plain["reference"]) == {old.key} and set(plain["focal"]) == {new.key}
    # Each wave's count is the respondents its check used: at most the wave's respondents.
    assert (plain["n_reference"] <= older.n_respondents).all()
    assert (plain["n_reference"] > 0.9 * older.n_respondents).all()
    assert (plain["category"] == "A").all()
    # A new wording that everyone agrees with less is found, though the organisation improved.
    planted = version_dif(_lowered(newer, new, "CLA05"), older, common, new, min_group_size=5)
    row = planted[planted["item"] == "CLA05"].iloc[0]
    assert row["category"] == "C" and row["p_value"] < 0.001 and row["delta"] < 0
    heading, sentence = dif_summary(planted, "en", versions=True)
    assert old.key in heading and new.key in heading
    assert sentence.startswith("1 of 4 reworded statements read differently")
    _, german = dif_summary(planted, "de", versions=True)
    assert german.startswith("1 von 4 umformulierten Aussagen")


def test_the_reworded_check_needs_enough_respondents_and_a_reworded_statement(
    waves: tuple[ResponseTable, ResponseTable, Questionnaire, Questionnaire],
) -> None:
    newer, older, new, old = waves
    common = common_item_spec(new, old)
    too_many = max(newer.n_respondents, older.n_respondents) + 1
    assert version_dif(newer, older, common, new, min_group_size=too_many).empty
    same = common_item_spec(new, new)
    assert version_dif(newer, newer, same, new, min_group_size=5).empty
    # One wave too small is enough to leave every statement out; the other wave's size is no help.
    few = _first(older, 20)
    assert not version_dif(newer, few, common, new, min_group_size=15).empty
    assert version_dif(newer, few, common, new, min_group_size=25).empty


def _first(table: ResponseTable, n: int) -> ResponseTable:
    """The table's first ``n`` respondents."""
    return replace(
        table,
        respondent_id=table.respondent_id[:n],
        unit=table.unit[:n],
        demographics={k: v[:n] for k, v in table.demographics.items()},
        language=table.language[:n],
        submitted_at=table.submitted_at[:n],
        duration_seconds=table.duration_seconds[:n],
        codes=table.codes[:n],
    )


def test_a_statement_every_respondent_of_one_wave_agrees_with_is_not_called_alike(
    waves: tuple[ResponseTable, ResponseTable, Questionnaire, Questionnaire],
) -> None:
    """Everyone agrees with the new wording: the odds ratio is undefined, so the statement could
    not be checked (the strongest sign of a wording effect is never read as "alike")."""
    newer, older, new, old = waves
    codes = newer.codes.copy()
    codes[:, newer.item_ids.index("CLA05")] = new.scale.maximum
    dif = version_dif(
        replace(newer, codes=codes), older, common_item_spec(new, old), new, min_group_size=5
    )
    assert dif.loc[dif["item"] == "CLA05", "category"].iloc[0] == ""
    _, sentence = dif_summary(dif, "en", versions=True)
    assert "1 could not be checked" in sentence
    assert sentence.startswith("All 3 reworded statements read as before") or "of 3" in sentence


def test_the_older_wave_is_the_reference_whichever_wave_is_current(
    waves: tuple[ResponseTable, ResponseTable, Questionnaire, Questionnaire],
) -> None:
    """Compared from a campaign on the older version with a later one on the newer version, the
    check is the same: the old wording is the reference, the statements read in the new wording."""
    newer, older, new, old = waves
    planted = _lowered(newer, new, "CLA05")
    forward = score_waves(
        planted, older, current_questionnaire=new, previous_questionnaire=old, min_group_size=5
    )
    backward = score_waves(
        older, planted, current_questionnaire=old, previous_questionnaire=new, min_group_size=5
    )
    assert backward.reworded_dif.equals(forward.reworded_dif)
    assert set(backward.reworded_dif["reference"]) == {old.key}
    assert backward.newer is new
    view = change_view(backward, old, language="en")
    assert view.wording is new
    rows = dif_rows(view.dif_flagged, view.wording, "en", versions=True)
    cla05 = rows[rows["Statement"].str.startswith("CLA05 · ")].iloc[0]
    assert cla05["At the same level"] == "new wording: less agreement"
    assert new.text(next(i for i in new.items if i.id == "CLA05").text, "en") in cla05["Statement"]


def test_the_waves_carry_the_reworded_check(
    waves: tuple[ResponseTable, ResponseTable, Questionnaire, Questionnaire],
) -> None:
    newer, older, new, old = waves
    scored = score_waves(
        _lowered(newer, new, "CLA05"),
        older,
        current_questionnaire=new,
        previous_questionnaire=old,
        min_group_size=5,
    )
    view = change_view(scored, new, language="en")
    assert view.dif.loc[view.dif["item"] == "CLA05", "category"].iloc[0] == "C"
    assert view.same_only is not None and view.reworded == tuple(scored.common.reworded)
