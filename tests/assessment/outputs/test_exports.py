"""Exports: anonymised responses (pooling of small groups), the scores file, and the privacy guard."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import uncoarsened_scores

from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.errors import AssessmentError, PrivacyError
from assessment.outputs.exports import (
    METADATA_COLUMNS,
    OTHER_ROLES,
    OTHER_UNITS,
    anonymised_responses,
    assert_no_small_groups,
    assert_responses_anonymised,
    export_metadata,
    scores_csv,
    scores_export,
)
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import ResponseTable, read_responses_csv, responses_csv

KEY = "work-management@1.0.0"


@pytest.fixture(scope="module")
def questionnaire():
    return default_registry().get(KEY)


def make_table(
    questionnaire,
    units: list[str],
    roles: list[str | None] | None = None,
    languages: list[str | None] | None = None,
    ids: list[str] | None = None,
) -> ResponseTable:
    """A table with one respondent per entry of ``units``; answers are all 3."""
    n = len(units)
    item_ids = tuple(i.id for i in questionnaire.items) + tuple(
        o.id for o in questionnaire.outcomes
    )
    return ResponseTable(
        questionnaire=questionnaire.key,
        item_ids=item_ids,
        respondent_id=np.asarray(ids or [f"r{i:03d}" for i in range(n)], dtype=object),
        unit=np.asarray(units, dtype=object),
        demographics={"role": np.asarray(roles or ["staff"] * n, dtype=object)},
        language=np.asarray(languages or ["en"] * n, dtype=object),
        submitted_at=np.full(n, np.datetime64("2025-03-04T10:32:00", "us")),
        duration_seconds=np.full(n, 420.0),
        codes=np.full((n, len(item_ids)), 3, dtype=np.int8),
        columns=("role", "submitted_at", "questionnaire", "language", "duration_seconds"),
    )


def units_of(sizes: dict[str, int]) -> list[str]:
    return [unit for unit, size in sizes.items() for _ in range(size)]


# --- anonymised responses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "minimum", "expected"),
    [
        pytest.param(
            {"A": 6, "B": 3, "C": 2, "D": 7},
            5,
            {"A": 6, "D": 7, OTHER_UNITS: 5},
            id="small-units-pooled",
        ),
        pytest.param(
            {"A": 6, "B": 2, "C": 1, "D": 7},
            5,
            {"D": 7, OTHER_UNITS: 9},
            id="pool-too-small-next-smallest-joins",
        ),
        pytest.param(
            {"A": 6, "B": 1, "C": 9, "D": 7},
            5,
            {"C": 9, "D": 7, OTHER_UNITS: 7},
            id="one-respondent-pooled-with-smallest-unit",
        ),
        pytest.param({"A": 5, "B": 8}, 5, {"A": 5, "B": 8}, id="nothing-small"),
        pytest.param({"A": 3, "B": 3}, 5, {OTHER_UNITS: 6}, id="every-unit-pooled"),
        pytest.param({"A": 2, "B": 2, "C": 2}, 3, {OTHER_UNITS: 6}, id="minimum-3"),
    ],
)
def test_units_below_the_minimum_are_pooled(questionnaire, sizes, minimum, expected) -> None:
    table = make_table(questionnaire, units_of(sizes))
    out, warnings = anonymised_responses(table, min_group_size=minimum)
    assert dict(Counter(out.unit)) == expected
    assert out.n_respondents == table.n_respondents
    if expected != sizes:
        assert any(OTHER_UNITS in w for w in warnings)


def test_roles_are_pooled_inside_each_unit(questionnaire) -> None:
    units = ["A"] * 10 + ["B"] * 12
    roles = ["staff"] * 8 + ["manager"] * 2 + ["staff"] * 7 + ["manager"] * 5
    out, warnings = anonymised_responses(make_table(questionnaire, units, roles), min_group_size=5)
    cells = Counter(zip(out.unit, out.role, strict=True))
    # In A the 2 managers are too few; pooling them alone would leave 2, so the staff join them.
    # Then 2 managers are hidden: the role breakdown's 7 managers minus B's 5 shown ones would be
    # A's 2, so B's managers are pooled too (8 staff are hidden in A: enough).
    assert cells == {("A", OTHER_ROLES): 10, ("B", "staff"): 7, ("B", OTHER_ROLES): 5}
    assert any(OTHER_ROLES in w for w in warnings)


def test_a_missing_role_is_a_group_too(questionnaire) -> None:
    units = ["A"] * 12
    roles = ["staff"] * 6 + ["manager"] * 5 + [None]
    out, _ = anonymised_responses(make_table(questionnaire, units, roles), min_group_size=5)
    # The one respondent without a role would be identifiable; the managers are pooled with them.
    assert Counter(out.role) == {"staff": 6, OTHER_ROLES: 6}


def test_languages_are_pooled_inside_unit_and_role(questionnaire) -> None:
    units = ["A"] * 11
    languages = ["de"] + ["en"] * 10
    out, _ = anonymised_responses(
        make_table(questionnaire, units, languages=languages), min_group_size=5
    )
    # The single German speaker and then everyone else lose the language: "de" alone is 1 person.
    assert set(out.language) == {None}


def test_languages_kept_when_each_group_is_large(questionnaire) -> None:
    units = ["A"] * 12
    languages = ["de"] * 6 + ["en"] * 6
    out, _ = anonymised_responses(
        make_table(questionnaire, units, languages=languages), min_group_size=5
    )
    assert Counter(out.language) == {"de": 6, "en": 6}


def test_anonymised_export_leaves_out_times_and_arrival_order(questionnaire) -> None:
    units = ["B"] * 5 + ["A"] * 5
    ids = [f"r{i}" for i in (9, 8, 7, 6, 5, 4, 3, 2, 1, 0)]
    table = make_table(questionnaire, units, ids=ids)
    out, warnings = anonymised_responses(table, min_group_size=5)
    assert np.isnat(out.submitted_at).all()
    assert list(out.respondent_id) == [f"r{i}" for i in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)]
    assert list(out.unit) == ["A"] * 5 + ["B"] * 5
    assert any("submission times" in w for w in warnings)


def test_rows_keep_their_answers_when_reordered(questionnaire) -> None:
    table = make_table(questionnaire, ["B"] * 5 + ["A"] * 5)
    codes = table.codes.copy()
    codes[:, 0] = np.arange(10) % 5 + 1
    table = ResponseTable(**{**table.__dict__, "codes": codes})
    out, _ = anonymised_responses(table, min_group_size=5)
    before = dict(zip(table.respondent_id, table.codes[:, 0], strict=True))
    after = dict(zip(out.respondent_id, out.codes[:, 0], strict=True))
    assert before == after


def test_raw_keeps_everything_and_warns(questionnaire) -> None:
    table = make_table(questionnaire, units_of({"A": 6, "B": 2}))
    out, warnings = anonymised_responses(table, min_group_size=5, raw=True)
    assert out.equals(table)
    assert len(warnings) == 1
    assert "raw export" in warnings[0]
    assert "B (2)" in warnings[0]


def test_raw_export_round_trips(questionnaire, tmp_path) -> None:
    org = generate_organisation(questionnaire, seed=11, n_units=4)
    out, _ = anonymised_responses(org.table, min_group_size=5, raw=True)
    path = tmp_path / "raw.csv"
    path.write_bytes(responses_csv(out))
    again = read_responses_csv(path, questionnaire)
    assert again.equals(org.table)


def test_anonymised_export_writes_as_a_responses_file(questionnaire) -> None:
    table = make_table(questionnaire, units_of({"A": 6, "=cmd|' /C calc'!A0": 2, "C": 7}))
    out, _ = anonymised_responses(table, min_group_size=5)
    text = responses_csv(out).decode("utf-8-sig")
    assert OTHER_UNITS in text
    assert "=cmd" not in text


@pytest.mark.parametrize("size", [1, 4], ids=["one", "just-below"])
def test_too_few_respondents_cannot_be_anonymised(questionnaire, size: int) -> None:
    table = make_table(questionnaire, ["A"] * size)
    with pytest.raises(PrivacyError, match="--raw"):
        anonymised_responses(table, min_group_size=5)


def test_no_respondents_is_an_empty_export(questionnaire) -> None:
    table = make_table(questionnaire, ["A"])
    empty = ResponseTable(
        **{
            **table.__dict__,
            "respondent_id": table.respondent_id[:0],
            "unit": table.unit[:0],
            "demographics": {"role": table.role[:0]},
            "language": table.language[:0],
            "submitted_at": table.submitted_at[:0],
            "duration_seconds": table.duration_seconds[:0],
            "codes": table.codes[:0],
        }
    )
    out, warnings = anonymised_responses(empty, min_group_size=5)
    assert out.n_respondents == 0
    assert warnings == []


def test_responses_guard_names_the_small_group(questionnaire) -> None:
    table = make_table(questionnaire, ["A"] * 6, roles=["staff"] * 5 + ["manager"])
    with pytest.raises(PrivacyError, match="role=manager"):
        assert_responses_anonymised(table, 5)


@pytest.mark.parametrize("minimum", [0, True, 2.5], ids=["zero", "bool", "float"])
def test_minimum_must_be_a_positive_integer(questionnaire, minimum) -> None:
    with pytest.raises(ValueError, match="min_group_size"):
        anonymised_responses(make_table(questionnaire, ["A"] * 5), min_group_size=minimum)


# --- k-anonymity of the responses export (issue 12, attack 2) --------------------------------------


def with_durations(table: ResponseTable, durations: list[float]) -> ResponseTable:
    return dataclasses.replace(table, duration_seconds=np.asarray(durations, dtype=np.float64))


def combinations(table: ResponseTable) -> Counter:
    durations = [None if math.isnan(d) else d for d in table.duration_seconds]
    return Counter(zip(table.unit, table.role, table.language, durations, strict=True))


def test_lone_staff_member_of_a_unit_has_no_row_of_their_own(questionnaire) -> None:
    # Issue 12, attack 2: A = 5 staff, B = 5 leaders + 1 staff, minimum 5. With the dashboard's
    # role breakdown (6 staff) and A's 5 staff rows, B's staff member could be subtracted out and
    # their whole row read off the export.
    units = ["A"] * 5 + ["B"] * 6
    roles = ["staff"] * 5 + ["leader"] * 5 + ["staff"]
    ids = [f"a{i}" for i in range(5)] + [f"b{i}" for i in range(5)] + ["lone"]
    table = with_durations(
        make_table(questionnaire, units, roles, ids=ids),
        [300, 320, 340, 360, 380, 600, 610, 620, 630, 640, 1234],
    )
    out, warnings = anonymised_responses(table, min_group_size=5)
    cells = combinations(out)
    assert min(cells.values()) >= 5
    lone = list(out.respondent_id).index("lone")
    key = (out.unit[lone], out.role[lone], out.language[lone], out.duration_seconds[lone])
    assert cells[key] >= 5
    # No role is shown for some of its respondents and hidden for fewer than 5 of the rest.
    for role, total in Counter(roles).items():
        shown = sum(1 for r in out.role if r == role)
        assert total - shown == 0 or total - shown >= 5, (role, shown)
    assert Counter(zip(out.unit, out.role, strict=True)) == {
        ("A", OTHER_ROLES): 5,
        ("B", OTHER_ROLES): 6,
    }
    assert any("role value" in w for w in warnings)


def test_roles_pooled_in_the_results_are_pooled_in_the_export(questionnaire) -> None:
    # The role breakdown pools the 2 "other" with the 5 leaders (the smallest group). Were A's 5
    # leaders shown in the export, that pooled group's mean minus their rows would be the 2.
    units = ["A"] * 10 + ["B"] * 10
    roles = ["leader"] * 5 + ["staff"] * 5 + ["other"] * 2 + ["staff"] * 8
    out, _ = anonymised_responses(make_table(questionnaire, units, roles), min_group_size=5)
    # In B the 2 are pooled with the 8 staff (8 staff hidden: enough).
    assert Counter(zip(out.unit, out.role, strict=True)) == {
        ("A", OTHER_ROLES): 5,
        ("A", "staff"): 5,
        ("B", OTHER_ROLES): 10,
    }


def test_order_of_generalisation_keeps_the_most(questionnaire) -> None:
    # Roles first would leave 5 roles pooled and then every language (15 values changed);
    # pooling the roles inside each language keeps both languages (10 values changed).
    roles = ["leader"] * 4 + ["manager"] * 5 + ["staff"]
    languages = ["en", "en", "en", "de", "en", "en", "de", "de", "de", "de"]
    table = make_table(questionnaire, ["A"] * 10, roles, languages)
    out, _ = anonymised_responses(table, min_group_size=5)
    assert Counter(out.language) == {"en": 5, "de": 5}
    assert set(out.role) == {OTHER_ROLES}


def test_durations_are_shared_and_rounded(questionnaire) -> None:
    durations = [61, 95, 130, 170, 200, 250, 1000, 1010, 1020, 1030, 4000, math.nan]
    table = with_durations(make_table(questionnaire, ["A"] * 12), durations)
    out, warnings = anonymised_responses(table, min_group_size=5)
    by_id = dict(zip(out.respondent_id, out.duration_seconds, strict=True))
    known = [d for d in out.duration_seconds if not math.isnan(d)]
    assert all(d % 60 == 0 for d in known)
    # One respondent without a duration: the 4 longest known ones join them.
    assert sum(math.isnan(d) for d in out.duration_seconds) == 5
    assert all(math.isnan(by_id[f"r{i:03d}"]) for i in (8, 9, 10, 11))
    # The 7 fastest form one run (5 to 9 respondents) sharing their median, 200 s -> 180 s.
    assert all(by_id[f"r{i:03d}"] == 180.0 for i in range(7))
    assert min(Counter(known).values()) >= 5
    assert any("durations" in w for w in warnings)


def test_too_few_durations_are_all_left_out(questionnaire) -> None:
    durations = [100.0] * 3 + [math.nan] * 6
    out, _ = anonymised_responses(
        with_durations(make_table(questionnaire, ["A"] * 9), durations), min_group_size=5
    )
    assert np.isnan(out.duration_seconds).all()


def test_responses_guard_refuses_a_unique_duration(questionnaire) -> None:
    table = with_durations(make_table(questionnaire, ["A"] * 6), [300.0] * 5 + [900.0])
    table = dataclasses.replace(
        table, submitted_at=np.full(6, np.datetime64("NaT"), dtype="datetime64[us]")
    )
    with pytest.raises(PrivacyError, match="duration_seconds=900"):
        assert_responses_anonymised(table, 5)


def test_responses_guard_refuses_submission_times(questionnaire) -> None:
    with pytest.raises(PrivacyError, match="submission times"):
        assert_responses_anonymised(make_table(questionnaire, ["A"] * 6), 5)


def test_anonymised_export_imports_again(questionnaire, tmp_path) -> None:
    org = generate_organisation(questionnaire, seed=5, n_units=6)
    out, _ = anonymised_responses(org.table, min_group_size=5)
    path = tmp_path / "anonymised.csv"
    path.write_bytes(responses_csv(out))
    again = read_responses_csv(path, questionnaire)
    assert again.equals(out)
    assert_responses_anonymised(again, 5)


@st.composite
def response_tables(draw: st.DrawFn, questionnaire) -> tuple[ResponseTable, int]:
    minimum = draw(st.integers(2, 6))
    sizes = draw(st.lists(st.integers(1, 14), min_size=1, max_size=5))
    units = [f"U{u}" for u, size in enumerate(sizes) for _ in range(size)]
    n = len(units)
    roles = draw(
        st.lists(st.sampled_from(["staff", "manager", "leader", None]), min_size=n, max_size=n)
    )
    languages = draw(st.lists(st.sampled_from(["en", "de", None]), min_size=n, max_size=n))
    durations = draw(
        st.lists(
            st.one_of(st.just(math.nan), st.floats(0, 5000, allow_nan=False)),
            min_size=n,
            max_size=n,
        )
    )
    answers = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    table = with_durations(make_table(questionnaire, units, roles, languages), durations)
    codes = table.codes.copy()
    codes[:, 0] = answers
    return dataclasses.replace(table, codes=codes), minimum


@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=st.data())
def test_every_combination_holds_the_minimum(questionnaire, data, tmp_path_factory) -> None:
    table, minimum = data.draw(response_tables(questionnaire))
    if table.n_respondents < minimum:
        with pytest.raises(PrivacyError):
            anonymised_responses(table, min_group_size=minimum)
        return
    out, _ = anonymised_responses(table, min_group_size=minimum)
    # Every combination of the quasi-identifiers holds >= m rows (or the whole file is one).
    assert min(combinations(out).values()) >= minimum
    assert np.isnat(out.submitted_at).all()
    # A value shown for some respondents is hidden for none or for >= m of the others.
    for column in ("unit", "role", "language"):
        before = Counter(getattr(table, column))
        after = Counter(getattr(out, column))
        for value, total in before.items():
            if value is not None and after[value]:
                hidden = total - after[value]
                assert hidden == 0 or hidden >= minimum, (column, value, hidden)
    # Answers travel with their respondent.
    before_rows = dict(zip(table.respondent_id, map(bytes, table.codes), strict=True))
    after_rows = dict(zip(out.respondent_id, map(bytes, out.codes), strict=True))
    assert before_rows == after_rows
    # The file is valid input again and reads back as written.
    again = read_responses_csv(responses_csv(out), questionnaire)
    assert again.equals(out)


# --- the scores export ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scored(questionnaire):
    profile = organisation_profile(seed=5, n_units=6, min_size=2, max_size=20)
    org = generate_organisation(questionnaire, seed=5, profile=profile)
    units = np.asarray(org.table.unit, dtype=object).copy()
    # A unit whose name a spreadsheet would run as a formula.
    units[units == profile.units[0]] = '=HYPERLINK("http://x")'
    table = ResponseTable(**{**org.table.__dict__, "unit": units})
    # The export guard's own tests need small groups in the result: scored without the release's
    # pooling (which would leave none), as the pipeline alone would.
    return uncoarsened_scores(table, questionnaire, targets={"clarity": 4}, n_resamples=50)


def test_scores_export_columns_and_metadata(scored) -> None:
    frame = scores_export(scored.result, scored.metadata)
    assert list(frame.columns) == [*scored.result.scores.columns, *METADATA_COLUMNS]
    assert (frame["questionnaire"] == KEY).all()
    assert (frame["questionnaire_sha256"] == scored.metadata["questionnaire_sha256"]).all()
    assert (frame["min_group_size"] == 5).all()
    assert (frame["confidence"] == 0.95).all()
    assert (frame["method"] == "t").all()


def test_suppressed_rows_keep_only_group_dimension_n(scored) -> None:
    frame = scores_export(scored.result, scored.metadata)
    suppressed = frame[frame["suppressed"].astype(bool)]
    assert len(suppressed) > 0
    kept = {"unit", "dimension_type", "dimension", "n", "suppressed", *METADATA_COLUMNS}
    others = [c for c in frame.columns if c not in kept]
    assert (
        "target" in others
    )  # even the target goes: a suppressed row keeps only what docs/formats.md "Privacy rules" allows
    assert suppressed[others].isna().all().all()
    assert suppressed["n"].notna().all()


def test_csv_injection_neutralised_numbers_stay_numbers(scored, tmp_path) -> None:
    path = tmp_path / "scores.csv"
    path.write_bytes(scores_csv(scored.result, scored.metadata))
    text = path.read_text("utf-8")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    back = pd.read_csv(path, keep_default_na=False, na_values=[""])
    gaps = back.loc[back["gap"].notna(), "gap"]
    assert pd.api.types.is_float_dtype(back["gap"])
    assert (gaps < 0).any() or (gaps > 0).any()
    assert not back["gap"].astype(str).str.startswith("'").any()


def with_scores(result, scores):
    return type(result)(**{**result.__dict__, "scores": scores})


def test_scores_export_refuses_a_small_group_shown(scored) -> None:
    scores = scored.result.scores.copy()
    small = scores.index[scores["n"] < 5][0]
    scores.loc[small, ["mean", "suppressed"]] = [3.14, False]
    with pytest.raises(PrivacyError, match="below the minimum group size 5"):
        scores_export(with_scores(scored.result, scores), scored.metadata)


def test_scores_export_refuses_a_group_derivable_from_the_total(scored) -> None:
    # Scored with a minimum of 5, the two small units (3 and 2 respondents) are suppressed and
    # together reach 5. Exported under a minimum of 6, subtracting the shown units from the total
    # would reveal a pool of 5: the guard must refuse.
    clarity = scored.result.scores[scored.result.scores["dimension"] == "clarity"]
    hidden = clarity.loc[clarity["suppressed"] & (clarity["unit"] != "__all__"), "n"].sum()
    assert hidden == 5
    with pytest.raises(PrivacyError, match="subtracting the shown groups"):
        scores_export(scored.result, {**scored.metadata, "min_group_size": 6})


def test_scores_export_blanks_a_flagged_row_itself(scored) -> None:
    # A row the scoring flagged suppressed but left a value in (a bug there) is blanked, not leaked.
    scores = scored.result.scores.copy()
    small = scores.index[scores["suppressed"]][0]
    scores.loc[small, "mean"] = 3.14
    scores.loc[small, "n"] = 50
    frame = scores_export(with_scores(scored.result, scores), scored.metadata)
    assert math.isnan(frame.loc[small, "mean"])


def test_export_metadata_needs_the_settings() -> None:
    with pytest.raises(ValueError, match="questionnaire_sha256"):
        export_metadata(
            {"questionnaire": KEY, "confidence": 0.95, "min_group_size": 5, "method": "t"}
        )
    meta = export_metadata(
        {
            "questionnaire_id": "work-management",
            "questionnaire_version": "1.0.0",
            "questionnaire_sha256": "a" * 64,
            "confidence": 0.9,
            "min_group_size": 4,
            "method": "bca",
        }
    )
    assert meta["questionnaire"] == KEY
    assert meta["min_item_coverage"] is None


# --- the guard ------------------------------------------------------------------------------------


def guard_frame(rows: list[tuple[str, int, float | None, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": [r[0] for r in rows],
            "dimension_type": "component",
            "dimension": "clarity",
            "n": [r[1] for r in rows],
            "mean": [np.nan if r[2] is None else r[2] for r in rows],
            "suppressed": [r[3] for r in rows],
        }
    )


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        pytest.param(
            [("A", 10, 3.0, False), ("B", 10, 3.2, False), ("__all__", 20, 3.1, False)],
            None,
            id="all-large",
        ),
        pytest.param(
            [("A", 3, 3.0, False), ("B", 10, 3.2, False), ("__all__", 13, 3.1, False)],
            "show statistics of a group below",
            id="small-group-with-a-mean",
        ),
        pytest.param(
            [("A", 30, 3.0, True), ("B", 10, 3.2, False)],
            "show statistics of a group below",
            id="suppressed-flag-with-a-mean",
        ),
        pytest.param(
            [("A", 4, None, True), ("B", 16, 3.2, False), ("__all__", 20, 3.1, False)],
            "subtracting the shown groups",
            id="derivable-by-subtraction",
        ),
        pytest.param(
            [
                ("A", 4, None, True),
                ("C", 2, None, True),
                ("B", 16, 3.2, False),
                ("__all__", 22, 3.1, False),
            ],
            None,
            id="pooled-suppressed-reach-minimum",
        ),
        pytest.param(
            [("B", 16, 3.2, False), ("__all__", 19, 3.1, False)],
            "3 hidden respondents",
            id="missing-group-counts-as-hidden",
        ),
        pytest.param(
            [("A", 4, None, True), ("B", 16, None, True), ("__all__", 20, 3.1, False)],
            None,
            id="everything-hidden-but-total",
        ),
        pytest.param(
            [("A", 4, None, True), ("B", 16, 3.2, False), ("__all__", 20, None, True)],
            None,
            id="no-total-shown",
        ),
    ],
)
def test_assert_no_small_groups(rows, error) -> None:
    frame = guard_frame(rows)
    if error is None:
        assert_no_small_groups(frame, 5)
    else:
        with pytest.raises(PrivacyError, match=error):
            assert_no_small_groups(frame, 5)


def test_privacy_error_is_an_assessment_error() -> None:
    assert issubclass(PrivacyError, AssessmentError)
    assert PrivacyError.code == "privacy-violation"


def test_guard_needs_the_columns() -> None:
    with pytest.raises(ValueError, match="lacks the columns"):
        assert_no_small_groups(pd.DataFrame({"unit": ["A"]}), 5)
