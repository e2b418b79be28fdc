"""`import_responses` on both backends: a round trip gives back the answers, broken files are
refused with row and column and nothing written, re-imports add nobody, units come from the file."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select, text
from storage.databases import QUESTIONNAIRE
from storage.responses_files import responses_rows, write_responses

from assessment.campaigns.importing import DEFAULT_MAX_BYTES, import_key, import_responses
from assessment.campaigns.management import (
    CampaignInfo,
    close_campaign,
    create_campaign,
    get_campaign,
)
from assessment.errors import AssessmentError, DataError, ImportConflictError
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import read_responses_csv, responses_csv
from assessment.results.campaign_answers import load_responses
from assessment.storage import Database
from assessment.storage.models import Answer, Response, Unit

MB = 1024 * 1024


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Response)) or 0,
            session.scalar(select(func.count()).select_from(Answer)) or 0,
            session.scalar(select(func.count()).select_from(Unit)) or 0,
        )


def test_round_trip_import_then_load_gives_the_same_answers(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    path = write_responses(tmp_path / "responses.csv", responses_rows(60))
    result = import_responses(db, campaign.code, path)
    assert (result.rows, result.added, result.unchanged) == (60, 60, 0)
    original = read_responses_csv(path, default_registry().get(QUESTIONNAIRE))
    stored = load_responses(db, campaign.code)
    assert stored.item_ids == original.item_ids
    assert stored.n_respondents == 60
    np.testing.assert_array_equal(stored.codes, original.codes)
    np.testing.assert_array_equal(stored.unit, original.unit)
    np.testing.assert_array_equal(stored.role, original.role)
    np.testing.assert_array_equal(stored.language, original.language)
    # Submission times are stored to the day (00:00 UTC): a time of day could single someone out.
    days = original.submitted_at.astype("datetime64[D]").astype(original.submitted_at.dtype)
    assert (original.submitted_at != days).any()
    np.testing.assert_array_equal(stored.submitted_at, days)
    np.testing.assert_array_equal(stored.duration_seconds, original.duration_seconds)
    assert get_campaign(db, campaign.code).responses == 60

    # The stored table written as CSV reads back equal (the `export responses --raw` round trip)
    exported = tmp_path / "exported.csv"
    exported.write_bytes(responses_csv(stored))
    assert read_responses_csv(exported, default_registry().get(QUESTIONNAIRE)).equals(stored)
    # ... re-imports into the same campaign as the same respondents (nobody added) ...
    again = import_responses(db, campaign.code, exported)
    assert (again.added, again.unchanged) == (0, 60)
    # ... and into a new campaign with the same answers.
    other = create_campaign(db, name="copy", questionnaire=QUESTIONNAIRE)
    import_responses(db, other.code, exported)
    copied = load_responses(db, other.code)
    np.testing.assert_array_equal(copied.codes, stored.codes)
    np.testing.assert_array_equal(copied.unit, stored.unit)


def test_na_dk_and_empty_cells_are_stored_apart(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    rows = responses_rows(1)
    header = rows[0]
    rows[1][header.index("CLA01") :] = ["NA", "DK", "", "na", " 3 "] + [""] * (
        len(header) - header.index("CLA01") - 5
    )
    import_responses(db, campaign.code, write_responses(tmp_path / "r.csv", rows))
    with db.read() as session:
        stored = {
            item: (value, special)
            for item, value, special in session.execute(
                select(Answer.item_id, Answer.value, Answer.special)
            )
        }
    assert stored == {
        "CLA01": (None, "NA"),
        "CLA02": (None, "DK"),
        "CLA04": (None, "NA"),
        "CLA05": (3, None),
    }


@pytest.mark.parametrize(
    ("newline", "bom"),
    [("\n", True), ("\r\n", False), ("mixed", True), ("\r", False)],
    ids=["lf-bom", "crlf", "mixed-bom", "cr"],
)
def test_bom_and_line_endings_are_accepted(
    db: Database, campaign: CampaignInfo, tmp_path: Path, newline: str, bom: bool
) -> None:
    rows = responses_rows(12)
    if newline == "mixed":
        text_ = "".join(",".join(r) + ("\r\n" if i % 2 else "\n") for i, r in enumerate(rows))
        path = tmp_path / "r.csv"
        path.write_bytes(b"\xef\xbb\xbf" + text_.encode())
    else:
        path = write_responses(tmp_path / "r.csv", rows, newline=newline, bom=bom)
    assert import_responses(db, campaign.code, path).added == 12
    assert load_responses(db, campaign.code).n_respondents == 12


# -- broken files: every one refused with its message, nothing written -----------------------------

Edit = Callable[[list[list[str]]], "list[list[str]] | bytes"]


def _set(row: int, column: str, value: str) -> Edit:
    def edit(rows: list[list[str]]) -> list[list[str]]:
        rows[row][rows[0].index(column)] = value
        return rows

    return edit


def _rename(old: str, new: str) -> Edit:
    def edit(rows: list[list[str]]) -> list[list[str]]:
        rows[0][rows[0].index(old)] = new
        return rows

    return edit


def _bytes(builder: Callable[[list[list[str]]], bytes]) -> Edit:
    return builder


def _mixed_endings_with_bad_cell(rows: list[list[str]]) -> bytes:
    rows[5][rows[0].index("COO02")] = "9"
    return b"".join(
        (",".join(r) + ("\r\n" if i % 2 else "\n")).encode() for i, r in enumerate(rows)
    )


def _bom_with_bad_cell(rows: list[list[str]]) -> bytes:
    rows[2][rows[0].index("respondent_id")] = ""
    return b"\xef\xbb\xbf" + "".join(",".join(r) + "\n" for r in rows).encode()


def _blank_line_then_bad_cell(rows: list[list[str]]) -> bytes:
    rows[4][rows[0].index("CLA03")] = "0"
    lines = [",".join(r) for r in rows]
    lines.insert(3, "")  # a blank line between rows 3 and 4: the bad row is now line 6
    return ("\n".join(lines) + "\n").encode()


def _blank_line_then_unknown_unit(rows: list[list[str]]) -> bytes:
    rows[5][rows[0].index("unit")] = "Mars"
    lines = [",".join(r) for r in rows]
    lines.insert(2, "")  # the unit check names the row a person sees: line 7, not record 5 + 2
    return ("\n".join(lines) + "\n").encode()


BROKEN: list[tuple[str, Edit, str]] = [
    (
        "wrong-header",
        _rename("respondent_id", "respondent"),
        "missing the required column 'respondent_id'",
    ),
    ("unknown-item", _rename("CLA07", "CLA99"), "row 1, column CLA99: unknown column 'CLA99'"),
    ("off-scale", _set(3, "CLA02", "7"), "row 4, column CLA02: expected a whole number 1..5"),
    ("zero-is-off-scale", _set(2, "OUT01", "0"), "row 3, column OUT01"),
    (
        "na-spelled-wrong",
        _set(2, "CLA01", "N/A"),
        "row 3, column CLA01: expected a whole number 1..5, DK, NA or an empty cell, found 'N/A'",
    ),
    ("decimal", _set(2, "CLA01", "3.5"), "row 3, column CLA01"),
    (
        "duplicate-respondent",
        _set(4, "respondent_id", "R1-0001"),
        "expected each respondent_id once, found 'R1-0001' again (first on row 3)",
    ),
    ("empty-unit", _set(3, "unit", ""), "row 4, column unit: expected a unit name"),
    ("unknown-unit", _set(6, "unit", "Marketing"), "row 7, column unit: unknown unit 'Marketing'"),
    ("unknown-role", _set(2, "role", "intern"), "row 3, column role"),
    (
        "wrong-questionnaire",
        _set(2, "questionnaire", "work-management@1.1.0"),
        "expected work-management@1.0.0",
    ),
    ("bad-timestamp", _set(2, "submitted_at", "yesterday"), "row 3, column submitted_at"),
    ("negative-duration", _set(2, "duration_seconds", "-5"), "row 3, column duration_seconds"),
    (
        "bom-and-bad-cell",
        _bytes(_bom_with_bad_cell),
        "row 3, column respondent_id: expected a respondent id",
    ),
    (
        "mixed-line-endings-and-bad-cell",
        _bytes(_mixed_endings_with_bad_cell),
        "row 6, column COO02",
    ),
    ("zero-rows", lambda rows: rows[:1], "has a header but no data rows"),
    ("empty-file", lambda rows: b"", "the file is empty"),
    (
        "ragged-row",
        _bytes(lambda rows: ("\n".join(",".join(r) for r in rows) + ",extra\n").encode()),
        "row 9: expected 45 cells (one per header column), found 46",
    ),
    ("latin-1", _bytes(lambda rows: csv_latin1(rows)), "expected UTF-8 text"),
    ("blank-line-and-bad-cell", _bytes(_blank_line_then_bad_cell), "row 6, column CLA03"),
    (
        "blank-line-and-unknown-unit",
        _bytes(_blank_line_then_unknown_unit),
        "responses.csv row 7, column unit: unknown unit 'Mars'",
    ),
]


def csv_latin1(rows: list[list[str]]) -> bytes:
    rows[2][rows[0].index("unit")] = "Zürich"
    return "".join(",".join(r) + "\n" for r in rows).encode("latin-1")


@pytest.mark.parametrize(("edit", "message"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_files_are_refused_with_row_and_column_and_nothing_written(
    db: Database, campaign: CampaignInfo, tmp_path: Path, edit: Edit, message: str
) -> None:
    before = _counts(db)
    edited = edit(copy.deepcopy(responses_rows(8)))
    path = tmp_path / "responses.csv"
    if isinstance(edited, bytes):
        path.write_bytes(edited)
    else:
        write_responses(path, edited)
    with pytest.raises(DataError) as caught:
        import_responses(db, campaign.code, path)
    assert message in str(caught.value)
    assert "responses.csv" in str(caught.value)
    assert _counts(db) == before


def test_a_100_mb_file_is_refused_by_size_before_reading(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    path = write_responses(tmp_path / "big.csv", responses_rows(3))
    with path.open("r+b") as handle:
        handle.truncate(100 * MB)  # sparse: no 100 MB written to disk
    before = _counts(db)
    with pytest.raises(DataError) as caught:
        import_responses(db, campaign.code, path)
    message = str(caught.value)
    assert "big.csv: the file has 100.0 MB; the import limit is 20 MB" in message
    assert "--max-size" in message
    assert caught.value.problems[0].type == "file-too-large"
    assert _counts(db) == before
    assert DEFAULT_MAX_BYTES == 20 * MB


def test_an_upload_is_imported_from_its_bytes(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    data = write_responses(tmp_path / "r.csv", responses_rows(8)).read_bytes()
    with pytest.raises(DataError, match="import limit is 0 MB") as caught:
        import_responses(db, campaign.code, data, name="upload.csv", max_bytes=100)
    assert caught.value.problems[0].path == "upload.csv"
    broken = data.replace(b"\n", b"\n\n", 3).replace(b",4,", b",9,", 1)
    with pytest.raises(DataError) as caught:
        import_responses(db, campaign.code, broken, name="upload.csv")
    assert any(p.path.startswith("upload.csv row ") for p in caught.value.problems)
    # Blank lines count in the row numbers named, as they do for a file on disk.
    on_disk = tmp_path / "upload.csv"
    on_disk.write_bytes(broken)
    with pytest.raises(DataError) as from_disk:
        import_responses(db, campaign.code, on_disk)
    assert caught.value.problems == from_disk.value.problems
    result = import_responses(db, campaign.code, data, name="upload.csv")
    assert (result.file, result.added) == ("upload.csv", 8)
    assert import_responses(db, campaign.code, tmp_path / "r.csv").unchanged == 8


def test_the_size_limit_can_be_raised(db: Database, campaign: CampaignInfo, tmp_path: Path) -> None:
    path = write_responses(tmp_path / "r.csv", responses_rows(5))
    with pytest.raises(DataError, match="import limit is 0 MB"):
        import_responses(db, campaign.code, path, max_bytes=100)
    assert import_responses(db, campaign.code, path, max_bytes=path.stat().st_size).added == 5


def test_problems_are_capped_with_the_count_of_the_rest(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    rows = responses_rows(80)
    column = rows[0].index("CLA01")
    for row in rows[1:]:
        row[column] = "8"
    with pytest.raises(DataError) as caught:
        import_responses(db, campaign.code, write_responses(tmp_path / "r.csv", rows))
    assert len(caught.value.problems) == 51
    assert "and 30 more problem(s) not listed" in str(caught.value)


def test_unknown_units_are_all_reported_with_their_rows(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    rows = responses_rows(9, units=("Operations", "Marketing", "Legal"))
    with pytest.raises(DataError) as caught:
        import_responses(db, campaign.code, write_responses(tmp_path / "r.csv", rows))
    paths = [p.path for p in caught.value.problems]
    assert paths == [f"r.csv row {r}, column unit" for r in (3, 4, 6, 7, 9, 10)]
    assert "has the units Operations, Sales, Support" in caught.value.problems[0].message


def test_a_campaign_without_units_takes_them_from_the_file(db: Database, tmp_path: Path) -> None:
    info = create_campaign(db, name="no units", questionnaire=QUESTIONNAIRE)
    rows = responses_rows(7, units=("Beta", "Alpha"))
    result = import_responses(db, info.code, write_responses(tmp_path / "r.csv", rows))
    assert result.units_created == ("Alpha", "Beta")
    assert [u.name for u in get_campaign(db, info.code).units] == ["Alpha", "Beta"]
    # The campaign now has a list: a second file with another unit is refused.
    more = responses_rows(3, units=("Gamma",), seed=2)
    with pytest.raises(DataError, match="unknown unit 'Gamma'"):
        import_responses(db, info.code, write_responses(tmp_path / "more.csv", more))


def test_reimporting_the_same_file_adds_nobody(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    path = write_responses(tmp_path / "r.csv", responses_rows(20))
    import_responses(db, campaign.code, path)
    counts = _counts(db)
    result = import_responses(db, campaign.code, path)
    assert (result.added, result.unchanged) == (0, 20)
    assert _counts(db) == counts
    # A file with the old rows plus new ones adds only the new ones.
    rows = responses_rows(20) + responses_rows(5, seed=9)[1:]
    result = import_responses(db, campaign.code, write_responses(tmp_path / "more.csv", rows))
    assert (result.added, result.unchanged) == (5, 20)


def test_changed_answers_of_an_imported_respondent_are_an_error_naming_the_rows(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    rows = responses_rows(10)
    import_responses(db, campaign.code, write_responses(tmp_path / "r.csv", rows))
    counts = _counts(db)
    changed = copy.deepcopy(rows) + responses_rows(3, seed=5)[1:]
    column = changed[0].index("COM01")
    changed[4][column] = "1" if changed[4][column] != "1" else "2"
    changed[7][changed[0].index("unit")] = "Sales" if changed[7][1] != "Sales" else "Support"
    with pytest.raises(ImportConflictError) as caught:
        import_responses(db, campaign.code, write_responses(tmp_path / "changed.csv", changed))
    problems = caught.value.problems
    assert [p.path for p in problems] == ["changed.csv row 5", "changed.csv row 8"]
    assert (
        "respondent 'R1-0003' was imported before with other answers (COM01" in problems[0].message
    )
    assert "(unit" in problems[1].message
    assert _counts(db) == counts  # not even the three new rows


def test_respondent_ids_are_stored_only_as_keyed_hashes(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    rows = responses_rows(4)
    import_responses(db, campaign.code, write_responses(tmp_path / "r.csv", rows))
    with db.read() as session:
        dump = " ".join(str(r) for r in session.execute(text("SELECT * FROM responses")))
        keys = set(session.scalars(select(Response.import_key)))
    for row in rows[1:]:
        assert row[0] not in dump
    assert len(keys) == 4
    # The key depends on the campaign's secret salt: another campaign gets other keys.
    assert import_key("00" * 32, "R1-0000") != import_key("11" * 32, "R1-0000")


def test_a_closed_campaign_refuses_imports(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    close_campaign(db, campaign.code)
    with pytest.raises(AssessmentError, match="is closed; reopen it"):
        import_responses(db, campaign.code, write_responses(tmp_path / "r.csv", responses_rows(3)))
    assert _counts(db)[0] == 0


def test_a_missing_file_is_a_clear_error(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    with pytest.raises(DataError, match="no such file"):
        import_responses(db, campaign.code, tmp_path / "absent.csv")


def test_the_size_limit_comes_from_the_environment(
    db: Database, campaign: CampaignInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_responses(tmp_path / "r.csv", responses_rows(5))
    monkeypatch.setenv("WMM_IMPORT_MAX_MB", "0.0001")
    with pytest.raises(DataError, match="WMM_IMPORT_MAX_MB"):
        import_responses(db, campaign.code, path)
    monkeypatch.setenv("WMM_IMPORT_MAX_MB", "lots")
    with pytest.raises(DataError, match="must be a number of megabytes"):
        import_responses(db, campaign.code, path)
    assert _counts(db)[0] == 0
