"""Action items of a campaign: what a team agreed to do about a dimension, who owns it, by when,
and how far it has got. Create, list, change and delete; each call is one transaction.

Items carry over to the organisation's next wave as follow-ups (`follow_ups`) by *linking*, not
copying: the next wave shows the previous wave's items themselves, so a status changed in either
wave is the same status, and nothing is duplicated. The previous wave is the one the Waves tab and
the report compare with (`assessment.analysis.waves.earlier_waves`: same organisation and questionnaire,
created earlier, with responses), so no stored reference is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.campaigns.management import (
    CampaignInfo,
    campaign_row,
    dimension_ids,
    get_campaign,
    list_campaigns,
    questionnaire_of,
)
from assessment.campaigns.store import Store
from assessment.errors import ActionError, UnknownActionError
from assessment.storage.models import ActionItem, Campaign, utcnow

#: Where an action item stands; the database column accepts exactly these values.
ActionStatus = Literal["open", "in-progress", "done", "dropped"]
ACTION_STATUSES: tuple[ActionStatus, ...] = get_args(ActionStatus)

TITLE_LIMIT = 300
OWNER_LIMIT = 200
#: Statuses of items still being worked on: they carry over to the next wave.
OPEN_STATUSES = ("open", "in-progress")


@dataclass(frozen=True)
class Action:
    """An action item as the app and the CLI see it."""

    id: int
    campaign_code: str
    dimension: str
    title: str
    owner: str | None
    due_date: date | None
    status: str
    created_at: datetime
    updated_at: datetime


def _action(row: ActionItem, code: str) -> Action:
    return Action(
        id=row.id,
        campaign_code=code,
        dimension=row.dimension,
        title=row.title,
        owner=row.owner,
        due_date=row.due_date,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _checked(campaign: Campaign, field: str, value: Any) -> Any:
    if field == "dimension":
        known = dimension_ids(questionnaire_of(campaign))
        if value not in known:
            raise ActionError(
                f"an action belongs to one dimension of {campaign.questionnaire_key}: "
                f"{', '.join(known)}; got {value!r}"
            )
        return value
    if field == "title":
        text = (value or "").strip() if isinstance(value, str) or value is None else None
        if not text or len(text) > TITLE_LIMIT:
            raise ActionError(
                f"an action needs a title of 1..{TITLE_LIMIT} characters; got {value!r}"
            )
        return text
    if field == "owner":
        if value is None:
            return None
        if not isinstance(value, str) or len(value.strip()) > OWNER_LIMIT:
            raise ActionError(
                f"the owner is a name of at most {OWNER_LIMIT} characters; got {value!r}"
            )
        return value.strip() or None
    if field == "due_date":
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise ActionError(f"the due date must be a date (YYYY-MM-DD) or empty; got {value!r}")
        return value
    if field == "status":
        if value not in ACTION_STATUSES:
            raise ActionError(
                f"the status must be one of {', '.join(ACTION_STATUSES)}; got {value!r}"
            )
        return value
    raise ActionError(
        f"an action has no field {field!r}; fields: dimension, title, owner, due_date, status"
    )


def add_action(
    db: Store,
    code: str,
    *,
    dimension: str,
    title: str,
    owner: str | None = None,
    due_date: date | None = None,
    status: str = "open",
) -> Action:
    """Record a new action item on one dimension of the campaign ``code``."""
    with db.write() as session:
        campaign = campaign_row(session, code)
        now = utcnow()
        row = ActionItem(
            campaign_id=campaign.id,
            dimension=_checked(campaign, "dimension", dimension),
            title=_checked(campaign, "title", title),
            owner=_checked(campaign, "owner", owner),
            due_date=_checked(campaign, "due_date", due_date),
            status=_checked(campaign, "status", status),
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return _action(row, campaign.code)


def list_actions(db: Store, code: str, *, dimension: str | None = None) -> list[Action]:
    """The campaign's action items (optionally of one dimension), by due date, undated last."""
    with db.read() as session:
        campaign = campaign_row(session, code)
        query = select(ActionItem).where(ActionItem.campaign_id == campaign.id)
        if dimension is not None:
            query = query.where(ActionItem.dimension == dimension)
        rows = session.scalars(
            query.order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
        ).all()
        return [_action(row, campaign.code) for row in rows]


def _row(session: Session, campaign: Campaign, action_id: int) -> ActionItem:
    row = session.scalars(
        select(ActionItem).where(ActionItem.id == action_id, ActionItem.campaign_id == campaign.id)
    ).one_or_none()
    if row is None:
        raise UnknownActionError(f"campaign {campaign.code} has no action item {action_id}")
    return row


def update_action(db: Store, code: str, action_id: int, **changes: Any) -> Action:
    """Change fields of an action item: dimension, title, owner, due_date, status."""
    with db.write() as session:
        campaign = campaign_row(session, code)
        row = _row(session, campaign, action_id)
        for field, value in changes.items():
            setattr(row, field, _checked(campaign, field, value))
        row.updated_at = utcnow()
        session.flush()
        return _action(row, campaign.code)


def delete_action(db: Store, code: str, action_id: int) -> None:
    """Delete an action item."""
    with db.write() as session:
        campaign = campaign_row(session, code)
        session.delete(_row(session, campaign, action_id))


@dataclass(frozen=True)
class FollowUps:
    """The previous wave's action items as the next wave sees them.

    Attributes
    ----------
    wave : the previous wave (the campaign the items belong to; change them with its code)
    actions : its items still open or in progress, and those closed since the next wave began
        (so an item marked done during the next wave stays in view with its new status)
    """

    wave: CampaignInfo
    actions: tuple[Action, ...]

    @property
    def label(self) -> str:
        """``follow-up from <wave name>``."""
        return f"follow-up from {self.wave.name}"


def follow_ups(db: Store, code: str) -> FollowUps | None:
    """The previous wave's action items carried over to the campaign ``code`` (None: no earlier
    wave of its organisation on its questionnaire with responses).

    Raises
    ------
    UnknownCampaignError
        When no campaign has this code.
    """
    from assessment.analysis.waves import (
        earlier_waves,  # the wave rule; waves imports the scoring stack
    )

    current = get_campaign(db, code)
    earlier = earlier_waves(list_campaigns(db), current)
    if not earlier:
        return None
    previous = earlier[0]
    carried = tuple(
        a
        for a in list_actions(db, previous.code)
        if a.status in OPEN_STATUSES or a.updated_at >= current.created_at
    )
    return FollowUps(previous, carried)
