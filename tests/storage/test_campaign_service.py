"""Campaign service on both backends: creation and its checks, listing, lifecycle (close/reopen,
dates), units and targets, invitations stored hashed and used once, and the units file."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update
from storage.databases import QUESTIONNAIRE

from assessment.campaigns.management import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CampaignInfo,
    UnitSpec,
    check_units,
    close_campaign,
    create_campaign,
    create_invitations,
    get_campaign,
    hash_token,
    invitation_counts,
    invitation_links_csv,
    list_campaigns,
    read_units_csv,
    remove_unit,
    reopen_campaign,
    save_units,
    set_targets,
    survey_url,
    update_campaign,
)
from assessment.errors import (
    AssessmentError,
    CampaignClosedError,
    CampaignSettingsError,
    DataError,
    InvitationError,
    UnknownCampaignError,
    UnknownQuestionnaireError,
)
from assessment.storage import Database
from assessment.storage.models import Campaign, Invitation
from assessment.survey.responding import start_response, submit_response


def test_create_campaign_records_questionnaire_units_targets_and_defaults(
    db: Database, campaign: CampaignInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(campaign.code) == CODE_LENGTH
    assert set(campaign.code) <= set(CODE_ALPHABET)
    assert campaign.status == "open"
    assert campaign.mode == "open"
    assert campaign.questionnaire == QUESTIONNAIRE
    assert len(campaign.questionnaire_sha256) == 64
    assert campaign.min_group_size == 5  # the questionnaire's default
    assert campaign.languages == ("en", "de")
    assert {u.name: (u.parent, u.head_count) for u in campaign.units} == {
        "Operations": (None, 40),
        "Support": ("Operations", 12),
        "Sales": (None, None),
    }
    assert campaign.head_counts == {"Operations": 40, "Support": 12}
    assert dict(campaign.targets) == {"clarity": 3}
    assert get_campaign(db, campaign.code) == campaign
    monkeypatch.setenv("WMM_BASE_URL", "https://survey.example.org/")
    assert survey_url(campaign.code) == f"https://survey.example.org/?c={campaign.code}"
    assert campaign.survey_url == f"https://survey.example.org/?c={campaign.code}"


def test_codes_are_unguessable_and_distinct(db: Database) -> None:
    codes = {create_campaign(db, name=f"c{i}", questionnaire=QUESTIONNAIRE).code for i in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert not set(code) & set("01ilo")


def test_list_campaigns_counts_submitted_and_draft_responses(
    db: Database, campaign: CampaignInfo
) -> None:
    other = create_campaign(db, name="Other", questionnaire="work-management@1.1.0")
    tokens = [
        start_response(db, campaign.code, questionnaire=QUESTIONNAIRE, unit="Sales").resume_token
        for _ in range(3)
    ]
    submit_response(db, tokens[0], questionnaire=QUESTIONNAIRE, answers={"CLA01": 4})
    listed = {c.code: c for c in list_campaigns(db)}
    assert set(listed) == {campaign.code, other.code}
    assert (listed[campaign.code].responses, listed[campaign.code].drafts) == (1, 2)
    assert (listed[other.code].responses, listed[other.code].drafts) == (0, 0)
    assert list_campaigns(db)[0].code == other.code  # newest first


def test_unknown_code_names_the_command_that_lists_codes(db: Database) -> None:
    with pytest.raises(UnknownCampaignError, match=r"'nope'.*`wmm campaign list`"):
        get_campaign(db, "nope")


def test_close_and_reopen(db: Database, campaign: CampaignInfo) -> None:
    closed = close_campaign(db, campaign.code)
    assert closed.status == "closed"
    assert closed.closed_at is not None
    assert not closed.accepts_answers()
    assert close_campaign(db, campaign.code).closed_at == closed.closed_at  # closing twice: no-op
    with pytest.raises(CampaignClosedError, match=r"is closed.*wmm campaign reopen"):
        start_response(db, campaign.code, questionnaire=QUESTIONNAIRE)
    reopened = reopen_campaign(db, campaign.code)
    assert (reopened.status, reopened.closed_at) == ("open", None)
    assert start_response(db, campaign.code, questionnaire=QUESTIONNAIRE).resume_token


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (timedelta(days=1), None, "opens on"),
        (None, timedelta(seconds=-1), "closed on"),
    ],
    ids=["not-yet-open", "past-closing-date"],
)
def test_answers_only_inside_the_campaign_dates(
    db: Database, opens: timedelta | None, closes: timedelta | None, message: str
) -> None:
    now = datetime.now(UTC)
    info = create_campaign(
        db,
        name="dated",
        questionnaire=QUESTIONNAIRE,
        opens_at=now + opens if opens else None,
        closes_at=now + closes if closes else None,
    )
    with pytest.raises(CampaignClosedError, match=message):
        start_response(db, info.code, questionnaire=QUESTIONNAIRE)


BAD_SETTINGS: list[tuple[str, dict[str, Any], type[AssessmentError], str]] = [
    (
        "unknown-questionnaire",
        {"questionnaire": "nothing@1.0.0"},
        UnknownQuestionnaireError,
        "available",
    ),
    (
        "malformed-questionnaire",
        {"questionnaire": "work-management"},
        UnknownQuestionnaireError,
        "ID@VERSION",
    ),
    ("empty-name", {"name": "  "}, CampaignSettingsError, "needs a name"),
    ("language", {"languages": ["fr"]}, CampaignSettingsError, "one or more of en, de"),
    ("mode", {"mode": "closed"}, CampaignSettingsError, "open or invitation"),
    ("min-group-size", {"min_group_size": 0}, CampaignSettingsError, ">= 1"),
    ("target-dimension", {"targets": {"speed": 3}}, DataError, "unknown dimension"),
    ("target-level", {"targets": {"clarity": 9}}, DataError, "level 1..5"),
    ("duplicate-unit", {"units": [UnitSpec("A"), UnitSpec("A")]}, DataError, "listed twice"),
    ("unknown-parent", {"units": [UnitSpec("A", "Z")]}, DataError, "unknown parent unit 'Z'"),
    ("cycle", {"units": [UnitSpec("A", "B"), UnitSpec("B", "A")]}, DataError, "cycle"),
    ("head-count", {"units": [UnitSpec("A", None, 0)]}, DataError, "whole number >= 1"),
    (
        "dates",
        {
            "opens_at": datetime(2025, 2, 1, tzinfo=UTC),
            "closes_at": datetime(2025, 1, 1, tzinfo=UTC),
        },
        CampaignSettingsError,
        "close after it opens",
    ),
]


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [case[1:] for case in BAD_SETTINGS],
    ids=[case[0] for case in BAD_SETTINGS],
)
def test_bad_settings_are_refused_and_nothing_is_created(
    db: Database, changes: dict[str, Any], error: type[AssessmentError], message: str
) -> None:
    arguments: dict[str, Any] = {"name": "x", "questionnaire": QUESTIONNAIRE, **changes}
    with pytest.raises(error) as caught:
        create_campaign(db, **arguments)
    assert message in str(caught.value)
    assert list_campaigns(db) == []


def test_units_are_added_updated_and_removed(db: Database, campaign: CampaignInfo) -> None:
    before = campaign.updated_at
    info = save_units(
        db, campaign.code, [UnitSpec("Sales", None, 9), UnitSpec("Field", "Sales", 4)]
    )
    units = {u.name: (u.parent, u.head_count) for u in info.units}
    assert units["Sales"] == (None, 9)
    assert units["Field"] == ("Sales", 4)
    assert len(units) == 4
    assert info.updated_at > before
    info = remove_unit(db, campaign.code, "Sales")
    assert {u.name: u.parent for u in info.units}["Field"] is None
    token = start_response(
        db, campaign.code, questionnaire=QUESTIONNAIRE, unit="Field"
    ).resume_token
    assert token
    with pytest.raises(CampaignSettingsError, match="has 1 response"):
        remove_unit(db, campaign.code, "Field")
    with pytest.raises(CampaignSettingsError, match="has no unit 'Nowhere'"):
        remove_unit(db, campaign.code, "Nowhere")


def test_targets_are_set_changed_and_removed(db: Database, campaign: CampaignInfo) -> None:
    info = set_targets(db, campaign.code, {"clarity": 4, "overall": 3, "ai-readiness": 2})
    assert dict(info.targets) == {"clarity": 4, "overall": 3, "ai-readiness": 2}
    info = set_targets(db, campaign.code, {"clarity": None})
    assert dict(info.targets) == {"overall": 3, "ai-readiness": 2}
    with pytest.raises(DataError, match="unknown dimension"):
        set_targets(db, campaign.code, {"nonsense": 2})
    assert dict(get_campaign(db, campaign.code).targets) == {"overall": 3, "ai-readiness": 2}


def test_update_campaign_changes_settings_and_refuses_unknown_ones(
    db: Database, campaign: CampaignInfo
) -> None:
    info = update_campaign(db, campaign.code, name="Renamed", min_group_size=7, languages=["de"])
    assert (info.name, info.min_group_size, info.languages) == ("Renamed", 7, ("de",))
    with pytest.raises(CampaignSettingsError, match="cannot change code"):
        update_campaign(db, campaign.code, code="abc")


def test_a_changed_questionnaire_file_is_refused(db: Database, campaign: CampaignInfo) -> None:
    with db.write() as session:
        session.execute(
            update(Campaign)
            .where(Campaign.code == campaign.code)
            .values(questionnaire_sha256="0" * 64)
        )
    with pytest.raises(CampaignSettingsError, match="must not change"):
        start_response(db, campaign.code, questionnaire=QUESTIONNAIRE)


def test_invitations_are_stored_hashed_and_used_once(db: Database) -> None:
    info = create_campaign(db, name="invited", questionnaire=QUESTIONNAIRE, mode="invitation")
    tokens = create_invitations(db, info.code, 5)
    assert len(set(tokens)) == 5
    with db.read() as session:
        stored = set(session.scalars(select(Invitation.token_hash)))
        dumped = " ".join(str(row) for row in session.execute(text("SELECT * FROM invitations")))
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert not any(t in dumped for t in tokens)
    assert invitation_counts(db, info.code) == (5, 0)

    with pytest.raises(InvitationError, match="by invitation only"):
        start_response(db, info.code, questionnaire=QUESTIONNAIRE)
    with pytest.raises(InvitationError, match="not valid"):
        start_response(db, info.code, questionnaire=QUESTIONNAIRE, invitation="made-up")
    started = start_response(db, info.code, questionnaire=QUESTIONNAIRE, invitation=tokens[0])
    assert started.resume_token
    with pytest.raises(InvitationError, match="already been used"):
        start_response(db, info.code, questionnaire=QUESTIONNAIRE, invitation=tokens[0])
    assert invitation_counts(db, info.code) == (5, 1)
    assert get_campaign(db, info.code).drafts == 1  # the refused starts left nothing behind


def test_an_invitation_of_another_campaign_is_refused(db: Database, campaign: CampaignInfo) -> None:
    other = create_campaign(db, name="invited", questionnaire=QUESTIONNAIRE, mode="invitation")
    token = create_invitations(db, campaign.code, 1)[0]
    with pytest.raises(InvitationError, match="not valid"):
        start_response(db, other.code, questionnaire=QUESTIONNAIRE, invitation=token)


def test_invitation_links_csv_holds_working_links(db: Database, campaign: CampaignInfo) -> None:
    tokens = create_invitations(db, campaign.code, 3)
    rows = list(csv.reader(io.StringIO(invitation_links_csv(campaign.code, tokens).decode())))
    assert rows[0] == ["number", "survey_url"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    with db.read() as session:
        stored = set(session.scalars(select(Invitation.token_hash)))
    for row, token in zip(rows[1:], tokens, strict=True):
        assert row[1].endswith(f"?c={campaign.code}&t={token}")
        assert hash_token(token) in stored


@pytest.mark.parametrize("count", [0, -1, 100_001], ids=["zero", "negative", "too-many"])
def test_invitation_counts_are_checked(db: Database, campaign: CampaignInfo, count: int) -> None:
    with pytest.raises(CampaignSettingsError, match="between 1 and"):
        create_invitations(db, campaign.code, count)


# -- the units file (no database needed) ---------------------------------------------------------


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "units.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def test_read_units_csv(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "\ufeffunit,parent,head_count\r\nOps,,30\r\nSupport,Ops,8\r\n\r\nSales,,\r\n"
    )
    assert read_units_csv(path) == [
        UnitSpec("Ops", None, 30),
        UnitSpec("Support", "Ops", 8),
        UnitSpec("Sales", None, None),
    ]
    assert read_units_csv(_write(tmp_path, "name\nA\n")) == [UnitSpec("A")]
    # An upload is read from its bytes (no file on disk), with the same result.
    assert read_units_csv(path.read_bytes(), name="upload.csv") == read_units_csv(path)


BROKEN_UNITS: list[tuple[str, str | bytes, str]] = [
    ("no-unit-column", "team,head_count\nA,3\n", "needs a 'unit' column"),
    ("empty", "", "is empty"),
    ("no-rows", "unit,head_count\n", "lists no units"),
    ("head-count-text", "unit,head_count\nA,many\n", "units.csv row 2, column head_count"),
    ("head-count-zero", "unit,head_count\nA,3\nB,0\n", "units.csv row 3, column head_count"),
    ("cells", "unit,head_count\nA,3,4\n", "units.csv row 2: expected 2 cells"),
    ("duplicate", "unit\nA\nB\nA\n", "units.csv row 4, column unit: unit 'A' is listed twice"),
    ("parent", "unit,parent\nA,\nB,Z\n", "units.csv row 3, column parent: unknown parent unit 'Z'"),
    (
        "parent-after-duplicate",
        "unit,parent\nA,\nA,\nB,Z\n",
        "units.csv row 4, column parent: unknown parent unit 'Z'",
    ),
    ("latin-1", "unit\nZürich\n".encode("latin-1"), "expected a UTF-8 CSV"),
]


@pytest.mark.parametrize(
    ("units", "problems"),
    [
        pytest.param(
            [UnitSpec("A"), UnitSpec("A"), UnitSpec("B", "Z")],
            [("units[1].name", "duplicate-unit"), ("units[2].parent", "unknown-parent")],
            id="unknown-parent-after-a-duplicate",
        ),
        pytest.param(
            [UnitSpec("A"), UnitSpec("A"), UnitSpec("B", "C"), UnitSpec("C", "B")],
            [
                ("units[1].name", "duplicate-unit"),
                ("units[2].parent", "unit-cycle"),
                ("units[3].parent", "unit-cycle"),
            ],
            id="cycle-after-a-duplicate",
        ),
        pytest.param(
            [UnitSpec("X", "B"), UnitSpec("B", "C"), UnitSpec("C", "B")],
            [("units[1].parent", "unit-cycle"), ("units[2].parent", "unit-cycle")],
            id="only-the-units-in-the-cycle",
        ),
        pytest.param([UnitSpec("A", "A")], [("units[0].parent", "unit-cycle")], id="own-parent"),
    ],
)
def test_check_units_names_the_position_of_each_problem(
    units: list[UnitSpec], problems: list[tuple[str, str]]
) -> None:
    with pytest.raises(DataError) as caught:
        check_units(units)
    assert [(p.path, p.type) for p in caught.value.problems] == problems


@pytest.mark.parametrize(
    ("content", "message"), [c[1:] for c in BROKEN_UNITS], ids=[c[0] for c in BROKEN_UNITS]
)
def test_broken_units_files(tmp_path: Path, content: str | bytes, message: str) -> None:
    with pytest.raises(DataError) as caught:
        read_units_csv(_write(tmp_path, content))
    assert message in str(caught.value)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    with pytest.raises(DataError) as from_bytes:
        read_units_csv(data, name="units.csv")
    assert message in str(from_bytes.value)
