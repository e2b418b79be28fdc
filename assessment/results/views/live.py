"""Live mode: did anything arrive since the live view last looked that changes the results?"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.results.campaign_answers import CampaignVersion


@dataclass(frozen=True)
class LiveUpdate:
    """What changed since the live view last looked."""

    changed: bool
    new_responses: int
    responses: int


def live_update(previous: CampaignVersion | None, current: CampaignVersion) -> LiveUpdate:
    """Compare two campaign versions: did anything arrive that changes the results?

    The first look (``previous`` None) counts as a change with no new responses: the answers
    already there when live mode is turned on are not news ("+339 new" would be). A change of
    settings (units, targets) is a change with no new responses; a new submission or import
    changes the submitted count (counted as it arrives; the scores change only with a release,
    DESIGN §7 "Time").
    """
    if previous is None:
        return LiveUpdate(True, 0, current.submitted)
    return LiveUpdate(
        changed=previous != current,
        new_responses=max(current.submitted - previous.submitted, 0),
        responses=current.submitted,
    )
