"""The app's CSS helpers (`assessment.ui.theme`): the grid's header row shows labels as text and is
hidden from screen readers; the answer scale's layout follows the questionnaire's scale; captions
are drawn at WCAG AA contrast."""

from __future__ import annotations

import re

import pytest

from assessment.ui.theme import MUTED, NAV_FIX, page_css, scale_css, scale_head


def _contrast(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2.1 contrast ratio (L1 + 0.05) / (L2 + 0.05) of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_captions_are_drawn_at_aa_contrast() -> None:
    assert _contrast(MUTED) >= 4.5  # WCAG 2.1 SC 1.4.3, small text
    assert _contrast("#31333f") > _contrast(MUTED)  # still quieter than body text
    css = page_css()
    assert "stCaptionContainer" in css and MUTED in css and "opacity: 1" in css


def test_the_header_row_shows_labels_as_text_and_is_hidden_from_screen_readers() -> None:
    head = scale_head(["Agree", "<img src=x onerror=alert(1)>", "Don't know"])
    assert 'aria-hidden="true"' in head
    assert "<img" not in head and "&lt;img src=x onerror=alert(1)&gt;" in head
    assert re.findall(r'class="survey-scale-option">([^<]*)<', head)[0] == "Agree"
    assert head.count('class="survey-scale-option"') == 3


@pytest.mark.parametrize(("points", "specials"), [(5, 2), (7, 1), (4, 0)], ids=str)
def test_the_scale_layout_follows_the_questionnaires_scale(points: int, specials: int) -> None:
    css = scale_css(points, specials)
    # phones: the scale's values on one line, the special answers after them
    assert f":nth-child(-n+{points})" in css
    assert f":nth-child(n+{points + 1})" in css
    assert f"calc({100 / points:.4f}% - 0.3rem)" in css
    assert "min-height: 44px" in css  # tap targets (WCAG 2.5.5)
    assert "@media (min-width:" in css


def test_the_menu_fix_only_sets_presentational_roles() -> None:
    assert "role', 'none'" in NAV_FIX
    assert "stSidebarNavItems" in NAV_FIX
