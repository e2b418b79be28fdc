"""Text shown literally where Streamlit renders markdown: names users typed (campaigns, units,
action items), catalogue texts and statements, escaped so that nothing in them becomes markup.

Streamlit renders markdown in `st.markdown`, `st.caption`, `st.subheader`, alerts, metric and widget
labels; a name such as ``[x](http://evil)`` would become a link there. The survey's pages and the
facilitator's pages escape with the same rule (`escape`).
"""

from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation character; these are the ones that can
# start markup in Streamlit's markdown (links, images, emphasis, code, HTML, headings, lists,
# tables, maths, colour and icon directives, entities).
_MARKUP = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=^])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")


def escape(text: str) -> str:
    """``text`` with every character that can start markdown markup backslash-escaped; line
    breaks are left as they are."""
    return _MARKUP.sub(r"\\\1", text)


def as_text(value: object, *, keep_lines: bool = False) -> str:
    """``value`` as markdown that shows exactly its characters: punctuation escaped, line breaks
    folded into spaces (a name cannot start a heading or a list on a line of its own), or kept as
    hard line breaks with ``keep_lines`` (a message listing problems, one per line)."""
    text = str(value)
    if not keep_lines:
        return escape(_LINE_BREAKS.sub(" ", text))
    return "  \n".join(escape(line) for line in text.splitlines())


def plain_markdown(text: str) -> str:
    """``text`` escaped so that Streamlit's markdown shows it literally (no links, HTML, maths),
    its paragraphs kept (`escape`): for catalogue texts and statements."""
    return escape(text)
