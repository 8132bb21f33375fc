"""Lists longer than any driver's parameter limit go through every bulk method (both engines)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from storage.database import Database
from storage.records import PlannedMessage
from storage.repositories.outbox import CANCELLED, PLANNED

NOW = datetime(2022, 9, 20, tzinfo=UTC)
# More than asyncpg's 32,767 and SQLite's 32,766 parameters in one statement.
MANY = 40_000


def _message(number: int) -> PlannedMessage:
    return PlannedMessage(
        key=f"digest:{number}",
        kind="digest",
        task_id=None,
        person_id=None,
        chat_id=number,
        local_day=date(2022, 9, 20),
        planned_at=NOW,
    )


async def test_bulk_reads_and_writes_take_lists_past_the_parameter_limits(
    database: Database,
) -> None:
    ids = list(range(1, MANY + 1))
    async with database.transaction() as repositories:
        await repositories.outbox.plan([_message(n) for n in range(MANY)], NOW)
        await repositories.outbox.cancel_other(ids, [f"{n}:p1:countdown" for n in ids])
        await repositories.outbox.cancel_planned(ids)
        assert await repositories.outbox.count(PLANNED) == MANY
        assert await repositories.outbox.count(CANCELLED) == 0
        assert await repositories.people.find_by_name_keys(1, [str(n) for n in ids]) == {}
        assert await repositories.people.by_ids(ids) == {}
        assert await repositories.roadmaps.by_ids(ids) == {}
        assert await repositories.activities.by_ids(ids) == {}
        assert await repositories.activities.with_live_steps(ids) == set()
        assert all(
            not found for found in (await repositories.activities.assignees_of(ids)).values()
        )
        assert all(not found for found in (await repositories.tasks.executors_of(ids)).values())
        assert await repositories.tasks.of_activities(ids) == []
        await repositories.tasks.cancel_many(ids)
        await repositories.activities.set_removed_many(ids, NOW)
        await repositories.tasks.set_executors_many(dict.fromkeys(ids, ((), 0)))
