"""AppTest of the Campaigns page: create a campaign (units, head-counts, targets, minimum group size,
mode, languages, a required role question), change whether it requires the role, import responses
with errors shown as a table, open/close, invitation links, and nothing without login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from storage.questionnaire_files import MINI, questionnaires_with_roles
from streamlit.testing.v1 import AppTest
from support import forbid_temporary_files
from ui.pages import open_page

from assessment.campaigns.management import (
    CampaignInfo,
    UnitSpec,
    create_campaign,
    get_campaign,
    invitation_counts,
    list_campaigns,
    update_campaign,
)
from assessment.demo.generate import generate_organisation, organisation_profile
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import responses_csv
from assessment.storage import Database, connect, upgrade
from assessment.ui.language import LANGUAGE_KEY
from assessment.ui.session import FACILITATOR_KEY

PASSWORD = "campaigns-test-password"
QUESTIONNAIRE = "work-management@1.1.0"


@pytest.fixture
def db(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'wmm.sqlite'}"
    monkeypatch.setenv("WMM_DATABASE_URL", url)
    monkeypatch.setenv("WMM_ADMIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("WMM_BASE_URL", "https://wmm.example.org")
    monkeypatch.setenv("WMM_DEMO", "0")
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
        name="Autumn survey",
        questionnaire=QUESTIONNAIRE,
        organisation="Example Ltd",
        units=[UnitSpec("North", None, 20), UnitSpec("South", None, 15)],
    )


def _script() -> None:
    from assessment.ui.pages import campaigns as campaigns_page

    campaigns_page.render()


def _open(tab: str | None = None, *, password: str | None = PASSWORD) -> AppTest:
    state = {"wmm_campaigns_tab": tab} if tab is not None else {}
    return open_page(_script, password=password, state=state)


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_without_login_nothing_is_shown(campaign: CampaignInfo) -> None:
    at = _open(password=None)
    _clean(at)
    assert [t.value for t in at.title] == ["Facilitator login"]
    assert not at.dataframe and not at.selectbox
    assert all(campaign.code not in m.value for m in at.markdown)


def test_lists_campaigns_with_their_link(campaign: CampaignInfo) -> None:
    at = _open()
    _clean(at)
    table = at.dataframe[0].value
    assert list(table["Code"]) == [campaign.code]
    assert f"https://wmm.example.org/?c={campaign.code}" in "\n".join(m.value for m in at.markdown)
    assert at.get("image"), "the QR code of the survey link"


def test_create_a_campaign_with_units_targets_and_settings(db: Database) -> None:
    at = _open("Create a campaign")
    _clean(at)
    at.text_input(key="wmm_create_name").input("Spring 2026")
    at.text_input(key="wmm_create_organisation").input("Example Ltd")
    at.selectbox(key="wmm_create_mode").select("invitation")
    at.number_input(key="wmm_create_minimum").set_value(7)
    at.multiselect(key="wmm_create_languages").set_value(["de"])
    at.text_area(key="wmm_create_units").input("Sales, 40\nSupport; 25\nSupport desk, 8, Support")
    at.selectbox(key="wmm_create_target_completion").select(4)
    at.selectbox(key="wmm_create_target_overall").select(3)
    _click(at, "Create the campaign")
    _clean(at)
    assert at.success and "Created Spring 2026" in at.success[0].value
    (info,) = list_campaigns(db)
    assert (info.name, info.organisation, info.mode, info.min_group_size) == (
        "Spring 2026",
        "Example Ltd",
        "invitation",
        7,
    )
    assert info.languages == ("de",)
    assert info.questionnaire == QUESTIONNAIRE
    assert {(u.name, u.parent, u.head_count) for u in info.units} == {
        ("Sales", None, 40),
        ("Support", None, 25),
        ("Support desk", "Support", 8),
    }
    assert dict(info.targets) == {"completion": 4, "overall": 3}


@pytest.mark.parametrize(
    ("name", "units", "message", "where"),
    [
        pytest.param("Bad units", "Sales, 40\nSales, 12", "problem", "line 2", id="duplicate-unit"),
        pytest.param("Bad count", "Sales, lots", "problem", "line 1", id="head-count-not-number"),
        pytest.param("", "Sales, 40", "needs a name", None, id="no-name"),
    ],
)
def test_create_refuses_bad_input_and_creates_nothing(
    db: Database, name: str, units: str, message: str, where: str | None
) -> None:
    at = _open("Create a campaign")
    at.text_input(key="wmm_create_name").input(name)
    at.text_area(key="wmm_create_units").input(units)
    _click(at, "Create the campaign")
    _clean(at)
    assert at.error and message in at.error[0].value
    if where is not None:
        assert where in list(at.dataframe[0].value["Where"])
    assert list_campaigns(db) == []


def test_create_with_a_units_file(db: Database) -> None:
    at = _open("Create a campaign")
    at.text_input(key="wmm_create_name").input("From a file")
    at.file_uploader(key="wmm_create_units_file").upload(
        "units.csv", b"unit,parent,head_count\nNorth,,20\nNorth east,North,6\n", "text/csv"
    )
    _click(at, "Create the campaign")
    _clean(at)
    (info,) = list_campaigns(db)
    assert {(u.name, u.parent, u.head_count) for u in info.units} == {
        ("North", None, 20),
        ("North east", "North", 6),
    }


def test_uploads_are_read_from_memory_without_temporary_files(
    db: Database, campaign: CampaignInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A units file (Create tab) and a responses file (Import tab) go from the upload's bytes
    # straight to the library: no temporary file on the server's disk.
    create = _open("Create a campaign")
    importing = _open("Import responses")
    called = forbid_temporary_files(monkeypatch)
    create.text_input(key="wmm_create_name").input("From memory")
    create.file_uploader(key="wmm_create_units_file").upload(
        "units.csv", b"unit,head_count\nEast,12\n", "text/csv"
    )
    _click(create, "Create the campaign")
    _clean(create)
    assert any(c.name == "From memory" for c in list_campaigns(db))
    importing.file_uploader(key="wmm_import_file").upload(
        "responses.csv", _responses_csv({"North": 6, "South": 5}), "text/csv"
    )
    importing.run()
    _click(importing, "Import")
    _clean(importing)
    assert importing.success and "responses.csv: 11 row(s)" in importing.success[0].value
    assert called == []


def test_close_and_reopen(db: Database, campaign: CampaignInfo) -> None:
    at = _open()
    _click(at, "Close the campaign")
    _clean(at)
    assert get_campaign(db, campaign.code).status == "closed"
    assert at.success and "is closed" in at.success[0].value
    _click(at, "Reopen the campaign")
    _clean(at)
    assert get_campaign(db, campaign.code).status == "open"


def test_invitation_links(db: Database, campaign: CampaignInfo) -> None:
    at = _open()
    at.number_input(key="wmm_invite_count").set_value(3)
    _click(at, "Create links")
    _clean(at)
    assert invitation_counts(db, campaign.code) == (3, 0)
    assert any(b.label == "Download the links (CSV)" for b in at.get("download_button"))
    # The counter on the page counts the links just created, in the same run.
    assert any("3 single-use links created, 0 used" in c.value for c in at.caption)


def test_edit_units_and_targets(db: Database, campaign: CampaignInfo) -> None:
    at = _open()
    at.text_area(key=f"wmm_edit_units_{campaign.code}").input("North, 22\nSouth, 15\nWest, 9")
    at.selectbox(key=f"wmm_edit_target_{campaign.code}_clarity").select(3)
    _click(at, "Save units and targets")
    _clean(at)
    info = get_campaign(db, campaign.code)
    assert {(u.name, u.head_count) for u in info.units} == {
        ("North", 22),
        ("South", 15),
        ("West", 9),
    }
    assert dict(info.targets) == {"clarity": 3}


def _responses_csv(units: dict[str, int]) -> bytes:
    q = default_registry().get(QUESTIONNAIRE)
    profile = organisation_profile(seed=5, n_units=len(units), unit_names=list(units), min_size=1)
    table = generate_organisation(
        q, seed=5, profile=profile, respondents=list(units.values())
    ).table
    return responses_csv(table)


def test_import_responses(db: Database, campaign: CampaignInfo) -> None:
    at = _open("Import responses")
    at.file_uploader(key="wmm_import_file").upload(
        "responses.csv", _responses_csv({"North": 6, "South": 5}), "text/csv"
    )
    at.run()
    _click(at, "Import")
    _clean(at)
    assert at.success and "11 response(s) added" in at.success[0].value
    assert get_campaign(db, campaign.code).responses == 11


def test_import_errors_are_shown_as_a_table_and_nothing_is_imported(
    db: Database, campaign: CampaignInfo
) -> None:
    good = _responses_csv({"North": 6}).decode("utf-8").splitlines()
    header = good[0].split(",")
    column = header.index("CLA01")
    row = good[2].split(",")
    row[column] = "9"
    bad = "\n".join([good[0], good[1], ",".join(row), *good[3:]]) + "\n"
    at = _open("Import responses")
    at.file_uploader(key="wmm_import_file").upload("answers.csv", bad.encode("utf-8"), "text/csv")
    at.run()
    _click(at, "Import")
    _clean(at)
    assert at.error and "Nothing was imported" in at.error[0].value
    problems: pd.DataFrame = at.dataframe[-1].value
    assert list(problems.columns) == ["Where", "Problem", "Type"]
    assert "answers.csv row 3, column CLA01" in list(problems["Where"])
    assert get_campaign(db, campaign.code).responses == 0


def test_import_into_closed_campaign_is_not_offered(db: Database, campaign: CampaignInfo) -> None:
    from assessment.campaigns.management import close_campaign

    close_campaign(db, campaign.code)
    at = _open("Import responses")
    _clean(at)
    assert at.info and "No open campaign" in at.info[0].value


def test_create_a_campaign_that_requires_the_role(db: Database) -> None:
    at = _open("Create a campaign")
    _clean(at)
    box = at.checkbox(key="wmm_create_require_role")
    assert (box.value, box.disabled) == (False, False)
    at.text_input(key="wmm_create_name").input("Roles *required*")
    box.check()
    _click(at, "Create the campaign")
    _clean(at)
    assert "The role question is required" in at.success[0].value
    assert "Roles \\*required\\*" in at.success[0].value  # the name as text, not emphasis
    (info,) = list_campaigns(db)
    assert info.require_role is True


def test_the_role_setting_of_a_campaign_is_shown_and_changed(
    db: Database, campaign: CampaignInfo
) -> None:
    at = _open()
    _clean(at)
    assert "role question optional" in "\n".join(c.value for c in at.caption)
    box = at.checkbox(key=f"wmm_edit_require_role_{campaign.code}")
    assert box.value is False
    box.check()
    _click(at, "Save the role setting")
    _clean(at)
    assert get_campaign(db, campaign.code).require_role is True
    assert at.success and "is now required" in at.success[0].value
    assert "role question required" in "\n".join(c.value for c in at.caption)
    assert at.checkbox(key=f"wmm_edit_require_role_{campaign.code}").value is True
    at.checkbox(key=f"wmm_edit_require_role_{campaign.code}").uncheck()
    _click(at, "Save the role setting")
    assert get_campaign(db, campaign.code).require_role is False


def test_a_questionnaire_without_an_other_role_cannot_require_the_role(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = questionnaires_with_roles(tmp_path, ["leader", "staff"])
    monkeypatch.setenv("WMM_QUESTIONNAIRES_DIR", str(root))
    info = create_campaign(db, name="Mini", questionnaire=MINI)
    at = _open("Create a campaign")
    at.selectbox(key="wmm_create_questionnaire").select(MINI)
    at.run()
    _clean(at)
    box = at.checkbox(key="wmm_create_require_role")
    assert box.disabled
    assert any(
        f"the role question of {MINI} offers leader, staff but no option 'other'" in c.value
        for c in at.caption
    )
    # Its campaign's setting is refused with the reason, and stays off.
    at = _open()
    at.checkbox(key=f"wmm_edit_require_role_{info.code}").check()
    _click(at, "Save the role setting")
    _clean(at)
    assert at.error and "no option 'other'" in at.error[0].value
    assert get_campaign(db, info.code).require_role is False


def test_import_into_a_campaign_requiring_the_role_names_rows_without_one(
    db: Database, campaign: CampaignInfo
) -> None:
    update_campaign(db, campaign.code, require_role=True)
    lines = _responses_csv({"North": 6}).decode("utf-8").splitlines()
    header = lines[0].split(",")
    column = header.index("role")
    row = lines[3].split(",")
    row[column] = ""
    bad = "\n".join([*lines[:3], ",".join(row), *lines[4:]]) + "\n"
    at = _open("Import responses")
    assert "role (required: this campaign requires the role)" in at.caption[0].value
    at.file_uploader(key="wmm_import_file").upload("answers.csv", bad.encode("utf-8"), "text/csv")
    at.run()
    _click(at, "Import")
    _clean(at)
    assert at.error and "Nothing was imported" in at.error[0].value
    problems: pd.DataFrame = at.dataframe[-1].value
    assert list(problems["Where"]) == ["answers.csv row 4, column role"]
    assert get_campaign(db, campaign.code).responses == 0


def test_the_page_follows_the_site_language(campaign: CampaignInfo) -> None:
    at = open_page(_script, password=None, state={FACILITATOR_KEY: True, LANGUAGE_KEY: "de"})
    _clean(at)
    assert at.title[0].value == "Kampagnen"
    table = at.dataframe[0].value
    assert list(table["Code"]) == [campaign.code]
    assert list(table["Status"]) == ["offen"]
    assert f"Link zur Befragung: https://wmm.example.org/?c={campaign.code}" in "\n".join(
        m.value for m in at.markdown
    )
    assert [b.label for b in at.button if b.key == "wmm_close"] == ["Kampagne schließen"]
