"""Coarsened partitions (scoring/partitions.py): pooling small groups and the minimum difference."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.partitions import (
    OTHER_ROLES,
    OTHER_UNITS,
    _groups,
    coarsen,
    protect_differences,
    smallest_exposed_difference,
)


def sizes(labels: np.ndarray) -> dict[str, int]:
    return dict(Counter(str(v) for v in labels))


@pytest.mark.parametrize(
    ("groups", "k", "expected", "pooled"),
    [
        ({"a": 10, "b": 12}, 5, {"a": 10, "b": 12}, ()),
        ({"a": 3, "b": 7, "c": 10}, 5, {OTHER_UNITS: 10, "c": 10}, ("a", "b")),
        ({"a": 3, "b": 3, "c": 10}, 5, {OTHER_UNITS: 6, "c": 10}, ("a", "b")),
        ({"a": 2, "b": 2}, 5, {OTHER_UNITS: 4}, ("a", "b")),
        ({"a": 9}, 5, {"a": 9}, ()),
        ({"a": 1, "x": 6, "y": 6, "z": 24}, 5, {OTHER_UNITS: 7, "y": 6, "z": 24}, ("a", "x")),
        ({"a": 5, "b": 5}, 5, {"a": 5, "b": 5}, ()),
        ({"a": 4, "b": 4, "c": 4}, 5, {OTHER_UNITS: 12}, ("a", "b", "c")),
        ({"a": 1, "b": 1}, 1, {"a": 1, "b": 1}, ()),
    ],
    ids=[
        "nothing-small",
        "one-small-needs-the-next-smallest",
        "two-small-pool-reaches-k",
        "whole-breakdown-under-k",
        "one-group",
        "ties-take-the-first-label-and-large-group-survives",
        "exactly-k-is-shown",
        "all-small-pool-together",
        "k-one-pools-nothing",
    ],
)
def test_coarsen_table(
    groups: dict[str, int], k: int, expected: dict[str, int], pooled: tuple[str, ...]
) -> None:
    labels = [g for g, n in groups.items() for _ in range(n)]
    result = coarsen(labels, min_group_size=k, other_label=OTHER_UNITS)
    assert sizes(result.labels) == expected
    assert result.pooled == pooled
    assert result.pooled_label == OTHER_UNITS
    assert (result.reason == "") == (pooled == ())


def test_coarsen_reason_names_what_was_pooled() -> None:
    result = coarsen(["a"] * 1 + ["x"] * 6 + ["z"] * 24, min_group_size=5, other_label=OTHER_ROLES)
    assert result.protected == 1
    assert result.reason == (
        "pooled 1 role with fewer than 5 respondents (a) with x, "
        "so that the pooled group has at least 5"
    )


@pytest.mark.parametrize("bad", [[None, "a"], [float("nan"), "a"]], ids=["none", "nan"])
def test_coarsen_rejects_missing_labels(bad: list[object]) -> None:
    with pytest.raises(ValueError, match="not given"):
        coarsen(bad, min_group_size=5, other_label=OTHER_ROLES)


def test_coarsen_rejects_bad_k() -> None:
    with pytest.raises(ValueError, match="min_group_size"):
        coarsen(["a"], min_group_size=0, other_label=OTHER_UNITS)


group_sizes = st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=7)


@settings(max_examples=200, deadline=None)
@given(group_sizes, st.integers(min_value=1, max_value=8), st.randoms(use_true_random=False))
def test_coarsen_properties(counts: list[int], k: int, rnd: object) -> None:
    labels = [f"g{i}" for i, n in enumerate(counts) for _ in range(n)]
    result = coarsen(labels, min_group_size=k, other_label=OTHER_UNITS)
    out = sizes(result.labels)
    # Every published group has at least k respondents, or the whole breakdown is one pool.
    assert all(n >= k for n in out.values()) or set(out) == {OTHER_UNITS}
    # Groups are merged, never split: each input group maps to one output group.
    for g in set(labels):
        assert len({result.labels[i] for i, v in enumerate(labels) if v == g}) == 1
    # Idempotent.
    again = coarsen(result.labels, min_group_size=k, other_label=OTHER_UNITS)
    assert list(again.labels) == list(result.labels)
    # Independent of row order.
    order = list(range(len(labels)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = coarsen([labels[i] for i in order], min_group_size=k, other_label=OTHER_UNITS)
    assert list(shuffled.labels) == [result.labels[i] for i in order]
    assert shuffled.pooled == result.pooled and shuffled.reason == result.reason


def brute_force_exposed(table: np.ndarray, k: int) -> int:
    """Every X of one breakdown minus every Y of the other lying wholly inside ∪X, both ways round."""
    best = 0
    for t in (table, table.T):
        a, b = t.shape
        for xs in itertools.chain.from_iterable(
            itertools.combinations(range(a), r) for r in range(1, a + 1)
        ):
            covered = t[list(xs)].sum(axis=0)
            inside = [j for j in range(b) if covered[j] == t[:, j].sum()]
            d = int(t[list(xs)].sum() - t[:, inside].sum())
            if 0 < d < k and (best == 0 or d < best):
                best = d
    return best


cell_tables = st.integers(min_value=1, max_value=4).flatmap(
    lambda a: st.integers(min_value=1, max_value=4).flatmap(
        lambda b: st.lists(
            st.lists(st.sampled_from([0, 0, 1, 2, 5, 6]), min_size=b, max_size=b),
            min_size=a,
            max_size=a,
        )
    )
)


@settings(max_examples=200, deadline=None)
@given(cell_tables, st.integers(min_value=2, max_value=6))
def test_smallest_exposed_difference_matches_brute_force(table: list[list[int]], k: int) -> None:
    arr = np.asarray(table, dtype=float)
    # The contract's input: every row group (primary) already has ≥ k respondents.
    arr = arr[arr.sum(axis=1) >= k]
    arr = arr[:, arr.sum(axis=0) > 0] if arr.size else arr
    if arr.size == 0:
        return
    assert smallest_exposed_difference(arr, min_group_size=k) == brute_force_exposed(arr, k)


def test_attack_unit_role_subtraction_is_pooled() -> None:
    # Units A = 5 staff, B = 5 leaders + 1 staff, k = 5: 6 x staff - 5 x A is B's lone staff member.
    units = ["A"] * 5 + ["B"] * 6
    roles = ["staff"] * 5 + ["leader"] * 5 + ["staff"]
    result = protect_differences(units, roles, min_group_size=5, other_label=OTHER_ROLES)
    assert set(result.labels) == {OTHER_ROLES}
    assert result.protected == 1
    assert "to protect 1 respondent" in result.reason


def test_chain_of_groups_is_caught() -> None:
    # No group contains another with a small difference, but (U1 + U3) - R1 is U1's lone R2 answer.
    cells = {("U1", "R1"): 5, ("U3", "R1"): 5, ("U1", "R2"): 1, ("U2", "R2"): 5}
    cells |= {("U2", "R3"): 5, ("U4", "R3"): 5}
    units = [u for (u, _), n in cells.items() for _ in range(n)]
    roles = [r for (_, r), n in cells.items() for _ in range(n)]
    result = protect_differences(units, roles, min_group_size=5, other_label=OTHER_ROLES)
    assert result.protected == 1
    assert OTHER_ROLES in set(result.labels)


def test_nothing_to_protect_leaves_roles_alone() -> None:
    units = ["A"] * 10 + ["B"] * 10
    roles = (["staff"] * 5 + ["lead"] * 5) * 2
    result = protect_differences(units, roles, min_group_size=5, other_label=OTHER_ROLES)
    assert list(result.labels) == roles
    assert result.pooled == () and result.reason == "" and result.protected == 0


def test_pooling_hides_the_fewest() -> None:
    # A = 20 staff; B = 5 leaders + 1 staff + 6 managers. Staff (21) contains A, exposing B's lone
    # staff member; pooling staff with the leaders (26) hides fewer than with the managers (27) or
    # pooling every role (32).
    units = ["A"] * 20 + ["B"] * 12
    roles = ["staff"] * 20 + ["leader"] * 5 + ["staff"] + ["mgr"] * 6
    result = protect_differences(units, roles, min_group_size=5, other_label=OTHER_ROLES)
    assert sizes(result.labels) == {OTHER_ROLES: 26, "mgr": 6}
    assert result.pooled == ("leader", "staff")
    assert result.reason.startswith("roles leader, staff pooled into (other roles) to protect 1")


unit_role_tables = st.integers(min_value=1, max_value=4).flatmap(
    lambda a: st.integers(min_value=1, max_value=4).flatmap(
        lambda b: st.lists(
            st.lists(st.integers(min_value=0, max_value=7), min_size=b, max_size=b),
            min_size=a,
            max_size=a,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(unit_role_tables, st.integers(min_value=2, max_value=6), st.randoms(use_true_random=False))
def test_protect_differences_properties(table: list[list[int]], k: int, rnd: object) -> None:
    units_raw = [
        f"u{i}" for i, row in enumerate(table) for j, n in enumerate(row) for _ in range(n)
    ]
    roles_raw = [f"r{j}" for row in table for j, n in enumerate(row) for _ in range(n)]
    if not units_raw:
        return
    units = coarsen(units_raw, min_group_size=k, other_label=OTHER_UNITS).labels
    roles = coarsen(roles_raw, min_group_size=k, other_label=OTHER_ROLES).labels
    result = protect_differences(units, roles, min_group_size=k, other_label=OTHER_ROLES)
    out = result.labels
    # Every containment difference is 0 or >= k, both ways round.
    for first, second in ((units, out), (out, units)):
        for g in set(first):
            in_g = {i for i, v in enumerate(first) if v == g}
            inside = [h for h in set(second) if {i for i, v in enumerate(second) if v == h} <= in_g]
            residual = len(in_g) - sum(int((second == h).sum()) for h in inside)
            assert residual == 0 or residual >= k
    # And every exactly computable difference (the brute force above).
    u_names, u_idx = np.unique(units, return_inverse=True)
    r_names, r_idx = np.unique(out, return_inverse=True)
    cross = np.zeros((u_names.size, r_names.size))
    np.add.at(cross, (u_idx, r_idx), 1)
    if all(cross.sum(axis=1) >= k):
        assert brute_force_exposed(cross, k) == 0
    # Still a coarsening: published role groups are >= k or all pooled; groups only merge.
    assert all(n >= k for n in sizes(out).values()) or set(out) == {OTHER_ROLES}
    # Idempotent and independent of row order.
    again = protect_differences(units, out, min_group_size=k, other_label=OTHER_ROLES)
    assert list(again.labels) == list(out)
    order = list(range(len(units)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = protect_differences(
        units[order], roles[order], min_group_size=k, other_label=OTHER_ROLES
    )
    assert list(shuffled.labels) == list(out[order])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=4), min_size=1, max_size=60))
def test_labels_are_grouped_as_np_unique_groups_them(labels: list[str]) -> None:
    """The hashing `_groups` is np.unique's sorted names, inverse and counts, for any labels."""
    arr = np.asarray(labels, dtype=object)
    names, inverse, counts = np.unique(arr, return_inverse=True, return_counts=True)
    got_names, got_inverse, got_counts = _groups(arr)
    assert list(got_names) == list(names)
    assert got_inverse.tolist() == inverse.tolist()
    assert got_counts.tolist() == counts.tolist()
