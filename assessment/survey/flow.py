"""The survey as a sequence of pages, without Streamlit: the link's parameters, the pages and progress,
which statements are unanswered, where a resumed survey continues; its texts are the ``survey``
section of the catalogues in `assessment.i18n`.

The survey page (`assessment/ui/pages/survey.py`) only draws what these functions decide.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from assessment import i18n
from assessment.campaigns.management import OTHER_ROLE_OPTION, CampaignInfo
from assessment.errors import (
    AlreadyReceivedError,
    AssessmentError,
    CampaignClosedError,
    CampaignSettingsError,
    InvitationError,
    ResponseNotFoundError,
    UnknownCampaignError,
    WrongQuestionnaireError,
)
from assessment.i18n.markdown import plain_markdown as plain_markdown
from assessment.questionnaire import Questionnaire
from assessment.questionnaire.model import Demographic
from assessment.questionnaire.registry import Registry

#: Seconds a respondent needs per statement on average (used for "about N minutes").
SECONDS_PER_STATEMENT = 15
#: A survey code or token in a link: letters, digits, '-' and '_' (what wmm generates), bounded.
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_TRUE = {"1", "true", "yes", "on"}

PageKind = Literal["welcome", "profile", "statements", "review"]
#: A question of the profile page that must be answered before the survey goes on.
ProfileField = Literal["unit", "role"]
Answer = int | str
ErrorKind = Literal[
    "unknown-campaign",
    "bad-link",
    "closed",
    "not-yet-open",
    "invitation-required",
    "invitation-used",
    "questionnaire-changed",
    "resume-invalid",
]

# -- texts ------------------------------------------------------------------------------------------


def ui_language(language: str | None) -> str:
    """The language of the survey's own texts: ``language`` when it has a catalogue, else English."""
    return i18n.supported(language)


def tr(key: str, language: str | None, **values: object) -> str:
    """The survey text ``key`` (the ``survey`` section of `assessment.i18n`) in ``language``
    (English when there is no catalogue for it), with ``values`` filled in.

    Raises
    ------
    KeyError
        If the catalogue has no ``survey.<key>`` (a typo in the page).
    """
    return i18n.text(f"survey.{key}", ui_language(language), **values)


def language_name(code: str) -> str:
    """How the language ``code`` calls itself ("Deutsch"); the code for a language without catalogue."""
    return i18n.language_names().get(code, code)


def pick_language(offered: Sequence[str], *, chosen: str | None, locale: str | None) -> str:
    """The language to show: the respondent's choice, else the browser's, else the first offered.

    Raises
    ------
    ValueError
        If ``offered`` is empty.
    """
    if not offered:
        raise ValueError("a campaign offers at least one language; got none")
    if chosen in offered:
        return str(chosen)
    if locale:
        base = locale.replace("_", "-").split("-")[0].lower()
        for code in offered:
            if code == locale or code.split("-")[0] == base:
                return code
    return offered[0]


# -- the link ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyLink:
    """What the survey link carries: ``?c=CODE`` and optionally ``t`` (invitation), ``r`` (resume
    token) and ``kiosk=1``. ``malformed`` names the parameters with characters no wmm link has."""

    code: str | None = None
    invitation: str | None = None
    resume: str | None = None
    kiosk: bool = False
    malformed: tuple[str, ...] = ()


def _first(value: str | Sequence[str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value[0]).strip() if value else ""


def parse_link(params: Mapping[str, str | Sequence[str]]) -> SurveyLink:
    """Read the survey parameters from a page's query parameters (bad ones are dropped and named)."""
    found: dict[str, str | None] = {}
    malformed: list[str] = []
    for name, pattern in (("c", _CODE), ("t", _TOKEN), ("r", _TOKEN)):
        value = _first(params.get(name))
        if value and not pattern.match(value):
            malformed.append(name)
            value = ""
        found[name] = value or None
    return SurveyLink(
        code=found["c"],
        invitation=found["t"],
        resume=found["r"],
        kiosk=_first(params.get("kiosk")).lower() in _TRUE,
        malformed=tuple(malformed),
    )


def link_error(link: SurveyLink) -> ErrorKind | None:
    """The error page for a link with a cut-off or altered parameter, if any."""
    if "c" in link.malformed:
        return "bad-link"
    if "r" in link.malformed:
        return "resume-invalid"
    if "t" in link.malformed:
        return "invitation-used"
    return None


def link_params(
    code: str, *, invitation: str | None = None, resume: str | None = None, kiosk: bool = False
) -> dict[str, str]:
    """The query parameters the survey page should show for its current state.

    Once a response is started the invitation has been used: the link carries the resume token
    instead, so a reload continues the same response. A kiosk never shows a resume token.
    """
    params = {"c": code}
    if resume and not kiosk:
        params["r"] = resume
    elif invitation and not resume:
        params["t"] = invitation
    if kiosk:
        params["kiosk"] = "1"
    return params


def resume_url(base: str, code: str, token: str) -> str:
    """The link that brings a half-finished survey back (``/?c=CODE&r=TOKEN``)."""
    return f"{base.rstrip('/')}/?c={code}&r={token}"


# -- pages ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyPage:
    """One page of the survey: its id (a component id, ``outcomes``, or the kind), kind and items."""

    id: str
    kind: PageKind
    items: tuple[str, ...] = ()


def survey_pages(questionnaire: Questionnaire) -> tuple[SurveyPage, ...]:
    """Welcome, about you, one page per component (questionnaire order), the outcomes, review."""
    pages = [SurveyPage("welcome", "welcome"), SurveyPage("profile", "profile")]
    for component in questionnaire.components:
        items = tuple(i.id for i in questionnaire.items_of_component(component.id))
        if items:
            pages.append(SurveyPage(component.id, "statements", items))
    if questionnaire.outcomes:
        pages.append(
            SurveyPage("outcomes", "statements", tuple(o.id for o in questionnaire.outcomes))
        )
    pages.append(SurveyPage("review", "review"))
    return tuple(pages)


def statement_ids(pages: Sequence[SurveyPage]) -> list[str]:
    """Every statement of the survey, in the order it is asked."""
    return [item for page in pages for item in page.items]


@dataclass(frozen=True)
class Progress:
    """Where a respondent is: statement page ``part`` of ``parts`` and statements answered."""

    part: int
    parts: int
    answered: int
    total: int

    @property
    def fraction(self) -> float:
        """Share of the statement pages reached, 0..1 (the review page is 1)."""
        return self.part / self.parts if self.parts else 1.0


def progress(pages: Sequence[SurveyPage], index: int, answers: Mapping[str, Answer]) -> Progress:
    """The progress shown on page ``index``.

    Raises
    ------
    IndexError
        If ``index`` is not a page of ``pages``.
    """
    if not 0 <= index < len(pages):
        raise IndexError(f"page {index} does not exist; the survey has pages 0..{len(pages) - 1}")
    statement_pages = [i for i, p in enumerate(pages) if p.kind == "statements"]
    if pages[index].kind == "statements":
        part = statement_pages.index(index) + 1
    else:
        part = sum(1 for i in statement_pages if i < index)
    items = statement_ids(pages)
    answered = sum(1 for item in items if answers.get(item) is not None)
    return Progress(part, len(statement_pages), answered, len(items))


def unanswered(pages: Sequence[SurveyPage], answers: Mapping[str, Answer]) -> dict[str, list[str]]:
    """Page id -> its unanswered statements, for the pages that have any (in survey order)."""
    missing: dict[str, list[str]] = {}
    for page in pages:
        open_items = [item for item in page.items if answers.get(item) is None]
        if open_items:
            missing[page.id] = open_items
    return missing


def resume_index(pages: Sequence[SurveyPage], answers: Mapping[str, Answer]) -> int:
    """Where a resumed survey continues: the first statement page after the last one with answers
    (the review when every page has answers), so a respondent picks up where they stopped."""
    last_touched = max(
        (
            i
            for i, p in enumerate(pages)
            if p.kind == "statements" and any(answers.get(item) is not None for item in p.items)
        ),
        default=None,
    )
    if last_touched is None:
        return next(i for i, p in enumerate(pages) if p.kind == "statements")
    page = pages[last_touched]
    if any(answers.get(item) is None for item in page.items):
        return last_touched
    return last_touched + 1


def page_index(pages: Sequence[SurveyPage], page_id: str) -> int:
    """The position of the page ``page_id``.

    Raises
    ------
    KeyError
        If the survey has no such page.
    """
    for i, page in enumerate(pages):
        if page.id == page_id:
            return i
    raise KeyError(f"the survey has no page {page_id!r}; pages: {[p.id for p in pages]}")


def page_title(questionnaire: Questionnaire, page: SurveyPage, language: str) -> str:
    """The heading of a page in ``language``."""
    if page.kind == "statements":
        if page.id == "outcomes":
            return tr("outcomes_title", language)
        component = next(c for c in questionnaire.components if c.id == page.id)
        return questionnaire.text(component.name, language)
    if page.kind == "profile":
        return tr("profile_title", language)
    if page.kind == "review":
        return tr("review_title", language)
    return questionnaire.text(questionnaire.title, language)


def page_intro(questionnaire: Questionnaire, page: SurveyPage, language: str) -> str:
    """The line under a statement page's heading (the component's description)."""
    if page.id == "outcomes":
        return tr("outcomes_intro", language)
    component = next((c for c in questionnaire.components if c.id == page.id), None)
    return questionnaire.text(component.description, language) if component else ""


# -- statements and answers -------------------------------------------------------------------------


def statement_text(questionnaire: Questionnaire, item_id: str, language: str) -> str:
    """The wording of an item or outcome statement in ``language``.

    Raises
    ------
    KeyError
        If the questionnaire has no statement ``item_id``.
    """
    for item in questionnaire.items:
        if item.id == item_id:
            return questionnaire.text(item.text, language)
    for outcome in questionnaire.outcomes:
        if outcome.id == item_id:
            return questionnaire.text(outcome.text, language)
    raise KeyError(f"{questionnaire.key} has no statement {item_id!r}")


def answer_options(questionnaire: Questionnaire) -> list[Answer]:
    """The choices for a statement: the scale values, low to high, then DK and NA if offered."""
    values: list[Answer] = sorted(questionnaire.scale.values)
    return values + [s.code for s in questionnaire.scale.special]


def answer_label(questionnaire: Questionnaire, option: Answer, language: str) -> str:
    """How a choice reads in ``language`` (a scale label, or Don't know / Not applicable).

    Raises
    ------
    KeyError
        If ``option`` is not a choice of the questionnaire.
    """
    for scale_option in questionnaire.scale.options:
        if scale_option.value == option:
            return questionnaire.text(scale_option.label, language)
    for special in questionnaire.scale.special:
        if special.code == option:
            return questionnaire.text(special.label, language)
    raise KeyError(f"{option!r} is not an answer of {questionnaire.key}")


def dont_know_label(questionnaire: Questionnaire, language: str) -> str:
    return next(
        (
            questionnaire.text(s.label, language)
            for s in questionnaire.scale.special
            if s.code == "DK"
        ),
        "",
    )


def role_question(questionnaire: Questionnaire) -> Demographic | None:
    """The questionnaire's role question, if it asks one."""
    return next((d for d in questionnaire.demographics if d.id == "role"), None)


def role_required(campaign: CampaignInfo, questionnaire: Questionnaire) -> bool:
    """Whether the respondent must choose a role: the campaign requires it and the questionnaire
    asks it (a campaign can only require it when the question offers ``other``)."""
    return campaign.require_role and role_question(questionnaire) is not None


def role_label(campaign: CampaignInfo, questionnaire: Questionnaire, language: str) -> str:
    """The role question as the profile page asks it, marked (required) or (optional); plain text.

    Raises
    ------
    ValueError
        If the questionnaire asks no role question.
    """
    question = role_question(questionnaire)
    if question is None:
        raise ValueError(f"{questionnaire.key} asks no role question")
    mark = "required" if role_required(campaign, questionnaire) else "optional"
    return f"{questionnaire.text(question.question, language)} {tr(mark, language)}"


def role_missing_text(questionnaire: Questionnaire, language: str) -> str:
    """The message next to a required role question left unanswered, naming its "Other" option."""
    question = role_question(questionnaire)
    options = question.options if question is not None else []
    # A required role question always offers `OTHER_ROLE_OPTION` (campaigns.check_require_role);
    # the last option, conventionally the catch-all, only stands in for questionnaires without it.
    other = next(
        (o for o in options if o.id == OTHER_ROLE_OPTION), options[-1] if options else None
    )
    label = questionnaire.text(other.label, language) if other is not None else ""
    return tr("role_missing", language, other=label)


def missing_profile(
    campaign: CampaignInfo, questionnaire: Questionnaire, *, unit: str | None, role: str | None
) -> tuple[ProfileField, ...]:
    """What the profile page still needs before the survey goes on, in page order: the unit (when
    the campaign has a unit list) and the role (when the campaign requires it)."""
    missing: list[ProfileField] = []
    if campaign.units and not unit:
        missing.append("unit")
    if role_required(campaign, questionnaire) and not role:
        missing.append("role")
    return tuple(missing)


def profile_fields_of(problem_types: set[str]) -> tuple[ProfileField, ...]:
    """The profile questions a refused submit names (its problems' types ``missing-unit`` and
    ``missing-role``), in page order: the survey goes back to the profile page to ask them."""
    fields: tuple[ProfileField, ...] = ("unit", "role")
    return tuple(f for f in fields if f"missing-{f}" in problem_types)


def estimated_minutes(questionnaire: Questionnaire) -> int:
    """About how long the survey takes, in whole minutes (at least 1).

    Notes
    -----
    minutes = ceil(statements × `SECONDS_PER_STATEMENT` / 60); above 10 minutes rounded to the
    nearest multiple of 5, so the welcome page says "about 10", not "about 11".
    """
    count = len(questionnaire.items) + len(questionnaire.outcomes)
    minutes = max(1, math.ceil(count * SECONDS_PER_STATEMENT / 60))
    return 5 * round(minutes / 5) if minutes > 10 else minutes


def who_runs_it(campaign: CampaignInfo) -> str:
    """The organisation and the campaign's name, as the welcome page names who runs the survey."""
    return f"{campaign.organisation} · {campaign.name}" if campaign.organisation else campaign.name


def organiser(campaign: CampaignInfo, language: str) -> str:
    """Who the thank-you and error pages refer to: the organisation, else a neutral phrase."""
    return campaign.organisation or tr("the_organisers", language)


# -- the campaign's state ---------------------------------------------------------------------------


def campaign_questionnaire(campaign: CampaignInfo, registry: Registry) -> Questionnaire:
    """The questionnaire a campaign asks, refused when its file changed since the campaign began.

    Raises
    ------
    CampaignSettingsError
        If the file's sha256 differs from the one recorded with the campaign (shown to the
        respondent as "this survey has changed").
    """
    questionnaire = registry.get(campaign.questionnaire)
    digest = registry.sha256(campaign.questionnaire)
    if digest != campaign.questionnaire_sha256:
        raise CampaignSettingsError(
            f"campaign {campaign.code} was created on {campaign.questionnaire} with sha256 "
            f"{campaign.questionnaire_sha256}, but that file now has sha256 {digest}"
        )
    return questionnaire


def closed_kind(campaign: CampaignInfo, now: datetime | None = None) -> ErrorKind | None:
    """``closed`` or ``not-yet-open`` when the campaign takes no answers now, else None."""
    if campaign.accepts_answers(now):
        return None
    if campaign.status == "open" and campaign.opens_at is not None:
        moment = now or datetime.now(campaign.opens_at.tzinfo)
        if moment < campaign.opens_at:
            return "not-yet-open"
    return "closed"


def error_kind(error: AssessmentError) -> ErrorKind | None:
    """The respondent's error page for a library error (None: not one the survey explains)."""
    if isinstance(error, UnknownCampaignError):
        return "unknown-campaign"
    if isinstance(error, CampaignClosedError):
        return "closed"
    if isinstance(error, InvitationError):
        return "invitation-used"
    if isinstance(error, WrongQuestionnaireError | CampaignSettingsError):
        return "questionnaire-changed"
    if isinstance(error, ResponseNotFoundError):
        return "resume-invalid"
    return None


def is_already_received(error: AssessmentError) -> bool:
    """Whether the error says the response was submitted before (show the thank-you page)."""
    return isinstance(error, AlreadyReceivedError)
