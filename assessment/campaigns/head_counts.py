"""A campaign's head-counts against its responses, and their correction (`wmm campaign units`).

Responses are shown per *published* unit only (a unit pooled into ``(other units)`` shows where it
went, never its own count, DESIGN §7); a correction is validated as a whole, then saved in one write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assessment.campaigns.management import CampaignInfo, campaign_row, get_campaign
from assessment.campaigns.store import Store
from assessment.errors import (
    DataError,
    DuplicateUnit,
    HeadCountBelowResponses,
    InvalidAssignment,
    InvalidHeadCount,
    Problem,
    UnknownUnit,
)
from assessment.storage.models import utcnow


@dataclass(frozen=True)
class UnitHeadCount:
    """One unit of a campaign: its head-count and the responses the results show for it.

    Attributes
    ----------
    name, parent, head_count : as in the campaign's unit list (head_count None: unknown)
    responses : submitted responses of the unit when it is published on its own; None when it is
        pooled (its count shows only inside ``published_as``)
    published_as : the unit's own name, or the pooled group it is part of (``(other units)``)
    """

    name: str
    parent: str | None
    head_count: int | None
    responses: int | None
    published_as: str

    @property
    def over_counted(self) -> bool:
        """More responses than people: the results treat the unit as a census of its responses."""
        return (
            self.head_count is not None
            and self.responses is not None
            and self.responses > self.head_count
        )


def unit_head_counts(db: Store, code: str) -> list[UnitHeadCount]:
    """The campaign's listed units (then units seen only in responses), with published responses.

    Responses come from the dashboard's results (`assessment.results.dashboard.load_results`): a unit
    published on its own counts every submitted answer as it arrives; a pooled unit has none.

    Raises
    ------
    UnknownCampaignError
        When no campaign has this code.
    """
    from assessment.results.dashboard import (
        load_results,  # the results model; heavy, needed only here
    )

    results = load_results(db, code)
    info = results.info
    responses = dict(results.responses)
    pooled_into: dict[str, str] = {}
    for pooling in results.release.poolings:
        if pooling.breakdown == "unit":
            pooled_into.update(dict.fromkeys(pooling.pooled, pooling.pooled_label))
    listed = {u.name for u in info.units}
    rows = [
        UnitHeadCount(
            u.name,
            u.parent,
            u.head_count,
            None if u.name in pooled_into else responses.get(u.name, 0),
            pooled_into.get(u.name, u.name),
        )
        for u in info.units
    ]
    for name in sorted(set(responses) - listed - set(pooled_into.values())):
        rows.append(UnitHeadCount(name, None, None, responses[name], name))
    return rows


def parse_head_count_settings(values: Sequence[str]) -> dict[str, str]:
    """``["Marketing=22", ...]`` -> ``{"Marketing": "22"}`` (the count is checked by
    `set_head_counts`); the last ``=`` splits, so a unit name may contain one.

    Raises
    ------
    DataError
        Listing every value without ``=``, without a unit name, or naming a unit twice.
    """
    settings: dict[str, str] = {}
    problems: list[Problem] = []
    for value in values:
        name, sep, count = value.rpartition("=")
        name = name.strip()
        if not sep or not name:
            problems.append(InvalidAssignment("--set", found=value))
        elif name in settings:
            problems.append(DuplicateUnit("--set", unit=name, note="set twice"))
        else:
            settings[name] = count.strip()
    if problems:
        raise DataError(f"{len(problems)} head-count setting(s) are invalid", problems)
    return settings


def set_head_counts(db: Store, code: str, counts: Mapping[str, str | int]) -> CampaignInfo:
    """Correct the head-counts of listed units, all or none.

    A head-count must be a whole number >= 1, and at least the responses of a unit published on
    its own (the number the results already show; a pooled unit's count is never compared, so
    no correction can reveal it).

    Raises
    ------
    DataError
        Listing every problem, each naming the unit and the value expected; nothing is saved.
    UnknownCampaignError
        When no campaign has this code.
    """
    shown = {u.name: u for u in unit_head_counts(db, code)}
    info = get_campaign(db, code)
    listed = {u.name for u in info.units}
    problems: list[Problem] = []
    checked: dict[str, int] = {}
    for name, raw in counts.items():
        where = f"unit {name!r}"
        if name not in listed:
            known = ", ".join(sorted(listed)) or "none; add units on the Campaigns page first"
            problems.append(
                UnknownUnit(where, unit=name, expected=f": campaign {code} has the units {known}")
            )
            continue
        text = str(raw).strip()
        if isinstance(raw, bool) or not text.isdigit() or int(text) < 1:
            problems.append(InvalidHeadCount(where, empty="", found=raw))
            continue
        count = int(text)
        responses = shown[name].responses if name in shown else None
        if responses is not None and count < responses:
            problems.append(HeadCountBelowResponses(where, responses=responses, found=count))
            continue
        checked[name] = count
    if problems:
        raise DataError(
            f"campaign {code}: {len(problems)} head-count(s) are invalid; nothing was changed",
            problems,
        )
    if not checked:
        return info
    with db.write() as session:
        campaign = campaign_row(session, code, lock=True)
        for unit in campaign.units:
            if unit.name in checked:
                unit.head_count = checked[unit.name]
        campaign.updated_at = utcnow()
    return get_campaign(db, code)
