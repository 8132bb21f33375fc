"""The outbox on both engines: one row per key, claims never shared, stale claims returned."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from storage.database import Database
from storage.records import PlannedMessage
from storage.repositories.outbox import CLAIMED, PLANNED, SENT

NOW = datetime(2022, 9, 22, 23, 0, tzinfo=UTC)


def _message(number: int, at: datetime = NOW) -> PlannedMessage:
    return PlannedMessage(
        key=f"t:{number}",
        kind="countdown",
        task_id=None,
        person_id=None,
        chat_id=1000 + number,
        local_day=date(2022, 9, 23),
        planned_at=at,
    )


async def test_plan_is_idempotent_and_sent_rows_stay_sent(database: Database) -> None:
    async with database.transaction() as repositories:
        await repositories.outbox.plan([_message(1), _message(2)], NOW)
        await repositories.outbox.plan([_message(1, NOW + timedelta(hours=1))], NOW)
        rows = await repositories.outbox.all_rows()
    assert [(r.key, r.planned_at) for r in rows] == [
        ("t:1", NOW + timedelta(hours=1)),
        ("t:2", NOW),
    ]
    async with database.transaction() as repositories:
        (claimed,) = await repositories.outbox.claim_due(NOW, 10)
        await repositories.outbox.finish(claimed.id, SENT, NOW, message_id=5)
        await repositories.outbox.plan([_message(2, NOW + timedelta(days=1))], NOW)
        rows = await repositories.outbox.all_rows()
    assert {r.key: (r.status, r.planned_at) for r in rows}["t:2"] == (SENT, NOW)


async def test_concurrent_claims_never_share_a_row(database: Database) -> None:
    async with database.transaction() as repositories:
        await repositories.outbox.plan([_message(n) for n in range(200)], NOW)

    async def claim() -> list[int]:
        taken: list[int] = []
        while True:
            async with database.transaction() as repositories:
                rows = await repositories.outbox.claim_due(NOW, 7)
            if not rows:
                return taken
            taken.extend(row.id for row in rows)

    results = await asyncio.gather(*(claim() for _ in range(4)))
    every = [row_id for result in results for row_id in result]
    assert len(every) == len(set(every)) == 200


async def test_stale_claims_return_to_the_queue(database: Database) -> None:
    async with database.transaction() as repositories:
        await repositories.outbox.plan([_message(1), _message(2)], NOW)
        claimed = await repositories.outbox.claim_due(NOW, 10)
        assert [row.status for row in claimed] == [CLAIMED, CLAIMED]
        await repositories.outbox.finish(claimed[0].id, SENT, NOW)
        released = await repositories.outbox.release_stale(NOW + timedelta(minutes=5))
        rows = await repositories.outbox.all_rows()
    assert released == 1
    assert [row.status for row in rows] == [SENT, PLANNED]
    assert rows[1].attempts == 1
