"""What the pages share: the start-up resources of the process (the open database) and the facilitator
login of the browser session (a password form, or OIDC through `st.login`), with logout.

Facilitator pages call `require_facilitator()` first; it stops the page for anyone not logged in.
The password is compared with its stored hash only; it never reaches the browser.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

from assessment.access.login_throttle import attempt_login
from assessment.campaigns.store import Store
from assessment.errors import AssessmentError, WeakPasswordError
from assessment.startup import Startup, claim_announcement, database_url, prepare
from assessment.survey.site_address import BASE_URL_ENV, served_base_url
from assessment.ui.language import t
from assessment.ui.markdown_text import as_text

#: Session-state key: True once this browser session logged in with the facilitator password.
FACILITATOR_KEY = "wmm_facilitator"
#: Session-state key of the login form's password field (cleared after each attempt).
PASSWORD_FIELD_KEY = "wmm_login_password"
#: Session-state key of the last failed login message.
LOGIN_ERROR_KEY = "wmm_login_error"
#: Session-state key of the random client key used when the connection has no IP address.
CLIENT_KEY = "wmm_login_client"
#: Secrets key: optional list of e-mail addresses allowed in as facilitators with OIDC.
FACILITATOR_EMAILS_SECRET = "facilitator_emails"


@dataclass(frozen=True)
class Facilitator:
    """Who is logged in as facilitator, and how."""

    name: str
    method: Literal["password", "oidc"]


def streamlit_secrets() -> dict[str, Any]:
    """Streamlit secrets as a plain dict (empty when there is no secrets.toml)."""
    try:
        return st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


@st.cache_resource(show_spinner="Preparing the database …")
def _startup(database_url: str) -> Startup:
    prepared = prepare(database_url, environ=os.environ, secrets=streamlit_secrets())
    # The terminal (never the browser) gets the survey link and the login, once per process
    # (`wmm serve` has printed it before the server started).
    if claim_announcement(database_url):
        print(prepared.announcement, flush=True)
    return prepared.startup


def startup() -> Startup:
    """The process's `Startup` (database opened, created and seeded on the first run; cached)."""
    if not os.environ.get(BASE_URL_ENV):
        # Links (survey, invitations) point at this server unless WMM_BASE_URL says otherwise.
        os.environ[BASE_URL_ENV] = served_base_url(
            int(st.get_option("server.port")), str(st.get_option("server.baseUrlPath") or "")
        )
    return _startup(database_url())


def startup_or_stop() -> Startup:
    """`startup`, or a short error page (details in the terminal) when the database cannot be used."""
    try:
        return startup()
    except AssessmentError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        if isinstance(exc, WeakPasswordError):
            st.error(t("common.startup.cannot_start", error=exc))
        else:
            st.error(t("common.startup.cannot_open_database", error=exc))
        st.stop()


def database() -> Store:
    """The store (the open database) of this process."""
    return startup().db


def _oidc_user() -> Mapping[str, Any]:
    """The OIDC user's claims once logged in, else an empty mapping."""
    return st.user if st.user.get("is_logged_in") else {}


def is_facilitator() -> bool:
    """Whether this browser session is logged in as facilitator."""
    if startup().login == "oidc":
        user = _oidc_user()
        return bool(user) and _email_allowed(user.get("email"))
    return bool(st.session_state.get(FACILITATOR_KEY))


def _email_allowed(email: Any) -> bool:
    allowed = streamlit_secrets().get(FACILITATOR_EMAILS_SECRET)
    if not allowed:
        return True
    listed = {str(a).strip().lower() for a in allowed}
    return isinstance(email, str) and email.strip().lower() in listed


def client_key() -> str:
    """Who is trying to log in, for the per-client throttle (only its keyed hash is stored).

    The connection's IP address (`st.context.ip_address`, the WebSocket peer) when there is one.
    Forwarded headers (X-Forwarded-For) are not used: any client can write them, so a client
    could pick a fresh key for every guess. Without an address (localhost, or a proxy that hides
    it) the key is random per browser session: a new session starts afresh, which is why the
    per-account throttle exists too.
    """
    address = getattr(st.context, "ip_address", None)
    if address:
        return f"ip:{address}"
    if CLIENT_KEY not in st.session_state:
        st.session_state[CLIENT_KEY] = secrets.token_hex(16)
    return f"session:{st.session_state[CLIENT_KEY]}"


def _check_password() -> None:
    entered = str(st.session_state.get(PASSWORD_FIELD_KEY) or "")
    st.session_state[PASSWORD_FIELD_KEY] = ""
    started = startup()
    attempt = attempt_login(started.db, entered, started.password_hash, client=client_key())
    if attempt.accepted:
        st.session_state[FACILITATOR_KEY] = True
        st.session_state.pop(LOGIN_ERROR_KEY, None)
        return
    hint = (
        " " + t("common.login.password_hint") if attempt.message.startswith("That is not") else ""
    )
    st.session_state[LOGIN_ERROR_KEY] = attempt.message + hint


def _password_form() -> None:
    st.title(t("common.login.title"))
    st.write(t("common.login.intro"))
    with st.form("wmm_login_form"):
        st.text_input(t("common.login.password"), type="password", key=PASSWORD_FIELD_KEY)
        st.form_submit_button(t("common.login.submit"), type="primary", on_click=_check_password)
    if LOGIN_ERROR_KEY in st.session_state:
        st.error(st.session_state[LOGIN_ERROR_KEY])


def _oidc_gate() -> Facilitator | None:
    user = _oidc_user()
    if not user:
        st.title(t("common.login.title"))
        st.write(t("common.login.intro"))
        st.button(t("common.login.oidc"), type="primary", on_click=st.login)
        return None
    email = user.get("email")
    if not _email_allowed(email):
        st.title(t("common.login.not_facilitator_title"))
        st.error(
            t(
                "common.login.not_facilitator",
                account=as_text(email or t("common.login.no_email")),
                secret=FACILITATOR_EMAILS_SECRET,
            )
        )
        st.button(t("common.login.log_out"), on_click=st.logout)
        return None
    return Facilitator(name=str(user.get("name") or email or "facilitator"), method="oidc")


def require_facilitator() -> Facilitator:
    """The logged-in facilitator; otherwise show the login and stop the page here."""
    if startup().login == "oidc":
        facilitator = _oidc_gate()
        if facilitator is not None:
            return facilitator
    elif st.session_state.get(FACILITATOR_KEY):
        return Facilitator(name="facilitator", method="password")
    else:
        _password_form()
    st.stop()


def logout() -> None:
    """End the facilitator login of this browser session."""
    st.session_state.pop(FACILITATOR_KEY, None)
    st.session_state.pop(LOGIN_ERROR_KEY, None)
    if startup().login == "oidc" and _oidc_user():
        st.logout()


def login_page() -> None:
    """The facilitator login page: the login form, then who is logged in and a way out."""
    facilitator = require_facilitator()
    st.title(t("common.login.logged_in_title"))
    st.success(t("common.login.logged_in", name=as_text(facilitator.name)))
    st.button(t("common.login.log_out"), key="wmm_logout", on_click=logout)
