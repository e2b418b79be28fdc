"""Click options that commands of several `wmm` families share, so that an option means the same,
and is explained the same way, wherever it appears."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def min_group_size_option(function: F) -> F:
    """``--min-group-size N``: the privacy minimum (docs/formats.md "Privacy rules"); None keeps the questionnaire's."""
    return click.option(
        "--min-group-size",
        type=click.IntRange(min=1),
        default=None,
        help="Groups with fewer respondents are suppressed (default: the questionnaire's, "
        "usually 5).",
    )(function)
