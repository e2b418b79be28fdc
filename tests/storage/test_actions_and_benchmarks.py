"""Action items and stored benchmark rows on both backends; the demo organisation seeds once."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from assessment.campaigns.actions import add_action, delete_action, list_actions, update_action
from assessment.campaigns.management import CampaignInfo, list_campaigns
from assessment.demo.generate import DEMO_QUESTIONNAIRES, DEMO_SEED, demo_waves, write_demo
from assessment.demo.seed import ACTIONS, WAVES, seed_demo
from assessment.errors import ActionError, DataError, UnknownActionError
from assessment.outputs.benchmark_rows import (
    COLUMNS,
    delete_benchmark_rows,
    load_benchmark_rows,
    save_benchmark_rows,
)
from assessment.questionnaire import default_registry
from assessment.results.campaign_answers import load_responses
from assessment.storage import Database


def test_action_items_are_created_listed_changed_and_deleted(
    db: Database, campaign: CampaignInfo
) -> None:
    late = add_action(
        db, campaign.code, dimension="completion", title="Weekly review", due_date=date(2025, 6, 1)
    )
    early = add_action(
        db,
        campaign.code,
        dimension="clarity",
        title="One-page priorities",
        owner="Ana",
        due_date=date(2025, 3, 1),
    )
    undated = add_action(db, campaign.code, dimension="overall", title="Retro")
    assert [a.id for a in list_actions(db, campaign.code)] == [early.id, late.id, undated.id]
    assert [a.title for a in list_actions(db, campaign.code, dimension="clarity")] == [
        "One-page priorities"
    ]
    changed = update_action(db, campaign.code, late.id, status="done", owner="Ben")
    assert (changed.status, changed.owner, changed.title) == ("done", "Ben", "Weekly review")
    delete_action(db, campaign.code, undated.id)
    assert len(list_actions(db, campaign.code)) == 2
    with pytest.raises(UnknownActionError):
        delete_action(db, campaign.code, undated.id)


BAD_ACTIONS: list[tuple[str, dict[str, Any], str]] = [
    ("dimension", {"dimension": "speed"}, "one dimension of work-management@1.0.0"),
    ("title", {"title": "  "}, "needs a title"),
    ("status", {"status": "finished"}, "open, in-progress, done, dropped"),
    ("due-date", {"due_date": "tomorrow"}, "YYYY-MM-DD"),
    ("field", {"priority": 1}, "has no field 'priority'"),
]


@pytest.mark.parametrize(
    ("changes", "message"), [c[1:] for c in BAD_ACTIONS], ids=[c[0] for c in BAD_ACTIONS]
)
def test_bad_action_items_are_refused(
    db: Database, campaign: CampaignInfo, changes: dict[str, Any], message: str
) -> None:
    action = add_action(db, campaign.code, dimension="clarity", title="ok")
    with pytest.raises(ActionError, match=message):
        update_action(db, campaign.code, action.id, **changes)
    if "priority" not in changes:
        arguments: dict[str, Any] = {"dimension": "clarity", "title": "ok", **changes}
        with pytest.raises(ActionError, match=message):
            add_action(db, campaign.code, **arguments)
    assert [a.title for a in list_actions(db, campaign.code)] == ["ok"]


def _benchmark(org: str, means: list[float]) -> pd.DataFrame:
    dimensions = ["clarity", "coordination", "completion"][: len(means)]
    rows = []
    for dimension, mean in zip(dimensions, means, strict=True):
        rows.append(
            {
                "format": "wmm-benchmark/1",
                "questionnaire": "work-management@1.0.0",
                "questionnaire_sha256": "a" * 64,
                "org": org,
                "sector": "Retail",
                "size_band": None,
                "period": "2025-03",
                "dimension_type": "component",
                "dimension": dimension,
                "n_respondents": 40,
                "n_units": 4,
                "mean": mean,
                "sd": 0.8,
                "ci_low": mean - 0.25,
                "ci_high": mean + 0.25,
                "p25": np.nan,
                "median": mean,
                "p75": np.nan,
                "level": 3,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def test_benchmark_rows_are_saved_once_and_loaded_back(db: Database) -> None:
    first = _benchmark("org-aaa", [3.1, 3.4, 2.9])
    assert save_benchmark_rows(db, first, source="a.csv").added == 3
    again = save_benchmark_rows(db, first, source="a-copy.csv")
    assert (again.added, again.unchanged) == (0, 3)
    save_benchmark_rows(db, _benchmark("org-bbb", [3.6]), source="b.csv")
    loaded = load_benchmark_rows(db, questionnaire_id="work-management")
    assert list(loaded.columns) == list(COLUMNS)
    assert len(loaded) == 4
    a = loaded[loaded["org"] == "org-aaa"].reset_index(drop=True)
    assert a["mean"].tolist() == [3.1, 3.4, 2.9]
    assert a["p25"].isna().all()
    assert a["size_band"].isna().all()
    assert a["n_respondents"].tolist() == [40, 40, 40]
    assert load_benchmark_rows(db, questionnaire_id="other").empty
    assert delete_benchmark_rows(db, org="org-aaa") == 3
    assert len(load_benchmark_rows(db)) == 1


def test_conflicting_benchmark_rows_are_refused_and_nothing_is_saved(db: Database) -> None:
    save_benchmark_rows(db, _benchmark("org-aaa", [3.1, 3.4]), source="a.csv")
    changed = pd.concat([_benchmark("org-aaa", [3.1, 3.9]), _benchmark("org-ccc", [2.0])])
    with pytest.raises(
        DataError,
        match=r"org-aaa / 2025-03 / component / coordination was imported before from a.csv with other values \(mean, ci_low, ci_high, median\)",
    ):
        save_benchmark_rows(db, changed, source="changed.csv")
    assert set(load_benchmark_rows(db)["org"]) == {"org-aaa"}
    with pytest.raises(DataError, match="more than once"):
        save_benchmark_rows(
            db, pd.concat([_benchmark("x", [1.0]), _benchmark("x", [1.0])]), source="d.csv"
        )


def test_the_demo_organisation_is_seeded_once(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    write_demo(folder)  # the files `python -m assessment.demo.generate --write data/demo` commits
    first = seed_demo(db, folder=folder)
    assert first.campaigns_created == 2
    assert first.actions_added == len(ACTIONS)
    assert all(c.responses_added == c.responses > 100 for c in first.campaigns)
    second = seed_demo(db, folder=folder)
    assert second.campaigns_created == 0
    assert second.actions_added == 0
    assert [c.responses_added for c in second.campaigns] == [0, 0]
    campaigns = {c.name: c for c in list_campaigns(db)}
    assert set(campaigns) == {name for name, _, _ in WAVES}
    wave1, wave2 = (campaigns[name] for name, _, _ in WAVES)
    assert (wave1.status, wave2.status) == ("closed", "open")
    assert wave1.questionnaire != wave2.questionnaire
    assert all(u.head_count for u in wave1.units)
    assert wave1.targets["completion"] == 4
    assert len(list_actions(db, wave1.code)) == len(ACTIONS)


def test_without_demo_files_the_same_demo_is_generated(db: Database, tmp_path: Path) -> None:
    registry = default_registry()
    first, second = (registry.get(key) for key in DEMO_QUESTIONNAIRES)
    waves = demo_waves(first, second, seed=DEMO_SEED)
    seeded = seed_demo(db, folder=tmp_path)  # an empty folder: nothing to read
    for campaign, wave in zip(seeded.campaigns, waves, strict=True):
        stored = load_responses(db, campaign.code)
        np.testing.assert_array_equal(stored.codes, wave.table.codes)
        np.testing.assert_array_equal(stored.unit, wave.table.unit)
    head_counts = {u.name: u.head_count for u in list_campaigns(db)[0].units}
    assert head_counts == waves[0].head_counts
