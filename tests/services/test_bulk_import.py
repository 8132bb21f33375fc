"""A municipal roadmap imports in bulk, re-imports only what changed, previews without writing.

On SQLite always and on PostgreSQL when TEST_DATABASE_URL is set, with a generated roadmap
(no file to read) so the sizes that used to break the drivers stay quick to test.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.app import create_planning
from bot.settings import Settings
from core.clock import ManualClock
from roadmap.importer import ParsedRoadmap
from services import roadmaps as roadmaps_module
from services.access import Actor
from services.reminders import Planning
from services.roadmaps import RoadmapService
from storage.database import Database
from storage.records import OutboxRow, Task
from storage.repositories.roadmaps import ActivityRepository
from storage.schema import metadata, outbox, tasks
from tests.services.municipal import Municipality, municipality, roadmap, with_new_date
from tests.sql_statements import count_statements

SCHOOLS = 50

ADMIN = Actor(3, None, is_admin=True)


def _planning() -> Planning:
    return create_planning(Settings(_env_file=None))  # type: ignore[call-arg]


def _expected_tasks(rows: int, schools: int) -> int:
    fanned = rows // 5  # every fifth row is for every school head
    return fanned * schools + (rows - fanned)


async def _table_counts(database: Database) -> dict[str, int]:
    async with database.engine.connect() as connection:
        return {
            table.name: int(
                (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            )
            for table in metadata.sorted_tables
        }


async def _state(database: Database) -> tuple[dict[int, Task], dict[int, OutboxRow]]:
    async with database.transaction() as repositories:
        roadmap_ids = [r.id for r in await repositories.roadmaps.in_organisations([1, 2])]
        found = [t for r in roadmap_ids for t in await repositories.tasks.in_roadmap(r)]
        rows = await repositories.outbox.all_rows()
    return {t.id: t for t in found}, {row.id: row for row in rows}


async def _setup(
    database: Database, clock: ManualClock, rows: int, schools: int = SCHOOLS
) -> tuple[RoadmapService, Municipality, ParsedRoadmap]:
    service = RoadmapService(database, clock, _planning())
    district = await municipality(database, clock, schools)
    return service, district, roadmap(rows)


async def test_a_municipal_import_past_the_drivers_parameter_limits(
    database: Database, clock: ManualClock
) -> None:
    # 2,160 tasks and over 40,000 reminders: one statement naming them all could not run.
    service, district, parsed = await _setup(database, clock, 200)
    result = await service.apply(
        district.organisation_id, parsed, source_name="a", actor_telegram_id=1
    )
    assert len(result.plan.added) == 200
    async with database.engine.connect() as connection:
        stored = int(
            (await connection.execute(select(func.count()).select_from(tasks))).scalar_one()
        )
        planned = int(
            (await connection.execute(select(func.count()).select_from(outbox))).scalar_one()
        )
        heads_with_reminders = (
            await connection.execute(select(func.count(func.distinct(outbox.c.person_id))))
        ).scalar_one()
    assert stored == _expected_tasks(200, SCHOOLS) == 2_160
    assert planned > 32_767
    assert heads_with_reminders == SCHOOLS


async def test_import_statements_do_not_grow_with_tasks(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock, _planning())
    counts = []
    for rows in (20, 200):
        district = await municipality(database, clock, SCHOOLS)
        with count_statements(database.engine) as statements:
            await service.apply(
                district.organisation_id, roadmap(rows), source_name="a", actor_telegram_id=1
            )
        counts.append(len(statements))
    # 200 rows are 2,160 tasks and 43,000 reminders; a statement per task or reminder would
    # show in thousands. Ten times the rows cost a few more short write transactions and
    # slices of reminders: under half a statement per row.
    assert counts[1] - counts[0] <= (200 - 20) // 2, counts
    assert counts[1] <= 200 // 2, counts


async def test_a_one_row_change_replans_that_row_only(
    database: Database, clock: ManualClock
) -> None:
    service, district, parsed = await _setup(database, clock, 200)
    await service.apply(district.organisation_id, parsed, source_name="a", actor_telegram_id=1)
    tasks_before, rows_before = await _state(database)
    changed_row = 99  # «Руководители ОО»: fifty tasks
    moved = with_new_date(parsed, changed_row, date(2023, 3, 15))
    with count_statements(database.engine) as statements:
        result = await service.apply(
            district.organisation_id, moved, source_name="b", actor_telegram_id=1
        )
    assert [label.number for label in result.plan.changed] == ["100."]
    tasks_after, rows_after = await _state(database)
    async with database.transaction() as repositories:
        activities = await repositories.activities.in_roadmap(result.roadmap.id)
    target = next(a.id for a in activities if a.fields.number == "100.")
    touched = {t.id for t in tasks_after.values() if t.activity_id == target}
    assert len(touched) == SCHOOLS
    assert {tasks_after[t].due_on for t in touched} == {date(2023, 3, 15)}
    assert {k: v for k, v in tasks_after.items() if k not in touched} == {
        k: v for k, v in tasks_before.items() if k not in touched
    }
    assert {k: v for k, v in rows_after.items() if v.task_id not in touched} == {
        k: v for k, v in rows_before.items() if v.task_id not in touched
    }
    moved_rows = [r for r in rows_after.values() if r.task_id in touched and r.status == "planned"]
    assert moved_rows and all(r.local_day > date(2023, 3, 1) for r in moved_rows)
    # The size of the roadmap does not show in the work a one-row change costs.
    assert len(statements) <= 40, len(statements)


async def test_one_row_reimport_costs_the_same_at_any_size(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock, _planning())
    small_district = await municipality(database, clock, 5)
    counts = []
    for district, rows in ((small_district, 10), (await municipality(database, clock, 5), 100)):
        parsed = roadmap(rows)
        await service.apply(district.organisation_id, parsed, source_name="a", actor_telegram_id=1)
        moved = with_new_date(parsed, 4, date(2023, 3, 15))
        with count_statements(database.engine) as statements:
            await service.apply(
                district.organisation_id, moved, source_name="b", actor_telegram_id=1
            )
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


async def test_an_unchanged_file_writes_no_task_and_no_reminder(
    database: Database, clock: ManualClock
) -> None:
    service, district, parsed = await _setup(database, clock, 50, schools=5)
    await service.apply(district.organisation_id, parsed, source_name="a", actor_telegram_id=1)
    with count_statements(database.engine) as statements:
        await service.apply(district.organisation_id, parsed, source_name="a", actor_telegram_id=1)
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "DELETE"))]
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert writes == []
    assert all("roadmaps" in s.split("SET")[0] for s in updates), updates


async def test_the_preview_writes_nothing_and_creates_no_organisation(
    database: Database, clock: ManualClock
) -> None:
    service, district, parsed = await _setup(database, clock, 30, schools=5)
    before = await _table_counts(database)
    assert await service.find_organisation("СОШ №404") is None
    plan = await service.plan(None, parsed)  # an organisation that does not exist yet
    assert len(plan.added) == 30 and plan.roadmap is None
    assert plan.known_people == () and len(plan.new_people) == 16
    await service.plan(district.organisation_id, parsed)
    assert await _table_counts(database) == before
    await service.apply(district.organisation_id, parsed, source_name="a", actor_telegram_id=1)
    after_import = await _table_counts(database)
    again = await service.plan(
        district.organisation_id, with_new_date(parsed, 3, date(2023, 4, 3))
    )
    assert len(again.changed) == 1 and again.new_people == ()
    assert await _table_counts(database) == after_import


async def test_set_deadline_replans_that_activity_only(
    database: Database, clock: ManualClock
) -> None:
    service, district, parsed = await _setup(database, clock, 20, schools=5)
    result = await service.apply(
        district.organisation_id, parsed, source_name="a", actor_telegram_id=1
    )
    tasks_before, rows_before = await _state(database)
    target = next(
        a for a in await service.activities_of(result.roadmap.id) if a.fields.number == "5."
    )
    assert await service.set_deadline(ADMIN, target.id, "до 20 декабря")
    tasks_after, rows_after = await _state(database)
    touched = {t.id for t in tasks_after.values() if t.activity_id == target.id}
    assert {tasks_after[t].due_on for t in touched} == {date(2022, 12, 20)}
    assert {k: v for k, v in rows_after.items() if v.task_id not in touched} == {
        k: v for k, v in rows_before.items() if v.task_id not in touched
    }
    assert {k: v for k, v in tasks_after.items() if k not in touched} == {
        k: v for k, v in tasks_before.items() if k not in touched
    }


async def test_an_import_stopped_halfway_is_completed_by_importing_again(
    database: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small write transactions, and the third one fails as a full disk or a restart would.
    monkeypatch.setattr(roadmaps_module, "TASKS_PER_WRITE", 10)
    monkeypatch.setattr(roadmaps_module, "SQLITE_WRITE_PAUSE", 0)
    service, district, parsed = await _setup(database, clock, 40, schools=5)
    original = ActivityRepository.add_many
    calls = 0

    async def failing(self: ActivityRepository, *args: object, **kwargs: object) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 5:  # two inserts (activities, steps) per write transaction
            raise RuntimeError("disk full")
        return await original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ActivityRepository, "add_many", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        await service.apply(district.organisation_id, parsed, source_name="a", actor_telegram_id=1)
    monkeypatch.setattr(ActivityRepository, "add_many", original)
    # Whatever was stored is whole: every stored activity has its tasks and reminders.
    async with database.transaction() as repositories:
        (stored_roadmap,) = await repositories.roadmaps.in_organisations(
            [district.organisation_id]
        )
        partial = await repositories.activities.in_roadmap(stored_roadmap.id)
        partial_tasks = await repositories.tasks.in_roadmap(stored_roadmap.id)
    assert 0 < len(partial) < 40
    assert {t.activity_id for t in partial_tasks} == {a.id for a in partial}
    again = await service.apply(
        district.organisation_id, parsed, source_name="a", actor_telegram_id=1
    )
    assert len(again.plan.added) == 40 - len(partial)
    async with database.transaction() as repositories:
        complete = await repositories.tasks.in_roadmap(stored_roadmap.id)
        rows = await repositories.outbox.all_rows()
    assert len(complete) == _expected_tasks(40, 5)
    assert {row.task_id for row in rows if row.person_id is not None} == {
        t.id for t in complete if t.executor_key.startswith("head:")
    }
