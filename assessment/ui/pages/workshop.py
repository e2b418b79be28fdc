"""The Workshop page: what the facilitator runs in front of the room — a vote, on the room's phones,
on which statements to discuss first (`assessment.campaigns.voting`).

The facilitator opens a vote on the top of the discussion queue (or statements of their choice),
shows its QR code, watches the number of voters, closes it, and shows which statements the room
chose. Counts appear only once the vote is closed and at least the campaign's minimum voted.
"""

from __future__ import annotations

import streamlit as st

from assessment.campaigns.management import CampaignInfo, list_campaigns
from assessment.campaigns.voting import (
    DEFAULT_MAX_CHOICES,
    VoteInfo,
    ballot_paper,
    close_vote,
    get_vote,
    latest_vote,
    open_vote,
    vote_results,
)
from assessment.results.release import build_release
from assessment.results.vote_candidates import vote_candidates
from assessment.survey.qr import qr_svg
from assessment.survey.site_address import unreachable_hint
from assessment.ui.errors import guarded_page, page_errors
from assessment.ui.markdown_text import as_text
from assessment.ui.session import database, require_facilitator

#: Seconds between two looks at the number of voters while a vote is open.
VOTERS_REFRESH_SECONDS = 3
CAMPAIGN_KEY = "wmm_workshop_campaign"


@guarded_page
def render() -> None:
    """Draw the Workshop page (facilitator login required)."""
    require_facilitator()
    st.title("Workshop")
    db = database()
    campaigns = list_campaigns(db)
    if not campaigns:
        st.info("There is no campaign yet. Create one on the Campaigns page.")
        return
    by_code = {c.code: c for c in campaigns}
    code = st.selectbox(
        "Campaign",
        list(by_code),
        format_func=lambda c: f"{by_code[c].name} · {c}",
        key=CAMPAIGN_KEY,
    )
    info = by_code[code]
    st.subheader("Vote: which statements do we discuss first?")
    with page_errors():
        latest = latest_vote(db, info.code)
        if latest is not None and latest.is_open:
            _open_vote_panel(latest)
            return
        if latest is not None:
            _outcome(latest)
        _new_vote_form(info)


@st.fragment(run_every=VOTERS_REFRESH_SECONDS)
def _voters(code: str) -> None:
    vote = get_vote(database(), code)
    st.metric("People who voted", vote.voters)
    if vote.voters < vote.min_voters:
        st.caption(
            f"The outcome is shown once at least {vote.min_voters} people have voted and the "
            "vote is closed."
        )


def _open_vote_panel(vote: VoteInfo) -> None:
    left, right = st.columns([1, 2])
    with left:
        st.image(qr_svg(vote.url), width=320)
        st.code(vote.url, language=None)
        hint = unreachable_hint(vote.url)
        if hint:
            st.warning(hint, icon=":material/wifi_off:")
    with right:
        paper = ballot_paper(database(), vote.code)
        st.markdown(f"Each person chooses up to **{vote.max_choices}** of:")
        for number, (_, wording) in enumerate(paper.statements, start=1):
            st.markdown(f"{number}. {as_text(wording)}")
        _voters(vote.code)
        if st.button("Close the vote and show the outcome", type="primary"):
            close_vote(database(), vote.code)
            st.rerun()


def _outcome(vote: VoteInfo) -> None:
    results = vote_results(database(), vote.code)
    st.markdown(f"**Last vote** — {results.vote.voters} people voted.")
    if not results.shown:
        st.info(results.hidden_reason)
        return
    wording = dict(ballot_paper(database(), vote.code).statements)
    top = max((n for _, n in results.tallies), default=0) or 1
    for item, votes in results.tallies:
        st.markdown(f"**{votes} vote{'s' if votes != 1 else ''}** — {as_text(wording[item])}")
        st.progress(votes / top)


def _new_vote_form(info: CampaignInfo) -> None:
    db = database()
    release = build_release(db, info.code)
    questionnaire = release.questionnaire
    language = info.languages[0] if info.languages else None
    wording = {item.id: questionnaire.text(item.text, language) for item in questionnaire.items}
    suggested = [c.item for c in vote_candidates(release, language=language)]
    with st.form(f"wmm_new_vote_{info.code}"):
        st.caption(
            "Suggested: the statements the organisation disagrees on most and falls short on "
            "(the top of the discussion queue)."
            if suggested
            else "No results yet to suggest statements from: choose them yourself."
        )
        items = st.multiselect(
            "Statements to vote on (2 to 10)",
            list(wording),
            default=suggested,
            format_func=lambda item: f"{item} — {wording[item]}",
        )
        max_choices = st.number_input(
            "Each person may choose up to", min_value=1, max_value=9, value=DEFAULT_MAX_CHOICES
        )
        opened = st.form_submit_button("Open the vote", type="primary")
    if opened:
        with page_errors():
            open_vote(db, info.code, items, max_choices=int(max_choices))
            st.rerun()
