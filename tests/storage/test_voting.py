"""Workshop votes on both backends: once per device, counts hidden while open and below the
minimum, exact under concurrent ballots, and nothing stored that links a voter to a choice."""

from __future__ import annotations

import secrets
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from assessment.campaigns.management import CampaignInfo
from assessment.campaigns.voting import (
    cast_ballot,
    close_vote,
    get_vote,
    latest_vote,
    open_vote,
    vote_results,
)
from assessment.errors import AlreadyVotedError, UnknownVoteError, VoteClosedError, VoteError
from assessment.storage import Database
from assessment.storage.models import Vote, VoteBallot, VoteTally

ITEMS = ["CLA01", "CLA02", "COO01", "COM01", "COL01"]


def _token() -> str:
    return secrets.token_urlsafe(16)


def test_a_vote_counts_each_device_once_and_shows_counts_only_when_closed(
    db: Database, campaign: CampaignInfo
) -> None:
    vote = open_vote(db, campaign.code, ITEMS, max_choices=2)
    assert vote.is_open and vote.voters == 0 and vote.url.endswith(f"/?v={vote.code}")
    assert vote.min_voters == campaign.min_group_size
    ballots = [["CLA01", "COO01"], ["CLA01"], ["COM01", "CLA01"], ["COO01", "COL01"]]
    ballots += [["CLA02"]] * max(0, campaign.min_group_size - len(ballots))
    tokens = [_token() for _ in ballots]
    for token, choice in zip(tokens, ballots, strict=True):
        cast_ballot(db, vote.code, token, choice)
    with pytest.raises(AlreadyVotedError):
        cast_ballot(db, vote.code, tokens[0], ["COL01"])
    open_results = vote_results(db, vote.code)
    assert not open_results.shown and open_results.tallies == ()
    assert "closed" in open_results.hidden_reason()
    assert get_vote(db, vote.code).voters == len(ballots)

    closed = close_vote(db, vote.code)
    assert not closed.is_open and closed.closed_at is not None
    with pytest.raises(VoteClosedError):
        cast_ballot(db, vote.code, _token(), ["CLA01"])
    results = vote_results(db, vote.code)
    assert results.shown
    expected = {item: sum(item in b for b in ballots) for item in ITEMS}
    assert dict(results.tallies) == expected
    counts = [n for _, n in results.tallies]
    assert counts == sorted(counts, reverse=True)
    assert results.tallies[0] == ("CLA01", 3)


def test_counts_stay_hidden_when_fewer_than_the_minimum_voted(
    db: Database, campaign: CampaignInfo
) -> None:
    vote = open_vote(db, campaign.code, ITEMS[:3], max_choices=1)
    for _ in range(campaign.min_group_size - 1):
        cast_ballot(db, vote.code, _token(), ["CLA01"])
    close_vote(db, vote.code)
    results = vote_results(db, vote.code)
    assert not results.shown and results.tallies == ()
    assert f"at least {campaign.min_group_size} voters" in results.hidden_reason()


@pytest.mark.parametrize(
    ("items", "max_choices", "message"),
    [
        (["CLA01"], 1, "2 to 10 statements"),
        (["CLA01", "CLA01"], 1, "offered twice"),
        (["CLA01", "XYZ99"], 1, "'XYZ99' is not in work-management@1.0.0"),
        (["CLA01", "CLA02"], 2, "choose 1 to 1 of 2"),
        (["CLA01", "CLA02"], 0, "choose 1 to 1 of 2"),
    ],
)
def test_bad_votes_are_refused_saying_what_was_expected(
    db: Database, campaign: CampaignInfo, items: list[str], max_choices: int, message: str
) -> None:
    with pytest.raises(VoteError, match=message):
        open_vote(db, campaign.code, items, max_choices=max_choices)


@pytest.mark.parametrize(
    ("choices", "message"),
    [([], "at least one"), (["CLA01", "CLA02", "COO01"], "at most 2"), (["COL02"], "not part")],
)
def test_bad_ballots_are_refused_and_count_nothing(
    db: Database, campaign: CampaignInfo, choices: list[str], message: str
) -> None:
    vote = open_vote(db, campaign.code, ITEMS, max_choices=2)
    with pytest.raises(VoteError, match=message):
        cast_ballot(db, vote.code, _token(), choices)
    with pytest.raises(VoteError, match="token"):
        cast_ballot(db, vote.code, "short", ["CLA01"])
    assert get_vote(db, vote.code).voters == 0


def test_opening_a_vote_closes_the_campaigns_open_one(db: Database, campaign: CampaignInfo) -> None:
    first = open_vote(db, campaign.code, ITEMS[:2], max_choices=1)
    second = open_vote(db, campaign.code, ITEMS[2:], max_choices=1)
    assert not get_vote(db, first.code).is_open
    latest = latest_vote(db, campaign.code)
    assert latest is not None and latest.code == second.code and latest.is_open
    with pytest.raises(UnknownVoteError, match="no vote has the code"):
        get_vote(db, "NOSUCHVOTE")


def test_nothing_stored_links_a_voter_to_a_choice(db: Database, campaign: CampaignInfo) -> None:
    vote = open_vote(db, campaign.code, ITEMS, max_choices=2)
    cast_ballot(db, vote.code, _token(), ["CLA01"])
    columns = {
        table: {c["name"] for c in inspect(db.engine).get_columns(table)}
        for table in (VoteBallot.__tablename__, VoteTally.__tablename__, Vote.__tablename__)
    }
    assert columns["vote_ballots"] == {"vote_id", "token_hash"}  # no time, no choice
    assert columns["vote_tallies"] == {"vote_id", "item", "votes"}
    with db.read() as session:
        stored = session.scalars(select(VoteBallot.token_hash)).all()
    assert all(len(h) == 64 for h in stored)


def test_concurrent_ballots_count_exactly_once(db: Database, campaign: CampaignInfo) -> None:
    vote = open_vote(db, campaign.code, ITEMS, max_choices=1)
    errors: list[BaseException] = []

    def voter(i: int) -> None:
        try:
            cast_ballot(db, vote.code, f"device-token-{i:08d}", [ITEMS[i % len(ITEMS)]])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=voter, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    close_vote(db, vote.code)
    results = vote_results(db, vote.code)
    assert results.vote.voters == 12
    assert sum(n for _, n in results.tallies) == 12


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ballots=st.lists(st.integers(min_value=1, max_value=7), min_size=0, max_size=9))
def test_property_counts_are_shown_only_for_a_closed_vote_of_at_least_k_voters(
    db: Database, campaign: CampaignInfo, ballots: list[int]
) -> None:
    vote = open_vote(db, campaign.code, ITEMS[:3], max_choices=2)
    for mask in ballots:
        choice = [ITEMS[j] for j in range(3) if mask >> j & 1][:2]
        cast_ballot(db, vote.code, _token(), choice)
    assert not vote_results(db, vote.code).shown
    close_vote(db, vote.code)
    results = vote_results(db, vote.code)
    assert results.shown == (len(ballots) >= campaign.min_group_size)
    if not results.shown:
        assert results.tallies == ()
