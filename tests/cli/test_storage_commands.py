"""The database commands end to end, on SQLite and PostgreSQL: a facilitator's whole session from
the command line, the refusal of a database that needs `wmm db upgrade`, and bad input with exit
codes (1 bad data, 2 misuse), messages on stderr and nothing half-written."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from cli_runner import Run
from storage import databases
from storage.questionnaire_files import MINI, questionnaires_with_roles
from storage.responses_files import responses_rows, write_responses

from assessment.analysis.waves import wave_change
from assessment.campaigns.management import get_campaign
from assessment.outputs.benchmark import BENCHMARK_COLUMNS, read_benchmark_files
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import read_responses_csv
from assessment.results.campaign_answers import score_campaign_waves
from assessment.storage import Database

QUESTIONNAIRE = "work-management@1.0.0"

# The storage tests' database fixtures: every test here runs on SQLite and on PostgreSQL.
db = databases.db
db_url = databases.db_url
postgres_available = databases.postgres_available
postgres_shared_url = databases.postgres_shared_url
sqlite_template = databases.sqlite_template


def _url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def _new_campaign(wmm: Run, url: str, name: str, *options: str) -> str:
    """`wmm campaign create` of a campaign on QUESTIONNAIRE; its code."""
    code, out, err = wmm(
        "campaign", "create", "--name", name, "--questionnaire", QUESTIONNAIRE, *options,
        "--json", "--db", url,
    )  # fmt: skip
    assert code == 0, err
    return str(json.loads(out)["code"])


def test_db_upgrade_creates_then_reports_nothing_to_do(wmm: Run, db_url: str) -> None:
    code, _, err = wmm("db", "status", "--db", db_url)
    assert code == 1
    assert "`wmm db upgrade`" in err or "wmm db upgrade" in err
    code, out, _ = wmm("db", "upgrade", "--db", db_url)
    assert code == 0
    assert "created the schema" in out
    code, out, _ = wmm("db", "upgrade", "--db", db_url)
    assert (code, "nothing to do" in out) == (0, True)
    code, out, _ = wmm("db", "status", "--db", db_url)
    assert code == 0
    assert "up to date" in out


COMMANDS: list[list[str]] = [
    ["campaign", "list"],
    ["campaign", "create", "--name", "x", "--questionnaire", QUESTIONNAIRE],
    ["campaign", "show", "abc"],
    ["campaign", "close", "abc"],
    ["campaign", "reopen", "abc"],
    ["import", "responses.csv", "--campaign", "abc"],
    ["invitations", "create", "--campaign", "abc", "--count", "3", "--out", "{tmp}/inv.csv"],
    ["demo"],
    ["export", "responses", "--campaign", "abc", "--out", "{tmp}/r.csv"],
    ["export", "scores", "--campaign", "abc", "--out", "{tmp}/s.csv"],
    ["export", "benchmark", "--campaign", "abc", "--out", "{tmp}/b.csv"],
    ["benchmark", "import", "{tmp}/b.csv"],
    ["benchmark", "compare", "--campaign", "abc"],
    ["report", "--campaign", "abc", "--out", "{tmp}/report.html"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_every_command_refuses_a_database_that_needs_an_upgrade(
    wmm: Run, db_url: str, tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "b.csv").write_text("x\n", encoding="utf-8")
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    code, _, err = wmm(*args, "--db", db_url)
    assert code == 1
    assert "wmm db upgrade" in err
    assert "Traceback" not in err
    assert not (tmp_path / "inv.csv").exists()
    assert not (tmp_path / "report.html").exists()


def _rows_with_other_means(seed: int, shift: int) -> list[list[str]]:
    rows = responses_rows(40, seed=seed)
    start = rows[0].index("CLA01")
    for row in rows[1:]:
        row[start:] = [
            str(min(5, max(1, int(c) + shift))) if c.isdigit() else c for c in row[start:]
        ]
    return rows


def test_a_facilitators_session_from_the_command_line(
    wmm: Run, db: Database, tmp_path: Path
) -> None:
    url = _url(db)
    units = tmp_path / "units.csv"
    units.write_text(
        "unit,parent,head_count\nOperations,,40\nSupport,Operations,20\nSales,,30\n",
        encoding="utf-8",
    )
    code, out, err = wmm(
        "campaign", "create", "--name", "Spring", "--questionnaire", QUESTIONNAIRE,
        "--organisation", "Acme", "--units", units, "--target", "completion=4", "--json",
        "--db", url,
    )  # fmt: skip
    assert code == 0, err
    created = json.loads(out)
    campaign = created["code"]
    assert created["survey_url"] == f"https://survey.example.org/?c={campaign}"
    assert created["targets"] == {"completion": 4}

    responses = write_responses(tmp_path / "responses.csv", responses_rows(45))
    code, out, err = wmm("import", responses, "--campaign", campaign, "--db", url)
    assert code == 0, err
    assert "45 response(s) added" in out
    code, out, _ = wmm("import", responses, "--campaign", campaign, "--db", url)
    assert "0 response(s) added, 45 already imported" in out

    code, out, _ = wmm("campaign", "list", "--db", url)
    assert campaign in out
    assert out.splitlines()[1].split()[-1] == "45"
    listed = json.loads(wmm("campaign", "list", "--json", "--db", url)[1])
    assert [(c["code"], c["responses"]) for c in listed] == [(campaign, 45)]

    # The raw export imports again unchanged, into a new campaign, with the same answers.
    raw = tmp_path / "raw.csv"
    code, _, err = wmm(
        "export", "responses", "--campaign", campaign, "--out", raw, "--raw", "--db", url
    )
    assert code == 0
    assert "warning: raw export" in err
    questionnaire = default_registry().get(QUESTIONNAIRE)
    original = read_responses_csv(responses, questionnaire)
    exported = read_responses_csv(raw, questionnaire)
    assert (exported.codes == original.codes).all()
    copy = _new_campaign(wmm, url, "copy")
    assert wmm("import", raw, "--campaign", copy, "--db", url)[0] == 0
    again = tmp_path / "again.csv"
    wmm("export", "responses", "--campaign", copy, "--out", again, "--raw", "--db", url)
    assert (read_responses_csv(again, questionnaire).codes == original.codes).all()

    scores = tmp_path / "scores.csv"
    code, out, err = wmm("export", "scores", "--campaign", campaign, "--out", scores, "--db", url)
    assert code == 0, err
    with scores.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["questionnaire"] for r in rows} == {QUESTIONNAIRE}
    assert {r["min_group_size"] for r in rows} == {"5"}
    assert all(len(r["questionnaire_sha256"]) == 64 for r in rows)

    # Two other organisations' benchmark files, then where this one stands.
    others = []
    for number, shift in ((1, -1), (2, 1)):
        other = _new_campaign(wmm, url, f"org{number}")
        path = write_responses(
            tmp_path / f"org{number}.csv", _rows_with_other_means(number + 10, shift)
        )
        assert wmm("import", path, "--campaign", other, "--db", url)[0] == 0
        file = tmp_path / f"benchmark{number}.csv"
        code, _, err = wmm(
            "export",
            "benchmark",
            "--campaign",
            other,
            "--out",
            file,
            "--period",
            "2025-03",
            "--db",
            url,
        )
        assert code == 0, err
        others.append(file)
    own = tmp_path / "own.csv"
    assert wmm("export", "benchmark", "--campaign", campaign, "--out", own, "--db", url)[0] == 0
    frame = read_benchmark_files([own])
    assert tuple(frame.columns[: len(BENCHMARK_COLUMNS)]) == BENCHMARK_COLUMNS
    assert frame["org"].str.startswith("org-").all()  # a pseudonym, not "Acme"
    assert (frame["n_respondents"] >= 5).all()

    code, out, err = wmm("benchmark", "import", *others, own, "--db", url)
    assert code == 0, err
    assert f"{3 * len(frame)} benchmark row(s) added" in out
    code, out, err = wmm("benchmark", "compare", "--campaign", campaign, "--db", url)
    assert code == 0, err
    assert "compared with 2 organisation(s)" in out  # its own file is recognised and left out
    table = json.loads(
        wmm("benchmark", "compare", "--campaign", campaign, "--json", "--db", url)[1]
    )
    overall = next(r for r in table if r["dimension"] == "overall")
    assert overall["n_orgs"] == 2
    assert overall["percentile"] == 50.0  # between the lower and the higher organisation

    report = tmp_path / "report.html"
    code, _, err = wmm("report", "--campaign", campaign, "--out", report, "--db", url)
    assert code == 0, err
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html

    code, out, _ = wmm("campaign", "close", campaign, "--db", url)
    assert "is closed" in out
    code, _, err = wmm("import", responses, "--campaign", campaign, "--db", url)
    assert code == 1
    assert "is closed; reopen it" in err


def test_a_broken_import_exits_1_with_row_and_column_and_writes_nothing(
    wmm: Run, db: Database, tmp_path: Path
) -> None:
    url = _url(db)
    campaign = _new_campaign(wmm, url, "x")
    rows = responses_rows(10)
    rows[4][rows[0].index("COM03")] = "12"
    code, _, err = wmm(
        "import", write_responses(tmp_path / "bad.csv", rows), "--campaign", campaign, "--db", url
    )
    assert code == 1
    assert "bad.csv row 5, column COM03" in err
    assert "Traceback" not in err
    assert get_campaign(db, campaign).responses == 0
    assert get_campaign(db, campaign).units == ()  # not even the units of the file


def test_invitations_are_written_once_to_a_new_file(wmm: Run, db: Database, tmp_path: Path) -> None:
    url = _url(db)
    campaign = _new_campaign(wmm, url, "x", "--mode", "invitation")

    def invite(code: str, count: int, out: Path) -> tuple[int, str, str]:
        return wmm(
            "invitations", "create", "--campaign", code, "--count", str(count), "--out", out,
            "--db", url,
        )  # fmt: skip

    out_file = tmp_path / "links.csv"
    code, _, err = invite(campaign, 25, out_file)
    assert code == 0, err
    with out_file.open(encoding="utf-8") as handle:
        links = [row["survey_url"] for row in csv.DictReader(handle)]
    assert len(set(links)) == 25
    assert all(link.startswith(f"https://survey.example.org/?c={campaign}&t=") for link in links)
    code, _, err = invite(campaign, 5, out_file)
    assert code == 1
    assert "exists" in err
    missing = tmp_path / "other.csv"
    code, _, err = invite("nope", 5, missing)
    assert code == 1
    assert "no campaign has the code 'nope'" in err
    assert not missing.exists()


def test_demo_twice_adds_nothing_the_second_time(wmm: Run, db: Database) -> None:
    url = _url(db)
    code, out, err = wmm("demo", "--db", url)
    assert code == 0, err
    assert "2 campaign(s) and 4 action item(s) added" in out
    code, out, _ = wmm("demo", "--db", url)
    assert "0 campaign(s) and 0 action item(s) added" in out
    assert out.count("0 added now") == 2
    assert len(json.loads(wmm("campaign", "list", "--json", "--db", url)[1])) == 2


def _change_section(html: str) -> str:
    return html.split('id="change"')[1].split("</section>")[0]


def test_the_report_of_the_second_demo_wave_shows_the_change(
    wmm: Run, db: Database, tmp_path: Path
) -> None:
    url = _url(db)
    assert wmm("demo", "--db", url)[0] == 0
    listed = json.loads(wmm("campaign", "list", "--json", "--db", url)[1])
    codes = {c["name"]: c["code"] for c in listed}
    first, second = codes["Wave 1 (spring 2024)"], codes["Wave 2 (autumn 2024)"]
    # The dashboard's comparison of the two waves, whose organisation row the report must show.
    waves = score_campaign_waves(db, second, first)
    overall = wave_change(waves, default_registry().get(listed[0]["questionnaire"])).set_index(
        "dimension"
    )
    expected = "{:.2f} [{:.2f}, {:.2f}]".format(
        *overall.loc["overall", ["diff", "diff_ci_low", "diff_ci_high"]]
    )
    report = tmp_path / "report.html"
    for previous in ([], ["--previous", first]):
        code, out, err = wmm(
            "report", "--campaign", second, "--out", report, *previous, "--db", url
        )
        assert code == 0, err
        assert f"change since Wave 1 (spring 2024) ({first}) on {waves.n_common} common" in out
        section = _change_section(report.read_text(encoding="utf-8"))
        assert "statements that work-management@1.0.0 and work-management@1.1.0 share" in section
        assert "Hedges&#x27; g" in section
        assert re.search(rf'<td class="num">{re.escape(expected)}</td>', section)

    code, out, err = wmm("report", "--campaign", first, "--out", report, "--db", url)
    assert (code, err) == (0, "")
    assert 'id="change"' not in report.read_text(encoding="utf-8")
    assert "change since" not in out


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        ("nope", "no campaign has the code 'nope'"),
        ("itself", "cannot be compared with itself"),
    ],
    ids=["unknown", "itself"],
)
def test_report_refuses_a_previous_wave_it_cannot_compare(
    wmm: Run, db: Database, tmp_path: Path, previous: str, message: str
) -> None:
    url = _url(db)
    campaign = _new_campaign(wmm, url, "x")
    report = tmp_path / "report.html"
    args = ["--previous", campaign if previous == "itself" else previous]
    code, _, err = wmm("report", "--campaign", campaign, "--out", report, *args, "--db", url)
    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert not report.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["import", "x.csv"],
        ["campaign", "create", "--name", "x"],
        ["campaign", "create", "--name", "x", "--questionnaire", QUESTIONNAIRE, "--mode", "secret"],
        ["invitations", "create", "--campaign", "abc", "--count", "0", "--out", "x.csv"],
        ["export", "everything", "--campaign", "abc", "--out", "x.csv"],
    ],
    ids=[
        "import-without-campaign",
        "create-without-questionnaire",
        "bad-mode",
        "zero-invitations",
        "unknown-export",
    ],
)
def test_misuse_exits_2(wmm: Run, args: list[str]) -> None:
    code, _, err = wmm(*args)
    assert code == 2
    assert "Traceback" not in err


def test_unknown_campaign_and_questionnaire_are_bad_data(wmm: Run, db: Database) -> None:
    url = _url(db)
    code, _, err = wmm("campaign", "show", "nope", "--db", url)
    assert (code, "`wmm campaign list` shows the codes" in err) == (1, True)
    code, _, err = wmm(
        "campaign", "create", "--name", "x", "--questionnaire", "nothing@9.9.9", "--db", url
    )
    assert (code, "unknown questionnaire" in err) == (1, True)


def test_campaign_create_require_role_is_stored_shown_and_enforced_on_import(
    wmm: Run, db: Database, tmp_path: Path
) -> None:
    url = _url(db)
    optional = _new_campaign(wmm, url, "optional")
    code, out, err = wmm(
        "campaign", "create", "--name", "required", "--questionnaire", QUESTIONNAIRE,
        "--require-role", "--db", url,
    )  # fmt: skip
    assert code == 0, err
    assert "role question: required ('other' offered)" in out
    required = re.search(r"code:\s+(\S+)", out)
    assert required is not None
    listed = json.loads(wmm("campaign", "list", "--json", "--db", url)[1])
    assert {c["code"]: c["require_role"] for c in listed} == {
        optional: False,
        required[1]: True,
    }
    code, out, _ = wmm("campaign", "show", required[1], "--db", url)
    assert "role question: required ('other' offered)" in out.splitlines()
    code, out, _ = wmm("campaign", "show", optional, "--db", url)
    assert "role question: optional" in out.splitlines()
    shown = json.loads(wmm("campaign", "show", required[1], "--json", "--db", url)[1])
    assert shown["require_role"] is True

    rows = responses_rows(10)  # rows 6 and 11 of the file give no role
    path = write_responses(tmp_path / "roles.csv", rows)
    code, _, err = wmm("import", path, "--campaign", required[1], "--db", url)
    assert code == 1
    assert "roles.csv row 6, column role" in err
    assert "roles.csv row 11, column role" in err
    assert "Traceback" not in err
    assert get_campaign(db, required[1]).responses == 0
    code, _, err = wmm("import", path, "--campaign", optional, "--db", url)
    assert code == 0, err


def test_campaign_create_refuses_require_role_without_an_other_option(
    wmm: Run, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _url(db)
    monkeypatch.setenv(
        "WMM_QUESTIONNAIRES_DIR", str(questionnaires_with_roles(tmp_path, ["leader", "staff"]))
    )
    code, _, err = wmm(
        "campaign", "create", "--name", "x", "--questionnaire", MINI, "--require-role",
        "--db", url,
    )  # fmt: skip
    assert code == 1
    assert (
        f"the role question of {MINI} offers leader, staff but no option 'other'; a required "
        "role question must offer 'other'"
    ) in err
    assert "Traceback" not in err
    assert json.loads(wmm("campaign", "list", "--json", "--db", url)[1]) == []
    code, _, err = wmm("campaign", "create", "--name", "x", "--questionnaire", MINI, "--db", url)
    assert code == 0, err
