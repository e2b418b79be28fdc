"""The campaigns survey links open, kept per process (`assessment.survey.opening`): loaded once,
then checked with one small query, and loaded again whenever the campaign changed."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from assessment.campaigns import management
from assessment.campaigns.management import (
    CampaignInfo,
    UnitSpec,
    close_campaign,
    reopen_campaign,
    save_units,
    update_campaign,
)
from assessment.errors import CampaignSettingsError, UnknownCampaignError
from assessment.storage import Database
from assessment.survey import opening
from assessment.survey.flow import survey_pages
from assessment.survey.opening import SurveyCampaigns


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The codes `get_campaign` loaded in full (the cache's misses)."""
    seen: list[str] = []
    real = management.get_campaign

    def counting(db: Database, code: str) -> CampaignInfo:
        seen.append(code)
        return real(db, code)

    monkeypatch.setattr(opening, "get_campaign", counting)
    return seen


def test_a_campaign_is_loaded_once_then_kept(
    db: Database, campaign: CampaignInfo, loads: list[str]
) -> None:
    campaigns = SurveyCampaigns()
    first = campaigns.open(db, campaign.code)
    again = campaigns.open(db, f"  {campaign.code} ")
    assert again is first
    assert loads == [campaign.code]
    assert first.campaign.name == campaign.name
    assert first.checked_questionnaire().key == campaign.questionnaire
    assert first.pages == survey_pages(first.checked_questionnaire())


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda db, code: close_campaign(db, code), id="closed"),
        pytest.param(lambda db, code: save_units(db, code, [UnitSpec("Legal")]), id="unit-added"),
        pytest.param(
            lambda db, code: update_campaign(db, code, name="Renamed survey"), id="renamed"
        ),
    ],
)
def test_a_changed_campaign_is_loaded_again(
    db: Database, campaign: CampaignInfo, loads: list[str], change: object
) -> None:
    campaigns = SurveyCampaigns()
    before = campaigns.open(db, campaign.code)
    change(db, campaign.code)  # type: ignore[operator]
    after = campaigns.open(db, campaign.code)
    assert after is not before
    assert loads == [campaign.code, campaign.code]
    assert after.campaign != before.campaign
    assert campaigns.open(db, campaign.code) is after  # kept again


def test_closing_and_reopening_shows_each_state(db: Database, campaign: CampaignInfo) -> None:
    campaigns = SurveyCampaigns()
    assert campaigns.open(db, campaign.code).campaign.status == "open"
    close_campaign(db, campaign.code)
    assert campaigns.open(db, campaign.code).campaign.status == "closed"
    reopen_campaign(db, campaign.code)
    assert campaigns.open(db, campaign.code).campaign.status == "open"


def test_an_unknown_code_is_refused_and_nothing_is_kept(
    db: Database, campaign: CampaignInfo
) -> None:
    campaigns = SurveyCampaigns()
    campaigns.open(db, campaign.code)
    with pytest.raises(UnknownCampaignError, match="nosuchcode"):
        campaigns.open(db, "nosuchcode")
    with db.write() as session:
        session.execute(text("DELETE FROM campaigns WHERE code = :c"), {"c": campaign.code})
    with pytest.raises(UnknownCampaignError):
        campaigns.open(db, campaign.code)


def test_a_changed_questionnaire_file_is_reported_when_the_questionnaire_is_asked_for(
    db: Database, campaign: CampaignInfo
) -> None:
    campaigns = SurveyCampaigns()
    assert campaigns.open(db, campaign.code).problem is None
    # Nothing bumps updated_at here: the recorded sha256 is part of the version itself.
    with db.write() as session:
        session.execute(
            text("UPDATE campaigns SET questionnaire_sha256 = :sha WHERE code = :code"),
            {"sha": "0" * 64, "code": campaign.code},
        )
    opened = campaigns.open(db, campaign.code)
    assert opened.campaign.code == campaign.code  # the campaign itself still opens (closed page)
    assert opened.questionnaire is None
    with pytest.raises(CampaignSettingsError, match="sha256"):
        opened.checked_questionnaire()
