"""The language of the app's own texts in a browser session: the facilitator's choice in the sidebar
(first the browser's language), the texts read from `assessment.i18n`, and the page's ``<html lang>``.

The survey keeps its own language (the respondent's choice among the campaign's languages) and sets
``<html lang>`` to it with `set_html_lang`, so screen readers read German statements as German.
"""

from __future__ import annotations

import json
import re

import streamlit as st

from assessment import i18n
from assessment.survey.flow import pick_language

#: Session-state key of the facilitator's language (kept while pages without the picker run).
LANGUAGE_KEY = "wmm_language"
#: Widget key of the sidebar's language picker.
LANGUAGE_WIDGET = "wmm_w_language"


def browser_locale() -> str | None:
    """The browser's language (``de-AT``), None outside a browser session."""
    try:
        locale = st.context.locale
    except (AttributeError, RuntimeError):
        return None
    return str(locale) if locale else None


def ui_language() -> str:
    """The language of this session's facilitator pages: the one chosen, else the browser's when
    there is a catalogue for it, else English."""
    chosen = st.session_state.get(LANGUAGE_KEY)
    return pick_language(i18n.languages(), chosen=chosen, locale=browser_locale())


def t(key: str, /, **fields: object) -> str:
    """The catalogue text ``key`` in this session's language (`ui_language`)."""
    return i18n.text(key, ui_language(), **fields)


def _remember() -> None:
    chosen = st.session_state.get(LANGUAGE_WIDGET)
    if chosen in i18n.languages():
        st.session_state[LANGUAGE_KEY] = chosen


def language_picker() -> str:
    """The sidebar's language picker (one entry per catalogue); returns the language in use."""
    current = ui_language()
    codes = list(i18n.languages())
    if st.session_state.get(LANGUAGE_WIDGET) != current:
        st.session_state[LANGUAGE_WIDGET] = current
    names = i18n.language_names()
    st.sidebar.selectbox(
        i18n.text("common.language", current),
        codes,
        format_func=lambda code: names.get(code, code),
        key=LANGUAGE_WIDGET,
        on_change=_remember,
    )
    return current


# Sets the document's language; the language is data, written as a JSON string literal.
_HTML_LANG_SCRIPT = "<script>document.documentElement.lang = {language};</script>"


#: A BCP 47 language tag as questionnaires and catalogues name languages (``en``, ``de-CH``).
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def set_html_lang(language: str) -> None:
    """Make ``<html lang>`` the language the page is shown in (Streamlit's page says ``en``).

    Raises
    ------
    ValueError
        If ``language`` is not a language tag such as ``de`` or ``de-CH``.
    """
    if not _LANGUAGE_TAG.match(language):
        raise ValueError(f"expected a language tag such as 'de' or 'de-CH'; got {language!r}")
    st.html(_HTML_LANG_SCRIPT.format(language=json.dumps(language)), unsafe_allow_javascript=True)
