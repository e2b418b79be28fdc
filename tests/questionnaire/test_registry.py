"""The registry of shipped versions, the publish lock, the generated JSON Schema and version overlap."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from assessment.errors import PublishedFileChangedError, UnknownQuestionnaireError
from assessment.questionnaire.registry import Registry, default_registry, parse_key
from assessment.questionnaire.schema import json_schema, json_schema_text

ROOT = default_registry().root


def test_every_published_file_is_unchanged() -> None:
    registry = Registry(ROOT)
    assert registry.read_lock(), "published.lock lists no file"
    assert registry.check_lock() == []


def test_every_shipped_version_is_published() -> None:
    registry = Registry(ROOT)
    assert {e.key for e in registry.entries()} == {
        f"{name.split('/')[0]}@{name.split('/')[1].removesuffix('.yaml')}"
        for name in registry.read_lock()
    }


@pytest.fixture
def copy_root(tmp_path: Path) -> Registry:
    target = tmp_path / "questionnaires"
    shutil.copytree(ROOT, target)
    return Registry(target)


def test_lock_detects_a_changed_file(copy_root: Registry) -> None:
    path = copy_root.root / "work-management" / "1.0.0.yaml"
    path.write_text(path.read_text("utf-8").replace("top three", "top four"), encoding="utf-8")
    messages = copy_root.check_lock()
    assert len(messages) == 1
    assert "work-management/1.0.0.yaml: changed after publication" in messages[0]


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record the ``trusted`` flag of every YAML parse the loader makes."""
    from assessment.questionnaire import loader

    seen: list[bool] = []
    original = loader.parse_yaml

    def recording(text: str, source: str, *, trusted: bool = False) -> Any:
        seen.append(trusted)
        return original(text, source, trusted=trusted)

    monkeypatch.setattr(loader, "parse_yaml", recording)
    return seen


def test_published_files_are_trusted_and_changed_ones_are_not(
    copy_root: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _parses(monkeypatch)
    copy_root.get("work-management@1.1.0")  # and 1.0.0, which its crosswalk names
    assert seen == [True, True]
    path = copy_root.root / "work-management" / "1.1.0.yaml"
    path.write_text(path.read_text("utf-8") + "\n# edited\n", encoding="utf-8")
    seen.clear()
    Registry(copy_root.root).get("work-management@1.1.0")
    assert seen == [False, True]


def test_an_unreadable_lock_trusts_nothing_and_still_loads(
    copy_root: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_root.lock_path.write_text("not a lock line\n", encoding="utf-8")
    seen = _parses(monkeypatch)
    assert copy_root.get("work-management@1.0.0").key == "work-management@1.0.0"
    assert seen == [False]
    with pytest.raises(PublishedFileChangedError):
        copy_root.check_lock()


def test_lock_detects_a_missing_file(copy_root: Registry) -> None:
    (copy_root.root / "work-management" / "1.1.0.yaml").unlink()
    assert copy_root.check_lock() == ["work-management/1.1.0.yaml: published but missing"]


def test_publish_appends_and_refuses_twice(copy_root: Registry) -> None:
    source = copy_root.root / "work-management" / "1.1.0.yaml"
    new = copy_root.root / "work-management" / "1.2.0.yaml"
    text = source.read_text("utf-8").replace("version: 1.1.0", "version: 1.2.0")
    text = text.replace("previous: 1.0.0", "previous: 1.1.0")
    # a crosswalk from 1.1.0: every item the same
    head, _, _ = text.partition("crosswalk:")
    items = copy_root.get("work-management@1.1.0").items
    entries = "\n".join(f"    - {{id: {i.id}, change: same, previous: [{i.id}]}}" for i in items)
    new.write_text(f"{head}crosswalk:\n  previous: 1.1.0\n  items:\n{entries}\n", encoding="utf-8")
    digest = copy_root.publish(new)
    assert copy_root.read_lock()["work-management/1.2.0.yaml"] == digest
    assert copy_root.check_lock() == []
    with pytest.raises(PublishedFileChangedError, match="already published"):
        copy_root.publish(new)


def test_unknown_key_lists_the_available_versions() -> None:
    with pytest.raises(UnknownQuestionnaireError, match=r"available: work-management@1\.0\.0"):
        default_registry().get("work-management@9.9.9")


@pytest.mark.parametrize("key", ["work-management", "@1.0.0", "work-management@", ""])
def test_malformed_key(key: str) -> None:
    with pytest.raises(UnknownQuestionnaireError, match="ID@VERSION"):
        parse_key(key)


def test_committed_schema_matches_the_model() -> None:
    committed = (ROOT / "schema" / "questionnaire.schema.json").read_text("utf-8")
    assert committed == json_schema_text(), "run `wmm schema --write` after changing the model"


def test_schema_validates_the_shipped_files() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json_schema()
    for entry in default_registry().entries():
        jsonschema.validate(yaml.safe_load(entry.path.read_text("utf-8")), schema)
    assert json.loads(json_schema_text())["title"] == "Questionnaire"


def test_versions_share_their_common_items() -> None:
    registry = default_registry()
    new, old = registry.get("work-management@1.1.0"), registry.get("work-management@1.0.0")
    common = new.common_items(old)
    assert registry.previous_of(new) == old
    assert common["CLA01"] == "CLA01"
    assert all(item in {i.id for i in old.items} for item in common.values())
    new_ids = {e.id for e in new.crosswalk.items if e.change == "new"}  # type: ignore[union-attr]
    assert new_ids and not new_ids & common.keys()
    dropped = {p for e in new.crosswalk.items if e.change == "dropped" for p in e.previous}  # type: ignore[union-attr]
    assert dropped and not dropped & set(common.values())


def test_shipped_questionnaire_meets_the_content_brief() -> None:
    for key in ("work-management@1.0.0", "work-management@1.1.0"):
        q = default_registry().get(key)
        assert 30 <= len(q.items) <= 40
        assert set(q.languages) == {"en", "de"}
        assert [lv.level for lv in q.levels] == [1, 2, 3, 4, 5]
        assert all(len(q.items_of_component(c.id)) >= 5 for c in q.components)
        assert all(len(q.items_of_principle(p.id)) >= 4 for p in q.principles)
        assert all(1 <= len(i.principles) <= 2 for i in q.items)
        assert any(i.reverse for i in q.items)
        assert 2 <= len(q.outcomes) <= 3
        assert all(2 <= len(r.actions) <= 4 for r in q.recommendations)
        assert len(q.recommendations) == len(q.components) * 4
        assert [ix.id for ix in q.scoring.indices] == ["ai-readiness"]
        assert q.scoring.min_group_size == 5
