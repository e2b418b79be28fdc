"""Releases over time (assessment/results/releases.py): new answers wait until a group gains k, earlier
answers are never regrouped into a set under k, and the cut does not depend on row order."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.results.releases import (
    ALL_RESPONDENTS,
    TOTAL,
    Breakdown,
    WaitingGroup,
    next_release,
)
from scoring.partitions import OTHER_LANGUAGES, OTHER_ROLES, OTHER_UNITS, coarsen

OTHER = {"unit": OTHER_UNITS, "role": OTHER_ROLES, "language": OTHER_LANGUAGES}


def breakdowns(**labels: list[str]) -> list[Breakdown]:
    return [
        Breakdown(name, np.array(values, dtype=object), OTHER[name])
        for name, values in labels.items()
    ]


def test_one_new_answer_waits_for_four_more_in_its_unit() -> None:
    units = ["A"] * 5 + ["B"] * 5 + ["A"]
    released = np.array([True] * 10 + [False])
    cut = next_release(breakdowns(unit=units), released, min_group_size=5)
    assert not cut.release.any()
    assert cut.held_back.tolist() == [False] * 10 + [True]
    assert cut.waiting == (
        WaitingGroup(TOTAL, ALL_RESPONDENTS, 1, 4),
        WaitingGroup("unit", "A", 1, 4),
    )
    assert cut.waiting[1].text == "updates after 4 more answers"

    units += ["A"] * 4
    released = np.array([True] * 10 + [False] * 5)
    cut = next_release(breakdowns(unit=units), released, min_group_size=5)
    assert cut.release.tolist() == [False] * 10 + [True] * 5
    assert cut.waiting == ()


def test_five_new_answers_split_over_two_units_wait() -> None:
    # The total gains 5, but each unit fewer than 5: publishing would show both small sets.
    units = ["A"] * 5 + ["B"] * 5 + ["A"] * 3 + ["B"] * 2
    released = np.array([True] * 10 + [False] * 5)
    cut = next_release(breakdowns(unit=units), released, min_group_size=5)
    assert not cut.release.any()
    assert {(w.breakdown, w.group, w.more_needed) for w in cut.waiting} == {
        (TOTAL, ALL_RESPONDENTS, None),
        ("unit", "A", 2),
        ("unit", "B", 3),
    }


def test_a_group_that_is_ready_is_released_while_another_waits() -> None:
    units = ["A"] * 5 + ["B"] * 5 + ["A"] * 5 + ["B"]
    released = np.array([True] * 10 + [False] * 6)
    cut = next_release(breakdowns(unit=units), released, min_group_size=5)
    assert cut.release.tolist() == [False] * 10 + [True] * 5 + [False]
    assert ("unit", "B", 4) in {(w.breakdown, w.group, w.more_needed) for w in cut.waiting}


def test_the_role_breakdown_holds_back_too() -> None:
    units = ["A"] * 10 + ["A"] * 5
    roles = ["staff"] * 5 + ["lead"] * 5 + ["staff"] * 4 + ["lead"]
    released = np.array([True] * 10 + [False] * 5)
    cut = next_release(breakdowns(unit=units, role=roles), released, min_group_size=5)
    assert not cut.release.any()
    assert ("role", "lead", 4) in {(w.breakdown, w.group, w.more_needed) for w in cut.waiting}


def test_the_first_release_needs_k_answers_in_total() -> None:
    cut = next_release(breakdowns(unit=["A"] * 4), np.zeros(4, dtype=bool), min_group_size=5)
    assert not cut.release.any()
    assert cut.waiting[0] == WaitingGroup(TOTAL, ALL_RESPONDENTS, 4, 1)
    cut = next_release(
        breakdowns(unit=["A"] * 3 + ["B"] * 2 + ["C"] * 6),
        np.zeros(11, dtype=bool),
        min_group_size=5,
    )
    assert cut.release.all()  # the coarsened groups are the first release's groups


def test_earlier_answers_are_not_regrouped_into_a_set_under_k() -> None:
    # Before: A 5, B 6, C 2 -> C is pooled and A (the smallest) joins: {A, C} and B.
    # A gains 5: then B is the smallest and {B, C} would be pooled; the earlier (pool) − A now
    # would give C's two answers. A's five new answers are held back.
    units = ["A"] * 5 + ["B"] * 6 + ["C"] * 2 + ["A"] * 5
    released = np.array([True] * 13 + [False] * 5)
    cut = next_release(breakdowns(unit=units), released, min_group_size=5)
    assert not cut.release.any()
    assert WaitingGroup("unit", "A", 5, None) in cut.waiting
    assert WaitingGroup("unit", "A", 5, None).text == "held back to protect earlier answers"


def test_a_unit_leaves_the_pool_when_the_pool_gains_k_too() -> None:
    # Before: A 4, B 3, C 3 all pooled (10). A and B gain 5 each: A is shown (9), {B, C} pooled.
    # The pool's earlier 6 and A's earlier 4 cannot be told apart: (pool before) − (pool now)
    # mixes them with the pool's 5 new answers, so the release goes ahead.
    units = ["A"] * 4 + ["B"] * 3 + ["C"] * 3 + ["A"] * 5 + ["B"] * 5
    released = np.array([True] * 10 + [False] * 10)
    cut = next_release(breakdowns(unit=units), released, min_group_size=5)
    assert cut.release.tolist() == [False] * 10 + [True] * 10
    # Without the pool's new answers, the earlier (pool) − A's earlier 4 would be B's and C's 6 ...
    # and (pool before) − (pool now) = A's earlier 4: held back.
    cut = next_release(breakdowns(unit=units[:15]), released[:15], min_group_size=5)
    assert not cut.release.any()


def test_a_whole_earlier_group_under_a_raised_minimum_does_not_block() -> None:
    # Released when k was 3; k is 5 now. The earlier group of 3 was published whole already.
    units = ["A"] * 3 + ["A"] * 5
    released = np.array([True] * 3 + [False] * 5)
    cut = next_release(breakdowns(unit=units), released, min_group_size=5)
    assert cut.release.tolist() == [False] * 3 + [True] * 5


def test_nothing_pending_releases_nothing_and_k_1_releases_everything() -> None:
    cut = next_release(breakdowns(unit=["A", "B"]), np.ones(2, dtype=bool), min_group_size=5)
    assert not cut.release.any() and not cut.held_back.any() and cut.waiting == ()
    cut = next_release(breakdowns(unit=["A", "B", "C"]), [True, False, False], min_group_size=1)
    assert cut.release.tolist() == [False, True, True]


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="breakdown 'unit' must label each of the 2"):
        next_release(breakdowns(unit=["A"]), [False, False], min_group_size=5)
    with pytest.raises(ValueError, match="min_group_size must be >= 1"):
        next_release([], [False], min_group_size=0)


# -- properties -----------------------------------------------------------------------------------


def _coarse(labels: list[str], members: np.ndarray, k: int, other: str) -> dict[int, str]:
    index = np.flatnonzero(members)
    if not index.size:
        return {}
    coarse = coarsen([labels[i] for i in index], min_group_size=k, other_label=other).labels
    return {int(i): str(c) for i, c in zip(index, coarse, strict=True)}


def _exposed_sets(cells: Counter[tuple[str, str]], k: int) -> list[set[tuple[str, str]]]:
    """Sets of atoms with 0 < n < k whose sum follows from the groups' sums (linear algebra)."""
    atoms = sorted(cells)
    rows = sorted({a[0] for a in atoms})
    cols = sorted({a[1] for a in atoms})
    published = np.array(
        [[a[0] == r for a in atoms] for r in rows] + [[a[1] == c for a in atoms] for c in cols],
        dtype=float,
    )
    rank = np.linalg.matrix_rank(published)
    small = [a for a in atoms if cells[a] < k]
    found = []
    for size in range(1, len(small) + 1):
        for subset in itertools.combinations(small, size):
            if not 0 < sum(cells[a] for a in subset) < k:
                continue
            vector = np.array([[a in subset for a in atoms]], dtype=float)
            if np.linalg.matrix_rank(np.vstack([published, vector])) == rank:
                found.append(set(subset))
    return found


def assert_safe_step(
    labels: dict[str, list[str]], before: np.ndarray, after: np.ndarray, k: int
) -> None:
    """Between two releases, every published group gains 0 or >= k respondents, and no set of
    fewer than k respondents has a computable sum unless it is a whole group published before."""
    n = before.size
    for name, values in {"total": ["all"] * n, **labels}.items():
        other = OTHER.get(name, "all")
        old = _coarse(values, before, k, other)
        new = _coarse(values, after, k, other)
        gained = Counter(new[i] for i in new if i not in old)
        assert all(c >= k for c in gained.values()), (name, gained)
        # The new respondents are published as a group too: the difference of the totals.
        cells = Counter((old.get(i, "(new)"), new[i]) for i in new)
        old_sizes = Counter(old.values())
        for exposed in _exposed_sets(cells, k):
            assert len(exposed) == 1, (name, exposed)
            ((was, _),) = exposed
            assert cells[next(iter(exposed))] == old_sizes[was], (name, cells)


people = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", "D"]),
        st.sampled_from(["staff", "lead", "(not given)"]),
        st.sampled_from(["en", "de"]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    people=people,
    k=st.integers(1, 6),
    batches=st.lists(st.integers(1, 8), min_size=1, max_size=12),
    seed=st.integers(0, 2**16),
)
def test_successive_releases_only_grow_and_every_step_is_safe(
    people: list[tuple[str, str, str]], k: int, batches: list[int], seed: int
) -> None:
    labels = {
        "unit": [p[0] for p in people],
        "role": [p[1] for p in people],
        "language": [p[2] for p in people],
    }
    n = len(people)
    arrived = 0
    released = np.zeros(n, dtype=bool)
    # Answers arrive in batches; after each batch a cut is attempted (as a results request does).
    for batch in [*batches, n]:
        arrived = min(n, arrived + batch)
        view = released[:arrived]
        cut = next_release(
            breakdowns(**{name: values[:arrived] for name, values in labels.items()}),
            view,
            min_group_size=k,
        )
        assert not (cut.release & view).any()  # only pending respondents are released
        assert ((cut.release | cut.held_back) == ~view).all()
        after = view | cut.release
        assert_safe_step({m: v[:arrived] for m, v in labels.items()}, view, after, k)
        assert (after >= view).all()
        released[:arrived] = after
        held = int(cut.held_back.sum())
        assert sum(w.held_back for w in cut.waiting if w.breakdown == TOTAL) == held
    if k == 1:
        assert released.all()


@settings(max_examples=100, deadline=None)
@given(people=people, k=st.integers(2, 6), data=st.data())
def test_the_cut_does_not_depend_on_row_order(
    people: list[tuple[str, str, str]], k: int, data: st.DataObject
) -> None:
    n = len(people)
    released = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    order = np.array(data.draw(st.permutations(range(n))))
    columns = {
        "unit": [p[0] for p in people],
        "role": [p[1] for p in people],
        "language": [p[2] for p in people],
    }
    cut = next_release(breakdowns(**columns), released, min_group_size=k)
    shuffled = next_release(
        breakdowns(**{m: [v[i] for i in order] for m, v in columns.items()}),
        released[order],
        min_group_size=k,
    )
    assert (shuffled.release == cut.release[order]).all()
    assert (shuffled.held_back == cut.held_back[order]).all()
    assert shuffled.waiting == cut.waiting
