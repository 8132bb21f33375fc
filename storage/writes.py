"""Which tables a connection's open transaction wrote to (for `Database.generation`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import UpdateBase

# A set of table names in the connection's info, emptied when its transaction ends.
WRITTEN = "roadmap_tables_written"


def note_write(connection: Connection, statement: Any, *_args: Any, **_kwargs: Any) -> None:
    """SQLAlchemy's before_execute event: a write statement names its table."""
    if isinstance(statement, UpdateBase):
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
        if isinstance(name, str):
            connection.info.setdefault(WRITTEN, set()).add(name)


def note_driver_writes(connection: AsyncConnection, *tables: str) -> None:
    """Writes sent to the driver directly, which SQLAlchemy's events do not see."""
    if connection.sync_connection is not None:
        connection.sync_connection.info.setdefault(WRITTEN, set()).update(tables)
