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


#: Sets the document's language and shows Streamlit's own labels in it. The language and the
#: labels are data, written as JSON literals. Streamlit's frontend writes its labels in English
#: (the copy button's "Copy to clipboard", a table's "Download as CSV", a text field's "Press
#: Enter to apply"); this script rewrites each ``aria-label`` and ``title`` of a button or link,
#: and each input instruction, that is one of them into the page's language whenever the
#: frontend draws it, and back to Streamlit's own when the language has none (English). It keeps,
#: per element, which English label it replaced, so a label the frontend changes (Copy → Copied)
#: is translated again.
_HTML_LANG_SCRIPT = """<script>
document.documentElement.lang = {language};
window.wmmLabels = {labels};
if (!window.wmmRelabel) {{
  const attributes = ['aria-label', 'title'];
  // Streamlit's own controls only: a unit or campaign named "Search" is left as it is.
  const controls = ['button', 'a', '[role="button"]']
    .flatMap((tag) => [`${{tag}}[aria-label]`, `${{tag}}[title]`]).join(', ');
  const memory = new WeakMap();
  const relabel = (node, name, value, write) => {{
    const seen = (memory.get(node) || {{}})[name];
    const source = seen && value === seen.shown ? seen.source : value;
    const target = window.wmmLabels[source] || source;
    if (value !== target) {{
      memory.set(node, {{ ...(memory.get(node) || {{}}), [name]: {{ source, shown: target }} }});
      write(target);
    }}
  }};
  let queued = false;
  window.wmmRelabel = () => {{
    queued = false;
    document.querySelectorAll(controls).forEach((element) => {{
      attributes.forEach((name) => {{
        const value = element.getAttribute(name);
        if (value !== null) relabel(element, name, value, (t) => element.setAttribute(name, t));
      }});
    }});
    document.querySelectorAll('[data-testid="InputInstructions"] *').forEach((element) => {{
      element.childNodes.forEach((child) => {{
        if (child.nodeType === Node.TEXT_NODE && child.nodeValue.trim()) {{
          relabel(child, 'text', child.nodeValue, (t) => {{ child.nodeValue = t; }});
        }}
      }});
    }});
  }};
  new MutationObserver(() => {{
    if (!queued) {{ queued = true; requestAnimationFrame(window.wmmRelabel); }}
  }}).observe(document.body, {{
    childList: true, subtree: true, characterData: true,
    attributes: true, attributeFilter: attributes,
  }});
}}
window.wmmRelabel();
</script>"""


def streamlit_labels(language: str) -> dict[str, str]:
    """Streamlit's English labels and what ``language`` calls them (catalogue section
    ``common.streamlit``); empty for English."""
    if i18n.supported(language) == i18n.DEFAULT_LANGUAGE:
        return {}
    prefix = "common.streamlit."
    return {
        i18n.text(key, i18n.DEFAULT_LANGUAGE): i18n.text(key, language)
        for key in sorted(i18n.keys())
        if key.startswith(prefix)
    }


#: A BCP 47 language tag as questionnaires and catalogues name languages (``en``, ``de-CH``).
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def set_html_lang(language: str) -> None:
    """Make ``<html lang>`` the language the page is shown in (Streamlit's page says ``en``), and
    show Streamlit's own labels in it (`streamlit_labels`).

    Raises
    ------
    ValueError
        If ``language`` is not a language tag such as ``de`` or ``de-CH``.
    """
    if not _LANGUAGE_TAG.match(language):
        raise ValueError(f"expected a language tag such as 'de' or 'de-CH'; got {language!r}")
    script = _HTML_LANG_SCRIPT.format(
        language=json.dumps(language),
        labels=json.dumps(streamlit_labels(language)).replace("<", "\\u003c"),
    )
    st.html(script, unsafe_allow_javascript=True)
