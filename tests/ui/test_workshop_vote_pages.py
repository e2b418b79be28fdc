"""AppTest of the workshop vote: the facilitator opens a vote on the suggested statements, the
room votes on the voting page (once per device, in its language), and the outcome is shown only
once the vote is closed with at least the minimum of voters."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui.pages import open_page

from assessment.campaigns.importing import import_table
from assessment.campaigns.management import CampaignInfo, UnitSpec, create_campaign
from assessment.campaigns.voting import cast_ballot, close_vote, latest_vote, open_vote
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import default_registry
from assessment.results.release import build_release, clear_caches
from assessment.results.vote_candidates import vote_candidates
from assessment.storage import Database, connect, upgrade

PASSWORD = "workshop-test-password"
QUESTIONNAIRE = "work-management@1.1.0"
ITEMS = ["CLA01", "CLA02", "COO01", "COM01"]


@pytest.fixture
def db(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'wmm.sqlite'}"
    monkeypatch.setenv("WMM_DATABASE_URL", url)
    monkeypatch.setenv("WMM_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("WMM_BASE_URL", "https://wmm.example.org")
    monkeypatch.setenv("WMM_DEMO", "0")
    database = connect(url, create=True)
    upgrade(database)
    clear_caches()
    try:
        yield database
    finally:
        database.dispose()
        st.cache_resource.clear()


@pytest.fixture
def campaign(db: Database) -> CampaignInfo:
    info = create_campaign(
        db,
        name="Workshop day",
        questionnaire=QUESTIONNAIRE,
        units=[UnitSpec("North", None, 30), UnitSpec("South", None, 30)],
        languages=["en", "de"],
    )
    questionnaire = default_registry().get(QUESTIONNAIRE)
    profile = organisation_profile(seed=4, n_units=2, unit_names=["North", "South"], min_size=1)
    table = generate_organisation(questionnaire, seed=4, profile=profile, respondents=[12, 10])
    import_table(db, info.code, table.table, name="demo.csv")
    return info


def _workshop() -> None:
    from assessment.ui.pages import workshop

    workshop.render()


def _vote() -> None:
    from assessment.ui.pages import vote

    vote.render()


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _voting_page(code: str, language: str | None = None) -> AppTest:
    at = AppTest.from_function(_vote, default_timeout=60)
    at.query_params["v"] = code
    if language:
        at.query_params["lang"] = language
    return at.run()


def test_the_workshop_page_needs_a_login(campaign: CampaignInfo) -> None:
    at = open_page(_workshop, password=None)
    _clean(at)
    assert [t.value for t in at.title] == ["Facilitator login"]


def test_the_facilitator_opens_a_vote_on_the_suggested_statements(
    db: Database, campaign: CampaignInfo
) -> None:
    suggested = [c.item for c in vote_candidates(build_release(db, campaign.code))]
    assert 2 <= len(suggested) <= 5
    at = open_page(_workshop, password=PASSWORD)
    _clean(at)
    assert at.multiselect[0].value == suggested
    next(b for b in at.button if b.label == "Open the vote").click()
    at.run()
    _clean(at)
    vote = latest_vote(db, campaign.code)
    assert vote is not None and vote.is_open and list(vote.items) == suggested
    assert at.get("image"), "the QR code of the voting link"
    assert any(vote.url in c.value for c in at.code)
    assert at.metric[0].value == "0"
    next(b for b in at.button if b.label.startswith("Close the vote")).click()
    at.run()
    _clean(at)
    assert not latest_vote(db, campaign.code).is_open  # type: ignore[union-attr]
    assert any("at least" in i.value for i in at.info), "too few voters: counts hidden"


def test_the_room_votes_once_per_device_and_the_outcome_shows_once_closed(
    db: Database, campaign: CampaignInfo
) -> None:
    vote = open_vote(db, campaign.code, ITEMS, max_choices=2)
    at = _voting_page(vote.code)
    _clean(at)
    assert at.title[0].value == "Which statements should we discuss first?"
    assert len(at.checkbox) == len(ITEMS)
    at.checkbox[0].check()
    at.checkbox[2].check()
    at.checkbox[3].check()
    at.button[0].click()
    at.run()
    assert any("at most 2" in w.value for w in at.warning)
    at.checkbox[3].uncheck()
    at.button[0].click()
    at.run()
    _clean(at)
    assert at.success and "your vote is counted" in at.success[0].value
    token = at.query_params["b"]
    token = token[0] if isinstance(token, list) else token
    assert len(token) >= 16
    # The same device (its token kept in the link) cannot vote again.
    again = AppTest.from_function(_vote, default_timeout=60)
    again.query_params["v"] = vote.code
    again.query_params["b"] = token
    again.run()
    again.checkbox[1].check()
    again.button[0].click()
    again.run()
    _clean(again)
    assert any("already voted" in i.value for i in again.info)

    for _ in range(campaign.min_group_size - 1):
        cast_ballot(db, vote.code, secrets.token_urlsafe(16), ["CLA01"])
    close_vote(db, vote.code)
    closed = _voting_page(vote.code)
    assert any("closed" in i.value for i in closed.info)
    at = open_page(_workshop, password=PASSWORD)
    _clean(at)
    text = "\n".join(m.value for m in at.markdown)
    assert f"{campaign.min_group_size} votes" in text  # CLA01: everyone chose it
    assert "1 vote**" in text  # COO01: one device


def test_the_voting_page_speaks_german_and_refuses_a_bad_link(
    db: Database, campaign: CampaignInfo
) -> None:
    vote = open_vote(db, campaign.code, ITEMS, max_choices=1)
    at = _voting_page(vote.code, "de")
    _clean(at)
    assert at.title[0].value == "Über welche Aussagen sollen wir zuerst sprechen?"
    bad = _voting_page("NOSUCHCODE")
    _clean(bad)
    assert "nicht gültig" not in bad.error[0].value and "not valid" in bad.error[0].value


def test_presentation_mode_walks_the_panels_and_ends(db: Database, campaign: CampaignInfo) -> None:
    at = open_page(_workshop, password=PASSWORD)
    _clean(at)
    next(b for b in at.button if b.label == "Present to the room").click()
    at.run()
    _clean(at)
    titles = []
    for _ in range(6):
        titles.append(next(m.value for m in at.markdown if m.value.startswith("## ")))
        assert not at.selectbox or all(s.key != "wmm_dashboard_campaign" for s in at.selectbox)
        assert any("display: none" in h.proto.body for h in at.get("html")), "sidebar hidden"
        forward = next(b for b in at.button if b.label == "Next")
        if forward.disabled:
            break
        forward.click()
        at.run()
        _clean(at)
    assert titles == [
        "## Who took part",
        "## Where the flywheel stands",
        "## The components, with their levels",
        "## Where we are short of our targets",
        "## What to talk about",
        "## Which statements do we discuss first?",
    ]
    next(b for b in at.button if b.label == "Back").click()
    at.run()
    assert any(m.value == "## What to talk about" for m in at.markdown)
    next(b for b in at.button if b.label == "End").click()
    at.run()
    _clean(at)
    assert any(b.label == "Present to the room" for b in at.button)


def test_the_workshop_page_speaks_the_facilitators_language(
    db: Database, campaign: CampaignInfo
) -> None:
    from assessment import i18n
    from assessment.ui.language import LANGUAGE_KEY

    at = open_page(_workshop, password=PASSWORD)
    at.session_state[LANGUAGE_KEY] = "de"
    at.run()
    _clean(at)
    assert [t.value for t in at.title] == [i18n.text("workshop.title", "de")]
    assert [s.label for s in at.selectbox][:2] == [
        i18n.text("workshop.campaign", "de"),
        i18n.text("workshop.results_language", "de"),
    ]
    labels = {b.label for b in at.button}
    assert i18n.text("workshop.present", "de") in labels
    assert i18n.text("workshop.open_vote", "de") in labels
    assert at.subheader[0].value == "Abstimmung: Welche Aussagen besprechen wir zuerst?"
    workshop_keys = sorted(k for k in i18n.keys("en") if k.startswith("workshop."))
    english = {i18n.text(k, "en") for k in workshop_keys}
    shown = {t.value for t in at.title} | labels | {s.label for s in at.selectbox}
    assert not (shown & english - {"Workshop"}), "an English text on the German page"
