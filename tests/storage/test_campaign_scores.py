"""A campaign's answers as a table and its scores, on both backends: drafts never count, the table
is cached until the campaign changes, head-counts and targets reach the scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, select
from storage.databases import QUESTIONNAIRE
from storage.responses_files import responses_rows, write_responses

from assessment.analysis.scoring import score_table
from assessment.campaigns.importing import import_responses
from assessment.campaigns.management import (
    CampaignInfo,
    UnitSpec,
    create_campaign,
    save_units,
    set_targets,
)
from assessment.errors import NoResponsesError
from assessment.questionnaire import default_registry
from assessment.results.campaign_answers import (
    NO_UNIT,
    LRUCache,
    campaign_version,
    load_responses,
    score_campaign,
)
from assessment.storage import Database
from assessment.storage.models import Answer, Response
from assessment.survey.responding import save_answers, start_response, submit_response
from scoring.recoding import DONT_KNOW, NOT_APPLICABLE, SKIPPED


def test_survey_answers_become_a_table_and_drafts_are_left_out(
    db: Database, campaign: CampaignInfo
) -> None:
    token = start_response(
        db, campaign.code, questionnaire=QUESTIONNAIRE, unit="Sales", role="leader"
    ).resume_token
    submit_response(
        db, token, questionnaire=QUESTIONNAIRE, answers={"CLA01": 4, "CLA02": "DK", "OUT03": "NA"}
    )
    draft = start_response(
        db, campaign.code, questionnaire=QUESTIONNAIRE, unit="Sales"
    ).resume_token
    save_answers(db, draft, {"CLA01": 1}, questionnaire=QUESTIONNAIRE)
    # One answer is not released (k = 5); the raw table includes it.
    assert load_responses(db, campaign.code).n_respondents == 0
    table = load_responses(db, campaign.code, include_pending=True)
    assert table.n_respondents == 1
    row = dict(zip(table.item_ids, table.codes[0].tolist(), strict=True))
    assert (row["CLA01"], row["CLA02"], row["OUT03"], row["COM01"]) == (
        4,
        DONT_KNOW,
        NOT_APPLICABLE,
        SKIPPED,
    )
    assert (table.unit[0], table.role[0]) == ("Sales", "leader")
    assert not np.isnat(table.submitted_at[0])


def test_a_response_without_unit_is_labelled(db: Database) -> None:
    info = create_campaign(db, name="no units", questionnaire=QUESTIONNAIRE)
    token = start_response(db, info.code, questionnaire=QUESTIONNAIRE).resume_token
    submit_response(db, token, questionnaire=QUESTIONNAIRE, answers={"CLA01": 2})
    assert load_responses(db, info.code, include_pending=True).unit.tolist() == [NO_UNIT]


def test_rows_follow_the_responses_and_answers_to_other_statements_are_ignored(
    db: Database, campaign: CampaignInfo
) -> None:
    tokens = [
        start_response(db, campaign.code, questionnaire=QUESTIONNAIRE, unit="Sales").resume_token
        for _ in range(3)
    ]
    for token, value in zip(tokens, (5, 2, 1), strict=True):
        submit_response(
            db, token, questionnaire=QUESTIONNAIRE, answers={"CLA01": value}, elapsed_seconds=90
        )
    with db.write() as session:
        responses = session.scalars(select(Response).order_by(Response.id)).all()
        public_ids = [r.public_id for r in responses]
        # The second response loses its answers; the first gains one to a statement that is not
        # in its questionnaire version (as if another version had written it); the third has no
        # duration.
        session.execute(delete(Answer).where(Answer.response_id == responses[1].id))
        session.add(Answer(response_id=responses[0].id, item_id="XYZ99", value=3))
        responses[2].duration_seconds = None
    table = load_responses(db, campaign.code, include_pending=True)
    assert table.respondent_id.tolist() == public_ids
    cla01 = table.item_ids.index("CLA01")
    assert table.codes[:, cla01].tolist() == [5, SKIPPED, 1]
    assert (np.delete(table.codes, cla01, axis=1) == SKIPPED).all()
    assert table.unit.tolist() == ["Sales"] * 3
    assert not np.isnan(table.duration_seconds[0]) and np.isnan(table.duration_seconds[2])


def test_the_table_is_cached_until_the_campaign_changes(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    import_responses(db, campaign.code, write_responses(tmp_path / "a.csv", responses_rows(10)))
    version = campaign_version(db, campaign.code)
    first = load_responses(db, campaign.code)
    assert load_responses(db, campaign.code) is first
    token = start_response(
        db, campaign.code, questionnaire=QUESTIONNAIRE, unit="Sales"
    ).resume_token
    assert load_responses(db, campaign.code) is first  # a draft changes nothing
    submit_response(db, token, questionnaire=QUESTIONNAIRE, answers={"CLA01": 3})
    changed = campaign_version(db, campaign.code)
    assert changed != version  # participation counts change ...
    assert (changed.submitted, changed.responses) == (11, 10)
    assert changed.results == version.results  # ... the results wait for the next release
    assert load_responses(db, campaign.code) is first
    assert load_responses(db, campaign.code, include_pending=True).n_respondents == 11
    # 25 more (5 or more new in every unit, role and language): the next release takes all 26.
    more = write_responses(tmp_path / "b.csv", responses_rows(25, seed=2))
    import_responses(db, campaign.code, more)
    second = load_responses(db, campaign.code)
    assert second.n_respondents == 36
    assert campaign_version(db, campaign.code).release == version.release + 1  # type: ignore[operator]
    save_units(db, campaign.code, [UnitSpec("Sales", None, 30)])
    assert load_responses(db, campaign.code) is not second  # head-counts feed the scores


def test_scores_use_the_campaigns_head_counts_targets_and_minimum(
    db: Database, campaign: CampaignInfo, tmp_path: Path
) -> None:
    path = write_responses(tmp_path / "r.csv", responses_rows(30))
    import_responses(db, campaign.code, path)
    set_targets(db, campaign.code, {"completion": 4})
    scored = score_campaign(db, campaign.code)
    expected = score_table(
        load_responses(db, campaign.code),
        default_registry().get(QUESTIONNAIRE),
        min_group_size=5,
        head_counts={"Operations": 40, "Support": 12},
        targets={"clarity": 3, "completion": 4},
    )
    columns = [c for c in expected.result.scores.columns if c != "generated_at"]
    assert scored.result.scores[columns].equals(expected.result.scores[columns])
    assert {"target", "gap", "p_target"} <= set(scored.result.scores.columns)
    assert scored.metadata["campaign"] == campaign.code
    assert scored.metadata["questionnaire_sha256"] == campaign.questionnaire_sha256
    assert score_campaign(db, campaign.code) is scored  # cached
    by_role = score_campaign(db, campaign.code, by="role")
    assert by_role.metadata["by"] == "role"


def test_a_campaign_without_responses_cannot_be_scored(
    db: Database, campaign: CampaignInfo
) -> None:
    with pytest.raises(NoResponsesError, match="no submitted responses yet"):
        score_campaign(db, campaign.code)


def test_the_cache_keeps_the_most_recently_used_values() -> None:
    cache = LRUCache(2)
    computed: list[str] = []

    def compute(key: str) -> str:
        computed.append(key)
        return key.upper()

    assert [cache.get(k, lambda k=k: compute(k)) for k in ("a", "b", "a", "c", "a", "b")] == [
        "A",
        "B",
        "A",
        "C",
        "A",
        "B",
    ]
    # "b" was the least recently used when "c" arrived, so only it was computed twice.
    assert computed == ["a", "b", "c", "b"]
    cache.clear()
    cache.get("a", lambda: compute("a"))
    assert computed[-1] == "a"


def test_a_cache_keeps_at_least_one_value() -> None:
    with pytest.raises(ValueError, match="at least one value; got size 0"):
        LRUCache(0)
