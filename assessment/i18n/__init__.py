"""Every text the product shows, one catalogue per language, and numbers written the way each language writes them.

A catalogue is a YAML file in this folder named by its language code (``en.yaml``, ``de.yaml``): a
``language_name`` (how the language calls itself) and sections of keys (``common``: navigation,
login, built-in dimension names; ``survey``; ``dashboard``; ``report``; ``campaigns``;
``questionnaires``; ``cli``: the messages of `wmm`). English is complete by definition; every other
catalogue has exactly English's keys and the same ``{fields}`` in each text (tests/assessment/test_i18n.py).
Adding a language is one catalogue file here plus a translation of the questionnaire.

Numbers follow the language's decimal mark: ``format_number(2.5, "de") == "2,5"``; an interval is
``[2.97, 3.29]`` in English and ``[2,97; 3,29]`` in German, where the comma is the decimal mark.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

#: The language every catalogue is checked against and the fallback for an unknown language.
DEFAULT_LANGUAGE = "en"


def _folder() -> Traversable:
    """Where the catalogues are: this package's folder."""
    return resources.files(__name__)


@cache
def _catalogue(language: str) -> dict[str, str]:
    """The catalogue of ``language`` flattened to dotted keys (``"survey.next"``)."""
    source = _folder().joinpath(f"{language}.yaml").read_text("utf-8")
    # libyaml's loader where PyYAML has it: the English catalogue parses in 3 ms instead of 35.
    data = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    flat: dict[str, str] = {}

    def walk(prefix: str, node: Mapping[str, Any]) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, Mapping):
                walk(f"{name}.", value)
            else:
                flat[name] = str(value)

    walk("", data)
    return flat


@cache
def languages() -> tuple[str, ...]:
    """Language codes that have a catalogue, English first, then alphabetical."""
    found = sorted(
        entry.name.removesuffix(".yaml")
        for entry in _folder().iterdir()
        if entry.name.endswith(".yaml")
    )
    return (DEFAULT_LANGUAGE, *[code for code in found if code != DEFAULT_LANGUAGE])


def language_names() -> dict[str, str]:
    """Each language's own name, for language pickers: ``{"en": "English", "de": "Deutsch"}``."""
    return {code: _catalogue(code)["language_name"] for code in languages()}


def supported(language: str | None) -> str:
    """``language`` when it has a catalogue, else English."""
    return language if language in languages() else DEFAULT_LANGUAGE


def text(key: str, language: str | None = None, /, **fields: object) -> str:
    """The text ``key`` (dotted, e.g. ``"survey.next"``) in ``language``, with ``{fields}`` filled in.

    An unknown language reads English. An unknown key is a programming error and raises ``KeyError``
    (the catalogue tests make sure every key the code asks for exists in every language).
    """
    template = _catalogue(supported(language))[key]
    return template.format(**fields) if fields else template


def keys(language: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """Every dotted key of a catalogue."""
    return frozenset(_catalogue(language))


def fields(template: str) -> frozenset[str]:
    """The ``{field}`` names a template uses."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def decimal_mark(language: str | None) -> str:
    """The language's decimal mark: ``.`` in English, ``,`` in German (``number.decimal_mark``)."""
    return text("number.decimal_mark", language)


def format_number(value: float, language: str | None, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals and the language's decimal mark; "–" when not a number."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}".replace(".", decimal_mark(language))


def format_interval(low: float, high: float, language: str | None, digits: int = 2) -> str:
    """An interval as ``[2.97, 3.29]`` (English) or ``[2,97; 3,29]`` (German: ';' separates bounds)."""
    separator = text("number.interval_separator", language)
    return (
        f"[{format_number(low, language, digits)}{separator}"
        f"{format_number(high, language, digits)}]"
    )
