"""The voting page respondents open from the projector's QR code (``/?v=CODE``): choose up to a few
statements to discuss, once per device, anonymously (`assessment.campaigns.voting`).

The device's ballot token lives in the page's link (``&b=…``), so a reload keeps it and cannot vote
twice; only its hash is stored, never with the choices.
"""

from __future__ import annotations

import secrets

import streamlit as st

from assessment import i18n
from assessment.campaigns.voting import BallotPaper, ballot_paper, cast_ballot
from assessment.errors import (
    AlreadyVotedError,
    AssessmentError,
    UnknownVoteError,
    VoteClosedError,
    VoteError,
)
from assessment.survey.flow import plain_markdown
from assessment.ui.errors import guarded_page
from assessment.ui.session import database

#: Query parameters: the vote's code, the device's ballot token, the language.
VOTE_PARAM, TOKEN_PARAM, LANGUAGE_PARAM = "v", "b", "lang"


def _token() -> str:
    token = st.query_params.get(TOKEN_PARAM)
    if not token or len(token) < 16:
        token = secrets.token_urlsafe(18)
        st.query_params[TOKEN_PARAM] = token
    return token


def _voted_key(code: str) -> str:
    return f"wmm_voted_{code}"


@guarded_page
def render() -> None:
    """Draw the voting page."""
    code = st.query_params.get(VOTE_PARAM, "")
    language = i18n.supported(st.query_params.get(LANGUAGE_PARAM))
    try:
        paper = ballot_paper(database(), code, st.query_params.get(LANGUAGE_PARAM))
    except UnknownVoteError:
        st.error(i18n.text("vote.unknown", language))
        return
    except AssessmentError:
        st.warning(i18n.text("vote.busy", language))
        return
    language = i18n.supported(paper.language)
    st.title(i18n.text("vote.title", language))
    if len(paper.languages) > 1:
        names = i18n.language_names()
        picked = st.segmented_control(
            i18n.text("vote.language", language),
            paper.languages,
            default=paper.language,
            format_func=lambda code: names.get(code, code),
            key="wmm_vote_language",
        )
        if picked and picked != paper.language:
            st.query_params[LANGUAGE_PARAM] = picked
            st.rerun()
    if not paper.vote.is_open:
        st.info(i18n.text("vote.closed", language))
        return
    if st.session_state.get(_voted_key(code)):
        st.success(i18n.text("vote.thanks", language))
        return
    _token()  # in the link before the first ballot, so a reload keeps this device's token
    _ballot(paper, language)


def _ballot(paper: BallotPaper, language: str) -> None:
    vote = paper.vote
    st.write(
        i18n.text("vote.intro", language, max_choices=vote.max_choices, minimum=vote.min_voters)
    )
    with st.form(f"wmm_vote_{vote.code}", border=False):
        ticked = [
            item
            for item, wording in paper.statements
            if st.checkbox(plain_markdown(wording), key=f"wmm_vote_{vote.code}_{item}")
        ]
        sent = st.form_submit_button(i18n.text("vote.send", language), type="primary")
    if not sent:
        return
    if not ticked:
        st.warning(i18n.text("vote.none", language))
        return
    if len(ticked) > vote.max_choices:
        st.warning(i18n.text("vote.too_many", language, max_choices=vote.max_choices))
        return
    try:
        cast_ballot(database(), vote.code, _token(), ticked)
    except AlreadyVotedError:
        st.session_state[_voted_key(vote.code)] = True
        st.info(i18n.text("vote.already", language))
        return
    except VoteClosedError:
        st.info(i18n.text("vote.closed", language))
        return
    except VoteError as exc:
        st.warning(str(exc))
        return
    except AssessmentError:
        st.warning(i18n.text("vote.busy", language))
        return
    st.session_state[_voted_key(vote.code)] = True
    st.success(i18n.text("vote.thanks", language))
