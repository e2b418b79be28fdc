"""Campaigns: create, list, look up, change, close and reopen them; their units with head-counts,
targets per dimension, survey links and single-use invitation links.

Each function is one transaction and returns plain frozen values, so the app and the CLI share them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from assessment.campaigns.store import Store
from assessment.errors import (
    CampaignClosedError,
    CampaignSettingsError,
    DataError,
    DuplicateUnit,
    InvalidHeadCount,
    InvalidLevel,
    MissingName,
    NameTooLong,
    Problem,
    UnitCycle,
    UnknownCampaignError,
    UnknownDimension,
    UnknownParent,
    WrongCellCount,
)
from assessment.questionnaire import Questionnaire, default_registry
from assessment.questionnaire.registry import Registry, parse_key
from assessment.responses.csv_safety import neutralise_text, restore_text
from assessment.storage.models import (
    Campaign,
    Invitation,
    Response,
    Target,
    Unit,
    utcnow,
)
from assessment.survey.site_address import base_url

#: How respondents reach a campaign: an open link, or one-time invitation links only.
CampaignMode = Literal["open", "invitation"]
CAMPAIGN_MODES: tuple[CampaignMode, ...] = get_args(CampaignMode)

#: Survey codes use lowercase letters and digits that cannot be mistaken for each other
#: (no 0/o, 1/l/i): 31 symbols, 10 of them = 49 bits, far too many to guess a live campaign.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 10
MAX_INVITATIONS = 100_000
OVERALL_DIMENSION = "overall"
#: The role option a campaign that requires the role question must offer, so that everyone can
#: answer truthfully (a required question without it would make people pick a wrong role).
OTHER_ROLE_OPTION = "other"


@dataclass(frozen=True)
class UnitSpec:
    """A unit as entered: its name, the name of its parent unit, its head-count (people in it)."""

    name: str
    parent: str | None = None
    head_count: int | None = None


@dataclass(frozen=True)
class CampaignInfo:
    """A campaign as the app and the CLI see it (a snapshot; no database session attached)."""

    code: str
    name: str
    organisation: str | None
    sector: str | None
    size_band: str | None
    questionnaire: str
    questionnaire_sha256: str
    status: str
    mode: str
    min_group_size: int
    languages: tuple[str, ...]
    opens_at: datetime | None
    closes_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    units: tuple[UnitSpec, ...] = ()
    targets: Mapping[str, int] = field(default_factory=dict)
    responses: int = 0
    drafts: int = 0
    #: The respondent must answer the role question (its "other" option is offered).
    require_role: bool = False

    @property
    def survey_url(self) -> str:
        return survey_url(self.code)

    @property
    def head_counts(self) -> dict[str, int]:
        """Unit name -> head-count, for the units whose head-count is known."""
        return {u.name: u.head_count for u in self.units if u.head_count is not None}

    def accepts_answers(self, now: datetime | None = None) -> bool:
        """Whether the campaign is open now (status open and inside its dates)."""
        return _closed_reason(self.status, self.opens_at, self.closes_at, now) is None


def new_code() -> str:
    """A fresh random survey code (`CODE_LENGTH` symbols of `CODE_ALPHABET`)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hash_token(token: str) -> str:
    """The sha256 (hex) under which an invitation or resume token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def survey_url(code: str, invitation: str | None = None) -> str:
    """The survey link of a campaign (``/?c=CODE``), with ``&t=TOKEN`` for an invitation."""
    url = f"{base_url()}/?c={code}"
    return f"{url}&t={invitation}" if invitation else url


def dimension_ids(questionnaire: Questionnaire) -> list[str]:
    """The dimensions a target or an action can refer to: components, principles, overall, indices."""
    return [
        *(c.id for c in questionnaire.components),
        *(p.id for p in questionnaire.principles),
        OVERALL_DIMENSION,
        *(i.id for i in questionnaire.scoring.indices),
    ]


def role_options(questionnaire: Questionnaire) -> list[str]:
    """The role ids a respondent can choose (empty when the questionnaire asks no role)."""
    for demographic in questionnaire.demographics:
        if demographic.id == "role":
            return [o.id for o in demographic.options]
    return []


def check_require_role(questionnaire: Questionnaire) -> None:
    """Refuse to make the role question required when ``questionnaire`` cannot support it.

    A required role question needs an option `OTHER_ROLE_OPTION` (``other``): without it, someone
    whose role is not listed could only answer falsely or stop.

    Raises
    ------
    CampaignSettingsError
        If the questionnaire asks no role question, or its role question has no ``other`` option.
    """
    roles = role_options(questionnaire)
    if not roles:
        raise CampaignSettingsError(
            f"{questionnaire.key} asks no role question (no demographic with id 'role'), so a "
            "campaign on it cannot require the role; create the campaign without requiring it"
        )
    if OTHER_ROLE_OPTION not in roles:
        raise CampaignSettingsError(
            f"the role question of {questionnaire.key} offers {', '.join(roles)} but no option "
            f"{OTHER_ROLE_OPTION!r}; a required role question must offer {OTHER_ROLE_OPTION!r} "
            "so that everyone can answer it. Add that option in a new questionnaire version, or "
            "leave the role question optional"
        )


def _check_require_role(value: object, questionnaire: Questionnaire) -> bool:
    if not isinstance(value, bool):
        raise CampaignSettingsError(
            f"whether the role question is required must be true or false; got {value!r}"
        )
    if value:
        check_require_role(questionnaire)
    return value


def _closed_reason(
    status: str, opens_at: datetime | None, closes_at: datetime | None, now: datetime | None
) -> str | None:
    now = now or datetime.now(UTC)
    if status != "open":
        return "is closed"
    if opens_at is not None and now < opens_at:
        return f"opens on {opens_at:%Y-%m-%d %H:%M} UTC"
    if closes_at is not None and now >= closes_at:
        return f"closed on {closes_at:%Y-%m-%d %H:%M} UTC"
    return None


def ensure_open(campaign: Campaign, now: datetime | None = None) -> None:
    """Raise `CampaignClosedError` unless the campaign accepts answers now."""
    reason = _closed_reason(campaign.status, campaign.opens_at, campaign.closes_at, now)
    if reason is not None:
        raise CampaignClosedError(
            f"campaign {campaign.code} ({campaign.name}) {reason} and accepts no answers; "
            f"a facilitator can reopen it with `wmm campaign reopen {campaign.code}`"
        )


# -- loading --------------------------------------------------------------------------------------


def campaign_row(session: Session, code: str, *, lock: bool = False) -> Campaign:
    """The campaign with this survey code (``lock``: for update), or `UnknownCampaignError`."""
    query = select(Campaign).where(Campaign.code == code.strip())
    if lock:
        # FOR NO KEY UPDATE on PostgreSQL: serialises changes of the campaign (imports, closing)
        # without blocking respondents, whose inserts only take a key-share lock on it.
        query = query.with_for_update(key_share=True)
    campaign = session.scalars(query).one_or_none()
    if campaign is None:
        raise UnknownCampaignError(
            f"no campaign has the code {code!r}; `wmm campaign list` shows the codes"
        )
    return campaign


def questionnaire_of(campaign: Campaign, registry: Registry | None = None) -> Questionnaire:
    """The campaign's questionnaire; refuses a file that changed since the campaign was created."""
    registry = registry or default_registry()
    key = campaign.questionnaire_key
    questionnaire = registry.get(key)
    digest = registry.sha256(key)
    if digest != campaign.questionnaire_sha256:
        raise CampaignSettingsError(
            f"campaign {campaign.code} was created on {key} with sha256 "
            f"{campaign.questionnaire_sha256}, but that file now has sha256 {digest}; published "
            "questionnaires must not change (restore the file, or publish the change as a new version)"
        )
    return questionnaire


def _info(
    session: Session, campaign: Campaign, counts: Mapping[str, int] | None = None
) -> CampaignInfo:
    if counts is None:
        rows = session.execute(
            select(Response.status, func.count())
            .where(Response.campaign_id == campaign.id)
            .group_by(Response.status)
        ).all()
        counts = {status: int(n) for status, n in rows}
    names = {u.id: u.name for u in campaign.units}
    units = tuple(
        UnitSpec(u.name, names.get(u.parent_id) if u.parent_id else None, u.head_count)
        for u in sorted(campaign.units, key=lambda u: u.name)
    )
    return CampaignInfo(
        code=campaign.code,
        name=campaign.name,
        organisation=campaign.organisation,
        sector=campaign.sector,
        size_band=campaign.size_band,
        questionnaire=campaign.questionnaire_key,
        questionnaire_sha256=campaign.questionnaire_sha256,
        status=campaign.status,
        mode=campaign.mode,
        min_group_size=campaign.min_group_size,
        require_role=bool(campaign.require_role),
        languages=tuple(campaign.languages),
        opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        closed_at=campaign.closed_at,
        created_at=campaign.created_at,
        updated_at=campaign.updated_at,
        units=units,
        targets={t.dimension: t.target_level for t in sorted(campaign.targets, key=lambda t: t.id)},
        responses=counts.get("submitted", 0),
        drafts=counts.get("draft", 0),
    )


def get_campaign(db: Store, code: str) -> CampaignInfo:
    """The campaign with this survey code, with its units, targets and response counts."""
    with db.read() as session:
        return _info(session, campaign_row(session, code))


def list_campaigns(db: Store) -> list[CampaignInfo]:
    """Every campaign, newest first, with submitted and draft response counts."""
    with db.read() as session:
        campaigns = session.scalars(
            select(Campaign)
            .options(selectinload(Campaign.units), selectinload(Campaign.targets))
            .order_by(Campaign.created_at.desc(), Campaign.id.desc())
        ).all()
        counts: dict[int, dict[str, int]] = {}
        for campaign_id, status, n in session.execute(
            select(Response.campaign_id, Response.status, func.count()).group_by(
                Response.campaign_id, Response.status
            )
        ):
            counts.setdefault(campaign_id, {})[status] = int(n)
        return [_info(session, c, counts.get(c.id, {})) for c in campaigns]


# -- checks of settings ---------------------------------------------------------------------------


def _check_languages(languages: Iterable[str] | None, questionnaire: Questionnaire) -> list[str]:
    available = list(questionnaire.languages)
    if languages is None:
        return available
    chosen = [lang.strip() for lang in languages if lang.strip()]
    unknown = [lang for lang in chosen if lang not in available]
    if not chosen or unknown:
        raise CampaignSettingsError(
            f"languages must be one or more of {', '.join(available)} (the languages of "
            f"{questionnaire.key}); got {', '.join(chosen) or 'none'}"
        )
    return list(dict.fromkeys(chosen))


def _check_targets(
    targets: Mapping[str, int | None], questionnaire: Questionnaire
) -> dict[str, int | None]:
    known = dimension_ids(questionnaire)
    levels = [lv.level for lv in questionnaire.levels]
    problems: list[Problem] = []
    for dimension, level in targets.items():
        if dimension not in known:
            problems.append(UnknownDimension(f"targets.{dimension}", known=", ".join(known)))
        elif level is not None and (
            isinstance(level, bool) or not isinstance(level, int) or level not in levels
        ):
            problems.append(
                InvalidLevel(f"targets.{dimension}", low=min(levels), high=max(levels), found=level)
            )
    if problems:
        raise DataError("the targets are invalid", problems)
    return dict(targets)


def _check_mode(mode: str) -> str:
    if mode not in CAMPAIGN_MODES:
        raise CampaignSettingsError(
            f"mode must be {' or '.join(CAMPAIGN_MODES)} (open link or invitation-only); got {mode!r}"
        )
    return mode


def _check_min_group_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise CampaignSettingsError(
            f"the minimum group size must be a whole number >= 1 (default 5); got {size!r}"
        )
    return size


def _check_text(value: str | None, what: str, *, limit: int, required: bool = False) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise CampaignSettingsError(f"the campaign needs a {what}; got an empty one")
        return None
    if len(text) > limit:
        raise CampaignSettingsError(
            f"the {what} may have at most {limit} characters; got {len(text)}"
        )
    return text


def check_units(units: Sequence[UnitSpec], existing: Iterable[str] = ()) -> list[UnitSpec]:
    """Validate a unit list: names present and unique, parents known, no cycles, head-counts >= 1."""
    problems: list[Problem] = []
    names = [u.name.strip() if isinstance(u.name, str) else "" for u in units]
    seen: set[str] = set()
    for i, (unit, name) in enumerate(zip(units, names, strict=True)):
        where = f"units[{i}]"
        if not name:
            problems.append(MissingName(f"{where}.name"))
        elif len(name) > 200:
            problems.append(NameTooLong(f"{where}.name", maximum=200))
        elif name in seen:
            problems.append(DuplicateUnit(f"{where}.name", unit=name, note="listed twice"))
        seen.add(name)
        count = unit.head_count
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            problems.append(InvalidHeadCount(f"{where}.head_count", empty="", found=count))
    known = seen | set(existing)
    given = [(u.parent or "").strip() or None for u in units]
    # Positions, not names, name the line of a problem: a duplicated name (already reported) must
    # not shift the lines of the units after it.
    parents: dict[str, str | None] = dict(zip(names, given, strict=True))
    for i, (name, parent) in enumerate(zip(names, given, strict=True)):
        if parent is None:
            continue
        if parent not in known:
            problems.append(UnknownParent(f"units[{i}].parent", parent=parent))
            continue
        # Walk up from the unit; it is inside itself when the walk comes back to it. A walk that
        # runs into a cycle higher up stops there: that cycle is reported on its own units' lines.
        chain: set[str] = set()
        current: str | None = parent
        while current is not None and current in parents and current not in chain:
            if current == name:
                problems.append(UnitCycle(f"units[{i}].parent", unit=name))
                break
            chain.add(current)
            current = parents[current]
    if problems:
        raise DataError(f"the unit list has {len(problems)} problem(s)", problems)
    return [
        UnitSpec(name, parent, u.head_count)
        for u, name, parent in zip(units, names, given, strict=True)
    ]


def _apply_units(session: Session, campaign: Campaign, units: Sequence[UnitSpec]) -> None:
    by_name = {u.name: u for u in campaign.units}
    for spec in units:
        unit = by_name.get(spec.name)
        if unit is None:
            unit = Unit(name=spec.name, head_count=spec.head_count)
            campaign.units.append(unit)
            by_name[spec.name] = unit
        else:
            unit.head_count = spec.head_count
    session.flush()
    for spec in units:
        by_name[spec.name].parent = by_name[spec.parent] if spec.parent else None


def _apply_targets(campaign: Campaign, targets: Mapping[str, int | None]) -> None:
    current = {t.dimension: t for t in campaign.targets}
    for dimension, level in targets.items():
        target = current.get(dimension)
        if level is None:
            if target is not None:
                campaign.targets.remove(target)
        elif target is None:
            campaign.targets.append(Target(dimension=dimension, target_level=level))
        else:
            target.target_level = level


# -- changes --------------------------------------------------------------------------------------


def create_campaign(
    db: Store,
    *,
    name: str,
    questionnaire: str,
    organisation: str | None = None,
    units: Sequence[UnitSpec] = (),
    min_group_size: int | None = None,
    mode: str = "open",
    languages: Sequence[str] | None = None,
    targets: Mapping[str, int] | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    sector: str | None = None,
    size_band: str | None = None,
    require_role: bool = False,
    registry: Registry | None = None,
) -> CampaignInfo:
    """Create an open campaign with a fresh unguessable survey code.

    Parameters
    ----------
    name : what the facilitator calls it ("Spring 2025")
    questionnaire : ``id@version`` of an available questionnaire
    organisation, sector, size_band : who it is for (used in reports and benchmark files)
    units : the unit list; empty means the units come from the first imported file
    min_group_size : groups with fewer respondents are suppressed (default: the questionnaire's)
    mode : ``open`` (anyone with the link) or ``invitation`` (single-use links only)
    languages : the languages offered (default: all of the questionnaire's)
    targets : dimension -> target level
    opens_at, closes_at : optional dates outside which no answers are accepted
    require_role : the respondent must answer the role question; refused (`CampaignSettingsError`)
        when the questionnaire's role question has no ``other`` option (`check_require_role`)
    """
    registry = registry or default_registry()
    parse_key(questionnaire)
    q = registry.get(questionnaire)
    digest = registry.sha256(questionnaire)
    name_text = _check_text(name, "name", limit=200, required=True)
    size = _check_min_group_size(
        q.scoring.min_group_size if min_group_size is None else min_group_size
    )
    chosen_languages = _check_languages(languages, q)
    chosen_targets = _check_targets(targets or {}, q)
    role_required = _check_require_role(require_role, q)
    checked_units = check_units(units)
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise CampaignSettingsError(
            f"the campaign must close after it opens; got opens {opens_at} and closes {closes_at}"
        )
    now = utcnow()
    for _ in range(5):
        try:
            with db.write() as session:
                campaign = Campaign(
                    code=new_code(),
                    name=name_text,
                    organisation=_check_text(organisation, "organisation", limit=200),
                    sector=_check_text(sector, "sector", limit=100),
                    size_band=_check_text(size_band, "size band", limit=40),
                    questionnaire_id=q.id,
                    questionnaire_version=q.version,
                    questionnaire_sha256=digest,
                    status="open",
                    mode=_check_mode(mode),
                    min_group_size=size,
                    require_role=role_required,
                    languages=chosen_languages,
                    import_salt=secrets.token_hex(32),
                    opens_at=opens_at,
                    closes_at=closes_at,
                    created_at=now,
                    updated_at=now,
                )
                session.add(campaign)
                session.flush()
                _apply_units(session, campaign, checked_units)
                _apply_targets(campaign, chosen_targets)
                session.flush()
                return _info(session, campaign, {})
        except IntegrityError as exc:
            # A code collision (about one in 10^14) is the only expected conflict: draw again.
            if "code" not in str(exc.orig).lower():
                raise
    raise CampaignSettingsError("could not draw an unused survey code; try again")


def update_campaign(db: Store, code: str, /, **changes: Any) -> CampaignInfo:
    """Change settings of a campaign: name, organisation, sector, size_band, min_group_size, mode,
    require_role, languages, opens_at, closes_at. Unknown settings are refused.

    Requiring the role applies to what is submitted or imported from then on; responses stored
    before keep their answer (or none).
    """
    allowed = {
        "name",
        "organisation",
        "sector",
        "size_band",
        "min_group_size",
        "mode",
        "require_role",
        "languages",
        "opens_at",
        "closes_at",
    }
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise CampaignSettingsError(
            f"cannot change {', '.join(unknown)}; changeable settings: {', '.join(sorted(allowed))}"
        )
    with db.write() as session:
        campaign = campaign_row(session, code, lock=True)
        q = questionnaire_of(campaign)
        if "name" in changes:
            campaign.name = _check_text(changes["name"], "name", limit=200, required=True) or ""
        for key, limit in (("organisation", 200), ("sector", 100), ("size_band", 40)):
            if key in changes:
                setattr(
                    campaign, key, _check_text(changes[key], key.replace("_", " "), limit=limit)
                )
        if "min_group_size" in changes:
            campaign.min_group_size = _check_min_group_size(changes["min_group_size"])
        if "mode" in changes:
            campaign.mode = _check_mode(changes["mode"])
        if "require_role" in changes:
            campaign.require_role = _check_require_role(changes["require_role"], q)
        if "languages" in changes:
            campaign.languages = _check_languages(changes["languages"], q)
        if "opens_at" in changes:
            campaign.opens_at = changes["opens_at"]
        if "closes_at" in changes:
            campaign.closes_at = changes["closes_at"]
        if (
            campaign.opens_at is not None
            and campaign.closes_at is not None
            and campaign.closes_at <= campaign.opens_at
        ):
            raise CampaignSettingsError(
                f"the campaign must close after it opens; got opens {campaign.opens_at} and "
                f"closes {campaign.closes_at}"
            )
        campaign.updated_at = utcnow()
        session.flush()
        return _info(session, campaign)


def close_campaign(db: Store, code: str) -> CampaignInfo:
    """Stop accepting answers (drafts stay drafts and are never scored). Closing twice is harmless."""
    with db.write() as session:
        campaign = campaign_row(session, code, lock=True)
        if campaign.status != "closed":
            campaign.status = "closed"
            campaign.closed_at = campaign.updated_at = utcnow()
        return _info(session, campaign)


def reopen_campaign(db: Store, code: str) -> CampaignInfo:
    """Accept answers again after `close_campaign`."""
    with db.write() as session:
        campaign = campaign_row(session, code, lock=True)
        if campaign.status != "open":
            campaign.status = "open"
            campaign.closed_at = None
            campaign.updated_at = utcnow()
        return _info(session, campaign)


def save_units(db: Store, code: str, units: Sequence[UnitSpec]) -> CampaignInfo:
    """Add units and update the parent and head-count of existing ones (matched by name)."""
    with db.write() as session:
        campaign = campaign_row(session, code, lock=True)
        checked = check_units(units, existing=[u.name for u in campaign.units])
        _apply_units(session, campaign, checked)
        campaign.updated_at = utcnow()
        session.flush()
        return _info(session, campaign)


def remove_unit(db: Store, code: str, name: str) -> CampaignInfo:
    """Remove a unit that has no responses (its sub-units move to its parent)."""
    with db.write() as session:
        campaign = campaign_row(session, code, lock=True)
        unit = next((u for u in campaign.units if u.name == name), None)
        if unit is None:
            raise CampaignSettingsError(
                f"campaign {code} has no unit {name!r}; its units: "
                f"{', '.join(sorted(u.name for u in campaign.units)) or 'none'}"
            )
        used = session.scalar(select(func.count()).where(Response.unit_id == unit.id))
        if used:
            raise CampaignSettingsError(
                f"unit {name!r} has {used} response(s) and cannot be removed; rename or keep it"
            )
        for child in campaign.units:
            if child.parent_id == unit.id:
                child.parent_id = unit.parent_id
        campaign.units.remove(unit)
        campaign.updated_at = utcnow()
        session.flush()
        return _info(session, campaign)


def set_targets(db: Store, code: str, targets: Mapping[str, int | None]) -> CampaignInfo:
    """Set target levels per dimension (``None`` removes a dimension's target)."""
    with db.write() as session:
        campaign = campaign_row(session, code, lock=True)
        checked = _check_targets(targets, questionnaire_of(campaign))
        _apply_targets(campaign, checked)
        campaign.updated_at = utcnow()
        session.flush()
        return _info(session, campaign)


def create_invitations(db: Store, code: str, count: int) -> list[str]:
    """Create ``count`` single-use invitation tokens; only their sha256 is stored.

    The tokens are returned once, here: hand them out (see `survey_url`) or they are lost.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_INVITATIONS:
        raise CampaignSettingsError(
            f"the number of invitations must be between 1 and {MAX_INVITATIONS}; got {count!r}"
        )
    tokens = [secrets.token_urlsafe(18) for _ in range(count)]
    with db.write() as session:
        campaign = campaign_row(session, code)
        now = utcnow()
        session.execute(
            insert(Invitation),
            [
                {"campaign_id": campaign.id, "token_hash": hash_token(t), "created_at": now}
                for t in tokens
            ],
        )
    return tokens


def invitation_links_csv(code: str, tokens: Sequence[str]) -> bytes:
    """Single-use invitation links as a UTF-8 CSV: ``number,survey_url``, one row per token.

    The one format of the links file, whether `wmm invitations create` writes it or the Campaigns
    page offers it for download; the links are guarded against spreadsheet formulas
    (`assessment.responses.csv_safety.neutralise_text`).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["number", "survey_url"])
    for number, token in enumerate(tokens, start=1):
        writer.writerow([number, neutralise_text(survey_url(code, token))])
    return buffer.getvalue().encode("utf-8")


def invitation_counts(db: Store, code: str) -> tuple[int, int]:
    """(invitations created, invitations used) of a campaign."""
    with db.read() as session:
        campaign = campaign_row(session, code)
        total, used = session.execute(
            select(func.count(), func.count(Invitation.used_at)).where(
                Invitation.campaign_id == campaign.id
            )
        ).one()
        return int(total), int(used)


# -- the units file -------------------------------------------------------------------------------

_UNIT_NAME_COLUMNS = ("unit", "name")


def read_units_csv(source: Path | bytes, *, name: str = "units.csv") -> list[UnitSpec]:
    """Read a units file (a path, or its bytes named ``name``): columns ``unit`` (or ``name``),
    optional ``parent`` and ``head_count``.

    Raises
    ------
    DataError
        Naming the file, row and column of every problem (unreadable file, missing column, bad
        head-count, unknown parent, duplicate unit).
    """
    try:
        path = Path(name) if isinstance(source, bytes) else source  # names the file in messages
        text = (source if isinstance(source, bytes) else source.read_bytes()).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(
            f"{path}: cannot read the units file ({exc}); expected a UTF-8 CSV"
        ) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise DataError(
            f"{path.name}: the units file is empty; expected a header 'unit,parent,head_count'"
        )
    header = [h.strip() for h in rows[0]]
    name_column = next((c for c in _UNIT_NAME_COLUMNS if c in header), None)
    if name_column is None:
        raise DataError(
            f"{path.name}: the header needs a 'unit' column (optional: parent, head_count); "
            f"found {', '.join(header) or 'nothing'}"
        )
    index = {name: i for i, name in enumerate(header)}
    problems: list[Problem] = []
    units: list[UnitSpec] = []
    rows_of: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                WrongCellCount(f"{path.name} row {number}", expected=len(header), found=len(row))
            )
            continue

        def cell(column: str, row: list[str] = row) -> str:
            return row[index[column]].strip() if column in index else ""

        head_count: int | None = None
        raw = cell("head_count")
        if raw:
            try:
                head_count = int(raw)
            except ValueError:
                head_count = -1
            if head_count < 1:
                problems.append(
                    InvalidHeadCount(
                        f"{path.name} row {number}, column head_count", empty="", found=raw
                    )
                )
                continue
        # Names written by wmm carry the CSV-injection guard ('=...); read them back without it.
        parent = restore_text(cell("parent")) or None
        units.append(UnitSpec(restore_text(cell(name_column)), parent, head_count))
        rows_of.append(number)
    if not problems and not units:
        raise DataError(f"{path.name}: the units file lists no units; add one row per unit")
    if not problems:
        try:
            return check_units(units)
        except DataError as exc:
            for problem in exc.problems:
                position, _, column = problem.path.partition("].")
                row_number = rows_of[int(position.removeprefix("units["))]
                column = name_column if column == "name" else column
                problems.append(problem.at(f"{path.name} row {row_number}, column {column}"))
    raise DataError(f"{path.name}: {len(problems)} problem(s) in the units file", problems)
