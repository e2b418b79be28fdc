"""A busy database on the survey page: a save that cannot get the SQLite write lock, or a first
visit whose campaign lookup times out, is answered with "the server is busy, your answers are
kept" and a "Try again" button that finishes the action, never with a stack trace."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest
from support import ROOT

from assessment.campaigns.management import (
    CampaignInfo,
    UnitSpec,
    create_campaign,
)
from assessment.errors import DatabaseUnavailableError
from assessment.storage import Database, connect, upgrade
from assessment.storage.models import Answer
from assessment.survey.answer_writer import flush_answers
from assessment.survey.opening import OpenedCampaign, open_campaign
from assessment.ui.pages import survey as survey_page

BUSY = "The server is busy right now. Your answers are kept: try again in a moment."


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A migrated SQLite database for the app, whose connections wait only briefly for a lock."""
    url = f"sqlite:///{tmp_path / 'wmm.sqlite'}"
    monkeypatch.setenv("WMM_DATABASE_URL", url)
    monkeypatch.setenv("WMM_ADMIN_PASSWORD", "test-password")
    monkeypatch.setenv("WMM_BASE_URL", "https://survey.example.org")
    monkeypatch.setenv("WMM_SQLITE_BUSY_TIMEOUT", "0.2")
    st.cache_resource.clear()
    database = connect(url, create=True)
    upgrade(database)
    try:
        yield database
    finally:
        database.dispose()
        st.cache_resource.clear()


@pytest.fixture
def campaign(db: Database) -> CampaignInfo:
    return create_campaign(
        db,
        name="Busy day",
        questionnaire="work-management@1.0.0",
        organisation="Example Ltd",
        units=[UnitSpec("Operations"), UnitSpec("Sales")],
    )


def _checked(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, prefix: str) -> AppTest:
    (button,) = [b for b in at.button if (b.key or "").startswith(prefix)]
    return _checked(button.click().run())


def _warnings(at: AppTest) -> list[str]:
    return [str(w.value) for w in at.warning]


def _stored_answers(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Answer)) or 0)


def test_a_locked_database_on_next_keeps_the_answers_and_try_again_saves_them(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["c"] = campaign.code
    _checked(at.run())
    _checked(at.button(key="survey_start").click().run())
    at.selectbox(key="survey_w_unit").select("Operations")
    at.radio(key="survey_w_role").set_value("staff")
    _button(at, "survey_next_")
    title = at.header[0].value
    items = [r for r in at.radio if (r.key or "").startswith(survey_page.ITEM_WIDGET)]
    for radio in items:
        radio.set_value(3)

    holder = sqlite3.connect(tmp_path / "wmm.sqlite", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the busy timeout
        _button(at, "survey_next_")
        assert BUSY in _warnings(at)
        assert at.header[0].value == title  # still on the same page
        kept = [at.radio(key=str(r.key)).value for r in items]
        assert kept == [3] * len(items)  # the answers are kept
    finally:
        holder.rollback()
        holder.close()
    assert _stored_answers(db) == 0

    _checked(at.button(key="survey_try_again").click().run())
    assert BUSY not in _warnings(at)
    assert at.header[0].value != title  # moved on to the next page
    assert _stored_answers(db) == len(items)


def test_a_busy_database_on_the_first_visit_offers_to_try_again(
    db: Database, campaign: CampaignInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = open_campaign
    failures = [DatabaseUnavailableError("the database is busy (QueuePool limit reached)")]

    def busy_then_real(database: Database, code: str) -> OpenedCampaign:
        if failures:
            raise failures.pop()
        return real(database, code)

    monkeypatch.setattr(survey_page, "open_campaign", busy_then_real)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["c"] = campaign.code
    _checked(at.run())
    assert _warnings(at) == [BUSY]
    assert [b.key for b in at.button] == ["survey_try_again"]

    _checked(at.button(key="survey_try_again").click().run())
    assert _warnings(at) == []
    assert at.button(key="survey_start").label == "Start"


def test_an_answer_given_while_the_database_is_locked_is_kept_and_saved_with_next(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    """Each answer is saved as it is given (by the process's write-behind); while the database is
    busy the answer stays on the page without a notice, the write-behind tries again once the
    database is free, and Next saves it with the page as well (once: one stored answer)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["c"] = campaign.code
    _checked(at.run())
    _checked(at.button(key="survey_start").click().run())
    at.selectbox(key="survey_w_unit").select("Operations")
    at.radio(key="survey_w_role").set_value("staff")
    _button(at, "survey_next_")
    title = at.header[0].value
    first = next(r for r in at.radio if (r.key or "").startswith(survey_page.ITEM_WIDGET))

    holder = sqlite3.connect(tmp_path / "wmm.sqlite", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the busy timeout
        _checked(first.set_value(4).run())
        assert _warnings(at) == []
        assert at.radio(key=str(first.key)).value == 4
        assert _stored_answers(db) == 0
    finally:
        holder.rollback()
        holder.close()
    assert flush_answers(timeout=30)
    assert _stored_answers(db) == 1  # tried again once the lock was gone

    _button(at, "survey_next_")
    assert at.header[0].value != title
    assert _stored_answers(db) == 1
