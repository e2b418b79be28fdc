"""Answering a campaign: start a response, save answers as a draft, resume it by its token, and
submit it exactly once.

A second submit of the same response (double click, retry, two tabs) changes nothing and reports that
the answers were already received. Answers to a closed campaign, to another questionnaire version, off
the scale, or naming an unknown unit or role are refused, and so is a submit without a role to a
campaign that requires the role question. Nothing identifying is stored: no name,
e-mail, IP address or user agent; the resume and invitation tokens only as sha256 hashes. Nothing
links a person to the answers either: a used invitation records only its day, not the response; on
submit the response drops its resume-token hash, which moves to `SubmittedToken` (no response
reference) so the link can still say "already received"; every stored time is a day (00:00 UTC), and
the time spent answering is summed from the intervals the survey reports, not from stored clock times.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from math import isfinite
from typing import Any

from sqlalchemy import CursorResult, Update, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assessment.campaigns.management import (
    OTHER_ROLE_OPTION,
    campaign_row,
    ensure_open,
    hash_token,
    questionnaire_of,
    role_options,
)
from assessment.campaigns.store import Store
from assessment.errors import (
    AlreadyReceivedError,
    AnswerError,
    AssessmentError,
    InvalidDuration,
    InvitationError,
    MissingRole,
    MissingUnit,
    NoAnswers,
    NotAnAnswer,
    OffScale,
    Problem,
    ResponseNotFoundError,
    UnknownItem,
    UnknownOption,
    UnknownUnit,
    WrongQuestionnaireError,
)
from assessment.questionnaire import Questionnaire
from assessment.storage.models import (
    SPECIAL_ANSWERS,
    Answer,
    Campaign,
    Invitation,
    Response,
    SubmittedToken,
    Unit,
    day_of,
    utcnow,
)

#: An answer as the survey sends it: a scale value, "DK", "NA", or None (skipped / cleared).
AnswerValue = int | str | None


@dataclass(frozen=True)
class StartedResponse:
    """A new draft. ``resume_token`` is shown once: it is the only way back to the draft."""

    response_id: str
    resume_token: str
    campaign_code: str
    questionnaire: str


@dataclass(frozen=True)
class Draft:
    """A response as its respondent may see it again. A submitted response shows no answers.

    Once submitted, the resume link no longer leads to the response: ``response_id``, unit, role,
    language and ``started_at`` are None, ``submitted_at`` is the day it was received.
    """

    response_id: str | None
    campaign_code: str
    questionnaire: str
    status: str
    unit: str | None
    role: str | None
    language: str | None
    started_at: datetime | None
    submitted_at: datetime | None
    campaign_open: bool
    answers: Mapping[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmitResult:
    """The outcome of a submit: received now, or already received earlier (nothing changed).

    ``submitted_at`` is the day (00:00 UTC) it was received; ``response_id`` is None when it was
    received earlier (nothing links the token to the response any more).
    """

    response_id: str | None
    submitted_at: datetime
    already_received: bool

    @property
    def message(self) -> str:
        if self.already_received:
            return "Your answers were already received; nothing was changed. Thank you!"
        return "Your answers were received. Thank you!"


# -- checks ---------------------------------------------------------------------------------------


def _check_version(campaign: Campaign, questionnaire: str) -> None:
    if questionnaire != campaign.questionnaire_key:
        raise WrongQuestionnaireError(
            f"campaign {campaign.code} asks {campaign.questionnaire_key}, but the answers are to "
            f"{questionnaire}; reload the survey page to get the current questionnaire"
        )


def _check_language(campaign: Campaign, language: str | None) -> None:
    if language is not None and language not in campaign.languages:
        raise AnswerError(
            f"campaign {campaign.code} is offered in {', '.join(campaign.languages)}; "
            f"got language {language!r}",
            [
                UnknownOption(
                    "language",
                    options=", ".join(campaign.languages),
                    or_empty="",
                    found=language,
                    suggestion="",
                )
            ],
        )


def _unit_id(session: Session, campaign: Campaign, unit: str) -> int:
    found = session.scalar(
        select(Unit.id).where(Unit.campaign_id == campaign.id, Unit.name == unit)
    )
    if found is None:
        names = session.scalars(
            select(Unit.name).where(Unit.campaign_id == campaign.id).order_by(Unit.name)
        ).all()
        raise AnswerError(
            f"campaign {campaign.code} has no unit {unit!r}; choose one of "
            f"{', '.join(names) or '(none: this campaign has no unit list)'}",
            [UnknownUnit("unit", unit=unit, expected="")],
        )
    return found


def _check_role(questionnaire: Questionnaire, role: str) -> None:
    roles = role_options(questionnaire)
    if role not in roles:
        raise AnswerError(
            f"unknown role {role!r}; {questionnaire.key} offers "
            f"{', '.join(roles) if roles else 'no role question'}",
            [
                UnknownOption(
                    "role",
                    options=", ".join(roles) or "none",
                    or_empty="",
                    found=role,
                    suggestion="",
                )
            ],
        )


def answer_columns(questionnaire: Questionnaire) -> list[str]:
    """The statements a respondent answers on the scale: the items, then the outcome statements."""
    return [i.id for i in questionnaire.items] + [o.id for o in questionnaire.outcomes]


def check_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> dict[str, tuple[int | None, str | None]]:
    """Validate answers; return item -> (value, special), with (None, None) for a cleared answer.

    Raises
    ------
    AnswerError
        Listing every unknown statement and every value that is neither on the scale nor DK/NA.
    """
    known = set(answer_columns(questionnaire))
    values = set(questionnaire.scale.values)
    specials = {s.code for s in questionnaire.scale.special}
    low, high = questionnaire.scale.minimum, questionnaire.scale.maximum
    allowed = f"a whole number {low}..{high}" + (
        f", {' or '.join(sorted(specials))}" if specials else ""
    )
    problems: list[Problem] = []
    checked: dict[str, tuple[int | None, str | None]] = {}
    for item, value in answers.items():
        if item not in known:
            problems.append(UnknownItem(item, questionnaire=questionnaire.key, item=item))
        elif value is None or value == "":
            checked[item] = (None, None)
        elif isinstance(value, str) and value in SPECIAL_ANSWERS and value in specials:
            checked[item] = (None, value)
        elif not isinstance(value, bool) and isinstance(value, int) and value in values:
            checked[item] = (int(value), None)
        elif not isinstance(value, bool) and isinstance(value, int):
            problems.append(OffScale(item, expected=allowed, found=value))
        else:
            problems.append(NotAnAnswer(item, expected=allowed, found=value))
    if problems:
        raise AnswerError(f"{len(problems)} answer(s) do not fit {questionnaire.key}", problems)
    return checked


def _store_answers(
    session: Session, response_id: int, answers: Mapping[str, tuple[int | None, str | None]]
) -> None:
    cleared = [
        item for item, (value, special) in answers.items() if value is None and special is None
    ]
    if cleared:
        session.execute(
            delete(Answer).where(Answer.response_id == response_id, Answer.item_id.in_(cleared))
        )
    rows = [
        {"response_id": response_id, "item_id": item, "value": value, "special": special}
        for item, (value, special) in answers.items()
        if value is not None or special is not None
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Answer)
    statement = statement.on_conflict_do_update(
        index_elements=[Answer.response_id, Answer.item_id],
        set_={"value": statement.excluded.value, "special": statement.excluded.special},
    )
    session.execute(statement, rows)


def _response_by_token(
    session: Session, token: str, *, lock: bool = False
) -> Response | SubmittedToken:
    """The draft behind a resume token, or the marker left when it was submitted.

    Raises
    ------
    ResponseNotFoundError
        If the token names neither.
    """
    digest = hash_token(token.strip())
    query = select(Response).where(Response.resume_token_hash == digest)
    if lock:
        # PostgreSQL: concurrent saves/submits of one response queue up here; SQLite serialises
        # writers already (BEGIN IMMEDIATE), where FOR UPDATE is a no-op. A submit that waited
        # here finds no row (the winner cleared the hash) and then the winner's marker below.
        query = query.with_for_update()
    response = session.scalars(query).one_or_none()
    if response is not None:
        return response
    submitted = session.get(SubmittedToken, digest)
    if submitted is not None:
        return submitted
    raise ResponseNotFoundError(
        "this resume link is not valid (mistyped or incomplete); open the survey link again "
        "to start a new response"
    )


def _check_elapsed(name: str, seconds: float | None) -> None:
    if seconds is not None and (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not isfinite(seconds)
        or seconds < 0
    ):
        raise AnswerError(
            f"{name} must be a number >= 0; got {seconds!r}",
            [InvalidDuration(name, expected="a number of seconds >= 0", found=seconds)],
        )


def _add_elapsed(response: Response, seconds: float | None) -> None:
    """Add the seconds the survey spent on the draft since its last save to its duration."""
    if seconds is not None:
        response.duration_seconds = (response.duration_seconds or 0.0) + float(seconds)


def _apply_profile(
    session: Session,
    campaign: Campaign,
    questionnaire: Questionnaire,
    response: Response,
    *,
    unit: str | None,
    role: str | None,
    language: str | None,
) -> None:
    if unit is not None:
        response.unit_id = _unit_id(session, campaign, unit)
    if role is not None:
        _check_role(questionnaire, role)
        response.role = role
    if language is not None:
        _check_language(campaign, language)
        response.language = language


def _rowcount(session: Session, statement: Update) -> int:
    """Rows an UPDATE changed (how the atomic claims below know whether they won)."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount)


# -- the service ----------------------------------------------------------------------------------


def start_response(
    db: Store,
    code: str,
    *,
    questionnaire: str,
    invitation: str | None = None,
    unit: str | None = None,
    role: str | None = None,
    language: str | None = None,
) -> StartedResponse:
    """Start a draft response to the campaign ``code``.

    Parameters
    ----------
    questionnaire : the ``id@version`` the survey page shows (refused if not the campaign's)
    invitation : the invitation token (required by invitation-only campaigns; used up here)
    unit, role, language : may be given now or with `save_answers`

    Raises
    ------
    UnknownCampaignError, CampaignClosedError, WrongQuestionnaireError, InvitationError, AnswerError
    """
    resume_token = secrets.token_urlsafe(24)
    with db.write() as session:
        campaign = campaign_row(session, code)
        ensure_open(campaign)
        _check_version(campaign, questionnaire)
        q = questionnaire_of(campaign)
        today = day_of(utcnow())
        response = Response(
            public_id=secrets.token_hex(16),
            campaign_id=campaign.id,
            questionnaire_version=campaign.questionnaire_version,
            status="draft",
            source="survey",
            started_at=today,
            updated_at=today,
            resume_token_hash=hash_token(resume_token),
            language=None,
        )
        _apply_profile(session, campaign, q, response, unit=unit, role=role, language=language)
        if invitation is not None or campaign.mode == "invitation":
            _use_invitation(session, campaign, invitation, today)
        session.add(response)
        session.flush()
        return StartedResponse(response.public_id, resume_token, campaign.code, q.key)


def _use_invitation(
    session: Session, campaign: Campaign, token: str | None, today: datetime
) -> None:
    """Mark the invitation used (on ``today`` only); it keeps no reference to the response."""
    if not token:
        raise InvitationError(
            f"campaign {campaign.code} is by invitation only; open the personal link you received"
        )
    digest = hash_token(token.strip())
    claimed = _rowcount(
        session,
        update(Invitation)
        .where(
            Invitation.token_hash == digest,
            Invitation.campaign_id == campaign.id,
            Invitation.used_at.is_(None),
        )
        .values(used_at=today),
    )
    if claimed == 1:
        return
    exists = session.scalar(
        select(func.count()).where(
            Invitation.token_hash == digest, Invitation.campaign_id == campaign.id
        )
    )
    if exists:
        raise InvitationError(
            "this invitation link has already been used; each link starts one response. "
            "If you started earlier, continue with your resume link"
        )
    raise InvitationError(
        f"this invitation link is not valid for campaign {campaign.code} (mistyped or incomplete)"
    )


def save_answers(
    db: Store,
    token: str,
    answers: Mapping[str, AnswerValue],
    *,
    questionnaire: str,
    unit: str | None = None,
    role: str | None = None,
    language: str | None = None,
    elapsed_seconds: float | None = None,
) -> Draft:
    """Save (part of) the answers of a draft; ``None`` or ``""`` clears an answer (skipped).

    Parameters
    ----------
    elapsed_seconds : seconds the survey spent on this draft since its previous save (or since it
        started or resumed); added to the draft's duration. None: not measured.

    Raises
    ------
    ResponseNotFoundError, AlreadyReceivedError, CampaignClosedError, WrongQuestionnaireError,
    AnswerError (every bad answer listed)
    """
    with db.write() as session:
        response = _response_by_token(session, token, lock=True)
        if isinstance(response, SubmittedToken) or response.status == "submitted":
            raise AlreadyReceivedError(
                "these answers were already submitted and can no longer change"
            )
        campaign = session.get_one(Campaign, response.campaign_id)
        ensure_open(campaign)
        _check_version(campaign, questionnaire)
        _check_elapsed("elapsed_seconds", elapsed_seconds)
        q = questionnaire_of(campaign)
        checked = check_answers(q, answers)
        _apply_profile(session, campaign, q, response, unit=unit, role=role, language=language)
        _store_answers(session, response.id, checked)
        _add_elapsed(response, elapsed_seconds)
        response.updated_at = day_of(utcnow())
        session.flush()
        return _draft(session, campaign, response)


def _store_many_answers(
    session: Session, answers: Mapping[int, Mapping[str, tuple[int | None, str | None]]]
) -> None:
    """`_store_answers` for many drafts at once: the clears one by one (rare), the answers in
    one upsert of many rows."""
    rows: list[dict[str, Any]] = []
    for response_id, by_item in answers.items():
        cleared = {i: a for i, a in by_item.items() if a == (None, None)}
        if cleared:
            _store_answers(session, response_id, cleared)
        rows += [
            {"response_id": response_id, "item_id": item, "value": value, "special": special}
            for item, (value, special) in by_item.items()
            if (value, special) != (None, None)
        ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Answer)
    statement = statement.on_conflict_do_update(
        index_elements=[Answer.response_id, Answer.item_id],
        set_={"value": statement.excluded.value, "special": statement.excluded.special},
    )
    session.execute(statement, rows)


@dataclass(frozen=True)
class GivenAnswer:
    """One answer as a respondent gave it: to be saved to the draft behind ``token``."""

    token: str
    item: str
    value: AnswerValue
    questionnaire: str


def save_given_answers(db: Store, given: Sequence[GivenAnswer]) -> tuple[GivenAnswer, ...]:
    """Save many answers, of many drafts, in one write transaction; the ones refused.

    The survey's write per answer, batched by its write-behind (`assessment.survey.answer_writer`):
    one transaction, one look-up per draft and one upsert (or delete) per answer, with the checks
    of `save_answers`; but an answer that cannot be saved (its draft unknown or already
    sent, its campaign closed, the questionnaire changed, a value off the scale) is returned rather
    than raised, so the others are still saved; the page change that follows saves the page with
    `save_answers`, whose errors the respondent sees. When a draft's statement is given twice in
    ``given``, the later answer wins. A database error (`DatabaseUnavailableError`) saves none.
    """
    latest: dict[tuple[str, str], GivenAnswer] = {}
    for answer in given:
        latest.pop((answer.token, answer.item), None)
        latest[(answer.token, answer.item)] = answer
    digests = {answer.token: hash_token(answer.token.strip()) for answer in latest.values()}
    refused: list[GivenAnswer] = []
    with db.write() as session:
        # One look-up for every draft of the batch (locked, as `save_answers` locks its draft).
        found = session.execute(
            select(Response.resume_token_hash, Response.id, Response.status, Campaign)
            .join(Campaign, Campaign.id == Response.campaign_id)
            .where(Response.resume_token_hash.in_(set(digests.values())))
            .with_for_update(of=Response)
        ).all()
        drafts = {
            digest: (response_id, campaign)
            for digest, response_id, status, campaign in found
            if status != "submitted"
        }
        allowed: dict[tuple[int, str], Questionnaire | None] = {}
        checked: dict[int, dict[str, tuple[int | None, str | None]]] = {}
        for answer in latest.values():
            draft = drafts.get(digests[answer.token])
            if draft is None:
                refused.append(answer)
                continue
            response_id, campaign = draft
            if (campaign.id, answer.questionnaire) not in allowed:
                try:
                    ensure_open(campaign)
                    _check_version(campaign, answer.questionnaire)
                    allowed[(campaign.id, answer.questionnaire)] = questionnaire_of(campaign)
                except AssessmentError:
                    allowed[(campaign.id, answer.questionnaire)] = None
            questionnaire = allowed[(campaign.id, answer.questionnaire)]
            if questionnaire is None:
                refused.append(answer)
                continue
            try:
                checked.setdefault(response_id, {}).update(
                    check_answers(questionnaire, {answer.item: answer.value})
                )
            except AssessmentError:
                refused.append(answer)
        _store_many_answers(session, checked)
    return tuple(refused)


def resume_response(db: Store, token: str) -> Draft:
    """The draft behind a resume token, with its answers (none once submitted)."""
    with db.read() as session:
        response = _response_by_token(session, token)
        campaign = session.get_one(Campaign, response.campaign_id)
        if isinstance(response, SubmittedToken):
            return Draft(
                response_id=None,
                campaign_code=campaign.code,
                questionnaire=campaign.questionnaire_key,
                status="submitted",
                unit=None,
                role=None,
                language=None,
                started_at=None,
                submitted_at=response.submitted_at,
                campaign_open=campaign.status == "open",
            )
        return _draft(session, campaign, response)


def _draft(session: Session, campaign: Campaign, response: Response) -> Draft:
    answers: dict[str, int | str] = {}
    if response.status == "draft":
        for item, value, special in session.execute(
            select(Answer.item_id, Answer.value, Answer.special).where(
                Answer.response_id == response.id
            )
        ):
            answers[item] = special if special is not None else int(value or 0)
    unit = (
        session.scalar(select(Unit.name).where(Unit.id == response.unit_id))
        if response.unit_id is not None
        else None
    )
    return Draft(
        response_id=response.public_id,
        campaign_code=campaign.code,
        questionnaire=f"{campaign.questionnaire_id}@{response.questionnaire_version}",
        status=response.status,
        unit=unit,
        role=response.role,
        language=response.language,
        started_at=response.started_at,
        submitted_at=response.submitted_at,
        campaign_open=campaign.status == "open",
        answers=answers,
    )


def submit_response(
    db: Store,
    token: str,
    *,
    questionnaire: str,
    answers: Mapping[str, AnswerValue] | None = None,
    unit: str | None = None,
    role: str | None = None,
    language: str | None = None,
    duration_seconds: int | None = None,
    elapsed_seconds: float | None = None,
) -> SubmitResult:
    """Submit a draft, exactly once; optionally save last answers first, in the same transaction.

    A response submitted before is left untouched and reported as ``already_received`` (also when
    the campaign has closed since). A draft needs a unit (when the campaign has a unit list), a role
    (when the campaign requires the role question) and at least one answer. The submitted response
    keeps no token: its hash moves to `SubmittedToken`, in the same transaction as the status change.

    Parameters
    ----------
    duration_seconds : total time spent answering, as the survey measured it
    elapsed_seconds : seconds since the survey's last save, added to the time its saves reported;
        the duration is that sum (None when nothing was measured) unless ``duration_seconds`` is given
    """
    with db.write() as session:
        response = _response_by_token(session, token, lock=True)
        if isinstance(response, SubmittedToken):
            return SubmitResult(None, response.submitted_at, already_received=True)
        if response.status == "submitted":  # only rows written before the token moved out
            received = response.submitted_at or response.updated_at
            return SubmitResult(response.public_id, received, already_received=True)
        campaign = session.get_one(Campaign, response.campaign_id)
        ensure_open(campaign)
        _check_version(campaign, questionnaire)
        q = questionnaire_of(campaign)
        checked = check_answers(q, answers or {})
        _apply_profile(session, campaign, q, response, unit=unit, role=role, language=language)
        _store_answers(session, response.id, checked)
        has_units = session.scalar(select(func.count()).where(Unit.campaign_id == campaign.id))
        problems: list[Problem] = []
        if has_units and response.unit_id is None:
            problems.append(MissingUnit("unit"))
        if campaign.require_role and response.role is None:
            problems.append(
                MissingRole(
                    "role",
                    note=f"campaign {campaign.code} requires the role question: choose one of "
                    f"{', '.join(role_options(q))} before submitting "
                    f"({OTHER_ROLE_OPTION!r} when none fits)",
                )
            )
        answered = session.scalar(select(func.count()).where(Answer.response_id == response.id))
        if not answered:
            problems.append(NoAnswers("answers"))
        if problems:
            raise AnswerError("the response cannot be submitted yet", problems)
        today = day_of(utcnow())
        if duration_seconds is not None and (
            isinstance(duration_seconds, bool)
            or not isinstance(duration_seconds, int)
            or duration_seconds < 0
        ):
            raise AnswerError(
                f"duration_seconds must be a whole number >= 0; got {duration_seconds!r}",
                [
                    InvalidDuration(
                        "duration_seconds",
                        expected="a whole number of seconds >= 0",
                        found=duration_seconds,
                    )
                ],
            )
        _check_elapsed("elapsed_seconds", elapsed_seconds)
        _add_elapsed(response, elapsed_seconds)
        duration = (
            float(duration_seconds)
            if duration_seconds is not None
            else (None if response.duration_seconds is None else round(response.duration_seconds))
        )
        token_hash = response.resume_token_hash
        public_id = response.public_id
        # The status condition makes the claim atomic even without the row lock.
        claimed = _rowcount(
            session,
            update(Response)
            .where(Response.id == response.id, Response.status == "draft")
            .values(
                status="submitted",
                submitted_at=today,
                updated_at=today,
                duration_seconds=duration,
                resume_token_hash=None,
            )
            .execution_options(synchronize_session=False),
        )
        session.expire(response)
        if claimed != 1:
            return SubmitResult(None, today, already_received=True)
        if token_hash is not None:
            session.add(
                SubmittedToken(token_hash=token_hash, campaign_id=campaign.id, submitted_at=today)
            )
        return SubmitResult(public_id, today, already_received=False)
