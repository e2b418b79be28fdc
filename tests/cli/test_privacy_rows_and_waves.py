"""Issue 12 from the command line, on SQLite and PostgreSQL: the anonymised responses export is
k-anonymous and imports again (attack 2's second half), and a new wave created with
``--min-group-size 1`` cannot show a unit the previous wave hid (attack 4)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from cli_runner import Run
from storage import databases
from storage.responses_files import responses_rows, write_responses

from assessment.analysis.waves import wave_change
from assessment.outputs.exports import assert_responses_anonymised
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import read_responses_csv
from assessment.results.campaign_answers import score_campaign, score_campaign_waves
from assessment.storage import Database
from scoring.partitions import OTHER_ROLES, OTHER_UNITS
from scoring.suppression import TOTAL_LABEL

QUESTIONNAIRE = "work-management@1.0.0"

db = databases.db
db_url = databases.db_url
postgres_available = databases.postgres_available
postgres_shared_url = databases.postgres_shared_url
sqlite_template = databases.sqlite_template


def _url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def _campaign(wmm: Run, url: str, name: str, *options: str) -> str:
    code, out, err = wmm(
        "campaign", "create", "--name", name, "--questionnaire", QUESTIONNAIRE, *options,
        "--json", "--db", url,
    )  # fmt: skip
    assert code == 0, err
    return str(json.loads(out)["code"])


def _rows(units: dict[str, int], roles: list[str], *, seed: int) -> list[list[str]]:
    """A responses file with ``units`` (name: respondents) and the given role per row."""
    names = tuple(unit for unit, size in units.items() for _ in range(size))
    rows = responses_rows(len(names), units=names, seed=seed)
    column = rows[0].index("role")
    for row, role in zip(rows[1:], roles, strict=True):
        row[column] = role
    return rows


def test_anonymised_export_of_the_unit_role_attack_imports_again(
    wmm: Run, db: Database, tmp_path: Path
) -> None:
    # Attack 2: A = 5 staff, B = 5 leaders + 1 staff, minimum 5.
    url = _url(db)
    campaign = _campaign(wmm, url, "Attack 2")
    path = write_responses(
        tmp_path / "responses.csv",
        _rows({"A": 5, "B": 6}, ["staff"] * 5 + ["leader"] * 5 + ["staff"], seed=3),
    )
    assert wmm("import", path, "--campaign", campaign, "--db", url)[0] == 0
    out = tmp_path / "anonymised.csv"
    code, _, err = wmm("export", "responses", "--campaign", campaign, "--out", out, "--db", url)
    assert code == 0, err
    questionnaire = default_registry().get(QUESTIONNAIRE)
    exported = read_responses_csv(out, questionnaire)
    assert_responses_anonymised(exported, 5)
    # B's lone staff member shares unit, role, language and duration with at least 4 others.
    cells = Counter(
        zip(
            exported.unit,
            exported.role,
            exported.language,
            [None if np.isnan(d) else d for d in exported.duration_seconds],
            strict=True,
        )
    )
    assert min(cells.values()) >= 5
    assert Counter(zip(exported.unit, exported.role, strict=True)) == {
        ("A", OTHER_ROLES): 5,
        ("B", OTHER_ROLES): 6,
    }
    assert np.isnat(exported.submitted_at).all()
    assert "warning:" in err
    # The file is valid input again: it imports into a new campaign with every answer.
    copy = _campaign(wmm, url, "Re-import")
    code, message, err = wmm("import", out, "--campaign", copy, "--db", url)
    assert code == 0, err
    assert "11 response(s) added" in message


def test_a_new_wave_with_minimum_one_cannot_show_the_previous_waves_hidden_unit(
    wmm: Run, db: Database, tmp_path: Path
) -> None:
    # Attack 4: the previous wave (minimum 5) hid Tiny (n = 2); the new wave is created with
    # --min-group-size 1.
    url = _url(db)
    units = {"Big": 12, "Mid": 8, "Tiny": 2}
    roles = ["staff"] * 22
    first = _campaign(wmm, url, "Wave 1", "--organisation", "Acme")
    second = _campaign(wmm, url, "Wave 2", "--organisation", "Acme", "--min-group-size", "1")
    for code, seed in ((first, 1), (second, 2)):
        path = write_responses(tmp_path / f"{code}.csv", _rows(units, roles, seed=seed))
        assert wmm("import", path, "--campaign", code, "--db", url)[0] == 0

    own = score_campaign(db, first).result.scores
    assert own.loc[own["unit"] == "Tiny", "mean"].isna().all() or "Tiny" not in set(own["unit"])

    waves = score_campaign_waves(db, second, first)
    assert waves.min_group_size == 5
    questionnaire = default_registry().get(QUESTIONNAIRE)
    for wave in (waves.previous, waves.current):
        assert "Tiny" not in set(wave.scores["unit"].astype(str))
    # The Waves panel for Tiny shows nothing; only the pooled group (Tiny + Mid) is compared.
    assert wave_change(waves, questionnaire, label="Tiny").empty
    pooled = wave_change(waves, questionnaire, label=OTHER_UNITS)
    assert set(pooled["n_before"]) == {10}
    organisation = wave_change(waves, questionnaire, label=TOTAL_LABEL)
    assert set(organisation["n_before"]) == {22}

    report = tmp_path / "report.html"
    code, _, err = wmm(
        "report", "--campaign", second, "--out", report, "--previous", first, "--db", url
    )
    assert code == 0, err
    html = report.read_text(encoding="utf-8")
    change = html.split('id="change"')[1].split("</section>")[0]
    assert "Tiny" not in change
    overall = organisation.set_index("dimension").loc["overall"]
    assert f"{overall['mean_before']:.2f}" in change
