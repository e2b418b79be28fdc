"""The values the domain names (campaign modes, action statuses) are exactly the values the database
columns accept: storage keeps its own plain strings so that it imports nothing of the domain."""

from __future__ import annotations

from typing import get_args

import pytest

from assessment.campaigns.actions import ACTION_STATUSES, ActionStatus
from assessment.campaigns.management import CAMPAIGN_MODES, CampaignMode
from assessment.campaigns.store import Store
from assessment.storage import Database, connect, models


@pytest.mark.parametrize(
    ("domain", "column"),
    [
        pytest.param(CAMPAIGN_MODES, models.CAMPAIGN_MODES, id="campaign-mode"),
        pytest.param(ACTION_STATUSES, models.ACTION_STATUSES, id="action-status"),
        pytest.param(get_args(CampaignMode), models.CAMPAIGN_MODES, id="campaign-mode-type"),
        pytest.param(get_args(ActionStatus), models.ACTION_STATUSES, id="action-status-type"),
    ],
)
def test_domain_values_are_the_column_values(
    domain: tuple[str, ...], column: tuple[str, ...]
) -> None:
    assert domain == column


def test_the_database_is_a_store() -> None:
    db: Database = connect(":memory:")
    try:
        store: Store = db  # mypy checks the protocol; the calls check it at run time
        with store.write() as session:
            assert session.in_transaction()
        with store.read() as session:
            assert session.in_transaction()
        assert store.key == db.key
    finally:
        db.dispose()
