"""The app's look beyond Streamlit's theme, as CSS: text that reads at WCAG AA contrast, and the
survey's answer scale (a statement × answer grid on wide screens, a one-tap scale on phones).

Streamlit draws captions and widget hints at 60 % of the text colour (3.89:1 on white, below the
4.5:1 WCAG 2.1 AA asks for small text, success criterion 1.4.3); `READABLE_CSS` darkens them to
#555867 (7.0:1). The survey's statements are one bordered row each (container key ``survey_row_*``)
holding the statement and a horizontal radio group: from `WIDE` pixels up the row is a grid line
(statement left, one fixed column per answer, the answers named once in `scale_head`'s header and
visually hidden in the rows, so screen readers still read each option's own label); below it the
options are large tap targets that wrap, each showing its label.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

#: Width (CSS px) from which the statements are drawn as a grid.
WIDE = 900
#: Width of one answer column in the grid (px).
COLUMN = 84
#: Caption and hint colour: 7.0:1 on white (WCAG AA asks for 4.5:1).
MUTED = "#555867"

READABLE_CSS = f"""
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] small {{ color: {MUTED}; opacity: 1; }}
"""

_ROW = '[class*="st-key-survey_row_"]'
_OPTION = f'{_ROW} [role="radiogroup"] > div'


def scale_css(points: int, specials: int) -> str:
    """The ``<style>`` of a statement page whose scale has ``points`` values and ``specials``
    special answers (DK, NA): a grid on wide screens, a segmented one-tap scale on phones.

    Phones: the scale's values share one line (``points`` equal segments), the special answers
    the line below; the radio circles give way to a filled segment with a doubled border and bold
    text for the chosen answer (not colour alone, WCAG 1.4.1). Every segment is at least 44 px
    high (WCAG 2.5.5).
    """
    columns = points + specials
    scale = f":nth-child(-n+{points})"
    special = f":nth-child(n+{points + 1})"
    return f"""<style>
{_ROW} [role="radiogroup"] {{ gap: 0.3rem; flex-wrap: wrap; }}
{_OPTION} {{
  display: flex; margin: 0; min-width: 0; border: 1px solid #767986; border-radius: 0.4rem;
}}
{_OPTION}{scale} {{ flex: 1 1 calc({100 / points:.4f}% - 0.3rem); }}
{_OPTION}{special} {{ flex: 1 1 calc({100 / max(specials, 1):.4f}% - 0.3rem); }}
{_OPTION} [data-testid="stRadioOption"] {{
  display: flex; flex: 1 1 auto; min-height: 44px; margin: 0; padding: 0.2rem 0.15rem;
  align-items: center; justify-content: center; text-align: center;
}}
{_OPTION} [data-testid="stRadioOption"] > div {{
  display: flex; justify-content: center; align-items: center; align-self: center; margin: 0;
}}
{_OPTION} [data-testid="stRadioOption"] > div > div:first-child {{ display: none; }}
{_OPTION} [data-testid="stMarkdownContainer"] p {{
  font-size: 0.78rem; line-height: 1.15; overflow-wrap: anywhere; hyphens: auto; margin: 0;
}}
{_OPTION}:has(input:checked) {{
  border-color: #1d4ed8; box-shadow: inset 0 0 0 1px #1d4ed8; background: #dbe4ff;
}}
{_OPTION}:has(input:checked) p {{ font-weight: 700; }}
{_OPTION}:has(input:focus-visible) {{ outline: 2px solid #1d4ed8; outline-offset: 2px; }}
.survey-scale-head {{ display: none; }}
@media (min-width: {WIDE}px) {{
  .stMainBlockContainer {{ max-width: {320 + columns * COLUMN + 120}px; }}
  /* a grid line: the statement left, one fixed column per answer */
  {_ROW} {{ flex-direction: row !important; align-items: center; gap: 1rem; }}
  {_ROW} > div:first-child {{ flex: 1 1 0; min-width: 0; width: auto !important; }}
  {_ROW} > div:last-child {{ flex: 0 0 auto; width: auto !important; }}
  {_ROW} [data-testid="stWidgetLabel"] {{ display: none; }}
  {_ROW} [role="radiogroup"] {{ gap: 0; flex-wrap: nowrap; }}
  {_OPTION}, {_OPTION}{scale}, {_OPTION}{special} {{
    flex: 0 0 {COLUMN}px; width: {COLUMN}px; border: 0; background: none;
  }}
  {_OPTION}:has(input:checked) {{ border: 0; box-shadow: none; background: none; }}
  {_OPTION} [data-testid="stRadioOption"] {{ padding: 0; min-height: 2rem; }}
  {_OPTION} [data-testid="stRadioOption"] > div > div:first-child {{ display: flex; margin: 0; }}
  /* the option's text stays for screen readers; the header row shows it once */
  {_OPTION} [data-testid="stMarkdownContainer"] {{
    position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
    white-space: nowrap; margin: -1px; padding: 0; border: 0;
  }}
  .survey-scale-head {{
    display: flex; align-items: end; gap: 1rem; padding: 0 calc(1rem + 1px);
    position: sticky; top: 3.75rem; z-index: 2; background: #fff;
  }}
  .survey-scale-head > div:first-child {{ flex: 1 1 0; }}
  .survey-scale-options {{ display: flex; }}
  .survey-scale-option {{
    width: {COLUMN}px; text-align: center; font-size: 0.8rem; line-height: 1.2; color: #31333f;
    padding: 0 0.2rem 0.25rem; overflow-wrap: break-word; hyphens: auto;
  }}
}}
</style>"""


#: Streamlit's page menu (``stSidebarNavItems``) is a ``<ul>`` whose sections are ``<div>``s of
#: ``<li>``s, which axe-core reports as invalid lists (WCAG 1.3.1, rules ``list``/``listitem``).
#: The menu is Streamlit's own, redrawn by its frontend, so this script marks its list elements
#: as presentational (``role="none"``, allowed on ``ul`` and ``li``) whenever it is drawn: screen
#: readers then read a navigation landmark of links (`NAV_FIX` is drawn with ``st.html``).
NAV_FIX = """<script>
if (!window.wmmNavFix) {
  window.wmmNavFix = true;
  const fix = () => document.querySelectorAll(
    '[data-testid="stSidebarNavItems"], [data-testid="stSidebarNavItems"] li'
  ).forEach((element) => {
    if (element.getAttribute('role') !== 'none') element.setAttribute('role', 'none');
  });
  fix();
  new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
}
</script>"""


#: The resume link's copy button (Streamlit's element toolbar) shows only on hover, which a
#: phone does not have: in the resume box it is always shown.
RESUME_CSS = """
.st-key-survey_resume [data-testid="stCode"] > div:has([data-testid="stElementToolbarButton"]),
.st-key-survey_resume [data-testid="stCode"] > div:has([data-testid="stElementToolbarButton"]) * {
  visibility: visible !important; opacity: 1 !important;
}
"""


def page_css() -> str:
    """The ``<style>`` block every survey page draws first (``st.html``): readable text, and the
    resume link's copy button always shown."""
    return f"<style>{READABLE_CSS}{RESUME_CSS}</style>"


def scale_head(labels: Sequence[str]) -> str:
    """The grid's header row: the answer options once, above their columns (wide screens only;
    hidden from screen readers, which read each option's own label in every row)."""
    cells = "".join(
        f'<div class="survey-scale-option">{html.escape(label)}</div>' for label in labels
    )
    return (
        '<div class="survey-scale-head" aria-hidden="true"><div></div>'
        f'<div class="survey-scale-options">{cells}</div></div>'
    )
