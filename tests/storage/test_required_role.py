"""A campaign that requires the role question, on both backends: the setting is stored, shown and
changed; it is refused for a questionnaire whose role question has no 'other' option; a submit
without a role is refused; an import with rows without a role is refused, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from storage.databases import QUESTIONNAIRE, UNITS
from storage.questionnaire_files import questionnaires_with_roles
from storage.responses_files import responses_rows, write_responses

from assessment.campaigns.importing import import_responses
from assessment.campaigns.management import (
    CampaignInfo,
    create_campaign,
    get_campaign,
    list_campaigns,
    update_campaign,
)
from assessment.errors import AnswerError, CampaignSettingsError, DataError
from assessment.questionnaire.registry import Registry
from assessment.storage import Database
from assessment.storage.models import Response
from assessment.survey.responding import save_answers, start_response, submit_response


@pytest.fixture
def required(db: Database) -> CampaignInfo:
    return create_campaign(
        db, name="Role required", questionnaire=QUESTIONNAIRE, units=UNITS, require_role=True
    )


def _responses(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Response)) or 0


# -- the setting -----------------------------------------------------------------------------------


def test_the_setting_is_stored_listed_and_changed(
    db: Database, campaign: CampaignInfo, required: CampaignInfo
) -> None:
    assert campaign.require_role is False  # the default
    assert required.require_role is True
    assert get_campaign(db, required.code).require_role is True
    assert {c.code: c.require_role for c in list_campaigns(db)} == {
        campaign.code: False,
        required.code: True,
    }
    turned_off = update_campaign(db, required.code, require_role=False)
    assert turned_off.require_role is False
    assert turned_off.updated_at >= required.updated_at  # part of the score cache key
    assert update_campaign(db, campaign.code, require_role=True).require_role is True
    assert get_campaign(db, campaign.code).require_role is True


def test_the_setting_must_be_true_or_false(db: Database, campaign: CampaignInfo) -> None:
    with pytest.raises(CampaignSettingsError, match="must be true or false; got 'yes'"):
        update_campaign(db, campaign.code, require_role="yes")
    with pytest.raises(CampaignSettingsError, match="must be true or false; got 1"):
        create_campaign(db, name="x", questionnaire=QUESTIONNAIRE, require_role=1)  # type: ignore[arg-type]
    assert get_campaign(db, campaign.code).require_role is False
    assert len(list_campaigns(db)) == 1


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        pytest.param(
            ["leader", "staff"],
            "the role question of mini@1.0.0 offers leader, staff but no option 'other'; a "
            "required role question must offer 'other'",
            id="no-other-option",
        ),
        pytest.param(None, "mini@1.0.0 asks no role question", id="no-role-question"),
    ],
)
def test_requiring_the_role_needs_an_other_option(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    roles: list[str] | None,
    message: str,
) -> None:
    root = questionnaires_with_roles(tmp_path, roles)
    monkeypatch.setenv("WMM_QUESTIONNAIRES_DIR", str(root))
    with pytest.raises(CampaignSettingsError) as caught:
        create_campaign(
            db,
            name="x",
            questionnaire="mini@1.0.0",
            require_role=True,
            registry=Registry(root),
        )
    assert message in str(caught.value)
    assert list_campaigns(db) == []
    # Optional, the role question is fine; it cannot be made required later either.
    info = create_campaign(db, name="x", questionnaire="mini@1.0.0", registry=Registry(root))
    with pytest.raises(CampaignSettingsError, match=message.split(";")[0]):
        update_campaign(db, info.code, require_role=True)
    assert get_campaign(db, info.code).require_role is False
    # With an 'other' option it can.
    if roles is not None:
        root = questionnaires_with_roles(tmp_path / "with-other", [*roles, "other"])
        info = create_campaign(
            db, name="y", questionnaire="mini@1.0.0", require_role=True, registry=Registry(root)
        )
        assert info.require_role is True


# -- answering -------------------------------------------------------------------------------------


def test_a_submit_without_a_role_is_refused_naming_the_choices(
    db: Database, required: CampaignInfo
) -> None:
    token = start_response(db, required.code, questionnaire=QUESTIONNAIRE).resume_token
    save_answers(db, token, {"CLA01": 4}, questionnaire=QUESTIONNAIRE, unit="Sales")
    with pytest.raises(AnswerError) as caught:
        submit_response(db, token, questionnaire=QUESTIONNAIRE)
    (problem,) = caught.value.problems
    assert (problem.path, problem.type) == ("role", "missing-role")
    assert problem.message == (
        f"campaign {required.code} requires the role question: choose one of leader, manager, "
        "staff, other before submitting ('other' when none fits)"
    )
    assert get_campaign(db, required.code).responses == 0
    # The same submit with the role goes through ("other" is a role like any).
    result = submit_response(db, token, questionnaire=QUESTIONNAIRE, role="other")
    assert result.already_received is False
    with db.read() as session:
        assert session.scalars(select(Response.role)).all() == ["other"]


def test_a_campaign_that_does_not_require_the_role_takes_a_submit_without_one(
    db: Database, campaign: CampaignInfo
) -> None:
    token = start_response(db, campaign.code, questionnaire=QUESTIONNAIRE).resume_token
    submit_response(db, token, questionnaire=QUESTIONNAIRE, unit="Sales", answers={"CLA01": 4})
    assert get_campaign(db, campaign.code).responses == 1


# -- importing -------------------------------------------------------------------------------------


def test_an_import_with_rows_without_a_role_is_refused_naming_each_row(
    db: Database, required: CampaignInfo, tmp_path: Path
) -> None:
    rows = responses_rows(12)  # every fifth row has no role: file rows 6 and 11
    with pytest.raises(DataError) as caught:
        import_responses(db, required.code, write_responses(tmp_path / "r.csv", rows))
    assert [p.path for p in caught.value.problems] == [
        "r.csv row 6, column role",
        "r.csv row 11, column role",
    ]
    assert {p.type for p in caught.value.problems} == {"missing-role"}
    assert "2 row(s) give no role" in str(caught.value)
    assert "nothing was imported" in str(caught.value)
    assert (
        f"campaign {required.code} requires the role question: give one of leader, manager, "
        "staff, other ('other' when none fits)" in caught.value.problems[0].message
    )
    assert _responses(db) == 0  # all or nothing

    for row in rows[1:]:
        row[2] = row[2] or "other"
    result = import_responses(db, required.code, write_responses(tmp_path / "fixed.csv", rows))
    assert result.added == 12


def test_an_import_without_a_role_column_is_refused(
    db: Database, required: CampaignInfo, tmp_path: Path
) -> None:
    rows = [[cell for j, cell in enumerate(row) if j != 2] for row in responses_rows(6)]
    assert "role" not in rows[0]
    with pytest.raises(DataError) as caught:
        import_responses(db, required.code, write_responses(tmp_path / "r.csv", rows))
    assert [p.path for p in caught.value.problems] == ["r.csv, column role"]
    assert "the file has no role column" in str(caught.value)
    assert _responses(db) == 0


def test_rows_without_a_role_import_into_a_campaign_that_does_not_require_it(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    result = import_responses(
        db, campaign.code, write_responses(tmp_path / "r.csv", responses_rows(12))
    )
    assert result.added == 12
