"""Releases over time: which submitted responses the next release of an open (or closed) campaign
publishes, so that no two releases differ by fewer than k respondents in any published group.

Pure (numpy and `scoring.partitions` only, no storage): `assessment.results.campaign_answers` loads the
labels, calls `next_release` and records the cut. DESIGN §7 "Time".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scoring.partitions import MAX_EXHAUSTIVE_GROUPS, coarsen, smallest_exposed_difference

#: The breakdown name and group label of the organisation total (every respondent).
TOTAL = "total"
ALL_RESPONDENTS = "(all respondents)"

# The "previous label" of a respondent not in the previous release.
_NEW = "\x1e(new)"


@dataclass(frozen=True)
class Breakdown:
    """One published breakdown of the respondents, before coarsening.

    Attributes
    ----------
    name : e.g. ``unit``, ``role``, ``language``
    labels : (N,) the original group label of each respondent (strings; no missing values)
    other_label : the pooled group's label, e.g. `scoring.partitions.OTHER_UNITS`
    """

    name: str
    labels: npt.ArrayLike
    other_label: str


@dataclass(frozen=True)
class WaitingGroup:
    """A published group whose newest answers are held back.

    Attributes
    ----------
    breakdown : the breakdown's name (`TOTAL` for the organisation)
    group : the group's label after coarsening (all respondents counted)
    held_back : submitted answers of the group that the release leaves out
    more_needed : answers still to come before the group can update, k − held_back; None when the
        group has k or more waiting but they are held back to protect earlier answers (a release
        would regroup fewer than k respondents published before)
    """

    breakdown: str
    group: str
    held_back: int
    more_needed: int | None

    @property
    def text(self) -> str:
        """The page's words, e.g. "updates after 4 more answers"."""
        if self.more_needed is None:
            return "held back to protect earlier answers"
        return f"updates after {self.more_needed} more answer{'s' if self.more_needed != 1 else ''}"


@dataclass(frozen=True)
class ReleaseCut:
    """The decision for the next release.

    Attributes
    ----------
    release : (N,) bool, the pending respondents to publish now
    held_back : (N,) bool, the pending respondents left out
    waiting : the groups with answers held back, by breakdown (as given), then group label
    """

    release: npt.NDArray[np.bool_]
    held_back: npt.NDArray[np.bool_]
    waiting: tuple[WaitingGroup, ...]


def _labels(breakdown: Breakdown, n: int) -> npt.NDArray[np.object_]:
    values = np.asarray(breakdown.labels, dtype=object)
    if values.shape != (n,):
        raise ValueError(
            f"breakdown {breakdown.name!r} must label each of the {n} respondents; "
            f"got shape {values.shape}"
        )
    return np.asarray([str(v) for v in values], dtype=object)


def _coarse(
    labels: npt.NDArray[np.object_],
    members: npt.NDArray[np.bool_],
    *,
    min_group_size: int,
    other_label: str,
    outside: str,
) -> npt.NDArray[np.object_]:
    """The coarsened label of each member (coarsened on the members only); ``outside`` elsewhere."""
    out = np.full(labels.size, outside, dtype=object)
    if members.any():
        out[members] = coarsen(
            labels[members], min_group_size=min_group_size, other_label=other_label
        ).labels
    return out


def _violations(
    original: npt.NDArray[np.object_],
    before: npt.NDArray[np.object_],
    members: npt.NDArray[np.bool_],
    candidate: npt.NDArray[np.bool_],
    *,
    min_group_size: int,
    other_label: str,
) -> npt.NDArray[np.bool_]:
    """The candidates of one breakdown to hold back this round (all False: the breakdown is safe).

    An *atom* is the set of members with one (previous group, new group) pair, the previous group
    of a new respondent being "new" (the new respondents are published as a group too: the
    difference of the two totals). Every published group of either release is a union of atoms,
    so every sum an attacker can compute from the two releases is one over a union of atoms.

    - New respondents: every atom of them must hold 0 or ≥ k (a group changes only when k new
      respondents arrived in it).
    - Earlier respondents: an atom under k that is a whole previous group reveals nothing new;
      one that splits a previous group is a disclosure only when its sum can be computed, i.e.
      when `scoring.partitions.smallest_exposed_difference` of the (previous × new) table of atoms
      finds a difference under k (with few groups; with many, every such atom counts).
    """
    after = _coarse(
        original, members, min_group_size=min_group_size, other_label=other_label, outside=""
    )
    previous_names, previous_code, previous_counts = np.unique(
        before[members].astype(str), return_inverse=True, return_counts=True
    )
    _, after_code = np.unique(after[members].astype(str), return_inverse=True)
    _, inverse, counts = np.unique(
        previous_code * (int(after_code.max(initial=0)) + 1) + after_code,
        return_inverse=True,
        return_counts=True,
    )
    small = counts < min_group_size
    hold = np.zeros(original.size, dtype=bool)
    if not small.any():
        return hold
    member_index = np.flatnonzero(members)
    split_old = False
    for a in np.flatnonzero(small):
        rows = inverse == a
        previous = int(previous_code[rows][0])
        if previous_names[previous] == _NEW:
            # New respondents of one group, fewer than k: they wait for more.
            hold[member_index[rows]] = True
        elif counts[a] != previous_counts[previous]:
            split_old = True
    if hold.any():
        # Decide on the regrouping once these are out (the next round recomputes the pooling).
        return hold & candidate
    if split_old and _exposed(previous_code, after_code, min_group_size=min_group_size):
        # Respondents published before would be regrouped in a set of fewer than k. The pooling
        # changed because some groups grew: hold back the candidates of every original group
        # whose coarsened label changes (that undoes the regrouping), else every candidate.
        old = members & (before != _NEW)
        changed = np.unique(original[old & (before != after)])
        culprits = candidate & np.isin(original, changed)
        if not culprits.any():
            culprits = candidate.copy()
        hold |= culprits
    return hold & candidate


def _exposed(
    previous_code: npt.NDArray[np.intp], after_code: npt.NDArray[np.intp], *, min_group_size: int
) -> bool:
    """Whether the two releases' groups of one breakdown expose a difference under k."""
    table = np.zeros((int(previous_code.max()) + 1, int(after_code.max()) + 1), dtype=np.float64)
    np.add.at(table, (previous_code, after_code), 1.0)
    if table.shape[1] > table.shape[0]:
        table = table.T  # the search runs over subsets of the columns
    if table.shape[1] > MAX_EXHAUSTIVE_GROUPS:
        return True  # too many groups to search: treat every split as exposed (safe)
    return smallest_exposed_difference(table, min_group_size=min_group_size) > 0


def next_release(
    breakdowns: Sequence[Breakdown],
    released: npt.ArrayLike,
    *,
    min_group_size: int,
) -> ReleaseCut:
    """Decide which pending respondents the next release publishes.

    Parameters
    ----------
    breakdowns : every published breakdown (units, roles, languages), with original labels; the
        organisation total is always added
    released : (N,) bool, True for respondents already published (the rest are pending)
    min_group_size : the campaign's minimum group size k

    Returns
    -------
    The cut: the pending respondents to release now, those held back, and the groups waiting.

    Notes
    -----
    Let R be the released set and C the candidates (initially every pending respondent). For each
    breakdown, coarsen it (`scoring.partitions.coarsen`) once on R (the previous release, as
    published) and once on R ∪ C; for the organisation total every respondent has one label.
    Each pair (previous group, new group) with a new respondent's previous group called "new"
    defines an atom. When an atom holds 0 < n < k respondents:

    - an atom of new respondents (n < k new answers in one group): those candidates are held back;
    - an atom of earlier respondents that splits a previous group (the pooling changed), when the
      split can be computed from the group totals (`_violations`): the candidates of every
      original group whose coarsened label changed are held back (or, when there are none, every
      candidate).

    C shrinks and the coarsening of R ∪ C is recomputed until nothing is held back. Each round
    removes at least one candidate, so this ends; at the latest with C empty, when the partition is
    the previous one and every atom is a previous group. Between consecutive releases every
    published group of every breakdown therefore gains 0 or ≥ k new respondents, and no set of
    fewer than k respondents has a sum computable from the two releases' group totals that was
    not published before. The result depends only on the labels and the released flags, not on
    the order of the rows.

    Groups of different breakdowns are compared within a release elsewhere
    (`scoring.partitions.protect_differences`); this function guards differences over time.
    """
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be >= 1; got {min_group_size}")
    done = np.asarray(released, dtype=bool)
    if done.ndim != 1:
        raise ValueError(f"released must be one flag per respondent (1-D); got {done.shape}")
    n = done.size
    every = [
        Breakdown(TOTAL, np.full(n, ALL_RESPONDENTS, dtype=object), ALL_RESPONDENTS),
        *breakdowns,
    ]
    originals = [_labels(b, n) for b in every]
    before = [
        _coarse(
            labels, done, min_group_size=min_group_size, other_label=b.other_label, outside=_NEW
        )
        for b, labels in zip(every, originals, strict=True)
    ]
    pending = ~done
    candidate = pending.copy()
    while candidate.any():
        members = done | candidate
        hold = np.zeros(n, dtype=bool)
        for b, labels, previous in zip(every, originals, before, strict=True):
            hold |= _violations(
                labels,
                previous,
                members,
                candidate,
                min_group_size=min_group_size,
                other_label=b.other_label,
            )
        if not hold.any():
            break
        candidate &= ~hold
    held = pending & ~candidate
    return ReleaseCut(
        release=candidate,
        held_back=held,
        waiting=_waiting(every, originals, held, min_group_size=min_group_size),
    )


def _waiting(
    every: Sequence[Breakdown],
    originals: Sequence[npt.NDArray[np.object_]],
    held: npt.NDArray[np.bool_],
    *,
    min_group_size: int,
) -> tuple[WaitingGroup, ...]:
    """Per breakdown, the groups (coarsened over every respondent) with held-back answers."""
    if not held.any():
        return ()
    everyone = np.ones(held.size, dtype=bool)
    waiting: list[WaitingGroup] = []
    for b, labels in zip(every, originals, strict=True):
        groups = _coarse(
            labels, everyone, min_group_size=min_group_size, other_label=b.other_label, outside=""
        )
        names, counts = np.unique(groups[held].astype(str), return_counts=True)
        for name, count in zip(names, counts, strict=True):
            more = min_group_size - int(count) if count < min_group_size else None
            waiting.append(WaitingGroup(b.name, str(name), int(count), more))
    return tuple(waiting)
