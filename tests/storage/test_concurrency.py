"""Many respondents at once, on SQLite and on PostgreSQL: 8 threads start, answer and submit 500
responses (a fifth of them submitted twice at the same time, as from two tabs); every response is
stored exactly once with its own answers, none is lost."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select
from storage.databases import QUESTIONNAIRE
from storage.responses_files import responses_rows, write_responses

from assessment.campaigns.importing import import_responses
from assessment.campaigns.management import (
    CampaignInfo,
    create_campaign,
    create_invitations,
    get_campaign,
)
from assessment.errors import InvitationError
from assessment.storage import Database
from assessment.storage.models import Answer, Response
from assessment.survey.responding import SubmitResult, save_answers, start_response, submit_response

RESPONSES = 500
THREADS = 8
ITEMS = ("CLA01", "CLA02", "COO01", "COM01", "COM02", "COL01", "WFA01", "OUT01")


def _answers(number: int) -> dict[str, int | str]:
    rng = random.Random(number)
    answers: dict[str, int | str] = {item: rng.randint(1, 5) for item in ITEMS}
    answers[ITEMS[number % len(ITEMS)]] = "DK" if number % 2 else "NA"
    return answers


def test_500_concurrent_respondents_are_each_stored_exactly_once(
    db: Database, campaign: CampaignInfo
) -> None:
    units = ("Operations", "Support", "Sales")
    start_gate = threading.Barrier(THREADS)
    gate_passed = threading.local()

    def wait_for_everyone() -> None:
        if not getattr(gate_passed, "done", False):
            gate_passed.done = True
            start_gate.wait(timeout=60)

    def respond(number: int) -> tuple[int, str, str]:
        wait_for_everyone()
        started = start_response(
            db, campaign.code, questionnaire=QUESTIONNAIRE, unit=units[number % 3], language="en"
        )
        if number % 4 == 0:  # a quarter save a draft first (the rest submit straight away)
            half = dict(list(_answers(number).items())[:4])
            save_answers(db, started.resume_token, half, questionnaire=QUESTIONNAIRE, role="staff")
        return number, started.resume_token, started.response_id

    with ThreadPoolExecutor(THREADS) as pool:
        drafts = list(pool.map(respond, range(RESPONSES)))

    # Submits: every response once, every fifth twice; shuffled so twins run in parallel.
    jobs = [(n, token) for n, token, _ in drafts]
    jobs += [(n, token) for n, token, _ in drafts if n % 5 == 0]
    random.Random(7).shuffle(jobs)

    def submit(job: tuple[int, str]) -> tuple[int, SubmitResult]:
        number, token = job
        return number, submit_response(
            db, token, questionnaire=QUESTIONNAIRE, answers=_answers(number)
        )

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(submit, jobs))

    received = Counter(n for n, result in results if not result.already_received)
    assert sorted(received) == list(range(RESPONSES))
    assert set(received.values()) == {1}  # each accepted exactly once
    assert sum(r.already_received for _, r in results) == RESPONSES // 5

    public_of = {n: public for n, _, public in drafts}
    with db.read() as session:
        statuses = dict(
            session.execute(select(Response.status, func.count()).group_by(Response.status)).all()
        )
        stored: dict[str, dict[str, int | str]] = {}
        for public_id, item, value, special in session.execute(
            select(Response.public_id, Answer.item_id, Answer.value, Answer.special).join(
                Answer, Answer.response_id == Response.id
            )
        ):
            stored.setdefault(public_id, {})[item] = special if special is not None else value
    assert statuses == {"submitted": RESPONSES}
    assert len(stored) == RESPONSES
    for number in range(RESPONSES):
        assert stored[public_of[number]] == _answers(number)
    assert get_campaign(db, campaign.code).responses == RESPONSES


def test_one_invitation_used_by_eight_threads_at_once_starts_one_response(db: Database) -> None:
    info = create_campaign(db, name="invited", questionnaire=QUESTIONNAIRE, mode="invitation")
    token = create_invitations(db, info.code, 1)[0]
    gate = threading.Barrier(THREADS)

    def use(_: int) -> str:
        gate.wait(timeout=60)
        try:
            start_response(db, info.code, questionnaire=QUESTIONNAIRE, invitation=token)
        except InvitationError:
            return "refused"
        return "started"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = Counter(pool.map(use, range(THREADS)))
    assert outcomes == {"started": 1, "refused": THREADS - 1}
    assert get_campaign(db, info.code).drafts == 1


def test_the_same_file_imported_by_four_threads_at_once_is_stored_once(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    path = write_responses(tmp_path / "r.csv", responses_rows(30))
    gate = threading.Barrier(4)

    def run(_: int) -> int:
        gate.wait(timeout=60)
        return import_responses(db, campaign.code, path).added

    with ThreadPoolExecutor(4) as pool:
        added = sorted(pool.map(run, range(4)))
    assert added == [0, 0, 0, 30]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Response)) == 30
