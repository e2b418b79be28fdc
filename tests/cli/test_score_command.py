"""`wmm score`: the readable table, the tidy files, bad data (exit 1) and misuse (exit 2)."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from support import ROOT

from assessment.cli import cli
from assessment.errors import DataError
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import read_responses_csv, responses_csv

WAVE1 = ROOT / "data" / "demo" / "wave1.csv"
KEY = "work-management@1.0.0"
SIX_COLUMNS = [
    "unit", "dimension_type", "dimension", "n", "mean", "sd", "se", "ci_low", "ci_high", "level",
    "level_name", "level_probability", "level_low", "level_high", "rwg_j", "ad_m", "coverage",
    "suppressed",
]  # fmt: skip
METADATA = [
    "questionnaire",
    "questionnaire_sha256",
    "confidence",
    "min_group_size",
    "method",
    "org_interval",
]
STATS_COLUMNS = [
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "icc1",
    "icc2",
    "n_respondents",
    "n_units",
]


def run(*args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(cli, ["score", *args])
    return result.exit_code, result.stdout, result.exception


@pytest.fixture(scope="module")
def wave1_units() -> pd.Series:
    return pd.read_csv(WAVE1, usecols=["unit"], keep_default_na=False)["unit"].value_counts()


def test_readable_table(wave1_units: pd.Series) -> None:
    code, output, _ = run(str(WAVE1), "--questionnaire", KEY)
    assert code == 0, output
    lines = output.splitlines()
    organisation = next(i for i, line in enumerate(lines) if line.startswith("Organisation"))
    first_unit = min(i for i, line in enumerate(lines) if line.startswith(tuple(wave1_units.index)))
    assert organisation < first_unit
    assert f"Organisation, all respondents (n={int(wave1_units.sum())})" in output
    # Small units are pooled into "(other units)" before scoring, and a note says so.
    small = wave1_units[wave1_units < 5]
    assert len(small) >= 1
    for unit in small.index:
        assert f"{unit}: suppressed" not in output and f"{unit} (n=" not in output
    assert "(other units) (n=" in output
    assert "Note: unit: pooled 1 unit with fewer than 5 respondents" in output
    assert "Clarity" in output and "[" in output and "%" in output
    big = wave1_units[wave1_units >= 20].index[0]
    assert f"{big} (n={wave1_units[big]})" in output


def test_org_interval_says_what_the_organisation_row_estimates(tmp_path: Path) -> None:
    frames = {}
    for choice in ("as-surveyed", "wider-pool"):
        out = tmp_path / f"{choice}.csv"
        code, output, _ = run(
            str(WAVE1), "--questionnaire", KEY, "--org-interval", choice, "--out", str(out)
        )
        assert code == 0, output
        frames[choice] = pd.read_csv(out, keep_default_na=True)
        assert (frames[choice]["org_interval"] == choice).all()
    surveyed, wider = (f[f["unit"] == "__all__"].set_index("dimension") for f in frames.values())
    # Same organisation mean; a wider pool of units is a wider target: a wider interval.
    assert (surveyed["mean"] - wider["mean"]).abs().max() < 1e-12
    width = (wider["ci_high"] - wider["ci_low"]) - (surveyed["ci_high"] - surveyed["ci_low"])
    assert (width > 0).all()
    units = frames["as-surveyed"]["unit"] != "__all__"
    pd.testing.assert_frame_equal(
        frames["as-surveyed"][units].drop(columns="org_interval"),
        frames["wider-pool"][units].drop(columns="org_interval"),
    )


def test_readable_table_in_german() -> None:
    code, output, _ = run(str(WAVE1), "--questionnaire", KEY, "--language", "de")
    assert code == 0
    assert "Klarheit" in output and "Gesamt" in output


def test_tidy_scores_csv(tmp_path: Path, wave1_units: pd.Series) -> None:
    out = tmp_path / "scores.csv"
    code, output, _ = run(str(WAVE1), "--questionnaire", KEY, "--out", str(out))
    assert code == 0, output
    frame = pd.read_csv(out, keep_default_na=True)
    assert [c for c in SIX_COLUMNS + METADATA if c not in frame.columns] == []
    assert (frame["questionnaire"] == KEY).all()
    assert (frame["questionnaire_sha256"] == default_registry().sha256(KEY)).all()
    assert (frame["confidence"] == 0.95).all() and (frame["min_group_size"] == 5).all()
    assert (frame["method"] == "t").all()
    assert pd.api.types.is_float_dtype(frame["mean"]) and pd.api.types.is_integer_dtype(frame["n"])
    suppressed = frame[frame["suppressed"]]
    assert suppressed["mean"].isna().all() and suppressed["n"].notna().all()
    shown = frame[~frame["suppressed"]]
    assert shown["mean"].notna().all()
    # Units under the minimum (and the one that brings the pool to it) are one pooled group.
    published = {u for u, n in wave1_units.items() if n >= 10} | {"(other units)", "__all__"}
    assert set(frame["unit"]) == published


def test_tidy_scores_json_and_stats(tmp_path: Path) -> None:
    stats = tmp_path / "stats.csv"
    code, output, _ = run(str(WAVE1), "-q", KEY, "--format", "json", "--stats", str(stats))
    assert code == 0
    payload = json.loads(output)
    assert payload["metadata"]["questionnaire"] == KEY
    assert payload["metadata"]["min_group_size"] == 5
    first = payload["scores"][0]
    assert set(SIX_COLUMNS) <= set(first)
    table = pd.read_csv(stats)
    assert set(STATS_COLUMNS + METADATA) <= set(table.columns)
    assert len(table) == 15 and table["alpha"].between(0, 1).all()


def test_options_reach_the_scores(tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    code, _, _ = run(
        str(WAVE1), "-q", KEY, "--confidence", "0.9", "--min-group-size", "3", "--by", "role",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0
    payload = json.loads(out.read_text("utf-8"))
    assert payload["metadata"]["confidence"] == 0.9 and payload["metadata"]["by"] == "role"
    assert {row["role"] for row in payload["scores"]} == {
        "leader",
        "manager",
        "staff",
        "other",
        "__all__",
    }
    assert all("unit" not in row for row in payload["scores"])


def test_text_cells_are_guarded_against_csv_injection(tmp_path: Path) -> None:
    q = default_registry().get(KEY)
    table = read_responses_csv(WAVE1, q)
    renamed = np.where(table.unit == table.unit[0], "=cmd|' /C calc'!A0", table.unit).astype(object)
    source = tmp_path / "evil.csv"
    source.write_bytes(responses_csv(dataclasses.replace(table, unit=renamed)))
    out = tmp_path / "scores.csv"
    code, _, _ = run(str(source), "-q", KEY, "--out", str(out))
    assert code == 0
    text = out.read_text("utf-8")
    assert "\n'=cmd|' /C calc'!A0," in text
    assert "\n=cmd" not in text
    # JSON is not a spreadsheet format: the name stays as it is.
    json_code, json_output, _ = run(str(source), "-q", KEY, "--format", "json")
    assert json_code == 0
    assert "=cmd|' /C calc'!A0" in {row["unit"] for row in json.loads(json_output)["scores"]}


def test_bad_data_raises_data_error_with_rows_and_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,unit,CLA01,CLA02\nr1,A,7,x\nr1,,3,3\n", encoding="utf-8")
    code, _, exception = run(str(bad), "-q", KEY)
    assert code == 1
    assert isinstance(exception, DataError)
    paths = [p.path for p in exception.problems]
    assert paths == [
        f"{bad} row 2, column CLA01",
        f"{bad} row 2, column CLA02",
        f"{bad} row 3, column respondent_id",
        f"{bad} row 3, column unit",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["-q", "nothing@9.9.9"],
        ["-q", KEY, "--confidence", "1.5"],
        ["-q", KEY, "--min-group-size", "0"],
        ["-q", KEY, "--by", "team"],
        ["-q", KEY, "--format", "xlsx"],
        ["-q", KEY, "--language", "fr"],
        ["-q", KEY, "--out", "/no/such/folder/scores.csv"],
        [],
    ],
    ids=[
        "unknown-questionnaire",
        "confidence",
        "group-size",
        "by",
        "format",
        "language",
        "folder",
        "no-questionnaire",
    ],
)
def test_misuse_exits_2(args: list[str]) -> None:
    code, output, _ = run(str(WAVE1), *args)
    assert code == 2, output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, _ = run(str(tmp_path / "missing.csv"), "-q", KEY)
    assert code == 2


def wmm(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console entry point (`python -m assessment`), as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "assessment", "score", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_exit_codes_of_the_real_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,unit,CLA01\nr1,A,9\n", encoding="utf-8")
    ok = wmm(str(WAVE1), "-q", KEY)
    assert ok.returncode == 0 and "Organisation" in ok.stdout and ok.stderr == ""
    data = wmm(str(bad), "-q", KEY)
    assert data.returncode == 1
    assert f"{bad} row 2, column CLA01: expected a whole number 1..5" in data.stderr
    misuse = wmm(str(WAVE1), "-q", KEY, "--by", "team")
    assert misuse.returncode == 2 and "--by" in misuse.stderr
    for result in (ok, data, misuse):
        assert "Traceback" not in result.stderr


def test_scores_to_stdout_with_dash() -> None:
    code, output, _ = run(str(WAVE1), "-q", KEY, "--out", "-")
    assert code == 0
    frame = pd.read_csv(io.StringIO(output))
    assert "questionnaire_sha256" in frame.columns


def test_max_size_default_matches_the_reader() -> None:
    from assessment.cli.score_commands import DEFAULT_MAX_MB
    from assessment.responses.wide_csv import DEFAULT_MAX_BYTES

    assert DEFAULT_MAX_MB * 1024 * 1024 == DEFAULT_MAX_BYTES
