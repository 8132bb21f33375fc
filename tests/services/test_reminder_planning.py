"""Reminder rows follow tasks and the organisation's own settings (SQLite; PostgreSQL in CI)."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import create_planning
from bot.settings import Settings
from core.clock import ManualClock
from roadmap.importer import parse_roadmap
from roadmap.readers import read_text
from roadmap.responsible import person_key
from services.access import Actor
from services.notices import NoticeKind, is_notice
from services.people import PeopleService
from services.privacy import CONSENT_VERSION
from services.reminders import plan_reminders
from services.roadmaps import RoadmapService
from services.tasks import SyncResult, TaskService, sync_tasks
from storage.database import Database
from storage.records import Task
from storage.repositories.outbox import CANCELLED, PLANNED
from tasks.rules import TaskStatus

DATA = Path(__file__).resolve().parents[1] / "data" / "roadmaps"
ZONE = ZoneInfo("Asia/Vladivostok")
ADMIN = Actor(1, None, is_admin=True)


async def test_rows_follow_the_task_and_the_organisations_settings(
    database: Database, clock: ManualClock
) -> None:
    planning = create_planning(Settings(_env_file=None))  # type: ignore[call-arg]
    roadmaps = RoadmapService(database, clock, planning)
    people = PeopleService(database, clock, timedelta(days=14), planning)
    org = await roadmaps.organisation_named("МБОУ «СОШ №2»", "Asia/Vladivostok")
    text = (DATA / "school-tech-cluster-2022.txt").read_text(encoding="utf-8")
    await roadmaps.apply(
        org.id, parse_roadmap(read_text(text)), source_name="a", actor_telegram_id=1
    )
    async with database.transaction() as repositories:
        (bredna,) = await repositories.people.find_by_name_key(org.id, person_key("Бредня М.В."))
        before = await repositories.outbox.all_rows()
    # Nobody linked yet: only the coordinator (here the importer) hears of overdue tasks.
    assert before and {row.kind for row in before} == {"escalation"}
    issued = await people.issue_invite(ADMIN, bredna.id)
    await people.accept_invite(issued.invite.id, 555, "ru", CONSENT_VERSION)

    async def countdown_days() -> dict[date, time]:
        async with database.transaction() as repositories:
            rows = await repositories.outbox.all_rows()
        return {
            row.local_day: row.planned_at.astimezone(ZONE).time()
            for row in rows
            if row.status == PLANNED and row.kind in ("countdown", "due_today")
        }

    assert await countdown_days() == {
        date(2022, 9, 23): time(9),
        date(2022, 9, 27): time(9),
        date(2022, 9, 29): time(9),
        date(2022, 9, 30): time(9),
    }
    await people.set_reminders(ADMIN, org.id, (2,), time(10, 30))
    assert await countdown_days() == {date(2022, 9, 28): time(10, 30)}

    # Done: every unsent reminder of the task is withdrawn.
    async with database.transaction() as repositories:
        linked = await repositories.people.get(bredna.id)
    tasks = TaskService(database, clock, planning)
    actor = Actor(555, linked, is_admin=False)
    (card,) = await tasks.my_open_tasks(actor)
    await tasks.mark_done(actor, card.task.id)
    async with database.transaction() as repositories:
        rows = await repositories.outbox.of_task(card.task.id)
    reminders = [row for row in rows if not is_notice(row.kind)]
    assert reminders and all(row.status == CANCELLED for row in reminders)
    # ...and the «выполнено» notice waits to go to whoever imported the roadmap.
    (notice,) = [row for row in rows if is_notice(row.kind)]
    assert (notice.kind, notice.status) == (NoticeKind.TASK_DONE, PLANNED)


async def test_a_whole_roadmap_sync_revives_a_withdrawn_task_and_replans_them_all(
    database: Database, clock: ManualClock
) -> None:
    """sync_tasks without activity ids works on the whole roadmap: a task cancelled behind the
    file's back comes back, and the reminders of every task of the roadmap are planned again."""
    planning = create_planning(Settings(_env_file=None))  # type: ignore[call-arg]
    roadmaps = RoadmapService(database, clock, planning)
    org = await roadmaps.organisation_named("МБОУ «СОШ №2»", "Asia/Vladivostok")
    text = (DATA / "school-tech-cluster-2022.txt").read_text(encoding="utf-8")
    imported = await roadmaps.apply(
        org.id, parse_roadmap(read_text(text)), source_name="a", actor_telegram_id=1
    )
    roadmap = imported.roadmap
    async with database.transaction() as repositories:
        tasks = await repositories.tasks.in_roadmap(roadmap.id)
        planned = {(row.key, row.status) for row in await repositories.outbox.all_rows()}
        withdrawn = tasks[0].id
        await repositories.tasks.cancel_many([withdrawn])
        await repositories.outbox.cancel_planned([task.id for task in tasks])

    async with database.transaction() as repositories:
        synced = await sync_tasks(repositories, roadmap, clock, planning)
        after = await repositories.tasks.in_roadmap(roadmap.id)
        rows = await repositories.outbox.all_rows()
    assert synced == SyncResult(created=0, updated=1, cancelled=0)
    assert [task.id for task in after if task.is_cancelled] == []
    assert planned and {(row.key, row.status) for row in rows} == planned


async def test_a_task_whose_roadmap_is_gone_is_planned_no_reminders(
    database: Database, clock: ManualClock
) -> None:
    planning = create_planning(Settings(_env_file=None))  # type: ignore[call-arg]
    now = clock.now()
    ghost = Task(
        id=9_999,
        activity_id=9_999,
        roadmap_id=9_999,
        executor_key="p1",
        occurrence=0,
        due_on=now.date() + timedelta(days=7),
        planned_due_on=now.date() + timedelta(days=7),
        status=TaskStatus.PENDING.value,
        status_changed_at=now,
        done_at=None,
        done_by_person_id=None,
        is_cancelled=False,
        created_at=now,
    )
    async with database.transaction() as repositories:
        assert await plan_reminders(repositories, [ghost], clock, planning) == 0
        assert await repositories.outbox.all_rows() == []
