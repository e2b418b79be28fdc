"""The scoring's notes: a stable key, the values the sentence names, and the English sentence."""

from __future__ import annotations

import numpy as np

from scoring import notes
from scoring.estimates import AS_SURVEYED, WIDER_POOL
from scoring.partitions import coarsen, protect_differences


def test_a_note_is_its_english_sentence_with_its_values() -> None:
    note = notes.stale_head_count("North", 12)
    assert note.key == "stale_head_count"
    assert note.values == {"unit": "North", "head_count": 12}
    assert str(note) == (
        "unit 'North': more respondents than its head-count of 12; the head-count is out of "
        "date, so the unit gets no finite-population correction; correct its head-count"
    )


def test_the_organisation_row_has_one_key_per_method() -> None:
    assert notes.org_row(AS_SURVEYED).key == "org_row_as_surveyed"
    assert notes.org_row(WIDER_POOL).key == "org_row_wider_pool"
    assert len(set(notes.ORG_ROW_KEYS.values())) == len(notes.ORG_ROW_KEYS)


def test_counted_words_are_singular_or_plural_as_their_count() -> None:
    one = notes.pooled_small("units", ["Tiny"], 5, [])
    two = notes.pooled_small("units", ["A", "B"], 5, [])
    assert one.values["noun"] == notes.Word("unit") and two.values["noun"] == notes.Word("units")
    assert str(notes.pooled_all("roles", 1, 5)) == (
        "all roles pooled: only 1 respondent in total, fewer than 5"
    )


def test_coarsening_notes_why_it_pooled() -> None:
    pooled = coarsen(np.array(["a"] * 3 + ["b"] * 8), min_group_size=5, other_label="(other units)")
    assert pooled.note is not None and pooled.note.key == "pooled_small_joined"
    assert pooled.reason == str(pooled.note)
    nothing = coarsen(np.array(["a"] * 5), min_group_size=5, other_label="(other units)")
    assert nothing.note is None and nothing.reason == ""
    units = np.array(["A"] * 6 + ["B"] * 6)
    roles = np.array(["lead"] * 5 + ["staff"] + ["staff"] * 6)
    protected = protect_differences(units, roles, min_group_size=5, other_label="(other roles)")
    assert protected.note is not None and protected.note.key == "pooled_to_protect"
