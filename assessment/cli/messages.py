"""What `wmm` tells its user, in the language named by ``WMM_LANGUAGE`` (English by default): the
``cli`` section of the catalogues in `assessment.i18n`. Error messages come from the errors themselves.
"""

from __future__ import annotations

import os

from assessment import i18n
from assessment.cli import LANGUAGE_ENV


def language() -> str:
    """The language of `wmm`'s messages: ``WMM_LANGUAGE`` when it has a catalogue, else English."""
    return i18n.supported(os.environ.get(LANGUAGE_ENV, "").strip().lower() or None)


def say(key: str, /, **fields: object) -> str:
    """The message ``cli.<key>`` in `language`, with ``fields`` filled in."""
    return i18n.text(f"cli.{key}", language(), **fields)
