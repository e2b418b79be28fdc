"""What a survey link opens: the campaign's settings, its questionnaire and the survey's pages, kept
per process and checked against the database with one small query each time a link is opened.

A room of phones opens the same campaign hundreds of times within seconds. Loading it in full
(the campaign row, its units, its targets, its response counts, the questionnaire file's sha256)
took about a quarter of the server's time for a first page under that load (docs/benchmarks.md,
"A room of phones"); here an open costs one indexed read of the campaign's id, status and
``updated_at``, which every change of a campaign's settings, units, targets or status bumps. When
that version differs from the one kept, the campaign is loaded again, so a closed campaign or a
new unit shows on the next link opened, in every process (replicas included).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from assessment.campaigns.management import CampaignInfo, get_campaign
from assessment.campaigns.store import Store
from assessment.errors import CampaignSettingsError, UnknownCampaignError
from assessment.questionnaire import Questionnaire, default_registry
from assessment.questionnaire.registry import Registry
from assessment.storage.models import Campaign
from assessment.survey.flow import SurveyPage, campaign_questionnaire, survey_pages

__all__ = ["OpenedCampaign", "SurveyCampaigns", "open_campaign"]

#: The campaign's version: what changes whenever anything the survey shows of it changes (the
#: questionnaire's recorded sha256 too, which no command changes but a repair by hand might).
_VERSION = select(
    Campaign.id, Campaign.status, Campaign.updated_at, Campaign.questionnaire_sha256
).where(Campaign.code == bindparam("code"))


@dataclass(frozen=True)
class OpenedCampaign:
    """A campaign as its survey shows it.

    Attributes
    ----------
    campaign : the campaign's settings, units and targets (its response counts are those of the
        moment it was loaded: the survey never shows them)
    questionnaire : its questionnaire, None when the file no longer has the sha256 recorded with
        the campaign (then ``problem`` says so)
    pages : the survey's pages (`assessment.survey.flow.survey_pages`; empty with ``problem``)
    problem : why the questionnaire cannot be used
    """

    campaign: CampaignInfo
    questionnaire: Questionnaire | None
    pages: tuple[SurveyPage, ...]
    problem: CampaignSettingsError | None = None

    def checked_questionnaire(self) -> Questionnaire:
        """The questionnaire; raises `CampaignSettingsError` if its file changed."""
        if self.problem is not None or self.questionnaire is None:
            raise self.problem or CampaignSettingsError(
                f"campaign {self.campaign.code} has no usable questionnaire"
            )
        return self.questionnaire


@dataclass(frozen=True)
class _Kept:
    version: tuple[Any, ...]
    opened: OpenedCampaign


class SurveyCampaigns:
    """The campaigns survey links opened in this process, by database and code (thread-safe)."""

    def __init__(self, registry: Callable[[], Registry] = default_registry) -> None:
        self._registry = registry
        self._kept: dict[tuple[str, str], _Kept] = {}
        self._lock = threading.Lock()

    def open(self, db: Store, code: str) -> OpenedCampaign:
        """The campaign ``code`` with its questionnaire and pages; loaded again when it changed.

        Raises
        ------
        UnknownCampaignError
            If no campaign has this code.
        DatabaseUnavailableError
            If the database is busy (pool or lock timeout).
        """
        code = code.strip()
        with db.read() as session:
            row = session.execute(_VERSION, {"code": code}).one_or_none()
        if row is None:
            self.forget(db, code)
            raise UnknownCampaignError(
                f"no campaign has the code {code!r}; `wmm campaign list` shows the codes"
            )
        version = _version(row)
        key = (db.key, code)
        kept = self._kept.get(key)
        if kept is not None and kept.version == version:
            return kept.opened
        campaign = get_campaign(db, code)
        try:
            questionnaire = campaign_questionnaire(campaign, self._registry())
        except CampaignSettingsError as problem:
            opened = OpenedCampaign(campaign, None, (), problem)
        else:
            opened = OpenedCampaign(campaign, questionnaire, survey_pages(questionnaire))
        # The version read before loading: a change in between loads it again on the next open.
        with self._lock:
            self._kept[key] = _Kept(version, opened)
        return opened

    def forget(self, db: Store, code: str) -> None:
        """Drop what is kept of campaign ``code`` (the next open loads it again)."""
        with self._lock:
            self._kept.pop((db.key, code.strip()), None)

    def clear(self) -> None:
        """Drop everything kept."""
        with self._lock:
            self._kept.clear()


def _version(row: Any) -> tuple[Any, ...]:
    campaign_id, status, updated_at, sha256 = row
    stamp = updated_at.isoformat() if isinstance(updated_at, datetime) else str(updated_at)
    return (int(campaign_id), str(status), stamp, str(sha256))


#: This process's campaigns opened by survey links.
_CAMPAIGNS = SurveyCampaigns()


def open_campaign(db: Store, code: str) -> OpenedCampaign:
    """The campaign ``code`` as its survey shows it (`SurveyCampaigns.open`, this process's)."""
    return _CAMPAIGNS.open(db, code)
