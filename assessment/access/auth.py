"""Facilitator authentication: password hashing, where the facilitator password comes from, OIDC switch.

The password comes from ``WMM_ADMIN_PASSWORD`` or Streamlit secrets (``admin_password``); with neither, one
is generated on first run, its hash stored, and the clear text printed once in the terminal. Only hashes are
ever stored or compared (scrypt, constant-time comparison).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from assessment.errors import WeakPasswordError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
#: The shortest facilitator password accepted from WMM_ADMIN_PASSWORD or secrets.
MIN_PASSWORD_LENGTH = 12
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` of a password (RFC 7914 scrypt, 16-byte random salt)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches a hash made by `hash_password` (constant-time)."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def check_password_strength(password: str, where: str) -> str:
    """``password`` when it has at least `MIN_PASSWORD_LENGTH` characters and is not only
    whitespace.

    Raises
    ------
    WeakPasswordError
        Naming ``where`` it came from and what is expected (the app refuses to start).
    """
    if not password.strip():
        raise WeakPasswordError(
            f"{where} is only whitespace; a facilitator password needs at least "
            f"{MIN_PASSWORD_LENGTH} characters. Set a longer one, or unset it to have one generated"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(
            f"{where} has {len(password)} characters; a facilitator password needs at least "
            f"{MIN_PASSWORD_LENGTH}. Set a longer one, or unset it to have one generated"
        )
    return password


def generate_password(length: int = 16) -> str:
    """A random password from an alphabet without look-alike characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class PasswordSource:
    """Where the facilitator password hash came from, and the clear text when just generated."""

    password_hash: str
    origin: Literal["environment", "secrets", "stored", "generated"]
    generated_password: str | None = None


def resolve_password(
    *,
    environ: Mapping[str, str] | None = None,
    streamlit_secrets: Mapping[str, Any] | None = None,
    load_stored: Callable[[], str | None],
    store: Callable[[str], None],
) -> PasswordSource:
    """The facilitator password hash, in order: environment, Streamlit secrets, stored, or newly generated.

    A generated password's hash is saved with ``store`` and its clear text returned once, so the caller can
    print it in the terminal (never in the browser).

    Raises
    ------
    WeakPasswordError
        When the configured password is shorter than `MIN_PASSWORD_LENGTH` or only whitespace.
    """
    env = os.environ if environ is None else environ
    configured = env.get("WMM_ADMIN_PASSWORD")
    if configured:
        check_password_strength(configured, "WMM_ADMIN_PASSWORD")
        return PasswordSource(hash_password(configured), "environment")
    from_secrets = (streamlit_secrets or {}).get("admin_password")
    if from_secrets:
        check_password_strength(str(from_secrets), "admin_password in .streamlit/secrets.toml")
        return PasswordSource(hash_password(str(from_secrets)), "secrets")
    stored = load_stored()
    if stored:
        return PasswordSource(stored, "stored")
    password = generate_password()
    password_hash = hash_password(password)
    store(password_hash)
    return PasswordSource(password_hash, "generated", generated_password=password)


def oidc_configured(streamlit_secrets: Mapping[str, Any] | None) -> bool:
    """True when an ``[auth]`` section is configured, so `st.login` (OIDC) replaces the password."""
    if not streamlit_secrets:
        return False
    auth = streamlit_secrets.get("auth")
    return isinstance(auth, Mapping) and bool(auth)
