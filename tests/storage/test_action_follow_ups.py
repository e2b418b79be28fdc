"""Action items across waves on both backends: an edit keeps the status, and the next wave of the
same organisation shows the previous wave's open items as "follow-up from <wave>", linked (one
status for both waves), never copied."""

from __future__ import annotations

from pathlib import Path

from storage.responses_files import responses_rows, write_responses

from assessment.campaigns.actions import add_action, follow_ups, list_actions, update_action
from assessment.campaigns.importing import import_responses
from assessment.campaigns.management import create_campaign
from assessment.storage import Database

QUESTIONNAIRE = "work-management@1.0.0"


def _wave(db: Database, name: str, tmp_path: Path, organisation: str = "Example Ltd") -> str:
    info = create_campaign(db, name=name, questionnaire=QUESTIONNAIRE, organisation=organisation)
    path = write_responses(tmp_path / f"{name}.csv", responses_rows(6, seed=len(name)))
    import_responses(db, info.code, path)
    return info.code


def test_an_edit_keeps_the_status(db: Database, tmp_path: Path) -> None:
    code = _wave(db, "Wave 1", tmp_path)
    item = add_action(db, code, dimension="clarity", title="One-page priorities", status="done")
    changed = update_action(db, code, item.id, owner="Ana")
    assert (changed.status, changed.owner) == ("done", "Ana")


def test_open_items_follow_up_in_the_next_wave_with_their_status(
    db: Database, tmp_path: Path
) -> None:
    first = _wave(db, "Wave 1", tmp_path)
    items = {
        status: add_action(db, first, dimension="clarity", title=f"An item {status}")
        for status in ("open", "in-progress", "done", "dropped")
    }
    for status, item in items.items():
        if status != "open":
            update_action(db, first, item.id, status=status)
    assert follow_ups(db, first) is None  # the first wave follows nothing
    other = _wave(db, "Elsewhere", tmp_path, organisation="Other Ltd")
    second = _wave(db, "Wave 2", tmp_path)

    carried = follow_ups(db, second)
    assert carried is not None and carried.wave.code == first
    assert carried.label == "follow-up from Wave 1"
    assert [(a.title, a.status) for a in carried.actions] == [
        ("An item open", "open"),
        ("An item in-progress", "in-progress"),
    ]
    assert follow_ups(db, other) is None  # another organisation's waves are not followed
    assert list_actions(db, second) == []  # linked, not copied

    # Done during the second wave: one status for both waves, and it stays in view.
    update_action(db, carried.wave.code, items["open"].id, status="done")
    again = follow_ups(db, second)
    assert again is not None
    assert [(a.title, a.status) for a in again.actions] == [
        ("An item open", "done"),
        ("An item in-progress", "in-progress"),
    ]
    assert {a.id: a.status for a in list_actions(db, first)}[items["open"].id] == "done"
