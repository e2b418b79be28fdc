"""The demo organisation: deterministic, realistic, and the committed files are a fresh generation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support import ROOT

from assessment.demo.generate import (
    DEMO_SEED,
    demo_waves,
    generate_organisation,
    main,
    organisation_profile,
    write_demo,
)
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import read_responses_csv
from scoring.recoding import DONT_KNOW, NOT_APPLICABLE, SKIPPED

REGISTRY = default_registry()
V1 = REGISTRY.get("work-management@1.0.0")
V11 = REGISTRY.get("work-management@1.1.0")
COMMITTED = ROOT / "data" / "demo"


@pytest.fixture(scope="module")
def waves():  # type: ignore[no-untyped-def]
    return demo_waves(V1, V11, seed=DEMO_SEED)


def scored(codes: np.ndarray, reverse: np.ndarray) -> np.ndarray:
    """Answers as numbers, reverse-keyed columns flipped, missing as NaN."""
    x = codes.astype(float)
    x[codes < 0] = np.nan
    x[:, reverse] = 6 - x[:, reverse]
    return x


def test_same_seed_same_organisation_other_seed_other() -> None:
    first = generate_organisation(V1, seed=11)
    again = generate_organisation(V1, seed=11)
    other = generate_organisation(V1, seed=12)
    assert first.table.equals(again.table) and first.head_counts == again.head_counts
    assert not first.table.equals(other.table)


@pytest.mark.parametrize("seed", [1, 2, 3, DEMO_SEED])
def test_units_and_sizes(seed: int) -> None:
    org = generate_organisation(V1, seed=seed)
    units, counts = np.unique(org.table.unit, return_counts=True)
    assert 8 <= len(units) <= 12
    assert counts.min() >= 3 and counts.max() <= 60
    assert counts.min() < 5  # one unit shows suppression
    for unit, n in zip(units, counts, strict=True):
        assert org.head_counts[unit] >= n
    assert len(set(org.table.respondent_id)) == org.table.n_respondents


def test_realistic_answers(waves) -> None:  # type: ignore[no-untyped-def]
    table = waves[0].table
    codes = table.codes
    assert {SKIPPED, DONT_KNOW, NOT_APPLICABLE} <= set(np.unique(codes))
    reverse = np.array([i.reverse for i in V1.items] + [o.reverse for o in V1.outcomes])
    x = scored(codes, reverse)
    items = len(V1.items)
    overall = np.nanmean(x[:, :items], axis=1)
    role = table.role
    assert np.nanmean(overall[role == "leader"]) > np.nanmean(overall[role == "staff"]) + 0.2
    # A reverse-keyed item, once reverse-scored, agrees with its component's other items.
    j = next(k for k, item in enumerate(V1.items) if item.reverse)
    siblings = [
        k for k, item in enumerate(V1.items) if item.component == V1.items[j].component and k != j
    ]
    rest = np.nanmean(x[:, siblings], axis=1)
    both = ~np.isnan(x[:, j]) & ~np.isnan(rest)
    assert np.corrcoef(x[both, j], rest[both])[0, 1] > 0.3
    # Outcomes follow completion.
    completion = [k for k, item in enumerate(V1.items) if item.component == "completion"]
    answered_outcomes = (~np.isnan(x[:, items:])).sum(axis=1)
    ok = answered_outcomes > 0
    outcome = np.nansum(x[:, items:], axis=1) / np.maximum(answered_outcomes, 1)
    assert np.corrcoef(outcome[ok], np.nanmean(x[ok][:, completion], axis=1))[0, 1] > 0.4
    # A few straight-liners and implausibly fast respondents.
    answered = np.where(codes[:, :items] > 0, codes[:, :items], 0)
    straight = (answered.max(axis=1) == np.where(answered > 0, answered, 99).min(axis=1)).sum()
    assert 1 <= straight <= 0.08 * table.n_respondents
    assert 1 <= (table.duration_seconds < 120).sum() <= 0.15 * table.n_respondents


def test_second_wave_same_units_other_people_a_little_better(waves) -> None:  # type: ignore[no-untyped-def]
    first, second = (w.table for w in waves)
    assert second.questionnaire == "work-management@1.1.0"
    assert set(first.unit) == set(second.unit)
    assert not set(first.respondent_id) & set(second.respondent_id)
    shared = [i.id for i in V1.items if i.id in {j.id for j in V11.items}]
    reverse = np.array([V1.item(i).reverse for i in shared])
    before = np.nanmean(scored(first.item_codes(shared), reverse))
    after = np.nanmean(scored(second.item_codes(shared), reverse))
    assert 0.02 < after - before < 0.4


def test_committed_files_are_a_fresh_generation(tmp_path: Path) -> None:
    written = write_demo(tmp_path)
    assert [p.name for p in written] == ["wave1.csv", "wave2.csv", "units.csv"]
    for path in written:
        assert path.read_bytes() == (COMMITTED / path.name).read_bytes(), (
            f"data/demo/{path.name} is stale: run python -m assessment.demo.generate --write data/demo"
        )


def test_committed_files_read_back(waves) -> None:  # type: ignore[no-untyped-def]
    assert read_responses_csv(COMMITTED / "wave1.csv", V1).equals(waves[0].table)
    assert read_responses_csv(COMMITTED / "wave2.csv", V11).equals(waves[1].table)
    lines = (COMMITTED / "units.csv").read_text("utf-8").splitlines()
    assert lines[0] == "unit,head_count" and len(lines) == 1 + len(set(waves[0].table.unit))


def test_script_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--write", str(tmp_path / "demo")])
    assert "wrote" in capsys.readouterr().out
    assert (tmp_path / "demo" / "units.csv").is_file()


def test_large_profile_is_fast_to_build() -> None:
    profile = organisation_profile(seed=1, n_units=500, min_size=20, max_size=20)
    org = generate_organisation(V11, seed=1, profile=profile)
    assert org.table.n_respondents == 10_000
    assert len(set(org.table.unit)) == 500
