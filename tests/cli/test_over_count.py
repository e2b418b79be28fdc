"""One response more than a unit's head-count, end to end on SQLite and PostgreSQL: every results
command still works and warns, `wmm campaign units` shows and corrects head-counts (all or none)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import Run
from storage import databases
from storage.responses_files import responses_rows, write_responses

from assessment.results.campaign_answers import clear_caches
from assessment.storage import Database

db = databases.db
db_url = databases.db_url
postgres_available = databases.postgres_available
postgres_shared_url = databases.postgres_shared_url
sqlite_template = databases.sqlite_template

WARNING = "Marketing: 15 responses but a head-count of 14 — treated as 15; correct the head-count"


@pytest.fixture
def over_counted(wmm: Run, db: Database, tmp_path: Path) -> tuple[str, str]:
    """(database URL, campaign code) of a campaign whose Marketing has 15 answers and 14 people."""
    clear_caches()
    url = db.url.render_as_string(hide_password=False)
    units = tmp_path / "units.csv"
    units.write_text("unit,head_count\nMarketing,14\nSales,40\n", encoding="utf-8")
    code, out, err = wmm(
        "campaign", "create", "--name", "Workshop", "--questionnaire", "work-management@1.0.0",
        "--units", units, "--json", "--db", url,
    )  # fmt: skip
    assert code == 0, err
    campaign = str(json.loads(out)["code"])
    responses = write_responses(
        tmp_path / "answers.csv", responses_rows(30, units=("Marketing", "Sales"))
    )
    code, _, err = wmm("import", responses, "--campaign", campaign, "--db", url)
    assert code == 0, err
    return url, campaign


def test_every_results_command_works_and_warns(
    wmm: Run, over_counted: tuple[str, str], tmp_path: Path
) -> None:
    url, campaign = over_counted
    commands = {
        "export scores": ("export", "scores", "--campaign", campaign, "--out", tmp_path / "s.csv"),
        "export benchmark": (
            "export", "benchmark", "--campaign", campaign, "--out", tmp_path / "b.csv",
        ),
        "benchmark compare": ("benchmark", "compare", "--campaign", campaign),
        "report": ("report", "--campaign", campaign, "--out", tmp_path / "r.html"),
    }  # fmt: skip
    for name, args in commands.items():
        code, _, err = wmm(*args, "--db", url)
        assert code == 0, f"{name}: {err}"
        assert f"warning: {WARNING}" in err, name
        assert "Traceback" not in err
    assert WARNING in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_campaign_units_shows_and_corrects_head_counts(
    wmm: Run, over_counted: tuple[str, str], tmp_path: Path
) -> None:
    url, campaign = over_counted
    code, out, err = wmm("campaign", "units", campaign, "--db", url)
    assert code == 0, err
    marketing = next(line for line in out.splitlines() if line.startswith("Marketing"))
    assert marketing.split()[:3] == ["Marketing", "14", "15"]
    assert '--set "Marketing=15"' in marketing

    # All or nothing: one valid value next to three bad ones saves nothing.
    code, out, err = wmm(
        "campaign", "units", campaign, "--set", "Sales=41", "--set", "Marketing=12",
        "--set", "Nowhere=3", "--set", "Sales =x", "--db", url,
    )  # fmt: skip
    assert code == 1
    assert "set twice" in err  # "Sales" and "Sales " name the same unit
    code, out, err = wmm(
        "campaign", "units", campaign, "--set", "Sales=41", "--set", "Marketing=12",
        "--set", "Nowhere=3", "--db", url,
    )  # fmt: skip
    assert code == 1
    assert "nothing was changed" in err
    assert "unit 'Marketing': it has 15 responses; expected a head-count of at least 15" in err
    assert "unit 'Nowhere': unknown unit 'Nowhere': campaign" in err
    assert "has the units Marketing, Sales" in err
    assert "Traceback" not in err
    code, out, err = wmm("campaign", "units", campaign, "--set", "Sales=zero", "--db", url)
    assert code == 1
    assert "unit 'Sales': expected a head-count, a whole number >= 1" in err and "'zero'" in err
    code, out, _ = wmm("campaign", "units", campaign, "--json", "--db", url)
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["Sales"]["head_count"] == 40 and rows["Marketing"]["over_counted"]

    code, out, err = wmm("campaign", "units", campaign, "--set", "Marketing=15", "--db", url)
    assert code == 0, err
    assert "saved 1 head-count(s)" in out
    code, _, err = wmm(
        "export", "scores", "--campaign", campaign, "--out", tmp_path / "s.csv", "--db", url
    )
    assert code == 0 and "warning" not in err
