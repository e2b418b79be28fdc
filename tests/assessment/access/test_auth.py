"""Facilitator password hashing and the order in which the password is looked up."""

from __future__ import annotations

import pytest

from assessment.access.auth import (
    MIN_PASSWORD_LENGTH,
    check_password_strength,
    generate_password,
    hash_password,
    oidc_configured,
    resolve_password,
    verify_password,
)
from assessment.errors import WeakPasswordError


def test_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horse ", stored)
    assert not verify_password("", stored)


def test_same_password_gets_different_salts() -> None:
    assert hash_password("x") != hash_password("x")


@pytest.mark.parametrize(
    "stored", ["", "plain", "md5$1$2$3$aa$bb", "scrypt$x$8$1$aa$bb", "scrypt$16384$8$1$zz$bb"]
)
def test_malformed_hashes_never_verify(stored: str) -> None:
    assert not verify_password("anything", stored)


def test_generated_passwords_are_long_and_unambiguous() -> None:
    password = generate_password()
    assert len(password) == 16
    assert not set(password) & set("0O1lI")


class Store:
    def __init__(self, value: str | None = None) -> None:
        self.value = value
        self.writes = 0

    def load(self) -> str | None:
        return self.value

    def save(self, value: str) -> None:
        self.value = value
        self.writes += 1


def test_environment_wins() -> None:
    store = Store()
    source = resolve_password(
        environ={"WMM_ADMIN_PASSWORD": "from-the-environment"},
        streamlit_secrets={"admin_password": "from-secrets"},
        load_stored=store.load,
        store=store.save,
    )
    assert source.origin == "environment" and verify_password(
        "from-the-environment", source.password_hash
    )
    assert store.writes == 0


def test_secrets_next() -> None:
    store = Store()
    source = resolve_password(
        environ={},
        streamlit_secrets={"admin_password": "secret-from-secrets"},
        load_stored=store.load,
        store=store.save,
    )
    assert source.origin == "secrets" and verify_password(
        "secret-from-secrets", source.password_hash
    )


def test_generated_once_then_stored() -> None:
    store = Store()
    first = resolve_password(
        environ={}, streamlit_secrets=None, load_stored=store.load, store=store.save
    )
    assert first.origin == "generated" and first.generated_password
    assert verify_password(first.generated_password, store.value or "")
    second = resolve_password(
        environ={}, streamlit_secrets=None, load_stored=store.load, store=store.save
    )
    assert second.origin == "stored" and second.generated_password is None
    assert store.writes == 1


def test_oidc_needs_an_auth_section() -> None:
    assert not oidc_configured(None)
    assert not oidc_configured({"admin_password": "x"})
    assert oidc_configured({"auth": {"redirect_uri": "http://localhost:8501/oauth2callback"}})


@pytest.mark.parametrize(
    ("environ", "secrets", "says"),
    [
        pytest.param(
            {"WMM_ADMIN_PASSWORD": "   "}, {}, "WMM_ADMIN_PASSWORD is only whitespace", id="spaces"
        ),
        pytest.param(
            {"WMM_ADMIN_PASSWORD": "short-11ch"}, {}, "WMM_ADMIN_PASSWORD has 10 characters",
            id="short-env",
        ),
        pytest.param(
            {}, {"admin_password": "pw"}, "admin_password in .streamlit/secrets.toml has 2",
            id="short-secrets",
        ),
    ],
)  # fmt: skip
def test_a_short_or_blank_configured_password_is_refused(environ, secrets, says: str) -> None:
    store = Store()
    with pytest.raises(WeakPasswordError) as caught:
        resolve_password(
            environ=environ, streamlit_secrets=secrets, load_stored=store.load, store=store.save
        )
    assert says in str(caught.value)
    assert f"at least {MIN_PASSWORD_LENGTH}" in str(caught.value)
    assert store.writes == 0


def test_twelve_characters_and_a_generated_password_are_enough() -> None:
    store = Store()
    source = resolve_password(
        environ={"WMM_ADMIN_PASSWORD": "x" * MIN_PASSWORD_LENGTH},
        streamlit_secrets=None,
        load_stored=store.load,
        store=store.save,
    )
    assert source.origin == "environment"
    generated = generate_password()
    assert check_password_strength(generated, "generated") == generated
