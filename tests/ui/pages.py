"""What the page and chart tests share: a facilitator page run in AppTest and logged in, and every
data record a Vega-Lite chart carries (the privacy checks read them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from streamlit.testing.v1 import AppTest

from assessment.ui.session import PASSWORD_FIELD_KEY


def log_in(at: AppTest, password: str) -> AppTest:
    """Type ``password`` into the facilitator login form and press "Log in"."""
    at.text_input(key=PASSWORD_FIELD_KEY).input(password)
    next(b for b in at.button if b.label == "Log in").click()
    return at.run()


def open_page(
    script: Callable[[], None], *, password: str | None, state: Mapping[str, Any] | None = None
) -> AppTest:
    """Run ``script`` (a page's ``render``) with ``state`` in its session, then log in with
    ``password`` (None: stay logged out)."""
    at = AppTest.from_function(script, default_timeout=60)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    return at if password is None else log_in(at, password)


def spec_records(spec: Any) -> Iterator[dict[str, Any]]:
    """Every inline data record anywhere in a Vega-Lite spec."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "values" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, dict))
            elif key == "datasets" and isinstance(value, dict):
                for rows in value.values():
                    yield from (v for v in rows if isinstance(v, dict))
            else:
                yield from spec_records(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from spec_records(value)
