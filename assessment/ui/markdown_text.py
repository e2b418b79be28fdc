"""User-provided text (campaign, unit, organisation and action-item names) shown literally by Streamlit.

Streamlit renders markdown in `st.markdown`, `st.caption`, `st.subheader`, alerts, metric and widget
labels; a name such as ``[x](http://evil)`` would become a link there. `as_text` escapes it.
"""

from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation character; these are the ones that can
# start markup in Streamlit's markdown (links, images, emphasis, code, HTML, headings, lists,
# tables, maths, colour and icon directives, entities).
_MARKUP = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=^])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")


def as_text(value: object, *, keep_lines: bool = False) -> str:
    """``value`` as markdown that shows exactly its characters: punctuation escaped, line breaks
    folded into spaces (a name cannot start a heading or a list on a line of its own), or kept as
    hard line breaks with ``keep_lines`` (a message listing problems, one per line)."""
    text = str(value)
    if not keep_lines:
        return _MARKUP.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))
    return "  \n".join(_MARKUP.sub(r"\\\1", line) for line in text.splitlines())
