"""The text catalogues: every language has English's keys and fields; numbers use the language's mark;
the code asks only for texts that exist and names no language itself; a new catalogue is picked up."""

from __future__ import annotations

import ast
import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import yaml

from assessment import i18n
from assessment.cli import messages
from assessment.i18n.notes import note_text
from assessment.results.coarsening import OverCount, coarsen_units
from assessment.survey import flow
from scoring import notes as scoring_notes
from scoring.notes import Note


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


# -- the code asks only for texts that exist, and names no language itself ------------------------

ASSESSMENT = Path(i18n.__file__).parents[1]
#: Functions that read the catalogue, and the section their keys are relative to.
READERS = {"text": "", "t": "", "tr": "survey.", "say": "cli."}
#: Modules whose texts another part of issue 13 moves into the catalogues (the report's en/de table).
NOT_YET_MOVED = {"outputs/report.py"}


def _sources() -> list[Path]:
    return sorted(
        p for p in ASSESSMENT.rglob("*.py") if "i18n" not in p.relative_to(ASSESSMENT).parts
    )


def _literal_keys(node: ast.expr) -> list[str]:
    """The constant keys of a reader's first argument (both branches of ``a if c else b``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literal_keys(node.body) + _literal_keys(node.orelse)
    return []


def _asked_keys() -> set[tuple[str, str]]:
    asked: set[tuple[str, str]] = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in READERS:
                for key in _literal_keys(node.args[0]):
                    asked.add((str(path.relative_to(ASSESSMENT)), READERS[name] + key))
    return asked


def test_every_text_the_code_asks_for_is_in_the_catalogue() -> None:
    asked = _asked_keys()
    assert len(asked) > 100  # the survey, the pages and the CLI all read the catalogue
    known = i18n.keys("en")
    # `text` is also the name of other functions (Questionnaire.text); a catalogue key has a dot.
    missing = sorted((where, key) for where, key in asked if "." in key and key not in known)
    assert missing == []


def test_no_module_names_a_language_other_than_the_default() -> None:
    others = set(i18n.languages()) - {i18n.DEFAULT_LANGUAGE}
    found = []
    for path in _sources():
        where = str(path.relative_to(ASSESSMENT))
        if where in NOT_YET_MOVED:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and node.value in others:
                found.append(f"{where}:{node.lineno}: {node.value!r}")
    assert found == [], "languages come from assessment.i18n (languages(), language_names())"


# -- adding a language is one catalogue file ------------------------------------------------------


@pytest.fixture
def with_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shipped catalogues plus a French one (English texts but a few), as a translator adds it."""
    for code in i18n.languages():
        shutil.copy(ASSESSMENT / "i18n" / f"{code}.yaml", tmp_path)
    french = yaml.safe_load((ASSESSMENT / "i18n" / "en.yaml").read_text("utf-8"))
    french["language_name"] = "Français"
    french["survey"]["next"] = "Suivant"
    french["cli"]["wrote"] = "{path} écrit"
    french["number"] = {"decimal_mark": ",", "interval_separator": " ; "}
    (tmp_path / "fr.yaml").write_text(yaml.safe_dump(french, allow_unicode=True), "utf-8")
    monkeypatch.setattr(i18n, "_folder", lambda: tmp_path)
    i18n.languages.cache_clear()
    i18n._catalogue.cache_clear()
    yield
    i18n.languages.cache_clear()
    i18n._catalogue.cache_clear()


@pytest.mark.usefixtures("with_french")
def test_a_third_catalogue_is_picked_up_by_the_survey_and_the_cli(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert i18n.languages() == ("en", "de", "fr")
    assert i18n.language_names()["fr"] == "Français"
    assert flow.language_name("fr") == "Français"
    assert flow.tr("next", "fr") == "Suivant"
    assert flow.pick_language(i18n.languages(), chosen=None, locale="fr-CH") == "fr"
    assert i18n.format_interval(2.974, 3.291, "fr") == "[2,97 ; 3,29]"
    monkeypatch.setenv("WMM_LANGUAGE", "fr")
    assert messages.say("wrote", path="x.csv") == "x.csv écrit"


# -- the scoring's notes: one sentence per kind, in every language -------------------------------


def _note_examples() -> list[Note]:
    """A note of every kind the scoring and the release write, counts of one and of many."""
    pooling = coarsen_units(np.array(["Tiny"] * 3 + ["North"] * 8), min_group_size=5)[1][0]
    return [
        *(scoring_notes.org_row(method) for method in scoring_notes.ORG_ROW_KEYS),
        scoring_notes.org_dimension_ordinary_t("clarity"),
        scoring_notes.stale_head_count("North", 12),
        scoring_notes.bca_small_units(3, 20),
        scoring_notes.drivers_too_few("outcomes", 12, 30),
        scoring_notes.pooled_all("units", 1, 5),
        scoring_notes.pooled_all("roles", 3, 5),
        scoring_notes.pooled_small("units", ["Tiny"], 5, []),
        scoring_notes.pooled_small("languages", ["fr", "it"], 5, []),
        scoring_notes.pooled_small("units", ["Tiny"], 5, ["North"]),
        scoring_notes.pooled_to_protect("roles", ["leader", "staff"], "(other roles)", 1, 5),
        scoring_notes.pooled_to_protect("groups", ["a", "b"], "(other groups)", 2, 5),
        *([] if pooling.note is None else [pooling.note]),
        OverCount("Sales", 22, 21, ("Sales",)).note,
        OverCount("(other units)", 9, 8, ("Ops", "Tiny")).note,
    ]


def test_every_note_kind_has_an_example() -> None:
    """The examples below cover every sentence of the ``notes`` section (a new kind of note
    needs its example, so the checks that follow see it)."""
    sentences = {k for k in i18n.keys("en") if k.startswith("notes.") and ".words." not in k}
    assert {f"notes.{n.key}" for n in _note_examples()} == sentences


@pytest.mark.parametrize("language", i18n.languages())
@pytest.mark.parametrize("example", _note_examples(), ids=lambda n: f"{n.key}-{n.text[:12]}")
def test_every_note_has_its_sentence_with_its_fields(example: Note, language: str) -> None:
    template = i18n.text(f"notes.{example.key}", language)
    assert i18n.fields(template) == {name for name, _ in example.fields}
    written = note_text(example, language)
    assert "{" not in written and written.strip() == written


@pytest.mark.parametrize("example", _note_examples(), ids=lambda n: f"{n.key}-{n.text[:12]}")
def test_english_notes_read_as_the_scoring_writes_them(example: Note) -> None:
    # The CLI and the files print str(note); the dashboard and report read the catalogue.
    assert note_text(example, "en") == str(example)


@pytest.mark.parametrize("example", _note_examples(), ids=lambda n: f"{n.key}-{n.text[:12]}")
def test_german_notes_are_german(example: Note) -> None:
    german = note_text(example, "de")
    assert german != str(example)
    for word in ("respondent", "pooled", "organisation row", "head-count", "fewer than"):
        assert word not in german, german


def test_a_note_names_the_dimension_and_keeps_unknown_words() -> None:
    dimension = scoring_notes.org_dimension_ordinary_t("clarity")
    assert note_text(dimension, "de", names={"clarity": "Klarheit"}).startswith("Klarheit: ")
    assert note_text(dimension, "de").startswith("clarity: ")
    # A demographic's own noun ("team groups") is data, not a catalogue word: it stays as given.
    team = scoring_notes.pooled_small("team groups", ["a", "b"], 5, [])
    assert note_text(team, "de").startswith("2 team groups mit weniger als 5 Befragten")
    assert note_text(scoring_notes.pooled_all("units", 1, 5), "de") == (
        "alle Einheiten zusammengefasst: insgesamt nur 1 befragte Person, weniger als 5"
    )
