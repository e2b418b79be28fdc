"""Workshop votes: the room chooses, on its phones, which statements to discuss first.

The facilitator opens a vote on a few statements (by default the top of the discussion queue);
everyone in the room opens its link (``/?v=CODE``, a QR code on the projector) and picks up to
``max_choices`` of them, once per device. Anonymity holds by construction:

- votes are stored as one count per statement (`VoteTally`), a ballot only as the sha256 of a random
  token the voter's device made up (`VoteBallot`: no time, no choice), so nothing links a person
  to a choice, not even the order of ballots;
- while the vote is open only the number of voters is shown, never the counts, so watching the
  counts move between two ballots cannot reveal what one person chose;
- when it closes, the counts are shown only if at least the campaign's minimum group size voted
  (the same k as every other result, DESIGN §7); below it they are never shown.

Each call is one transaction; a ballot locks its vote row, so concurrent ballots count exactly once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.campaigns.management import campaign_row, new_code, questionnaire_of
from assessment.campaigns.store import Store
from assessment.errors import (
    AlreadyVotedError,
    UnknownVoteError,
    VoteClosedError,
    VoteError,
)
from assessment.i18n import text
from assessment.storage.models import Campaign, Vote, VoteBallot, VoteTally, utcnow
from assessment.survey.site_address import base_url

#: A vote offers this many statements at most (a phone screen), and at least two.
MAX_VOTE_ITEMS = 10
#: What each voter may choose by default.
DEFAULT_MAX_CHOICES = 3


@dataclass(frozen=True)
class VoteInfo:
    """A vote as the pages see it (never its counts: see `vote_results`)."""

    code: str
    campaign_code: str
    items: tuple[str, ...]
    max_choices: int
    status: str
    voters: int
    min_voters: int
    opened_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def url(self) -> str:
        """The link voters open (``/?v=CODE``)."""
        return vote_url(self.code)


@dataclass(frozen=True)
class VoteResults:
    """The outcome of a vote: counts per statement, most chosen first, or why they are hidden."""

    vote: VoteInfo
    shown: bool
    #: ``(statement id, votes)`` most votes first (ties in the vote's order); empty when hidden.
    tallies: tuple[tuple[str, int], ...]

    def hidden_reason(self, language: str | None = None) -> str:
        """Why the counts are not shown, in ``language`` ("" when they are)."""
        if self.shown:
            return ""
        if self.vote.is_open:
            return text("workshop.counts_when_closed", language)
        return text(
            "workshop.too_few_voters",
            language,
            voters=self.vote.voters,
            minimum=self.vote.min_voters,
        )


def vote_url(code: str) -> str:
    """The voting link of a vote."""
    return f"{base_url()}/?v={code}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _info(vote: Vote, campaign: Campaign) -> VoteInfo:
    return VoteInfo(
        code=vote.code,
        campaign_code=campaign.code,
        items=tuple(vote.items),
        max_choices=vote.max_choices,
        status=vote.status,
        voters=vote.voters,
        min_voters=campaign.min_group_size,
        opened_at=vote.opened_at,
        closed_at=vote.closed_at,
    )


def _vote_row(session: Session, code: str, *, lock: bool = False) -> tuple[Vote, Campaign]:
    query = select(Vote).where(Vote.code == code)
    if lock:
        query = query.with_for_update()
    vote = session.scalars(query).one_or_none()
    if vote is None:
        raise UnknownVoteError(f"no vote has the code {code!r}; check the link")
    campaign = session.get(Campaign, vote.campaign_id)
    assert campaign is not None  # the foreign key guarantees it
    return vote, campaign


def _check_items(campaign: Campaign, items: Sequence[str], max_choices: int) -> list[str]:
    chosen = list(dict.fromkeys(items))
    if len(chosen) != len(items):
        raise VoteError("a statement is offered twice; offer each statement once")
    if not 2 <= len(chosen) <= MAX_VOTE_ITEMS:
        raise VoteError(f"a vote offers 2 to {MAX_VOTE_ITEMS} statements; got {len(chosen)}")
    known = {item.id for item in questionnaire_of(campaign).items}
    unknown = [item for item in chosen if item not in known]
    if unknown:
        raise VoteError(
            f"statement {unknown[0]!r} is not in {campaign.questionnaire_key}; "
            "offer statements of the campaign's questionnaire"
        )
    if not 1 <= max_choices < len(chosen):
        raise VoteError(
            f"each voter may choose 1 to {len(chosen) - 1} of {len(chosen)} statements; "
            f"got {max_choices}"
        )
    return chosen


def open_vote(
    db: Store,
    campaign_code: str,
    items: Sequence[str],
    *,
    max_choices: int = DEFAULT_MAX_CHOICES,
) -> VoteInfo:
    """Open a vote on ``items`` (statement ids) of the campaign; an open earlier vote closes.

    Raises
    ------
    VoteError
        Fewer than 2 or more than `MAX_VOTE_ITEMS` statements, a statement twice or not in the
        campaign's questionnaire, or ``max_choices`` not in 1 .. (statements − 1).
    """
    with db.write() as session:
        campaign = campaign_row(session, campaign_code)
        chosen = _check_items(campaign, items, max_choices)
        now = utcnow()
        session.execute(
            update(Vote)
            .where(Vote.campaign_id == campaign.id, Vote.status == "open")
            .values(status="closed", closed_at=now)
        )
        vote = Vote(
            campaign_id=campaign.id,
            code=new_code(),
            items=chosen,
            max_choices=max_choices,
            status="open",
            voters=0,
            opened_at=now,
        )
        session.add(vote)
        session.flush()
        session.add_all(VoteTally(vote_id=vote.id, item=item, votes=0) for item in chosen)
        return _info(vote, campaign)


def get_vote(db: Store, code: str) -> VoteInfo:
    """The vote with this code (raises `UnknownVoteError`)."""
    with db.read() as session:
        vote, campaign = _vote_row(session, code)
        return _info(vote, campaign)


def latest_vote(db: Store, campaign_code: str) -> VoteInfo | None:
    """The campaign's most recently opened vote, None when it has had none."""
    with db.read() as session:
        campaign = campaign_row(session, campaign_code)
        vote = session.scalars(
            select(Vote)
            .where(Vote.campaign_id == campaign.id)
            .order_by(Vote.opened_at.desc(), Vote.id.desc())
            .limit(1)
        ).one_or_none()
        return None if vote is None else _info(vote, campaign)


def cast_ballot(db: Store, code: str, token: str, choices: Sequence[str]) -> VoteInfo:
    """Count one device's choices once.

    Parameters
    ----------
    token : a random secret the voter's device made up (at least 16 characters); only its hash
        is kept, to refuse a second ballot from the same device
    choices : 1 .. ``max_choices`` distinct statement ids of the vote

    Raises
    ------
    UnknownVoteError, VoteClosedError, AlreadyVotedError, VoteError (bad choices or token)
    """
    if len(token) < 16:
        raise VoteError("the ballot's device token is too short; reload the voting page")
    with db.write() as session:
        vote, campaign = _vote_row(session, code, lock=True)
        if vote.status != "open":
            raise VoteClosedError("this vote is closed; the facilitator shows its outcome")
        picked = list(dict.fromkeys(choices))
        if not picked:
            raise VoteError("choose at least one statement")
        if len(picked) > vote.max_choices:
            raise VoteError(f"choose at most {vote.max_choices} statements; got {len(picked)}")
        offered = set(vote.items)
        if any(item not in offered for item in picked):
            raise VoteError("a chosen statement is not part of this vote; reload the voting page")
        token_hash = _token_hash(token)
        if session.get(VoteBallot, (vote.id, token_hash)) is not None:
            raise AlreadyVotedError("this device has already voted; thank you")
        session.add(VoteBallot(vote_id=vote.id, token_hash=token_hash))
        session.execute(
            update(VoteTally)
            .where(VoteTally.vote_id == vote.id, VoteTally.item.in_(picked))
            .values(votes=VoteTally.votes + 1)
        )
        vote.voters += 1
        session.flush()
        return _info(vote, campaign)


def close_vote(db: Store, code: str) -> VoteInfo:
    """Stop taking ballots (closing a closed vote changes nothing)."""
    with db.write() as session:
        vote, campaign = _vote_row(session, code, lock=True)
        if vote.status == "open":
            vote.status = "closed"
            vote.closed_at = utcnow()
        return _info(vote, campaign)


def vote_results(db: Store, code: str) -> VoteResults:
    """The counts once the vote is closed and at least the minimum group size voted; else hidden."""
    with db.read() as session:
        vote, campaign = _vote_row(session, code)
        info = _info(vote, campaign)
        if info.is_open or info.voters < info.min_voters:
            return VoteResults(vote=info, shown=False, tallies=())
        rows = session.execute(
            select(VoteTally.item, VoteTally.votes).where(VoteTally.vote_id == vote.id)
        ).all()
        counts = {str(item): int(votes) for item, votes in rows}
    order = {item: i for i, item in enumerate(info.items)}
    ranked = sorted(info.items, key=lambda item: (-counts.get(item, 0), order[item]))
    return VoteResults(
        vote=info, shown=True, tallies=tuple((item, counts.get(item, 0)) for item in ranked)
    )


@dataclass(frozen=True)
class BallotPaper:
    """What a voter sees: the vote, its statements' wording, and the language they are in."""

    vote: VoteInfo
    language: str
    #: ``(statement id, wording)`` in the vote's order.
    statements: tuple[tuple[str, str], ...]
    #: The campaign's languages, the voter may switch between them.
    languages: tuple[str, ...]


def ballot_paper(db: Store, code: str, language: str | None = None) -> BallotPaper:
    """The vote's statements in ``language`` (the campaign's first language when not offered)."""
    with db.read() as session:
        vote, campaign = _vote_row(session, code)
        info = _info(vote, campaign)
        languages = tuple(campaign.languages)
        questionnaire = questionnaire_of(campaign)
    chosen = language if language in languages else languages[0]
    wording = {item.id: questionnaire.text(item.text, chosen) for item in questionnaire.items}
    return BallotPaper(
        vote=info,
        language=chosen,
        statements=tuple((item, wording.get(item, item)) for item in info.items),
        languages=languages,
    )
