"""AppTest of what surrounds the survey: app.py's default page and start-up message (printed once, in the
terminal only), and the facilitator gate: password form, wrong and right password, logout, OIDC."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support import ROOT
from ui.pages import log_in

from assessment.ui.language import LANGUAGE_KEY, LANGUAGE_WIDGET
from assessment.ui.session import FACILITATOR_KEY, PASSWORD_FIELD_KEY

READY = "Work management maturity is ready."


@pytest.fixture
def fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database URL with no database yet; no configured password; no demo (faster)."""
    url = f"sqlite:///{tmp_path / 'wmm.sqlite'}"
    monkeypatch.setenv("WMM_DATABASE_URL", url)
    monkeypatch.setenv("WMM_DEMO", "0")
    monkeypatch.setenv("WMM_BASE_URL", "https://survey.example.org")
    monkeypatch.delenv("WMM_ADMIN_PASSWORD", raising=False)
    yield url
    st.cache_resource.clear()


def _everything(at: AppTest) -> str:
    """All text the browser would get."""
    kinds = (
        "title",
        "header",
        "markdown",
        "caption",
        "info",
        "success",
        "warning",
        "error",
        "code",
    )
    texts = [str(e.value) for kind in kinds for e in at.get(kind)]
    texts += [str(b.label) for b in at.button] + [str(t.value) for t in at.text_input]
    return "\n".join(texts)


def _gate() -> AppTest:
    def script() -> None:
        import streamlit as st

        from assessment.ui.session import require_facilitator

        facilitator = require_facilitator()
        st.markdown(f"facilitator area ({facilitator.method})")

    return AppTest.from_function(script, default_timeout=60)


def test_the_survey_is_the_default_page_and_start_up_is_announced_once_in_the_terminal(
    fresh_database: str, capfd: pytest.CaptureFixture[str]
) -> None:
    first = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not first.exception
    assert first.title[0].value == "Survey"
    second = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not second.exception
    printed = capfd.readouterr().out
    assert printed.count(READY) == 1
    password = re.search(r"Log in with this password: (\S+)", printed)
    assert password is not None
    for at in (first, second):
        assert password.group(1) not in _everything(at)
        assert READY not in _everything(at)


def test_facilitator_pages_stop_at_a_password_form(fresh_database: str) -> None:
    at = _gate().run()
    assert not at.exception
    assert at.title[0].value == "Facilitator login"
    assert "facilitator area" not in _everything(at)
    assert at.text_input(key=PASSWORD_FIELD_KEY).label == "Facilitator password"


def test_a_wrong_password_is_refused(fresh_database: str) -> None:
    at = log_in(_gate().run(), "not-the-password")
    assert "That is not the facilitator password" in at.error[0].value
    assert "facilitator area" not in _everything(at)
    assert FACILITATOR_KEY not in at.session_state
    assert at.text_input(key=PASSWORD_FIELD_KEY).value == ""


def test_the_generated_password_opens_the_facilitator_pages_and_logout_closes_them(
    fresh_database: str, capfd: pytest.CaptureFixture[str]
) -> None:
    at = _gate().run()
    password = re.search(r"Log in with this password: (\S+)", capfd.readouterr().out)
    assert password is not None
    log_in(at, password.group(1))
    assert not at.exception
    assert "facilitator area (password)" in _everything(at)
    assert password.group(1) not in _everything(at)
    assert not at.text_input  # the form is gone

    def page() -> None:
        from assessment.ui.session import login_page

        login_page()

    account = AppTest.from_function(page, default_timeout=60)
    account.session_state[FACILITATOR_KEY] = True
    account.run()
    assert account.success[0].value.startswith("Logged in as facilitator")
    account.button(key="wmm_logout").click().run()
    assert account.title[0].value == "Facilitator login"
    assert FACILITATOR_KEY not in account.session_state


def test_a_password_from_the_environment_works(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WMM_ADMIN_PASSWORD", "from-the-environment")
    at = log_in(_gate().run(), "from-the-environment")
    assert "facilitator area (password)" in _everything(at)


def test_with_oidc_configured_the_login_goes_through_the_identity_provider(
    fresh_database: str,
) -> None:
    at = _gate()
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "wmm",
        "client_secret": "s",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in with your organisation's account"]
    assert not at.text_input  # no password form
    assert "facilitator area" not in _everything(at)


def test_the_sidebar_language_turns_the_site_and_the_login_german(fresh_database: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    picker = at.sidebar.selectbox(key=LANGUAGE_WIDGET)
    assert picker.label == "Language" and picker.options == ["English", "Deutsch"]
    assert at.title[0].value == "Survey"  # the survey page without a code
    picker.select("de").run()
    assert not at.exception
    assert at.session_state[LANGUAGE_KEY] == "de"
    assert at.sidebar.selectbox(key=LANGUAGE_WIDGET).label == "Sprache"
    assert at.title[0].value == "Befragung"
    html = [e.proto.body for e in at.get("html")]
    assert any('document.documentElement.lang = "de"' in body for body in html)

    gate = _gate()
    gate.session_state[LANGUAGE_KEY] = "de"
    gate.run()
    assert gate.title[0].value == "Anmeldung für die Moderation"
    assert gate.text_input(key=PASSWORD_FIELD_KEY).label == "Passwort der Moderation"
