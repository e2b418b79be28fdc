"""Answering on both backends: drafts, resume by token, exactly-once submit, and every refusal
(closed campaign, wrong questionnaire version, off-scale value, unknown unit/role/statement)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from storage.databases import QUESTIONNAIRE

from assessment.campaigns.management import (
    CampaignInfo,
    close_campaign,
    create_campaign,
    get_campaign,
)
from assessment.errors import (
    AlreadyReceivedError,
    AnswerError,
    CampaignClosedError,
    ResponseNotFoundError,
    WrongQuestionnaireError,
)
from assessment.storage import Database
from assessment.storage.models import Answer, Response, SubmittedToken
from assessment.survey.answer_writer import AnswerWriter
from assessment.survey.responding import (
    GivenAnswer,
    resume_response,
    save_answers,
    save_given_answers,
    start_response,
    submit_response,
)


def _start(db: Database, campaign: CampaignInfo, **profile: Any) -> str:
    return start_response(db, campaign.code, questionnaire=QUESTIONNAIRE, **profile).resume_token


def _stored_answers(db: Database) -> dict[str, tuple[int | None, str | None]]:
    with db.read() as session:
        return {
            item: (value, special)
            for item, value, special in session.execute(
                select(Answer.item_id, Answer.value, Answer.special)
            )
        }


def test_draft_answers_are_saved_changed_cleared_and_resumed(
    db: Database, campaign: CampaignInfo
) -> None:
    token = _start(db, campaign, language="de")
    save_answers(
        db,
        token,
        {"CLA01": 4, "CLA02": "DK", "OUT01": 2},
        questionnaire=QUESTIONNAIRE,
        unit="Sales",
    )
    draft = save_answers(
        db,
        token,
        {"CLA01": 5, "CLA02": None, "COO01": "NA"},
        questionnaire=QUESTIONNAIRE,
        role="staff",
    )
    assert dict(draft.answers) == {"CLA01": 5, "COO01": "NA", "OUT01": 2}
    resumed = resume_response(db, token)
    assert resumed == draft
    assert (resumed.status, resumed.unit, resumed.role, resumed.language) == (
        "draft",
        "Sales",
        "staff",
        "de",
    )
    assert resumed.campaign_open
    assert get_campaign(db, campaign.code).drafts == 1


def _given(token: str, item: str, value: Any, questionnaire: str = QUESTIONNAIRE) -> GivenAnswer:
    return GivenAnswer(token, item, value, questionnaire=questionnaire)


def test_answers_given_are_saved_changed_and_cleared_in_one_batch(
    db: Database, campaign: CampaignInfo
) -> None:
    """`save_given_answers`: the survey's answers as they are given, many drafts in one
    transaction; the later of two answers to one statement wins."""
    first, second = _start(db, campaign), _start(db, campaign)
    refused = save_given_answers(
        db,
        [
            _given(first, "CLA01", 4),
            _given(first, "CLA02", "DK"),
            _given(second, "CLA01", 1),
            _given(first, "CLA01", 2),
        ],
    )
    assert refused == ()
    assert dict(resume_response(db, first).answers) == {"CLA01": 2, "CLA02": "DK"}
    assert dict(resume_response(db, second).answers) == {"CLA01": 1}
    assert save_given_answers(db, [_given(first, "CLA02", None)]) == ()
    assert dict(resume_response(db, first).answers) == {"CLA01": 2}


@pytest.mark.parametrize(
    ("item", "value"),
    [("CLA01", 9), ("NOPE", 3), ("CLA01", "maybe")],
    ids=["off-scale", "unknown-statement", "not-an-answer"],
)
def test_a_bad_answer_is_refused_and_the_others_are_saved(
    db: Database, campaign: CampaignInfo, item: str, value: Any
) -> None:
    token = _start(db, campaign)
    bad = _given(token, item, value)
    assert save_given_answers(db, [bad, _given(token, "CLA03", 5)]) == (bad,)
    assert _stored_answers(db) == {"CLA03": (5, None)}


def test_answers_after_submit_close_or_with_a_bad_token_are_refused(
    db: Database, campaign: CampaignInfo
) -> None:
    unknown = _given("no-such-token", "CLA01", 3)
    token = _start(db, campaign, unit="Sales")
    old_version = _given(token, "CLA01", 3, questionnaire="work-management@9.9.9")
    assert save_given_answers(db, [unknown, old_version]) == (unknown, old_version)
    assert save_given_answers(db, [_given(token, "CLA01", 3)]) == ()
    submit_response(db, token, questionnaire=QUESTIONNAIRE)
    after_submit = _given(token, "CLA01", 5)
    assert save_given_answers(db, [after_submit]) == (after_submit,)
    other = _start(db, campaign)
    close_campaign(db, campaign.code)
    after_close = _given(other, "CLA01", 5)
    assert save_given_answers(db, [after_close]) == (after_close,)
    assert _stored_answers(db) == {"CLA01": (3, None)}


def test_the_write_behind_saves_in_order_and_flush_waits_for_it(
    db: Database, campaign: CampaignInfo
) -> None:
    writer = AnswerWriter(interval=0.05)
    token = _start(db, campaign)
    for value in (1, 2, 3, None, 4):
        writer.give(db, _given(token, "CLA01", value))
    writer.give(db, _given(token, "CLA02", "NA"))
    assert writer.flush(timeout=30)
    assert _stored_answers(db) == {"CLA01": (4, None), "CLA02": (None, "NA")}
    writer.give(db, _given("no-such-token", "CLA01", 3))  # refused, and the writer goes on
    writer.give(db, _given(token, "CLA03", 2))
    assert writer.flush(timeout=30)
    assert _stored_answers(db)["CLA03"] == (2, None)


def test_submit_exactly_once(db: Database, campaign: CampaignInfo) -> None:
    token = _start(db, campaign, unit="Support")
    first = submit_response(db, token, questionnaire=QUESTIONNAIRE, answers={"CLA01": 3})
    assert not first.already_received
    assert "received" in first.message
    # Double click, retry, a second tab with other answers: nothing changes.
    for answers in (None, {"CLA01": 3}, {"CLA01": 1, "COM01": 5}):
        again = submit_response(db, token, questionnaire=QUESTIONNAIRE, answers=answers)
        assert again.already_received
        assert again.submitted_at == first.submitted_at
        # The token no longer leads to the response, so the repeat cannot name it.
        assert again.response_id is None
        assert "already received" in again.message
    assert _stored_answers(db) == {"CLA01": (3, None)}
    with pytest.raises(AlreadyReceivedError, match="already submitted"):
        save_answers(db, token, {"CLA01": 1}, questionnaire=QUESTIONNAIRE)
    assert _stored_answers(db) == {"CLA01": (3, None)}
    info = get_campaign(db, campaign.code)
    assert (info.responses, info.drafts) == (1, 0)
    # A submitted response is never shown again, not even to its resume link.
    resumed = resume_response(db, token)
    assert resumed.status == "submitted"
    assert dict(resumed.answers) == {}
    assert (resumed.response_id, resumed.unit, resumed.started_at) == (None, None, None)
    assert resumed.submitted_at == first.submitted_at
    assert resumed.campaign_code == campaign.code


def test_submit_needs_a_unit_and_an_answer(db: Database, campaign: CampaignInfo) -> None:
    token = _start(db, campaign)
    with pytest.raises(AnswerError) as caught:
        submit_response(db, token, questionnaire=QUESTIONNAIRE)
    assert {p.type for p in caught.value.problems} == {"missing-unit", "no-answers"}
    assert (
        submit_response(
            db, token, questionnaire=QUESTIONNAIRE, unit="Sales", answers={"WFA01": 2}
        ).already_received
        is False
    )


def test_a_campaign_without_units_accepts_responses_without_a_unit(db: Database) -> None:
    info = create_campaign(db, name="no units", questionnaire=QUESTIONNAIRE)
    token = start_response(db, info.code, questionnaire=QUESTIONNAIRE).resume_token
    assert not submit_response(
        db, token, questionnaire=QUESTIONNAIRE, answers={"CLA01": 4}
    ).already_received


def test_a_closed_campaign_refuses_answers_but_confirms_earlier_submissions(
    db: Database, campaign: CampaignInfo
) -> None:
    submitted = _start(db, campaign, unit="Sales")
    submit_response(db, submitted, questionnaire=QUESTIONNAIRE, answers={"CLA01": 4})
    draft = _start(db, campaign, unit="Sales")
    save_answers(db, draft, {"CLA01": 2}, questionnaire=QUESTIONNAIRE)
    close_campaign(db, campaign.code)
    with pytest.raises(CampaignClosedError, match="accepts no answers"):
        save_answers(db, draft, {"CLA01": 5}, questionnaire=QUESTIONNAIRE)
    with pytest.raises(CampaignClosedError):
        submit_response(db, draft, questionnaire=QUESTIONNAIRE)
    assert submit_response(db, submitted, questionnaire=QUESTIONNAIRE).already_received
    assert not resume_response(db, draft).campaign_open
    assert get_campaign(db, campaign.code).responses == 1


@pytest.mark.parametrize("version", ["work-management@1.1.0", "work-management", "other@1.0.0"])
def test_a_wrong_questionnaire_version_is_refused(
    db: Database, campaign: CampaignInfo, version: str
) -> None:
    with pytest.raises(WrongQuestionnaireError, match="reload the survey page"):
        start_response(db, campaign.code, questionnaire=version)
    token = _start(db, campaign, unit="Sales")
    with pytest.raises(WrongQuestionnaireError):
        save_answers(db, token, {"CLA01": 3}, questionnaire=version)
    with pytest.raises(WrongQuestionnaireError):
        submit_response(db, token, questionnaire=version, answers={"CLA01": 3})
    assert _stored_answers(db) == {}


BAD_ANSWERS: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    (
        "off-scale-high",
        {"CLA01": 6},
        {},
        "CLA01: expected a whole number 1..5, DK or NA, found 6 (off the scale)",
    ),
    ("off-scale-zero", {"CLA01": 0}, {}, "found 0 (off the scale)"),
    ("text-number", {"CLA01": "4"}, {}, "found '4'"),
    ("boolean", {"CLA01": True}, {}, "found True"),
    ("float", {"CLA01": 3.5}, {}, "found 3.5"),
    ("lowercase-code", {"CLA01": "dk"}, {}, "found 'dk'"),
    ("unknown-statement", {"XYZ01": 3}, {}, "has no statement 'XYZ01'"),
    (
        "unknown-unit",
        {"CLA01": 3},
        {"unit": "Mars"},
        "has no unit 'Mars'; choose one of Operations, Sales, Support",
    ),
    ("unknown-role", {"CLA01": 3}, {"role": "intern"}, "unknown role 'intern'"),
    ("unknown-language", {"CLA01": 3}, {"language": "fr"}, "offered in en, de"),
]


@pytest.mark.parametrize(
    ("answers", "profile", "message"), [c[1:] for c in BAD_ANSWERS], ids=[c[0] for c in BAD_ANSWERS]
)
def test_bad_answers_are_refused_and_nothing_changes(
    db: Database,
    campaign: CampaignInfo,
    answers: dict[str, Any],
    profile: dict[str, Any],
    message: str,
) -> None:
    token = _start(db, campaign, unit="Sales", role="staff")
    save_answers(db, token, {"COM01": 2}, questionnaire=QUESTIONNAIRE)
    for action in (save_answers, submit_response):
        with pytest.raises(AnswerError) as caught:
            if action is save_answers:
                save_answers(
                    db, token, {"COM02": 4, **answers}, questionnaire=QUESTIONNAIRE, **profile
                )
            else:
                submit_response(
                    db,
                    token,
                    questionnaire=QUESTIONNAIRE,
                    answers={"COM02": 4, **answers},
                    **profile,
                )
        assert message in str(caught.value)
    assert _stored_answers(db) == {"COM01": (2, None)}
    draft = resume_response(db, token)
    assert (draft.status, draft.unit, draft.role) == ("draft", "Sales", "staff")


def test_every_bad_answer_is_listed(db: Database, campaign: CampaignInfo) -> None:
    token = _start(db, campaign)
    with pytest.raises(AnswerError) as caught:
        save_answers(db, token, {"CLA01": 9, "CLA02": "x", "NOPE": 1}, questionnaire=QUESTIONNAIRE)
    assert [p.path for p in caught.value.problems] == ["CLA01", "CLA02", "NOPE"]


@pytest.mark.parametrize("token", ["", "not-a-token", "a" * 40])
def test_an_unknown_resume_token_is_refused(
    db: Database, campaign: CampaignInfo, token: str
) -> None:
    _start(db, campaign)
    for call in (
        lambda: resume_response(db, token),
        lambda: save_answers(db, token, {"CLA01": 1}, questionnaire=QUESTIONNAIRE),
        lambda: submit_response(db, token, questionnaire=QUESTIONNAIRE),
    ):
        with pytest.raises(ResponseNotFoundError, match="resume link is not valid"):
            call()


def test_nothing_identifying_is_stored_and_tokens_only_as_hashes(
    db: Database, campaign: CampaignInfo
) -> None:
    started = start_response(db, campaign.code, questionnaire=QUESTIONNAIRE, unit="Sales")
    submit_response(db, started.resume_token, questionnaire=QUESTIONNAIRE, answers={"CLA01": 4})
    columns = {c["name"] for c in inspect(db.engine).get_columns("responses")}
    assert columns == {
        "id",
        "public_id",
        "campaign_id",
        "unit_id",
        "role",
        "language",
        "questionnaire_version",
        "status",
        "source",
        "started_at",
        "updated_at",
        "submitted_at",
        "duration_seconds",
        "resume_token_hash",
        "import_key",
        "release",
    }
    draft = start_response(db, campaign.code, questionnaire=QUESTIONNAIRE, unit="Sales")
    with db.read() as session:
        stored = {
            status: digest
            for status, digest in session.execute(
                select(Response.status, Response.resume_token_hash)
            )
        }
        markers = set(session.scalars(select(SubmittedToken.token_hash)))
        dump = " ".join(
            str(r)
            for table in ("responses", "submitted_tokens")
            for r in session.execute(text(f"SELECT * FROM {table}"))
        )
    # The draft is found by its token's hash; the submitted response keeps none: its hash is
    # only a marker that names no response.
    assert stored == {"draft": _sha256(draft.resume_token), "submitted": None}
    assert markers == {_sha256(started.resume_token)}
    assert started.resume_token not in dump and draft.resume_token not in dump


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def test_duration_is_given_or_summed_from_the_intervals_the_survey_reports(
    db: Database, campaign: CampaignInfo
) -> None:
    given = _start(db, campaign, unit="Sales")
    submit_response(
        db, given, questionnaire=QUESTIONNAIRE, answers={"CLA01": 4}, duration_seconds=312
    )
    # Two sessions (the second one resumed) report their intervals; no clock time is stored.
    summed = _start(db, campaign, unit="Sales")
    save_answers(db, summed, {"CLA01": 4}, questionnaire=QUESTIONNAIRE, elapsed_seconds=40.4)
    save_answers(db, summed, {"CLA02": 2}, questionnaire=QUESTIONNAIRE, elapsed_seconds=0)
    save_answers(db, summed, {"CLA03": 3}, questionnaire=QUESTIONNAIRE, elapsed_seconds=100)
    submit_response(db, summed, questionnaire=QUESTIONNAIRE, elapsed_seconds=9.9)
    unmeasured = _start(db, campaign, unit="Sales")
    submit_response(db, unmeasured, questionnaire=QUESTIONNAIRE, answers={"CLA01": 4})
    with db.read() as session:
        durations = list(session.scalars(select(Response.duration_seconds).order_by(Response.id)))
    assert durations == [312, 150, None]
    token = _start(db, campaign, unit="Sales")
    with pytest.raises(AnswerError, match="duration_seconds"):
        submit_response(
            db, token, questionnaire=QUESTIONNAIRE, answers={"CLA01": 4}, duration_seconds=-1
        )
    for bad in (-1, float("nan"), float("inf"), True, "5"):
        with pytest.raises(AnswerError, match="elapsed_seconds"):
            save_answers(db, token, {}, questionnaire=QUESTIONNAIRE, elapsed_seconds=bad)
        with pytest.raises(AnswerError, match="elapsed_seconds"):
            submit_response(
                db, token, questionnaire=QUESTIONNAIRE, answers={"CLA01": 4}, elapsed_seconds=bad
            )
