"""Scoring a response table: the metadata every output records, breakdowns, and the readable table."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest
from support import ROOT

from assessment.analysis.scoring import NOT_GIVEN, format_scores_table, score_table
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import read_responses_csv
from scoring.suppression import TOTAL_LABEL

REGISTRY = default_registry()
V1 = REGISTRY.get("work-management@1.0.0")
V11 = REGISTRY.get("work-management@1.1.0")


@pytest.fixture(scope="module")
def table():  # type: ignore[no-untyped-def]
    return read_responses_csv(ROOT / "data" / "demo" / "wave1.csv", V1)


@pytest.fixture(scope="module")
def by_unit(table):  # type: ignore[no-untyped-def]
    return score_table(table, V1, n_resamples=200)


def test_metadata_records_questionnaire_and_settings(by_unit) -> None:  # type: ignore[no-untyped-def]
    meta = by_unit.metadata
    assert meta["questionnaire"] == "work-management@1.0.0"
    assert (meta["questionnaire_id"], meta["questionnaire_version"]) == ("work-management", "1.0.0")
    assert meta["questionnaire_sha256"] == REGISTRY.sha256("work-management@1.0.0")
    assert (meta["confidence"], meta["min_group_size"], meta["min_item_coverage"]) == (0.95, 5, 0.5)
    assert meta["method"] == "t" and meta["by"] == "unit" and meta["n_respondents"] == 337
    assert meta["generated_at"].endswith("Z") and meta["generator"].startswith("wmm ")


def test_overrides_reach_the_spec(table) -> None:  # type: ignore[no-untyped-def]
    scored = score_table(table, V1, confidence=0.8, min_group_size=10, n_resamples=50)
    assert scored.metadata["confidence"] == 0.8 and scored.metadata["min_group_size"] == 10
    counts = pd.Series(table.unit).value_counts()
    scores = scored.result.scores
    for unit, n in counts.items():
        rows = scores[scores["unit"] == unit]
        if n < 10:
            assert rows["suppressed"].all()


def test_by_role_keeps_the_organisation_rows_clustered_by_unit(table, by_unit) -> None:  # type: ignore[no-untyped-def]
    by_role = score_table(table, V1, by="role", n_resamples=200)
    assert by_role.group_column == "role"
    scores = by_role.result.scores
    assert set(scores["role"]) == {"leader", "manager", "staff", "other", TOTAL_LABEL}
    organisation = scores[scores["role"] == TOTAL_LABEL].reset_index(drop=True)
    expected = by_unit.result.scores
    expected = expected[expected["unit"] == TOTAL_LABEL].reset_index(drop=True)
    for column in ("mean", "ci_low", "ci_high", "level"):
        pd.testing.assert_series_equal(organisation[column], expected[column], check_names=False)


def test_missing_role_forms_its_own_group(table) -> None:  # type: ignore[no-untyped-def]
    roles = table.role.copy()
    roles[:40] = None
    changed = dataclasses.replace(table, demographics={"role": roles})
    scores = score_table(changed, V1, by="role", n_resamples=50).result.scores
    assert NOT_GIVEN in set(scores["role"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "team"}, "cannot score by 'team'"),
        ({"by": "role", "head_counts": {"leader": 10}}, "head-counts are per unit"),
    ],
    ids=["unknown-breakdown", "head-counts-by-role"],
)
def test_bad_options(table, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        score_table(table, V1, n_resamples=50, **kwargs)


def test_table_of_another_questionnaire(table) -> None:  # type: ignore[no-untyped-def]
    expected = re.escape("answer work-management@1.0.0, not work-management@1.1.0")
    with pytest.raises(ValueError, match=expected):
        score_table(table, V11)


def test_head_counts_narrow_the_interval(table, by_unit) -> None:  # type: ignore[no-untyped-def]
    counts = pd.Series(table.unit).value_counts()
    big = counts.index[0]
    with_counts = score_table(table, V1, head_counts={big: int(counts[big]) + 2}, n_resamples=50)

    def width(scored) -> float:  # type: ignore[no-untyped-def]
        s = scored.result.scores
        row = s[(s["unit"] == big) & (s["dimension"] == "clarity")].iloc[0]
        return float(row["ci_high"] - row["ci_low"])

    assert width(with_counts) < width(by_unit)


def test_readable_table(by_unit, table) -> None:  # type: ignore[no-untyped-def]
    text = format_scores_table(by_unit, V1)
    lines = text.splitlines()
    assert lines[0].startswith("Work Management Maturity Assessment (work-management@1.0.0): 337")
    assert "Organisation, all respondents (n=337)" in text
    # Units under the minimum are pooled before scoring (docs/formats.md "Privacy model"): the
    # table lists every published (coarsened) unit, and says what was pooled.
    counts = pd.Series(by_unit.result.respondents["unit"]).value_counts()
    assert "(other units)" in counts
    assert counts.sum() == table.n_respondents
    for unit, n in counts.items():
        assert n >= 5
        assert f"{unit} (n={n})" in text or f"{unit}: suppressed" in text
    assert "Note: unit: pooled 1 unit with fewer than 5 respondents" in text
    organisation = by_unit.result.scores
    row = organisation[
        (organisation["unit"] == TOTAL_LABEL) & (organisation["dimension"] == "clarity")
    ].iloc[0]
    assert f"{row['mean']:.2f}  [{row['ci_low']:.2f}, {row['ci_high']:.2f}]" in text
    assert f"{row['level_name']} ({row['level_probability'] * 100:.0f}%)" in text
    # Principles stay out of the terminal table (they are in --out).
    assert "Clarity over Chaos" not in text and "clarity-over-chaos" not in text
    assert max(len(line) for line in lines[3:]) <= 100


def test_readable_table_shows_the_pooled_group_instead_of_hiding_units(by_unit, table) -> None:  # type: ignore[no-untyped-def]
    # Before issue 12 the small unit was suppressed and a larger one hidden to protect it; now both
    # are pooled into "(other units)" before scoring, which is shown with its statistics.
    counts = pd.Series(table.unit).value_counts()
    small = counts[counts < 5]
    assert len(small) >= 1
    text = format_scores_table(by_unit, V1)
    pooled = int(by_unit.result.respondents["unit"].value_counts()["(other units)"])
    assert f"(other units) (n={pooled})" in text
    for unit in small.index:
        assert f"{unit} (n=" not in text and f"{unit}: suppressed" not in text
        assert unit in text  # named in the note that says what was pooled


def test_the_pipeline_runs_with_blas_on_one_thread(table, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Multi-threaded BLAS on the pipeline's small products collapses on a busy machine."""
    from threadpoolctl import threadpool_info

    import assessment.analysis.scoring as service

    seen: list[list[int]] = []
    real = service.score

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(
            [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
        )
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "score", recording)
    score_table(table, default_registry().get(table.questionnaire), by="role")
    assert len(seen) == 2  # the breakdown and its organisation rows clustered by unit
    assert all(threads and set(threads) == {1} for threads in seen)


def test_driver_resamples_reach_the_pipeline(table) -> None:  # type: ignore[no-untyped-def]
    questionnaire = default_registry().get(table.questionnaire)
    without = score_table(table, questionnaire, driver_resamples=0).result.drivers
    with_intervals = score_table(table, questionnaire, driver_resamples=50).result.drivers
    assert without["ci_low"].isna().all() and without.attrs["n_resamples"] == 0
    assert with_intervals["ci_low"].notna().all()
    pd.testing.assert_series_equal(without["raw_weight"], with_intervals["raw_weight"])


def test_a_role_breakdown_takes_the_unit_drivers_and_keeps_its_own_tables(table, by_unit) -> None:  # type: ignore[no-untyped-def]
    by_role = score_table(table, V1, by="role").result
    pd.testing.assert_frame_equal(by_role.drivers, by_unit.result.drivers)
    assert not by_role.stats.empty and not by_role.items.empty and not by_role.respondents.empty
    assert "role" in by_role.items.columns
