"""Head-counts of the published units (`published_head_counts`): pooled sums, and a unit with more
respondents than its head-count treated as a census with a warning that names only published numbers."""

from __future__ import annotations

import numpy as np
import pytest

from assessment.results.coarsening import published_head_counts
from scoring.partitions import OTHER_UNITS


def _labels(*groups: tuple[str, int]) -> np.ndarray:
    return np.asarray([name for name, n in groups for _ in range(n)], dtype=object)


@pytest.mark.parametrize(
    ("raw", "coarse", "head_counts", "expected", "warnings"),
    [
        pytest.param(
            [("Marketing", 22), ("Sales", 10)],
            [("Marketing", 22), ("Sales", 10)],
            {"Marketing": 21, "Sales": 30},
            {"Marketing": 22, "Sales": 30},
            [
                "Marketing: 22 responses but a head-count of 21 — treated as 22; correct the head-count"
            ],
            id="one-over-counted-unit",
        ),
        pytest.param(
            [("Marketing", 21), ("Sales", 10)],
            [("Marketing", 21), ("Sales", 10)],
            {"Marketing": 21, "Sales": 30},
            {"Marketing": 21, "Sales": 30},
            [],
            id="census-is-fine",
        ),
        pytest.param(
            # Legal (3 people, 4 answers) is pooled: its own count is never named, and the pool's
            # head-count (3 + 5 = 8) is not exceeded by its 6 respondents.
            [("Legal", 4), ("HR", 2), ("Sales", 10)],
            [(OTHER_UNITS, 6), ("Sales", 10)],
            {"Legal": 3, "HR": 5, "Sales": 12},
            {OTHER_UNITS: 8, "Sales": 12},
            [],
            id="pooled-unit-over-its-count-hidden",
        ),
        pytest.param(
            [("Legal", 4), ("HR", 3), ("Sales", 10)],
            [(OTHER_UNITS, 7), ("Sales", 10)],
            {"Legal": 3, "HR": 2, "Sales": 12},
            {OTHER_UNITS: 7, "Sales": 12},
            [
                "(other units): 7 responses but a head-count of 5 (the sum of HR, Legal) — "
                "treated as 7; correct these units' head-counts"
            ],
            id="pooled-group-over-its-sum",
        ),
        pytest.param(
            [("Marketing", 22), ("Sales", 10)],
            [("Marketing", 22), ("Sales", 10)],
            {"Sales": 30, "Empty": 4},
            {"Sales": 30, "Empty": 4},
            [],
            id="unknown-head-count-and-unit-without-answers",
        ),
    ],
)
def test_published_head_counts(raw, coarse, head_counts, expected, warnings) -> None:
    published = published_head_counts(_labels(*raw), _labels(*coarse), head_counts)
    assert published.counts == expected
    assert [str(o) for o in published.over_counts] == warnings


def test_no_head_counts_means_none() -> None:
    published = published_head_counts(_labels(("A", 3)), _labels(("A", 3)), {})
    assert published.counts is None and published.over_counts == ()


def test_an_over_count_is_written_in_the_readers_language() -> None:
    published = published_head_counts(
        _labels(("Marketing", 22)), _labels(("Marketing", 22)), {"Marketing": 21}
    )
    (over,) = published.over_counts
    assert (over.label, over.responses, over.head_count) == ("Marketing", 22, 21)
    assert over.text("de") == (
        "Marketing: 22 Antworten, aber eine Kopfzahl von 21 — als 22 gezählt; "
        "bitte die Kopfzahl korrigieren"
    )
    assert str(over) == over.text("en") != over.text("de")
