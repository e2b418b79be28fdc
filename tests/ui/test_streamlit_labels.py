"""Streamlit's own labels in the page's language: each English label the catalogue translates is
one Streamlit's frontend really writes (so a Streamlit upgrade that rewords one fails here, not
silently on a German page), every language but English translates all of them, and the script
carries them as data."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from assessment import i18n
from assessment.ui.language import _HTML_LANG_SCRIPT, streamlit_labels


def _frontend() -> str:
    """Every script of Streamlit's frontend as one text."""
    folder = resources.files("streamlit").joinpath("static", "static", "js")
    return "\n".join(
        entry.read_text("utf-8") for entry in folder.iterdir() if entry.name.endswith(".js")
    )


def test_every_translated_label_is_one_streamlit_writes() -> None:
    frontend = _frontend()
    english = streamlit_labels("de")
    assert len(english) >= 15
    # "Press Enter to apply" is built from "Press Enter to " and "apply".
    built = {"Press Enter to apply": "apply", "Press Enter to submit form": "submit form"}
    missing = [
        label
        for label in english
        if f"`{label}`" not in frontend
        and not (
            label in built and "Press Enter to " in frontend and f"`{built[label]}`" in frontend
        )
    ]
    assert missing == [], f"labels Streamlit {__import__('streamlit').__version__} no longer writes"


@pytest.mark.parametrize("language", [code for code in i18n.languages() if code != "en"])
def test_every_other_language_translates_every_label(language: str) -> None:
    labels = streamlit_labels(language)
    assert labels and all(target and target != source for source, target in labels.items())


def test_english_keeps_streamlit_s_labels_and_the_script_carries_them_as_data() -> None:
    assert streamlit_labels("en") == {}
    labels = streamlit_labels("de")
    script = _HTML_LANG_SCRIPT.format(language=json.dumps("de"), labels=json.dumps(labels))
    assert 'document.documentElement.lang = "de";' in script
    assert json.dumps(labels) in script and "In die Zwischenablage kopieren" in script
