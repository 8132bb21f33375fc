"""The outbox: planned messages, claimed atomically so two instances never send one twice."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    RowMapping,
    Select,
    any_,
    bindparam,
    cast,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.chunks import chunked, rows_per_statement
from storage.records import OutboxRow, PlannedMessage
from storage.schema import outbox, tasks

PLANNED = "planned"
CLAIMED = "claimed"
SENT = "sent"
CANCELLED = "cancelled"
BLOCKED = "blocked"
FAILED = "failed"


class Finished(NamedTuple):
    row_id: int
    status: str
    message_id: int | None = None
    error: str | None = None


class Retry(NamedTuple):
    row_id: int
    at: datetime
    error: str | None


def _row(row: RowMapping) -> OutboxRow:
    return OutboxRow(**{column.name: row[column.name] for column in outbox.c})


def _due(now: datetime, kinds: Collection[str] | None) -> list[ColumnElement[bool]]:
    """Planned rows whose moment has come (of these kinds only, when given)."""
    conditions = [outbox.c.status == PLANNED, outbox.c.planned_at <= now]
    if kinds is not None:
        conditions.append(outbox.c.kind.in_(sorted(kinds)))
    return conditions


class OutboxRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def plan(self, messages: Sequence[PlannedMessage], now: datetime) -> None:
        """New keys go in; a key not yet sent takes the new moment; sent keys stay sent."""
        if not messages:
            return
        dialect = self._connection.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # One row per key: a multi-row upsert may not touch the same row twice.
        messages = list({m.key: m for m in messages}.values())
        values = [
            {
                "key": m.key,
                "kind": m.kind,
                "task_id": m.task_id,
                "person_id": m.person_id,
                "chat_id": m.chat_id,
                "local_day": m.local_day,
                "planned_at": m.planned_at,
                "payload": m.payload,
                "status": PLANNED,
                "created_at": now,
            }
            for m in messages
        ]
        if all(m.payload is None for m in messages):
            # NULL by default: spares encoding a JSON null for each of thousands of reminders.
            for value in values:
                del value["payload"]
        statement = insert(outbox)
        upsert = statement.on_conflict_do_update(
            index_elements=[outbox.c.key],
            set_={
                "planned_at": statement.excluded.planned_at,
                "chat_id": statement.excluded.chat_id,
                "status": PLANNED,
            },
            where=(outbox.c.status == PLANNED) | (outbox.c.status == CANCELLED),
        )
        if dialect == "postgresql":
            # RETURNING makes SQLAlchemy send multi-row VALUES (a thousand rows a statement)
            # instead of one round trip per row: 400,000 reminders in seconds, not a minute.
            upsert = upsert.returning(outbox.c.id)  # type: ignore[assignment]
        per_statement = rows_per_statement(len(values[0]))
        upsert = upsert.execution_options(insertmanyvalues_page_size=per_statement)
        # One statement per slice, however many reminders a municipal plan has.
        for part in chunked(values, per_statement):
            await self._connection.execute(upsert, list(part))

    async def cancel_planned(self, task_ids: Sequence[int]) -> None:
        """Every unsent message of these tasks is dropped (a plan that follows revives its own)."""
        for part in chunked(sorted(set(task_ids))):
            await self._connection.execute(
                update(outbox)
                .where(outbox.c.task_id.in_(part), outbox.c.status == PLANNED)
                .values(status=CANCELLED)
            )

    async def cancel_other(self, task_ids: Sequence[int], keep_keys: Sequence[str]) -> None:
        """Unsent messages of these tasks that the new plan no longer has are dropped."""
        keep = set(keep_keys)
        drop: list[int] = []
        for part in chunked(sorted(set(task_ids))):
            result = await self._connection.execute(
                select(outbox.c.id, outbox.c.key).where(
                    outbox.c.task_id.in_(part), outbox.c.status == PLANNED
                )
            )
            drop.extend(row_id for row_id, key in result.all() if key not in keep)
        for ids in chunked(drop):
            await self._connection.execute(
                update(outbox).where(outbox.c.id.in_(ids)).values(status=CANCELLED)
            )

    async def claim_due(
        self, now: datetime, limit: int, kinds: Collection[str] | None = None
    ) -> list[OutboxRow]:
        """Takes up to `limit` due rows for this instance (of these kinds only), atomically."""
        due = (
            select(outbox.c.id)
            .where(*_due(now, kinds))
            .order_by(outbox.c.planned_at, outbox.c.id)
            .limit(limit)
        )
        return await self._claim(due, now)

    async def _claim(self, due: Select[tuple[int]], now: datetime) -> list[OutboxRow]:
        """Claims the rows ``due`` selects (ids), at most as many as its LIMIT."""
        chosen: ColumnElement[bool]
        if self._connection.dialect.name == "postgresql":
            # Another instance's claim in progress is skipped, not waited for. The ids are
            # gathered once into an array: as ``IN (subquery)`` PostgreSQL may run the locking
            # subquery again for each row it joins, and its LIMIT then claims more than asked.
            locked = due.with_for_update(skip_locked=True).subquery()
            ids = select(func.array_agg(locked.c.id)).scalar_subquery()
            chosen = outbox.c.id == any_(cast(ids, ARRAY(Integer)))
        else:
            chosen = outbox.c.id.in_(due.scalar_subquery())
        result = await self._connection.execute(
            update(outbox)
            .where(chosen, outbox.c.status == PLANNED)
            .values(status=CLAIMED, claimed_at=now, attempts=outbox.c.attempts + 1)
            .returning(*outbox.c)
        )
        return sorted((_row(row) for row in result.mappings()), key=lambda r: (r.planned_at, r.id))

    async def claim_due_in_chats(
        self,
        now: datetime,
        chat_ids: Sequence[int],
        limit: int,
        kinds: Collection[str] | None = None,
    ) -> list[OutboxRow]:
        """Takes the other due rows of these chats too (up to ``limit``), so a morning's
        reminders to one person are in hand together and can go as one message."""
        claimed: list[OutboxRow] = []
        for chunk in chunked(sorted(set(chat_ids))):
            if len(claimed) >= limit:
                break
            due = (
                select(outbox.c.id)
                .where(*_due(now, kinds), outbox.c.chat_id.in_(chunk))
                .order_by(outbox.c.planned_at, outbox.c.id)
                .limit(limit - len(claimed))
            )
            claimed.extend(await self._claim(due, now))
        return sorted(claimed, key=lambda r: (r.planned_at, r.id))

    async def release_stale(self, claimed_before: datetime) -> int:
        """Claims left by a stopped instance go back to the queue (sent ones stay sent)."""
        result = await self._connection.execute(
            update(outbox)
            .where(outbox.c.status == CLAIMED, outbox.c.claimed_at < claimed_before)
            .values(status=PLANNED)
            .returning(outbox.c.id)
        )
        return len(result.all())

    async def finish(
        self,
        row_id: int,
        status: str,
        now: datetime,
        *,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        await self._connection.execute(
            update(outbox)
            .where(outbox.c.id == row_id)
            .values(
                status=status,
                sent_at=now if status == SENT else None,
                message_id=message_id,
                last_error=error,
            )
        )

    async def finish_many(self, finished: Sequence[Finished], now: datetime) -> None:
        """Many rows finished at once, each with its own status, message id and error: one
        executemany, whatever their number."""
        if not finished:
            return
        await self._connection.execute(
            update(outbox)
            .where(outbox.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                sent_at=bindparam("b_sent_at"),
                message_id=bindparam("b_message_id"),
                last_error=bindparam("b_error"),
            ),
            [
                {
                    "b_id": item.row_id,
                    "b_status": item.status,
                    "b_sent_at": now if item.status == SENT else None,
                    "b_message_id": item.message_id,
                    "b_error": item.error,
                }
                for item in finished
            ],
        )

    async def retry_many(self, retries: Sequence[Retry]) -> None:
        """Rows back to the queue, each at its own moment: one executemany."""
        if not retries:
            return
        await self._connection.execute(
            update(outbox)
            .where(outbox.c.id == bindparam("b_id"))
            .values(status=PLANNED, planned_at=bindparam("b_at"), last_error=bindparam("b_error")),
            [{"b_id": item.row_id, "b_at": item.at, "b_error": item.error} for item in retries],
        )

    async def of_task(self, task_id: int) -> list[OutboxRow]:
        result = await self._connection.execute(
            select(outbox).where(outbox.c.task_id == task_id).order_by(outbox.c.planned_at)
        )
        return [_row(row) for row in result.mappings()]

    async def oldest_due(self, now: datetime) -> datetime | None:
        """When the longest-waiting due message was planned (None: nothing is waiting)."""
        result = await self._connection.execute(
            select(func.min(outbox.c.planned_at)).where(*_due(now, None))
        )
        oldest: datetime | None = result.scalar_one_or_none()
        return oldest

    async def count(self, status: str) -> int:
        result = await self._connection.execute(
            select(func.count()).select_from(outbox).where(outbox.c.status == status)
        )
        return int(result.scalar_one())

    async def failed_in_roadmaps(self, roadmap_ids: Sequence[int]) -> int:
        """Messages about these roadmaps' tasks that could not be delivered at all."""
        result = await self._connection.execute(
            select(func.count())
            .select_from(outbox.join(tasks, tasks.c.id == outbox.c.task_id))
            .where(outbox.c.status == FAILED, tasks.c.roadmap_id.in_(roadmap_ids))
        )
        return int(result.scalar_one())

    async def all_rows(self) -> list[OutboxRow]:
        result = await self._connection.execute(select(outbox).order_by(outbox.c.id))
        return [_row(row) for row in result.mappings()]
