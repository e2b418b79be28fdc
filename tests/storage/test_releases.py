"""Releases on both backends (DESIGN §7 "Time"): results advance in releases, not per answer, so two
exports around one submission cannot show the new respondent (attack 5 of issue 12); a cut is
safe when several processes make it at once; migration 0005 puts stored answers in release 1."""

from __future__ import annotations

import csv
import io
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from alembic import command
from sqlalchemy import func, select, text
from storage.databases import QUESTIONNAIRE
from storage.responses_files import answer_ids

from assessment.campaigns.management import CampaignInfo, UnitSpec, close_campaign, create_campaign
from assessment.results.campaign_answers import (
    advance_release,
    campaign_version,
    clear_caches,
    load_responses,
    release_summary,
)
from assessment.results.dashboard import clear_caches as clear_dashboard_caches
from assessment.results.dashboard import scores_csv
from assessment.storage import Database, connect, upgrade
from assessment.storage.migrate import alembic_config
from assessment.storage.models import Response
from assessment.survey.responding import start_response, submit_response
from scoring.partitions import OTHER_UNITS, coarsen

ITEMS = answer_ids()


def _answer(db: Database, code: str, unit: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    token = start_response(
        db, code, questionnaire=QUESTIONNAIRE, unit=unit, language="en"
    ).resume_token
    answers: dict[str, int | str] = {item: int(rng.integers(1, 6)) for item in ITEMS}
    submit_response(db, token, questionnaire=QUESTIONNAIRE, answers=answers)


def _two_units(db: Database) -> CampaignInfo:
    return create_campaign(
        db,
        name="Time attack",
        questionnaire=QUESTIONNAIRE,
        units=[UnitSpec("A", None, 20), UnitSpec("B", None, 20)],
        min_group_size=5,
    )


def _export(db: Database, code: str) -> bytes:
    # Fresh caches: the bytes must not be the same only because a cached table was reused.
    clear_caches()
    clear_dashboard_caches()
    return scores_csv(db, code)


def _overall_n(export: bytes) -> dict[str, int]:
    """Respondents per unit: the largest n of its rows."""
    counts: dict[str, int] = {}
    for r in csv.DictReader(io.StringIO(export.decode("utf-8"))):
        counts[r["unit"]] = max(counts.get(r["unit"], 0), int(r["n"] or 0))
    return counts


def test_two_exports_around_one_submission_are_byte_identical(db: Database) -> None:
    """Attack 5: n_after × mean_after − n_before × mean_before gave the new respondent's scores."""
    info = _two_units(db)
    for i in range(10):
        _answer(db, info.code, "AB"[i % 2], seed=i)
    before = _export(db, info.code)
    assert _overall_n(before) == {"A": 5, "B": 5, "__all__": 10}

    _answer(db, info.code, "A", seed=100)
    after = _export(db, info.code)
    assert after == before  # the new answer is held back
    summary = release_summary(db, info.code)
    assert (summary.released, summary.pending, summary.release) == (10, 1, 1)
    assert summary.waiting_text("unit", "A") == "updates after 4 more answers"
    assert "updates after" not in summary.waiting_text("unit", "B")
    assert "1 answer waits for the next release" in summary.text
    assert "the results update after 4 more answers" in summary.text
    version = campaign_version(db, info.code)
    assert (version.submitted, version.responses) == (11, 10)  # participation counts it

    for i in range(3):
        _answer(db, info.code, "A", seed=200 + i)
        assert _export(db, info.code) == before
    assert release_summary(db, info.code).waiting_text("unit", "A") == (
        "updates after 1 more answer"
    )
    _answer(db, info.code, "A", seed=300)
    changed = _export(db, info.code)
    assert changed != before
    n_before, n_after = _overall_n(before), _overall_n(changed)
    assert n_after["A"] - n_before["A"] == 5 and n_after["B"] == n_before["B"]
    assert n_after["__all__"] - n_before["__all__"] == 5
    assert release_summary(db, info.code).pending == 0
    assert campaign_version(db, info.code).release == 2


def test_a_closed_campaign_keeps_held_back_answers_unpublished(db: Database) -> None:
    info = _two_units(db)
    for i in range(12):
        _answer(db, info.code, "AB"[i % 2], seed=i)
    assert load_responses(db, info.code).n_respondents == 12
    _answer(db, info.code, "B", seed=50)
    close_campaign(db, info.code)
    summary = release_summary(db, info.code)
    assert (summary.released, summary.pending, summary.closed) == (12, 1, True)
    assert summary.text == (
        "1 answer is held back: publishing them would single out fewer than 5 people."
    )
    assert load_responses(db, info.code).n_respondents == 12
    # The raw export (a backup, everything as stored) still has it.
    assert load_responses(db, info.code, include_pending=True).n_respondents == 13


def test_eight_processes_cutting_at_once_make_one_release(db: Database) -> None:
    info = _two_units(db)
    for i in range(12):
        _answer(db, info.code, "AB"[i % 2], seed=i)
    gate = threading.Barrier(8)

    def cut(_: int) -> int | None:
        gate.wait(timeout=60)
        clear_caches()
        return advance_release(db, info.code).release

    with ThreadPoolExecutor(8) as pool:
        releases = list(pool.map(cut, range(8)))
    assert releases == [1] * 8
    with db.read() as session:
        stored = Counter(session.scalars(select(Response.release)))
    assert stored == {1: 12}


def test_releases_cut_while_people_answer_are_each_safe(db: Database) -> None:
    info = _two_units(db)
    units = ["A"] * 23 + ["B"] * 17
    stop = threading.Event()
    seen: list[dict[int, int]] = []

    def answer(number: int) -> None:
        _answer(db, info.code, units[number], seed=number)

    def watch() -> None:
        while not stop.is_set():
            advance_release(db, info.code)
            with db.read() as session:
                rows = session.execute(
                    select(Response.id, Response.release).where(Response.release.is_not(None))
                ).all()
            seen.append({int(i): int(r) for i, r in rows})

    with ThreadPoolExecutor(6) as pool:
        watchers = [pool.submit(watch) for _ in range(2)]
        list(pool.map(answer, range(len(units))))
        stop.set()
        for w in watchers:
            w.result()
    advance_release(db, info.code)
    with db.read() as session:
        final = {
            int(i): (unit, r)
            for i, unit, r in session.execute(
                text(
                    "SELECT r.id, u.name, r.release FROM responses r JOIN units u "
                    "ON u.id = r.unit_id WHERE r.status = 'submitted'"
                )
            )
        }
    assert len(final) == len(units)
    # A response's release never changes once it is set.
    for snapshot in seen:
        assert all(final[i][1] == r for i, r in snapshot.items())
    numbers = sorted({r for _, r in final.values() if r is not None})
    assert numbers == list(range(1, len(numbers) + 1))
    # Each release adds 0 or >= 5 to every group of the units as published (and >= 5 in total).
    for r in numbers:
        before = [i for i, (_, got) in final.items() if got is not None and got < r]
        after = [i for i, (_, got) in final.items() if got is not None and got <= r]
        old = (
            dict(
                zip(
                    before,
                    coarsen(
                        [final[i][0] for i in before], min_group_size=5, other_label=OTHER_UNITS
                    ).labels,
                    strict=True,
                )
            )
            if before
            else {}
        )
        new = coarsen([final[i][0] for i in after], min_group_size=5, other_label=OTHER_UNITS)
        gained = Counter(str(g) for i, g in zip(after, new.labels, strict=True) if i not in old)
        assert len(after) - len(before) >= 5
        assert all(c >= 5 for c in gained.values()), (r, gained)


def test_migration_0005_puts_stored_answers_in_release_1(db_url: str) -> None:
    db = connect(db_url, create=True)
    try:
        config = alembic_config()
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO campaigns (id, code, name, questionnaire_id, questionnaire_version,"
                    " questionnaire_sha256, status, mode, min_group_size, languages, import_salt,"
                    " created_at, updated_at) VALUES (1, 'c1', 'x', 'q', '1', 's', 'open', 'open',"
                    " 5, '[]', 'salt', '2026-01-01', '2026-01-01')"
                )
            )
            for i, status in enumerate(("submitted", "submitted", "draft"), start=1):
                connection.execute(
                    text(
                        "INSERT INTO responses (id, public_id, campaign_id, questionnaire_version,"
                        " status, source, updated_at, submitted_at) VALUES (:i, :p, 1, '1', :s,"
                        " 'survey', '2026-01-01', :at)"
                    ),
                    {"i": i, "p": f"p{i}", "s": status, "at": "2026-01-01" if i < 3 else None},
                )
                connection.execute(
                    text("INSERT INTO answers (response_id, item_id, value) VALUES (:i, 'X', 3)"),
                    {"i": i},
                )
        upgrade(db)
        with db.engine.connect() as connection:
            releases = dict(connection.execute(text("SELECT id, release FROM responses")).all())
        assert releases == {1: 1, 2: 1, 3: None}
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        with db.engine.connect() as connection:
            # The answers survive the downgrade (no table copy that would cascade).
            assert (
                connection.execute(select(func.count()).select_from(text("answers"))).scalar() == 3
            )
    finally:
        db.dispose()
