"""The survey's logic without Streamlit: link parameters, pages, progress, unanswered statements, where a
resumed survey continues, campaign states and errors, the profile's required questions (unit, a
required role), and its texts from the catalogues."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment import i18n
from assessment.campaigns.management import CampaignInfo, UnitSpec
from assessment.errors import (
    AlreadyReceivedError,
    AssessmentError,
    CampaignClosedError,
    CampaignSettingsError,
    DataError,
    InvitationError,
    ResponseNotFoundError,
    UnknownCampaignError,
    WrongQuestionnaireError,
)
from assessment.questionnaire import Questionnaire, default_registry
from assessment.survey.flow import (
    ErrorKind,
    SurveyLink,
    answer_label,
    answer_options,
    campaign_questionnaire,
    closed_kind,
    error_kind,
    estimated_minutes,
    is_already_received,
    link_error,
    link_params,
    missing_profile,
    organiser,
    page_index,
    page_title,
    parse_link,
    pick_language,
    plain_markdown,
    profile_fields_of,
    progress,
    resume_index,
    resume_url,
    role_label,
    role_missing_text,
    role_required,
    statement_text,
    survey_pages,
    tr,
    unanswered,
    who_runs_it,
)

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return default_registry().get("work-management@1.0.0")


@pytest.fixture(scope="module")
def q11() -> Questionnaire:
    return default_registry().get("work-management@1.1.0")


def _campaign(**changes: Any) -> CampaignInfo:
    registry = default_registry()
    base = CampaignInfo(
        code="abc234xyz9",
        name="Spring survey",
        organisation="Example Ltd",
        sector=None,
        size_band=None,
        questionnaire="work-management@1.0.0",
        questionnaire_sha256=registry.sha256("work-management@1.0.0"),
        status="open",
        mode="open",
        min_group_size=5,
        languages=("en", "de"),
        opens_at=None,
        closes_at=None,
        closed_at=None,
        created_at=NOW - timedelta(days=10),
        updated_at=NOW - timedelta(days=10),
    )
    return replace(base, **changes)


# -- link -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({}, SurveyLink(), id="nothing"),
        pytest.param({"c": "abc234xyz9"}, SurveyLink(code="abc234xyz9"), id="code"),
        pytest.param({"c": " abc234xyz9 "}, SurveyLink(code="abc234xyz9"), id="spaces-trimmed"),
        pytest.param(
            {"c": "abc", "t": "Tok_en-1", "kiosk": "1"},
            SurveyLink(code="abc", invitation="Tok_en-1", kiosk=True),
            id="invitation-and-kiosk",
        ),
        pytest.param({"c": "abc", "r": "R-1"}, SurveyLink(code="abc", resume="R-1"), id="resume"),
        pytest.param({"c": ["abc", "def"]}, SurveyLink(code="abc"), id="repeated-takes-first"),
        pytest.param(
            {"c": "abc", "kiosk": "true"}, SurveyLink(code="abc", kiosk=True), id="kiosk-true"
        ),
        pytest.param({"c": "abc", "kiosk": "0"}, SurveyLink(code="abc"), id="kiosk-0"),
        pytest.param({"c": "ab<c>"}, SurveyLink(malformed=("c",)), id="bad-code"),
        pytest.param(
            {"c": "abc", "t": "x y"}, SurveyLink(code="abc", malformed=("t",)), id="bad-invitation"
        ),
        pytest.param(
            {"c": "abc", "r": "a" * 129}, SurveyLink(code="abc", malformed=("r",)), id="long-token"
        ),
    ],
)
def test_parse_link(params: dict[str, Any], expected: SurveyLink) -> None:
    assert parse_link(params) == expected


@pytest.mark.parametrize(
    ("malformed", "kind"),
    [
        pytest.param((), None, id="fine"),
        pytest.param(("c",), "bad-link", id="code"),
        pytest.param(("r",), "resume-invalid", id="resume"),
        pytest.param(("t",), "invitation-used", id="invitation"),
        pytest.param(("t", "c"), "bad-link", id="code-first"),
    ],
)
def test_link_error(malformed: tuple[str, ...], kind: str | None) -> None:
    assert link_error(SurveyLink(malformed=malformed)) == kind


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, {"c": "abc"}, id="open-link"),
        pytest.param({"invitation": "T"}, {"c": "abc", "t": "T"}, id="invitation-not-yet-used"),
        pytest.param({"invitation": "T", "resume": "R"}, {"c": "abc", "r": "R"}, id="started"),
        pytest.param({"resume": "R", "kiosk": True}, {"c": "abc", "kiosk": "1"}, id="kiosk-hides"),
    ],
)
def test_link_params(kwargs: dict[str, Any], expected: dict[str, str]) -> None:
    assert link_params("abc", **kwargs) == expected


def test_resume_url() -> None:
    assert resume_url("https://x.org/", "abc", "R") == "https://x.org/?c=abc&r=R"


# -- pages and progress ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["work-management@1.0.0", "work-management@1.1.0"])
def test_survey_pages_ask_every_statement_once_a_component_at_a_time(key: str) -> None:
    questionnaire = default_registry().get(key)
    pages = survey_pages(questionnaire)
    assert [p.id for p in pages] == [
        "welcome",
        "profile",
        *(c.id for c in questionnaire.components),
        "outcomes",
        "review",
    ]
    asked = [item for p in pages for item in p.items]
    expected = [i.id for i in questionnaire.items] + [o.id for o in questionnaire.outcomes]
    assert sorted(asked) == sorted(expected) and len(asked) == len(set(asked))
    for page in pages[2:-2]:
        assert {questionnaire.item(i).component for i in page.items} == {page.id}


def test_progress_counts_statement_pages_and_answers(q: Questionnaire) -> None:
    pages = survey_pages(q)
    first, second = pages[2].items, pages[3].items
    answers: dict[str, int | str] = {first[0]: 4, first[1]: "DK", second[0]: "NA"}
    cases = {0: 0, 1: 0, 2: 1, 3: 2, 7: 6, 8: 6}
    for index, part in cases.items():
        where = progress(pages, index, answers)
        assert (where.part, where.parts, where.answered, where.total) == (part, 6, 3, 38)
    assert progress(pages, 8, {}).fraction == 1.0
    assert progress(pages, 2, {}).fraction == pytest.approx(1 / 6)
    with pytest.raises(IndexError, match=r"pages 0\.\.8"):
        progress(pages, 9, {})


def test_unanswered_lists_open_statements_by_page(q: Questionnaire) -> None:
    pages = survey_pages(q)
    all_answers = {i: 3 for p in pages for i in p.items}
    assert unanswered(pages, all_answers) == {}
    some = dict(all_answers)
    del some[pages[3].items[1]]
    some[pages[7].items[0]] = None  # type: ignore[assignment]  # a cleared answer
    assert unanswered(pages, some) == {
        pages[3].id: [pages[3].items[1]],
        "outcomes": [pages[7].items[0]],
    }
    assert list(unanswered(pages, {})) == [p.id for p in pages if p.items]


@pytest.mark.parametrize(
    ("answered_pages", "partial_page", "expected"),
    [
        pytest.param((), None, 2, id="nothing-yet"),
        pytest.param((), 2, 2, id="first-page-half"),
        pytest.param((2,), None, 3, id="first-page-done"),
        pytest.param((2, 3), 4, 4, id="third-page-half"),
        pytest.param((4,), None, 5, id="jumped-ahead"),
        pytest.param((2, 3, 4, 5, 6, 7), None, 8, id="all-done-review"),
    ],
)
def test_resume_index_continues_where_the_answers_stop(
    q: Questionnaire, answered_pages: tuple[int, ...], partial_page: int | None, expected: int
) -> None:
    pages = survey_pages(q)
    answers: dict[str, int | str] = {i: 4 for index in answered_pages for i in pages[index].items}
    if partial_page is not None:
        answers[pages[partial_page].items[0]] = 2
    assert resume_index(pages, answers) == expected


def test_page_index_and_titles(q: Questionnaire) -> None:
    pages = survey_pages(q)
    assert page_index(pages, "completion") == 4
    with pytest.raises(KeyError, match="no page 'nope'"):
        page_index(pages, "nope")
    titles = [page_title(q, p, "de") for p in pages]
    assert titles == [
        "Reifegradanalyse Arbeitsmanagement",
        "Zu Ihrer Person",
        "Klarheit",
        "Koordination",
        "Fertigstellung",
        "Zusammenarbeit",
        "Workflow-Architektur",
        "Ergebnisse der Arbeit Ihres Teams",
        "Prüfen und absenden",
    ]


# -- statements and answers -----------------------------------------------------------------------


def test_answer_options_are_the_scale_then_dont_know_and_not_applicable(q: Questionnaire) -> None:
    options = answer_options(q)
    assert options == [1, 2, 3, 4, 5, "DK", "NA"]
    assert [answer_label(q, o, "de") for o in options][-3:] == [
        "Stimme voll und ganz zu",
        "Weiß nicht",
        "Nicht anwendbar",
    ]
    with pytest.raises(KeyError):
        answer_label(q, 6, "en")


def test_statement_text_covers_items_and_outcomes(q: Questionnaire) -> None:
    assert statement_text(q, q.items[0].id, "en") == q.items[0].text["en"]
    assert statement_text(q, q.outcomes[0].id, "de") == q.outcomes[0].text["de"]
    with pytest.raises(KeyError, match="no statement 'XX'"):
        statement_text(q, "XX", "en")


@pytest.mark.parametrize(
    ("items", "outcomes", "minutes"),
    [
        pytest.param(3, 0, 1, id="three"),
        pytest.param(20, 0, 5, id="twenty"),
        pytest.param(35, 3, 10, id="38-statements"),
        pytest.param(35, 6, 10, id="41-rounds-to-10"),
        pytest.param(35, 17, 15, id="52-rounds-to-15"),
    ],
)
def test_estimated_minutes(q: Questionnaire, items: int, outcomes: int, minutes: int) -> None:
    many = [q.items[i % len(q.items)] for i in range(items)]
    more = [q.outcomes[i % len(q.outcomes)] for i in range(outcomes)]
    assert estimated_minutes(q.model_copy(update={"items": many, "outcomes": more})) == minutes


# -- texts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", i18n.languages())
def test_every_survey_text_is_written_out(language: str) -> None:
    survey = [key for key in i18n.keys(language) if key.startswith("survey.")]
    assert survey
    assert all(i18n.text(key, language).strip() for key in survey)


@pytest.mark.parametrize("kind", get_args(ErrorKind))
def test_every_error_page_has_a_title_and_a_body(kind: str) -> None:
    assert tr(f"{kind}_title", "en") and tr(f"{kind}_body", "en", code="x", who="y", date="z")


def test_tr_fills_in_values_and_falls_back_to_english() -> None:
    assert tr("part", "de", part=2, parts=6, name="X") == "Teil 2 von 6: X"
    assert tr("part", "fr", part=2, parts=6, name="X") == "Part 2 of 6: X"
    with pytest.raises(KeyError):
        tr("no-such-text", "en")


@pytest.mark.parametrize(
    ("offered", "chosen", "locale", "expected"),
    [
        pytest.param(("en", "de"), "de", "en-US", "de", id="choice-wins"),
        pytest.param(("en", "de"), None, "de-AT", "de", id="browser-language"),
        pytest.param(("en", "de"), None, "de_CH", "de", id="underscore-locale"),
        pytest.param(("en", "de"), "fr", "fr-FR", "en", id="not-offered-first"),
        pytest.param(("de", "en"), None, None, "de", id="no-locale-first"),
    ],
)
def test_pick_language(
    offered: tuple[str, ...], chosen: str | None, locale: str | None, expected: str
) -> None:
    assert pick_language(offered, chosen=chosen, locale=locale) == expected


def test_pick_language_needs_a_language() -> None:
    with pytest.raises(ValueError, match="at least one language"):
        pick_language((), chosen=None, locale=None)


def _unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


@given(st.text())
def test_plain_markdown_reads_back_as_the_same_text(text: str) -> None:
    assert _unescape(plain_markdown(text)) == text


@pytest.mark.parametrize(
    "text",
    ["<b>x</b>", "[a](http://e.org)", "*b*", "$x$", "`c`", ":red[x]", "# h", "a_b_c", "![i](x)"],
)
def test_plain_markdown_leaves_no_markup_unescaped(text: str) -> None:
    escaped = plain_markdown(text)
    assert not re.search(r"(?<!\\)[<>\[\]*$`:#_!()]", escaped)


# -- campaign state and errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        pytest.param({}, None, id="open"),
        pytest.param({"status": "closed"}, "closed", id="closed"),
        pytest.param({"opens_at": NOW + timedelta(days=1)}, "not-yet-open", id="not-yet-open"),
        pytest.param({"closes_at": NOW - timedelta(days=1)}, "closed", id="past-its-end"),
        pytest.param(
            {"status": "closed", "opens_at": NOW + timedelta(days=1)}, "closed", id="closed-first"
        ),
    ],
)
def test_closed_kind(changes: dict[str, Any], kind: str | None) -> None:
    assert closed_kind(_campaign(**changes), NOW) == kind


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        pytest.param(UnknownCampaignError("x"), "unknown-campaign", id="unknown"),
        pytest.param(CampaignClosedError("x"), "closed", id="closed"),
        pytest.param(InvitationError("x"), "invitation-used", id="invitation"),
        pytest.param(WrongQuestionnaireError("x"), "questionnaire-changed", id="version"),
        pytest.param(CampaignSettingsError("x"), "questionnaire-changed", id="file-changed"),
        pytest.param(ResponseNotFoundError("x"), "resume-invalid", id="resume"),
        pytest.param(DataError("x"), None, id="other"),
    ],
)
def test_error_kind(error: AssessmentError, kind: str | None) -> None:
    assert error_kind(error) == kind


def test_already_received_leads_to_thanks() -> None:
    assert is_already_received(AlreadyReceivedError("x"))
    assert not is_already_received(DataError("x"))


def test_campaign_questionnaire_refuses_a_changed_file(q: Questionnaire) -> None:
    registry = default_registry()
    assert campaign_questionnaire(_campaign(), registry) == q
    with pytest.raises(CampaignSettingsError, match="now has sha256"):
        campaign_questionnaire(_campaign(questionnaire_sha256="0" * 64), registry)


def test_who_runs_it_and_organiser() -> None:
    assert who_runs_it(_campaign()) == "Example Ltd · Spring survey"
    assert who_runs_it(_campaign(organisation=None)) == "Spring survey"
    assert organiser(_campaign(), "de") == "Example Ltd"
    assert organiser(_campaign(organisation=None), "de") == "das Befragungsteam"


# -- the profile: unit and a required role --------------------------------------------------------

UNITS = (UnitSpec("Operations"), UnitSpec("Sales"))


@pytest.mark.parametrize(
    ("changes", "unit", "role", "missing"),
    [
        pytest.param({}, None, None, (), id="no-units-role-optional"),
        pytest.param({"units": UNITS}, None, None, ("unit",), id="unit-list-needs-a-unit"),
        pytest.param({"units": UNITS}, "Sales", None, (), id="role-optional-may-be-skipped"),
        pytest.param({"require_role": True}, None, None, ("role",), id="required-role-missing"),
        pytest.param({"require_role": True}, None, "other", (), id="other-is-a-role"),
        pytest.param(
            {"units": UNITS, "require_role": True}, None, None, ("unit", "role"), id="both"
        ),
        pytest.param({"units": UNITS, "require_role": True}, "Sales", "staff", (), id="both-given"),
    ],
)
def test_missing_profile(
    q: Questionnaire,
    changes: dict[str, Any],
    unit: str | None,
    role: str | None,
    missing: tuple[str, ...],
) -> None:
    assert missing_profile(_campaign(**changes), q, unit=unit, role=role) == missing


def test_a_questionnaire_without_a_role_question_never_requires_one(q: Questionnaire) -> None:
    without = q.model_copy(update={"demographics": []})
    campaign = _campaign(require_role=True)
    assert role_required(campaign, q)
    assert not role_required(campaign, without)
    assert missing_profile(campaign, without, unit=None, role=None) == ()
    with pytest.raises(ValueError, match="asks no role question"):
        role_label(campaign, without, "en")


@pytest.mark.parametrize(
    ("require_role", "language", "label"),
    [
        (False, "en", "Which of these best describes your role? (optional)"),
        (False, "de", "Was beschreibt Ihre Rolle am besten? (freiwillig)"),
        (True, "en", "Which of these best describes your role? (required)"),
        (True, "de", "Was beschreibt Ihre Rolle am besten? (erforderlich)"),
    ],
)
def test_role_label_says_whether_the_role_is_required(
    q: Questionnaire, require_role: bool, language: str, label: str
) -> None:
    assert role_label(_campaign(require_role=require_role), q, language) == label


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "Please choose the role that fits you best to continue. If none fits, choose “Other”.",
        ),
        (
            "de",
            "Bitte wählen Sie die Rolle, die am besten zu Ihnen passt, um fortzufahren. Wenn "
            "keine passt, wählen Sie „Andere Rolle“.",
        ),
    ],
)
def test_role_missing_text_names_the_other_option_in_the_respondents_language(
    q: Questionnaire, language: str, text: str
) -> None:
    assert role_missing_text(q, language) == text


@pytest.mark.parametrize(
    ("types", "fields"),
    [
        ({"no-answers"}, ()),
        ({"missing-unit", "no-answers"}, ("unit",)),
        ({"missing-role"}, ("role",)),
        ({"missing-role", "missing-unit"}, ("unit", "role")),
    ],
)
def test_profile_fields_of_a_refused_submit(types: set[str], fields: tuple[str, ...]) -> None:
    assert profile_fields_of(types) == fields
