"""The tick's batched outbox and people writes on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.models import Role
from storage.database import Database
from storage.records import PlannedMessage
from storage.repositories.outbox import (
    BLOCKED,
    CLAIMED,
    FAILED,
    PLANNED,
    SENT,
    Finished,
    Retry,
)

NOW = datetime(2022, 9, 22, 23, 0, tzinfo=UTC)


def _message(number: int, chat: int, at: datetime = NOW) -> PlannedMessage:
    return PlannedMessage(
        key=f"t:{number}",
        kind="countdown",
        task_id=None,
        person_id=None,
        chat_id=chat,
        local_day=date(2022, 9, 23),
        planned_at=at,
    )


async def test_the_other_due_rows_of_the_same_chats_are_claimed_too(database: Database) -> None:
    later = NOW + timedelta(hours=1)
    async with database.transaction() as repositories:
        await repositories.outbox.plan(
            [
                _message(1, 10),
                _message(2, 20),
                _message(3, 10),
                _message(4, 10, later),  # not due yet
                _message(5, 30),
            ],
            NOW,
        )
        first = await repositories.outbox.claim_due(NOW, 1)
        more = await repositories.outbox.claim_due_in_chats(NOW, [10, 10], 100)
        again = await repositories.outbox.claim_due_in_chats(NOW, [10], 100)
        rows = {row.key: row for row in await repositories.outbox.all_rows()}
    assert [row.key for row in first] == ["t:1"]
    assert [row.key for row in more] == ["t:3"]
    assert again == []
    assert {key: row.status for key, row in rows.items()} == {
        "t:1": CLAIMED,
        "t:2": PLANNED,
        "t:3": CLAIMED,
        "t:4": PLANNED,
        "t:5": PLANNED,
    }


async def test_many_rows_finish_and_retry_each_with_their_own_values(database: Database) -> None:
    async with database.transaction() as repositories:
        await repositories.outbox.plan([_message(n, 100 + n) for n in range(1, 6)], NOW)
        claimed = {row.key: row.id for row in await repositories.outbox.claim_due(NOW, 10)}
        await repositories.outbox.finish_many(
            [
                Finished(claimed["t:1"], SENT, message_id=11),
                Finished(claimed["t:2"], SENT, message_id=11),
                Finished(claimed["t:3"], BLOCKED, error="Forbidden"),
                Finished(claimed["t:4"], FAILED, error="too long"),
            ],
            NOW,
        )
        await repositories.outbox.retry_many(
            [Retry(claimed["t:5"], NOW + timedelta(minutes=1), "500")]
        )
        rows = {row.key: row for row in await repositories.outbox.all_rows()}
    assert [(rows[k].status, rows[k].message_id, rows[k].sent_at) for k in ("t:1", "t:2")] == [
        (SENT, 11, NOW),
        (SENT, 11, NOW),
    ]
    assert (rows["t:3"].status, rows["t:3"].last_error, rows["t:3"].sent_at) == (
        BLOCKED,
        "Forbidden",
        None,
    )
    assert (rows["t:4"].status, rows["t:4"].last_error) == (FAILED, "too long")
    assert (rows["t:5"].status, rows["t:5"].planned_at, rows["t:5"].last_error) == (
        PLANNED,
        NOW + timedelta(minutes=1),
        "500",
    )


async def test_people_by_ids_and_marked_unreachable_together(database: Database) -> None:
    async with database.transaction() as repositories:
        people = [
            await repositories.people.add(
                full_name=f"Человек {n}",
                name_key=f"ч{n}",
                role=Role.EXECUTOR,
                created_at=NOW,
                telegram_user_id=700 + n,
            )
            for n in range(3)
        ]
        changed = await repositories.people.set_unreachable([700, 702, 702, 9999])
        # Marked once: the second time names nobody new.
        again = await repositories.people.set_unreachable([700])
        found = await repositories.people.by_ids([p.id for p in people] + [people[0].id, 9999])
        by_chat = await repositories.people.by_accounts([700, 701, 9999])
    assert sorted(changed) == [people[0].id, people[2].id] and again == []
    assert sorted(found) == sorted(p.id for p in people)
    assert [found[p.id].is_reachable for p in people] == [False, True, False]
    assert {chat: person.id for chat, person in by_chat.items()} == {
        700: people[0].id,
        701: people[1].id,
    }
