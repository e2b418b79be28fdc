"""Seeding the demo organisation into a database: two campaigns (two survey waves of one
organisation) with units, head-counts, targets, the demo responses and a few action items.

Seeding is idempotent: campaigns are found again by organisation and name, imports skip respondents
already stored, and an action item is added only if its title is not there yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from assessment.campaigns.actions import add_action, list_actions
from assessment.campaigns.importing import import_responses, import_table
from assessment.campaigns.management import (
    CampaignInfo,
    UnitSpec,
    close_campaign,
    create_campaign,
    get_campaign,
    read_units_csv,
)
from assessment.campaigns.store import Store
from assessment.demo.generate import DEMO_QUESTIONNAIRES, DEMO_SEED, demo_waves
from assessment.questionnaire import default_registry
from assessment.responses.wide_csv import ResponseTable
from assessment.storage.models import Campaign

ORGANISATION = "Demo organisation"
SECTOR = "Professional services"
SIZE_BAND = "250-999"
WAVES: tuple[tuple[str, str, str], ...] = (
    ("Wave 1 (spring 2024)", DEMO_QUESTIONNAIRES[0], "wave1.csv"),
    ("Wave 2 (autumn 2024)", DEMO_QUESTIONNAIRES[1], "wave2.csv"),
)
#: Targets of both waves: Completion is the framework's decisive component, so it aims higher.
TARGETS: dict[str, int] = {
    "clarity": 3,
    "coordination": 3,
    "completion": 4,
    "collaboration": 3,
    "workflow-architecture": 3,
    "overall": 3,
}
#: Actions agreed in the workshop after wave 1: (dimension, title, owner, due date, status).
ACTIONS: tuple[tuple[str, str, str, date, str], ...] = (
    (
        "completion",
        "Hold a 20-minute weekly delivery review in every team",
        "Head of Operations",
        date(2024, 4, 30),
        "done",
    ),
    (
        "clarity",
        "Publish each team's top three priorities for the quarter on one page",
        "Leadership team",
        date(2024, 5, 31),
        "in-progress",
    ),
    (
        "coordination",
        "Name one owner for every cross-team hand-off",
        "PMO",
        date(2024, 6, 30),
        "open",
    ),
    (
        "workflow-architecture",
        "Retire the duplicate task trackers; keep one per team",
        "IT and team leads",
        date(2024, 7, 31),
        "open",
    ),
)


@dataclass(frozen=True)
class SeededCampaign:
    code: str
    name: str
    questionnaire: str
    responses_added: int
    responses: int


@dataclass(frozen=True)
class DemoSeed:
    """What seeding did (all zeros added on a second run)."""

    campaigns: tuple[SeededCampaign, ...]
    campaigns_created: int
    actions_added: int


def demo_folder() -> Path:
    """``data/demo`` of the source checkout (it may be absent in an installed wmm)."""
    return Path(__file__).resolve().parents[2] / "data" / "demo"


def _find(db: Store, name: str) -> CampaignInfo | None:
    with db.read() as session:
        code = session.scalars(
            select(Campaign.code)
            .where(Campaign.organisation == ORGANISATION, Campaign.name == name)
            .order_by(Campaign.id)
        ).first()
    return get_campaign(db, code) if code is not None else None


def _units(folder: Path, generated_head_counts: dict[str, int]) -> list[UnitSpec]:
    path = folder / "units.csv"
    if path.is_file():
        return read_units_csv(path)
    return [UnitSpec(name, None, count) for name, count in sorted(generated_head_counts.items())]


def seed_demo(db: Store, *, folder: Path | None = None) -> DemoSeed:
    """Seed the demo organisation (both waves, targets, action items); safe to run again.

    Responses come from ``wave1.csv``/``wave2.csv``/``units.csv`` in ``folder`` (default
    `demo_folder`) when they exist, else they are generated with the same seed
    (`assessment.demo.generate.demo_waves`), which gives the same responses.
    """
    folder = folder or demo_folder()
    registry = default_registry()
    first, second = (registry.get(key) for key in DEMO_QUESTIONNAIRES)
    generated: tuple[ResponseTable, ...] | None = None
    head_counts: dict[str, int] = {}
    if not all((folder / file).is_file() for _, _, file in WAVES):
        wave1, wave2 = demo_waves(first, second, seed=DEMO_SEED)
        generated = (wave1.table, wave2.table)
        head_counts = wave1.head_counts
    units = _units(folder, head_counts)

    seeded: list[SeededCampaign] = []
    created = 0
    for index, (name, questionnaire, file) in enumerate(WAVES):
        info = _find(db, name)
        if info is None:
            info = create_campaign(
                db,
                name=name,
                questionnaire=questionnaire,
                organisation=ORGANISATION,
                sector=SECTOR,
                size_band=SIZE_BAND,
                units=units,
                targets=TARGETS,
            )
            created += 1
        added = 0
        # A closed wave was imported completely before (imports are atomic; closing comes after).
        if info.status != "closed":
            if generated is None:
                result = import_responses(db, info.code, folder / file)
            else:
                result = import_table(db, info.code, generated[index], name=file)
            added = result.added
            if index == 0:  # the first wave is over, as a real past campaign would be
                close_campaign(db, info.code)
        final = get_campaign(db, info.code)
        seeded.append(SeededCampaign(final.code, name, questionnaire, added, final.responses))

    first_wave = seeded[0].code
    existing = {a.title for a in list_actions(db, first_wave)}
    added = 0
    for dimension, title, owner, due, status in ACTIONS:
        if title in existing:
            continue
        add_action(
            db,
            first_wave,
            dimension=dimension,
            title=title,
            owner=owner,
            due_date=due,
            status=status,
        )
        added += 1
    return DemoSeed(tuple(seeded), created, added)
