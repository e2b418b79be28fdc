"""The store of campaigns and responses as the domain sees it: read and write transactions.

Domain functions take a `Store`; `assessment.storage.Database` is the one implementation (SQLite or
PostgreSQL). Pages and commands hold a `Store` and never name the storage layer.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from sqlalchemy.orm import Session


class Store(Protocol):
    """Where campaigns, responses and actions are kept: one transaction per block.

    ``with store.write() as session:`` changes data (committed at the end of the block, rolled back on
    an exception); ``with store.read() as session:`` only reads.
    """

    @property
    def key(self) -> str:
        """A string that identifies this store (for caches); it holds no password."""
        ...

    def read(self) -> AbstractContextManager[Session]:
        """One reading transaction (never commits)."""
        ...

    def write(self) -> AbstractContextManager[Session]:
        """One writing transaction: commit on success, roll back on any exception."""
        ...
