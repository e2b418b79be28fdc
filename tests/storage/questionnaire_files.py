"""A questionnaires folder for tests of campaign settings: the bundled files plus ``mini@1.0.0``
(tests/questionnaire/minimal.yaml) with the role question a test needs."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from support import ROOT

MINIMAL = ROOT / "tests" / "questionnaire" / "minimal.yaml"
MINI = "mini@1.0.0"


def questionnaires_with_roles(folder: Path, roles: list[str] | None) -> Path:
    """``folder``/questionnaires: the bundled questionnaires and `MINI`, whose role question offers
    ``roles`` (None: it asks no role question). Use it as ``WMM_QUESTIONNAIRES_DIR``."""
    root = folder / "questionnaires"
    shutil.copytree(ROOT / "questionnaires", root)
    data = yaml.safe_load(MINIMAL.read_text("utf-8"))
    if roles is None:
        data["demographics"] = [d for d in data["demographics"] if d["id"] != "role"]
    else:
        (role,) = [d for d in data["demographics"] if d["id"] == "role"]
        role["options"] = [{"id": r, "label": {"en": r, "de": r}} for r in roles]
    (root / "mini").mkdir()
    (root / "mini" / "1.0.0.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return root
