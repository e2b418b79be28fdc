"""`wmm validate`, `wmm questionnaires`, `wmm show`, `wmm publish`, `wmm schema`: output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from assessment.cli import cli
from assessment.questionnaire.registry import default_registry

ROOT = default_registry().root
SHIPPED = sorted(str(p) for p in (ROOT / "work-management").glob("*.yaml"))
MINIMAL = Path(__file__).parents[1] / "questionnaire" / "minimal.yaml"


def wmm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "assessment", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_validate_shipped_files_exits_0() -> None:
    result = CliRunner().invoke(cli, ["validate", *SHIPPED])
    assert result.exit_code == 0, result.output
    assert result.output.count(": valid (") == len(SHIPPED)


def test_validate_prints_all_five_mistakes_and_exits_1(tmp_path: Path) -> None:
    data = yaml.safe_load(MINIMAL.read_text("utf-8"))
    data["items"][1]["id"] = "I01"  # duplicate id
    data["items"][3]["component"] = "nowhere"  # unknown component
    data["levels"][2]["threshold"] = 1.5  # thresholds not ascending
    data["items"][4]["text"] = {"en": "x"}  # missing translation
    data["items"][5]["weight"] = "heavy"  # not a number
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = wmm("validate", str(path))
    assert result.returncode == 1
    for where in (
        "items[1].id",
        "items[3].component",
        "levels[2].threshold",
        "items[4].text",
        "items[5].weight",
    ):
        assert f"  {where}: " in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_malformed_yaml_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nitems: [1,\n", encoding="utf-8")
    result = wmm("validate", str(path))
    assert result.returncode == 1
    assert "line 3, column 1: malformed YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_mixed_files_exit_1_but_report_each(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("[]", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", SHIPPED[0], str(bad)])
    assert result.exit_code == 1
    assert ": valid (" in result.output and "1 problem(s)" in result.output


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["validate"], id="no-path"),
        pytest.param(["validate", "--nope", "x"], id="unknown-option"),
        pytest.param(["frobnicate"], id="unknown-command"),
        pytest.param(["show"], id="show-without-key"),
    ],
)
def test_misuse_exits_2(args: list[str]) -> None:
    result = wmm(*args)
    assert result.returncode == 2
    assert "Usage:" in result.stderr and "Traceback" not in result.stderr


def test_questionnaires_json_matches_lock() -> None:
    result = wmm("questionnaires", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    locked = default_registry().read_lock()
    assert {(r["id"], r["version"]) for r in rows} >= {
        ("work-management", "1.0.0"),
        ("work-management", "1.1.0"),
    }
    for row in rows:
        assert locked[f"{row['id']}/{row['version']}.yaml"] == row["sha256"]
        assert row["published"] is True
        assert row["languages"] == ["en", "de"]
        assert row["items"] >= 30


def test_questionnaires_table() -> None:
    result = CliRunner().invoke(cli, ["questionnaires"])
    assert result.exit_code == 0
    assert "work-management" in result.output and "1.1.0" in result.output


def test_show_lists_statements_per_component_and_principle() -> None:
    result = CliRunner().invoke(cli, ["show", "work-management@1.0.0"])
    assert result.exit_code == 0
    assert "Clarity [clarity]: 7 statements" in result.output
    assert "Clarity over Chaos [clarity-over-chaos]" in result.output
    assert "CLA01" in result.output and "languages: en, de" in result.output


def test_show_in_german() -> None:
    result = CliRunner().invoke(cli, ["show", "work-management@1.1.0", "--language", "de"])
    assert result.exit_code == 0
    assert "Aussagen" in result.output or "Stimme" in result.output


def test_show_unknown_version_exits_1_with_the_available_ones() -> None:
    result = wmm("show", "work-management@0.0.1")
    assert result.returncode == 1
    assert (
        "unknown questionnaire 'work-management@0.0.1'; available: work-management@1.0.0"
        in result.stderr
    )


def test_show_unknown_language_exits_1() -> None:
    result = wmm("show", "work-management@1.0.0", "--language", "fr")
    assert result.returncode == 1
    assert "language 'fr'" in result.stderr and "Traceback" not in result.stderr


def test_schema_prints_the_committed_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.output == (ROOT / "schema" / "questionnaire.schema.json").read_text("utf-8")


def test_publish_refuses_an_already_published_file() -> None:
    result = wmm("publish", SHIPPED[0])
    assert result.returncode == 1
    assert "already published" in result.stderr


@pytest.mark.parametrize(
    ("language", "header", "valid"),
    [
        pytest.param("", "version", ": valid (", id="default-english"),
        pytest.param("de", "Version", ": gültig (", id="german"),
        pytest.param("xx", "version", ": valid (", id="unknown-reads-english"),
    ],
)
def test_messages_follow_wmm_language(
    monkeypatch: pytest.MonkeyPatch, language: str, header: str, valid: str
) -> None:
    monkeypatch.setenv("WMM_LANGUAGE", language)
    listed = CliRunner().invoke(cli, ["questionnaires"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines()[0].split()[:2] == ["id", header]
    checked = CliRunner().invoke(cli, ["validate", SHIPPED[0]])
    assert valid in checked.output
