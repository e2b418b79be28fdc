"""The text catalogues: every language has English's keys and fields; numbers use the language's mark."""

from __future__ import annotations

import math

import pytest

from assessment import i18n


def test_english_comes_first_and_names_itself() -> None:
    assert i18n.languages()[0] == "en"
    assert i18n.language_names()["en"] == "English"
    assert i18n.language_names()["de"] == "Deutsch"


@pytest.mark.parametrize("language", [code for code in i18n.languages() if code != "en"])
def test_every_catalogue_has_englishs_keys_and_fields(language: str) -> None:
    english = i18n.keys("en")
    assert i18n.keys(language) == english, "keys differ from en.yaml"
    for key in english:
        assert i18n.fields(i18n.text(key, language)) == i18n.fields(i18n.text(key, "en")), key


def test_unknown_language_reads_english() -> None:
    assert i18n.supported("xx") == "en"
    assert i18n.text("number.decimal_mark", "xx") == "."


def test_numbers_and_intervals_per_language() -> None:
    assert i18n.format_number(2.5, "en", 1) == "2.5"
    assert i18n.format_number(2.5, "de", 1) == "2,5"
    assert i18n.format_interval(2.974, 3.291, "en") == "[2.97, 3.29]"
    assert i18n.format_interval(2.974, 3.291, "de") == "[2,97; 3,29]"
    assert i18n.format_number(math.nan, "de") == "–"
