"""The import rules of pyproject.toml's `[tool.importlinter]` hold (DESIGN.md §2): scoring imports
nothing of assessment, storage nothing of the domain, the pages reach storage and scoring only
through the domain, and the domain never imports an entry point (the CLI, the app).

The contracts list assessment's packages by name, so a test checks the lists are complete.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from support import ROOT

ENTRY_POINTS = {"assessment.cli", "assessment.ui", "assessment.__main__"}


def _lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(executable), "--config", str(config), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _assessment_modules() -> set[str]:
    """assessment's top-level packages and modules, as import-linter names them."""
    names = set()
    for path in (ROOT / "assessment").iterdir():
        if path.name.startswith(("_", ".")) and path.name != "__main__.py":
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            names.add(f"assessment.{path.name}")
        elif path.suffix == ".py":
            names.add(f"assessment.{path.stem}")
    return names


def test_every_import_contract_is_kept() -> None:
    result = _lint_imports(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_broken_contract_fails_the_check(tmp_path: Path) -> None:
    # The CLI imports the campaigns package, so forbidding it must be reported as broken.
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["assessment"]\n\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "a rule the code breaks"\ntype = "forbidden"\n'
        'source_modules = ["assessment.cli"]\nforbidden_modules = ["assessment.campaigns"]\n',
        encoding="utf-8",
    )
    result = _lint_imports(config)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_storage_may_import_only_errors_of_assessment() -> None:
    forbidden = set(_contracts()["storage-knows-no-domain"]["forbidden_modules"])
    allowed = {"assessment.storage", "assessment.errors", "assessment.__main__"}
    assert forbidden - {"scoring"} == _assessment_modules() - allowed


def test_every_domain_package_is_kept_from_the_entry_points() -> None:
    sources = set(_contracts()["entry-points"]["source_modules"])
    assert sources == _assessment_modules() - ENTRY_POINTS


@pytest.mark.parametrize("contract", ["ui-uses-the-domain", "entry-points"])
def test_contracts_name_the_entry_points_that_exist(contract: str) -> None:
    named = set(_contracts()[contract]["source_modules"]) | set(
        _contracts()[contract]["forbidden_modules"]
    )
    assert {n for n in named if n.startswith("assessment.")} <= _assessment_modules()
