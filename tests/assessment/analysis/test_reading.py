"""Reading a responses file in two threads (`assessment.analysis.reading`) gives the table that reading
it in one call gives, and the same error for a bad file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support import ROOT

from assessment.analysis.reading import read_in_background
from assessment.errors import DataError
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import read_responses_csv

WAVE1 = ROOT / "data" / "demo" / "wave1.csv"
KEY = "work-management@1.0.0"


def test_the_table_is_the_one_read_in_one_call() -> None:
    questionnaire = default_registry().get(KEY)
    reading = read_in_background(WAVE1)
    table = reading.convert(questionnaire).result(timeout=120)
    expected = read_responses_csv(WAVE1, questionnaire)
    assert table.item_ids == expected.item_ids
    np.testing.assert_array_equal(table.codes, expected.codes)
    np.testing.assert_array_equal(table.unit, expected.unit)
    np.testing.assert_array_equal(table.respondent_id, expected.respondent_id)


def test_a_bad_file_raises_its_data_error_from_the_result(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,unit,C01\nr1,Sales,nine\n", encoding="utf-8")
    questionnaire = default_registry().get(KEY)
    converting = read_in_background(bad).convert(questionnaire)
    with pytest.raises(DataError) as raised:
        converting.result(timeout=120)
    with pytest.raises(DataError) as direct:
        read_responses_csv(bad, questionnaire)
    assert str(raised.value) == str(direct.value)


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    questionnaire = default_registry().get(KEY)
    converting = read_in_background(WAVE1, max_bytes=10).convert(questionnaire)
    with pytest.raises(DataError):
        converting.result(timeout=120)
