"""Parsing a CSV file's text before it is interpreted, and finishing the read for a questionnaire."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.errors import DataError
from assessment.questionnaire import default_registry
from assessment.responses.csv_text import parse_csv
from assessment.responses.wide_csv import build_response_table, read_responses_csv

Q = default_registry().get("work-management@1.0.0")


def test_every_column_is_parsed_as_text() -> None:
    parsed = parse_csv(b"respondent_id,unit,CLA01,extra\nr1, A ,3,x\nr2,B,NA,\n", name="f.csv")
    assert parsed.name == "f.csv"
    assert parsed.header == ["respondent_id", "unit", "CLA01", "extra"]
    assert (parsed.n_rows, parsed.has_rows) == (2, True)
    assert sorted(parsed.columns) == [0, 1, 2, 3]
    # Text as written: nothing is stripped, nothing becomes null, numbers stay text.
    assert parsed.take(1).to_pylist() == [" A ", "B"]
    assert parsed.take(2).to_pylist() == ["3", "NA"]
    assert parsed.take(3).to_pylist() == ["x", ""]
    assert 1 not in parsed.columns  # handed over once
    parsed.raise_problems()  # nothing wrong yet: nothing raised


def test_a_header_alone_has_no_rows() -> None:
    parsed = parse_csv(b"respondent_id,unit\n\n", name="f.csv")
    assert (parsed.n_rows, parsed.has_rows) == (0, False)


def test_ragged_rows_are_counted_and_raised_with_their_row_numbers() -> None:
    parsed = parse_csv(b"respondent_id,unit\nr1,A\n\nr2,B,extra\nr3,C\n", name="f.csv")
    assert parsed.n_rows == 2 and parsed.report.n_ragged == 1
    with pytest.raises(DataError) as caught:
        parsed.raise_problems()
    [problem] = caught.value.problems
    assert problem.path == "f.csv row 4" and problem.type == "wrong-cell-count"


def test_problems_of_the_file_itself_are_raised_by_the_parse(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="the limit is"):
        parse_csv(b"respondent_id,unit\nr1,A\n", name="f.csv", max_bytes=10)
    with pytest.raises(DataError, match="not UTF-8"):
        parse_csv("respondent_id,unit\nr1,Büro\n".encode("cp1252"), name="f.csv")
    with pytest.raises(DataError, match="no such file"):
        parse_csv(tmp_path / "missing.csv")


def test_parse_then_build_equals_read(tmp_path: Path) -> None:
    text = (
        "respondent_id,unit,role,CLA01,CLA02,EXTRA\n"
        "r1,A,leader,3,DK,\n"
        "r2,B,staff,9,2,\n"
        "r3,,staff,1,x,\n"
    )
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as read_error:
        read_responses_csv(path, Q)
    with pytest.raises(DataError) as build_error:
        build_response_table(parse_csv(path), Q)
    assert build_error.value.problems == read_error.value.problems
    types = {p.type for p in build_error.value.problems}
    assert {"unknown-column", "off-scale", "not-an-answer", "empty-value"} <= types


def test_build_of_a_good_file_equals_read() -> None:
    path = Path(__file__).resolve().parents[3] / "data" / "demo" / "wave1.csv"
    parsed = parse_csv(path)
    built = build_response_table(parsed, Q)
    assert built.equals(read_responses_csv(path, Q))
    assert parsed.columns == {}  # every column was handed over or dropped
