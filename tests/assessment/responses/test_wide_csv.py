"""Reading and writing the wide responses CSV (docs/formats.md "Responses CSV"): every problem named, round trips exact."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import ROOT

from assessment.errors import DataError
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import (
    MAX_LISTED_PROBLEMS,
    ResponseTable,
    read_responses_csv,
    responses_csv,
)
from scoring.recoding import DONT_KNOW, NOT_APPLICABLE, SKIPPED

Q = default_registry().get("work-management@1.0.0")
ITEMS = [i.id for i in Q.items] + [o.id for o in Q.outcomes]
DEMO = ROOT / "data" / "demo" / "wave1.csv"


def read(text: str | bytes, **kwargs: object) -> ResponseTable:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_responses_csv(data, Q, name="r.csv", **kwargs)  # type: ignore[arg-type]


def problems(text: str | bytes, **kwargs: object) -> list[tuple[str, str, str]]:
    with pytest.raises(DataError) as caught:
        read(text, **kwargs)
    return [(p.path, p.message, p.type) for p in caught.value.problems]


GOOD_HEADER = "respondent_id,unit,role,language,duration_seconds,submitted_at,CLA01,CLA02,CLA03"

# (id, file text, expected problems as (path, words the message must contain, type))
BROKEN = [
    (
        "missing-unit-column",
        "respondent_id,CLA01\nr1,3\n",
        [
            (
                "r.csv row 1",
                ["missing the required column 'unit'", "respondent_id, CLA01"],
                "missing-column",
            )
        ],
    ),
    (
        "missing-respondent-id-column",
        "unit,CLA01\nA,3\n",
        [("r.csv row 1", ["missing the required column 'respondent_id'"], "missing-column")],
    ),
    (
        "unknown-column-suggests-closest-id",
        "respondent_id,unit,CLA1\nr1,A,3\n",
        [
            (
                "r.csv row 1, column CLA1",
                ["unknown column 'CLA1'", "did you mean 'CLA01'"],
                "unknown-column",
            )
        ],
    ),
    (
        "unknown-column-wrong-case",
        "respondent_id,Unit,unit\nr1,A,B\n",
        [("r.csv row 1, column Unit", ["did you mean 'unit'"], "unknown-column")],
    ),
    (
        "duplicate-column",
        "respondent_id,unit,CLA01,CLA01\nr1,A,3,4\n",
        [
            (
                "r.csv row 1, column CLA01",
                ["appears more than once", "columns 3 and 4"],
                "duplicate-column",
            )
        ],
    ),
    (
        "unnamed-column",
        "respondent_id,unit,,CLA01\nr1,A,x,3\n",
        [("r.csv row 1, column 3", ["expected a column name"], "unnamed-column")],
    ),
    (
        "value-off-the-scale",
        "respondent_id,unit,CLA01,CLA02\nr1,A,3,7\nr2,A,0,2\n",
        [
            (
                "r.csv row 2, column CLA02",
                ["expected a whole number 1..5, DK, NA", "found '7'"],
                "off-scale",
            ),
            ("r.csv row 3, column CLA01", ["found '0'"], "off-scale"),
        ],
    ),
    (
        "not-an-answer",
        "respondent_id,unit,CLA01,CLA02,CLA03\nr1,A,3.5,x,n/a\n",
        [
            ("r.csv row 2, column CLA01", ["found '3.5'"], "not-an-answer"),
            ("r.csv row 2, column CLA02", ["found 'x'"], "not-an-answer"),
            ("r.csv row 2, column CLA03", ["found 'n/a'"], "not-an-answer"),
        ],
    ),
    (
        "empty-value",
        "respondent_id,unit,CLA01\nr1,,3\nr2,  ,3\n",
        [
            (
                "r.csv row 2, column unit",
                ["expected a unit name, found an empty cell"],
                "empty-value",
            ),
            ("r.csv row 3, column unit", ["expected a unit name"], "empty-value"),
        ],
    ),
    (
        "reserved-unit-name",
        "respondent_id,unit,CLA01\nr1,__all__,3\n",
        [("r.csv row 2, column unit", ["reserved for the organisation row"], "reserved-unit")],
    ),
    (
        "empty-value",
        "respondent_id,unit,CLA01\n,A,3\n",
        [
            (
                "r.csv row 2, column respondent_id",
                ["expected a respondent id"],
                "empty-value",
            )
        ],
    ),
    (
        "duplicate-respondent-id",
        "respondent_id,unit,CLA01\nr1,A,3\nr2,A,3\nr1,B,4\n",
        [
            (
                "r.csv row 4, column respondent_id",
                ["'r1' again (first on row 2)"],
                "duplicate-respondent",
            )
        ],
    ),
    (
        "questionnaire-cell-of-another-version",
        "respondent_id,unit,questionnaire,CLA01\nr1,A,work-management@1.0.0,3\nr2,A,work-management@1.1.0,3\n",
        [
            (
                "r.csv row 3, column questionnaire",
                ["expected work-management@1.0.0", "found 'work-management@1.1.0'"],
                "wrong-questionnaire",
            )
        ],
    ),
    (
        "every-row-names-another-questionnaire",
        "respondent_id,unit,questionnaire,CLA01\nr1,A,work-management@1.1.0,3\n",
        [
            (
                "r.csv",
                [
                    "found work-management@1.1.0 in every row",
                    "read the file with work-management@1.1.0",
                ],
                "wrong-questionnaire",
            ),
            (
                "r.csv row 2, column questionnaire",
                ["found 'work-management@1.1.0'"],
                "wrong-questionnaire",
            ),
        ],
    ),
    (
        "role-not-an-option",
        "respondent_id,unit,role,CLA01\nr1,A,stafff,3\n",
        [
            (
                "r.csv row 2, column role",
                ["one of leader, manager, staff, other", "found 'stafff'", "did you mean 'staff'"],
                "unknown-option",
            )
        ],
    ),
    (
        "language-not-declared",
        "respondent_id,unit,language,CLA01\nr1,A,fr,3\n",
        [("r.csv row 2, column language", ["one of en, de", "found 'fr'"], "unknown-option")],
    ),
    (
        "duration-negative-text-infinite",
        "respondent_id,unit,duration_seconds,CLA01\nr1,A,-3,3\nr2,A,ten,3\nr3,A,inf,3\n",
        [
            (
                "r.csv row 2, column duration_seconds",
                ["seconds >= 0", "found '-3'"],
                "invalid-duration",
            ),
            ("r.csv row 3, column duration_seconds", ["found 'ten'"], "invalid-duration"),
            ("r.csv row 4, column duration_seconds", ["found 'inf'"], "invalid-duration"),
        ],
    ),
    (
        "submitted-at-not-iso-8601",
        "respondent_id,unit,submitted_at,CLA01\nr1,A,14/05/2024,3\nr2,A,2024-02-30T10:00:00Z,3\nr3,A,2024-05-14,3\n",
        [
            (
                "r.csv row 2, column submitted_at",
                ["ISO 8601", "found '14/05/2024'"],
                "invalid-timestamp",
            ),
            (
                "r.csv row 3, column submitted_at",
                ["found '2024-02-30T10:00:00Z'"],
                "invalid-timestamp",
            ),
        ],
    ),
    (
        "row-with-too-few-cells",
        "respondent_id,unit,CLA01\nr1,A,3\nr2,A\nr3,A,4,5\nr4,A,x\n",
        [
            ("r.csv row 3", ["expected 3 cells", "found 2"], "wrong-cell-count"),
            ("r.csv row 4", ["expected 3 cells", "found 4"], "wrong-cell-count"),
            ("r.csv row 5, column CLA01", ["found 'x'"], "not-an-answer"),
        ],
    ),
    (
        "blank-lines-keep-row-numbers",
        "respondent_id,unit,CLA01\nr1,A,3\n\n\nr2,A,9\n",
        [("r.csv row 5, column CLA01", ["found '9'"], "off-scale")],
    ),
    (
        "mixed-line-endings-keep-row-numbers",
        "respondent_id,unit,CLA01\r\nr1,A,3\rr2,A,4\nr3,A,9\r\n",
        [("r.csv row 4, column CLA01", ["found '9'"], "off-scale")],
    ),
    (
        "header-only",
        "respondent_id,unit,CLA01\n",
        [("r.csv", ["has a header but no data rows"], "no-rows")],
    ),
    (
        "header-only-without-line-break",
        "respondent_id,unit,CLA01",
        [("r.csv", ["has a header but no data rows"], "no-rows")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_file_names_every_problem(
    text: str, expected: list[tuple[str, list[str], str]]
) -> None:
    found = problems(text)
    assert len(found) == len(expected), found
    for (path, message, kind), (want_path, words, want_kind) in zip(found, expected, strict=True):
        assert path == want_path
        assert kind == want_kind
        for word in words:
            assert word in message, (word, message)


@pytest.mark.parametrize(
    "case",
    [c for c in BROKEN if c[0] in ("row-with-too-few-cells", "blank-lines-keep-row-numbers")],
    ids=lambda c: c[0],
)
def test_broken_file_on_disk_names_the_same_rows(tmp_path: Path, case: tuple) -> None:  # type: ignore[type-arg]
    _, text, expected = case
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8", newline="")
    with pytest.raises(DataError) as caught:
        read_responses_csv(path, Q)
    assert [p.path for p in caught.value.problems] == [
        want.replace("r.csv", str(path), 1) for want, _, _ in expected
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"\xef\xbb\xbf", b"\n\n", b"   \r\n"],
    ids=["zero-bytes", "bom-only", "blank-lines", "spaces"],
)
def test_empty_file(data: bytes) -> None:
    with pytest.raises(DataError) as caught:
        read(data)
    assert [p.type for p in caught.value.problems] == ["empty-file"]
    assert "expected a header row" in caught.value.problems[0].message


def test_empty_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        read_responses_csv(path, Q)


def test_not_utf8_names_row_column_and_the_bytes() -> None:
    text = "respondent_id,unit,CLA01\nr1,Zürich,3\nr2,Köln,4\n".encode("cp1252")
    with pytest.raises(DataError) as caught:
        read(text)
    listed = caught.value.problems
    assert [p.path for p in listed] == ["r.csv row 2, column unit", "r.csv row 3, column unit"]
    assert "0xFC" in listed[0].message and "'Zürich'" in listed[0].message
    assert "UTF-8" in listed[0].message and listed[0].type == "not-utf8"


def test_file_over_the_size_limit() -> None:
    with pytest.raises(DataError) as caught:
        read("respondent_id,unit,CLA01\nr1,A,3\n", max_bytes=10)
    assert caught.value.problems[0].type == "file-too-large"
    assert "expected at most" in caught.value.problems[0].message


def test_every_kind_of_problem_at_once_and_the_cap() -> None:
    rows = "".join(f"r{k},A,9\n" for k in range(70))
    with pytest.raises(DataError) as caught:
        read("respondent_id,unit,CLA01,XYZ\n" + rows.replace("\n", ",1\n"))
    listed = caught.value.problems
    assert "71 problem(s)" in caught.value.message
    assert len(listed) == MAX_LISTED_PROBLEMS + 1
    assert listed[0].type == "unknown-column"
    assert listed[-1].message == "and 21 more problem(s) not listed"
    rows_listed = [int(p.path.split("row ")[1].split(",")[0]) for p in listed[1:-1]]
    assert rows_listed == sorted(rows_listed) == list(range(2, 51))


def test_quoted_cell_with_a_line_break_is_one_row() -> None:
    table = read('respondent_id,unit,CLA01\nr1,"Ops\nNorth",3\nr2,B,4\n')
    assert list(table.unit) == ["Ops\nNorth", "B"]
    found = problems('respondent_id,unit,CLA01\nr1,"Ops\nNorth",3\nr2,B,x\n')
    assert found[0][0] == "r.csv row 4, column CLA01"


# -- what is accepted ---------------------------------------------------------------------------


def test_codes_of_every_kind_of_cell() -> None:
    header = "respondent_id,unit," + ",".join(ITEMS[:9])
    table = read(f"{header}\nr1,A,1,5,,DK,NA,dk,Na, 4 ,3.0\n")
    assert table.codes.dtype == np.int8
    assert table.codes.shape == (1, len(ITEMS))
    assert table.codes[0, :9].tolist() == [
        1,
        5,
        SKIPPED,
        DONT_KNOW,
        NOT_APPLICABLE,
        DONT_KNOW,
        NOT_APPLICABLE,
        4,
        3,
    ]
    # Columns the file does not have are skipped answers.
    assert (table.codes[0, 9:] == SKIPPED).all()


def test_na_is_a_code_not_a_missing_value() -> None:
    table = read("respondent_id,unit,CLA01,CLA02\nNA,NA,NA,\n")
    assert table.respondent_id.tolist() == ["NA"] and table.unit.tolist() == ["NA"]
    assert table.codes[0, :2].tolist() == [NOT_APPLICABLE, SKIPPED]


def test_bom_and_mixed_line_endings_read_the_same_as_plain_lf() -> None:
    lf = f"{GOOD_HEADER}\nr1,A,leader,en,300,2024-05-14T09:31:00Z,1,2,3\nr2,B,staff,de,12.5,,4,5,DK\n"
    plain = read(lf)
    with_bom = read(b"\xef\xbb\xbf" + lf.encode("utf-8"))
    lines = lf.split("\n")
    mixed = read(lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\n")
    assert plain.equals(with_bom) and plain.equals(mixed)
    assert plain.n_respondents == 2


def test_optional_columns_are_parsed() -> None:
    table = read(
        f"{GOOD_HEADER}\n"
        "r1,A,Leader,EN,300,2024-05-14T11:31:00+02:00,1,2,3\n"
        "r2, B ,,,,2024-05-14 09:31,4,5,1\n"
        "r3,C,staff,de,0.5,2024-05-14,4,5,1\n"
    )
    assert table.role.tolist() == ["leader", None, "staff"]
    assert table.language.tolist() == ["en", None, "de"]
    assert table.unit.tolist() == ["A", "B", "C"]
    assert np.isnan(table.duration_seconds[1]) and table.duration_seconds[2] == 0.5
    assert table.submitted_at[0] == np.datetime64("2024-05-14T09:31:00", "us")
    assert table.submitted_at[1] == np.datetime64("2024-05-14T09:31:00", "us")
    assert table.submitted_at[2] == np.datetime64("2024-05-14T00:00:00", "us")
    assert table.columns == ("role", "submitted_at", "language", "duration_seconds")


def test_guarded_text_cells_are_read_back_without_the_guard() -> None:
    table = read("respondent_id,unit,CLA01\n'=r1,'-Ops,3\n")
    assert table.respondent_id.tolist() == ["=r1"] and table.unit.tolist() == ["-Ops"]


def test_path_and_file_object_sources(tmp_path: Path) -> None:
    text = "respondent_id,unit,CLA01\nr1,A,3\n"
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    assert read_responses_csv(path, Q).equals(read_responses_csv(io.BytesIO(text.encode()), Q))
    with pytest.raises(DataError, match="no such file"):
        read_responses_csv(tmp_path / "missing.csv", Q)


# -- writing ----------------------------------------------------------------------------------------


def test_demo_file_round_trips_byte_for_byte() -> None:
    table = read_responses_csv(DEMO, Q)
    data = responses_csv(table)
    assert data == DEMO.read_bytes()
    assert read_responses_csv(data, Q).equals(table)


def test_awkward_text_round_trips_and_is_guarded(tmp_path: Path) -> None:
    units = ["=HYPERLINK(1)", "-Ops", "+x", "@me", 'say "hi"', "a,b", "Zürich", "multi\nline"]
    n = len(units)
    codes = np.full((n, len(ITEMS)), SKIPPED, dtype=np.int8)
    codes[:, 0] = [1, 2, 3, 4, 5, DONT_KNOW, NOT_APPLICABLE, SKIPPED]
    table = ResponseTable(
        questionnaire=Q.key,
        item_ids=tuple(ITEMS),
        respondent_id=np.array([f"-r{k}" for k in range(n)], dtype=object),
        unit=np.array(units, dtype=object),
        demographics={"role": np.array(["leader", None] * (n // 2), dtype=object)},
        language=np.array([None] * n, dtype=object),
        submitted_at=np.array(
            ["2024-01-01T00:00:00.250000"] * (n - 1) + ["NaT"], dtype="datetime64[us]"
        ),
        duration_seconds=np.array([0.1, 1e-7, 12345.678, np.nan, 5, 6, 7, 8], dtype=np.float64),
        codes=codes,
        columns=("role", "submitted_at", "duration_seconds"),
    )
    path = tmp_path / "out.csv"
    path.write_bytes(responses_csv(table))
    text = path.read_text("utf-8")
    assert "'=HYPERLINK(1)" in text and "'-r0" in text
    assert read_responses_csv(path, Q).equals(table)


@settings(max_examples=30, deadline=None)
@given(
    codes=st.lists(
        st.lists(
            st.sampled_from([1, 2, 3, 4, 5, SKIPPED, DONT_KNOW, NOT_APPLICABLE]),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=12,
    ),
    unit=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(
        # A name starting with ' and a formula prefix is the one the CSV guard cannot tell apart.
        lambda s: s.strip() == s and s != "__all__" and not (s[:1] == "'" and s[1:2] in "=+-@")
    ),
)
def test_round_trip_property(codes: list[list[int]], unit: str) -> None:
    n = len(codes)
    matrix = np.full((n, len(ITEMS)), SKIPPED, dtype=np.int8)
    matrix[:, :3] = np.array(codes, dtype=np.int8)
    table = ResponseTable(
        questionnaire=Q.key,
        item_ids=tuple(ITEMS),
        respondent_id=np.array([f"id{k}" for k in range(n)], dtype=object),
        unit=np.array([unit] * n, dtype=object),
        demographics={"role": np.full(n, None, dtype=object)},
        language=np.full(n, None, dtype=object),
        submitted_at=np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"),
        duration_seconds=np.full(n, np.nan),
        codes=matrix,
    )
    assert read_responses_csv(responses_csv(table), Q).equals(table)


def test_table_checks_its_shapes() -> None:
    with pytest.raises(ValueError, match="one row per respondent"):
        ResponseTable(
            questionnaire=Q.key,
            item_ids=tuple(ITEMS),
            respondent_id=np.array(["a"], dtype=object),
            unit=np.array(["A"], dtype=object),
            demographics={},
            language=np.array([None], dtype=object),
            submitted_at=np.array(["NaT"], dtype="datetime64[us]"),
            duration_seconds=np.array([np.nan]),
            codes=np.zeros((2, len(ITEMS)), dtype=np.int8),
        )
