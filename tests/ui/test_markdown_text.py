"""`as_text`: user-provided names escaped so that Streamlit's markdown shows their characters."""

from __future__ import annotations

import pytest

from assessment.ui.markdown_text import as_text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Marketing", "Marketing", id="plain"),
        pytest.param("[x](http://evil)", r"\[x\]\(http\://evil\)", id="link"),
        pytest.param("![i](http://e/i.png)", r"\!\[i\]\(http\://e/i\.png\)", id="image"),
        pytest.param("**b** _i_ `c`", r"\*\*b\*\* \_i\_ \`c\`", id="emphasis-code"),
        pytest.param("<img src=x>", r"\<img src\=x\>", id="html"),
        pytest.param("# Title\n- item", r"\# Title \- item", id="lines-folded"),
        pytest.param("$x$ :red[y] &amp;", r"\$x\$ \:red\[y\] \&amp;", id="maths-directive-entity"),
        pytest.param("Sales & Ops (EMEA)", r"Sales \& Ops \(EMEA\)", id="ordinary-punctuation"),
    ],
)
def test_as_text_escapes_markup(name: str, expected: str) -> None:
    assert as_text(name) == expected


def test_keep_lines_makes_hard_breaks() -> None:
    assert (
        as_text("2 problems\n  row 3: [x]", keep_lines=True) == "2 problems  \n  row 3\\: \\[x\\]"
    )
