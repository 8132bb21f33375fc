"""Views stay set-based: the same SQL statements at 10 tasks as at 1,000, and right counts.

Two municipalities share one database: a small one (10 tasks) and a big one (1,000 tasks,
fifty school heads). Each view is read as its handler reads it, for each municipality's
coordinator or busiest head, and the statements sent are counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import create_i18n
from core.clock import ManualClock
from core.models import OrganisationKind, Role
from handlers import reminder_messages
from handlers.render import TELEGRAM_TEXT_LIMIT, telegram_length
from handlers.roadmap_view import page_view
from handlers.status import status_command
from handlers.tasks import list_page, tasks_command
from services.access import Actor
from services.roadmaps import RoadmapService
from services.tasks import Overview, ProgressCounts, RoadmapProgress, TaskService
from services.views import roadmap_page
from storage.database import Database
from storage.records import Roadmap
from storage.schema import (
    activities,
    outbox,
    task_events,
    task_evidence,
    task_executors,
    tasks,
)
from tests.sql_statements import count_statements

VLADIVOSTOK = "Asia/Vladivostok"
MOSCOW = "Europe/Moscow"
# 02:00 in Vladivostok is still the evening before in Moscow: "today" differs by zone.
NOW = datetime(2022, 9, 20, 2, 0, tzinfo=ZoneInfo(VLADIVOSTOK))
SECTIONS = ("Организационные мероприятия", "Методическое сопровождение", None)
STATUSES = ("pending", "in_progress", "done", "cannot_do", "pending")


class _Chat:
    """Stands in for the aiogram Message a handler answers."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    async def answer(self, text: str, reply_markup: Any = None) -> None:
        self.sent.append((text, reply_markup))


@dataclass
class World:
    coordinator: Actor
    head: Actor  # the busiest executor
    roadmaps: list[Roadmap]
    zone_of: dict[int, str]  # roadmap id → zone
    tasks: list[dict[str, Any]] = field(default_factory=list)
    leads: dict[int, str] = field(default_factory=dict)  # task id → lead's name
    sections: dict[int, str | None] = field(default_factory=dict)  # task id → section


_ids = {"activity": 10_000, "task": 100_000, "telegram": 7_000_000}


def _next(kind: str) -> int:
    _ids[kind] += 1
    return _ids[kind]


async def _world(database: Database, name: str, *, per_head: int, heads: int, own: int) -> World:
    """A municipality whose roadmap fans `per_head` rows out to `heads` school heads, and a
    school (in another zone) whose roadmap has `own` rows for two named executors."""
    now = NOW.astimezone(ZoneInfo("UTC"))
    world_rows: list[dict[str, Any]] = []
    activity_rows: list[dict[str, Any]] = []
    executor_rows: list[dict[str, Any]] = []
    async with database.transaction() as repositories:
        municipality = await repositories.organisations.add(
            name=name, kind=OrganisationKind.MUNICIPALITY, timezone=VLADIVOSTOK, created_at=now
        )
        schools, head_people = [], []
        for number in range(heads):
            school = await repositories.organisations.add(
                name=f"{name}: школа {number}",
                kind=OrganisationKind.SCHOOL,
                timezone=MOSCOW if number == 0 else VLADIVOSTOK,
                created_at=now,
                parent_id=municipality.id,
            )
            schools.append(school)
            head_people.append(
                await repositories.people.add(
                    full_name=f"Директор{number:02d} {name[:3]}.",
                    name_key=f"{name}-head-{number}",
                    role=Role.EXECUTOR,
                    created_at=now,
                    organisation_id=school.id,
                    telegram_user_id=_next("telegram"),
                )
            )
        deputy = await repositories.people.add(
            full_name=f"Завуч {name[:3]}.",
            name_key=f"{name}-deputy",
            role=Role.EXECUTOR,
            created_at=now,
            organisation_id=schools[0].id,
        )
        coordinator = await repositories.people.add(
            full_name=f"Координатор {name[:3]}.",
            name_key=f"{name}-coordinator",
            role=Role.COORDINATOR,
            created_at=now,
            organisation_id=municipality.id,
        )
        plans = []
        for organisation, title in (
            (municipality, f"Муниципальная дорожная карта {name}"),
            (schools[0], f"Дорожная карта школы {name}"),
        ):
            plans.append(
                await repositories.roadmaps.add(
                    organisation_id=organisation.id,
                    title=title,
                    title_key=title.lower(),
                    period_start=date(2022, 9, 1),
                    period_end=date(2023, 6, 30),
                    source_name="plan.docx",
                    imported_by_telegram_id=None,
                    now=now,
                )
            )
            now += timedelta(seconds=1)
    world = World(
        coordinator=Actor(1, coordinator, is_admin=False),
        head=Actor(head_people[0].telegram_user_id or 0, head_people[0], is_admin=False),
        roadmaps=plans,
        zone_of={plans[0].id: VLADIVOSTOK, plans[1].id: MOSCOW},
    )

    def activity(roadmap: Roadmap, index: int, parent: int | None, title: str) -> int:
        activity_id = _next("activity")
        activity_rows.append(
            {
                "id": activity_id,
                "roadmap_id": roadmap.id,
                "parent_id": parent,
                "position": index,
                "number": None if parent else f"{index}.",
                "section": SECTIONS[index % len(SECTIONS)],
                "title": title,
                "result": f"Результат {index}",
                "deadline_text": "до 01.10.2022",
                "deadline_kind": "exact",
                "deadline_start": None,
                "deadline_due": [] if index % 7 == 3 else ["2022-10-01"],
                "deadline_warnings": [],
                "responsible_text": "Руководители ОО",
                "responsible_warnings": [],
                "source_ref": f"r{index}",
                "created_at": now,
                "updated_at": now,
            }
        )
        return activity_id

    def task(roadmap: Roadmap, activity_id: int, index: int, people: list[int], key: str) -> None:
        task_id = _next("task")
        status = STATUSES[index % len(STATUSES)]
        due = NOW.date() + timedelta(days=(index * 7) % 41 - 20)
        world_rows.append(
            {
                "id": task_id,
                "activity_id": activity_id,
                "roadmap_id": roadmap.id,
                "executor_key": key,
                "occurrence": 0,
                "due_on": due,
                "planned_due_on": due,
                "status": status,
                "status_changed_at": now,
                "done_at": now - timedelta(minutes=index) if status == "done" else None,
                "done_by_person_id": None,
                "is_cancelled": index % 23 == 22,
                "created_at": now,
            }
        )
        executor_rows.extend(
            {"task_id": task_id, "person_id": person, "is_lead": n == 0}
            for n, person in enumerate(people)
        )

    # The municipal roadmap: every third row is a step of a larger activity.
    position = 0
    for row in range(per_head):
        position += 1
        parent = None
        if row % 3 == 2:
            parent = activity(plans[0], position, None, f"Мероприятие {row}")
            position += 1
        activity_id = activity(plans[0], position, parent, f"Мероприятие {row}")
        for number, head in enumerate(head_people):
            task(plans[0], activity_id, row + number, [head.id], f"head:{head.id}")
    # The school's own roadmap: the busiest head leads, the deputy shares.
    for row in range(own):
        activity_id = activity(plans[1], row + 1, None, f"Школьное мероприятие {row}")
        task(plans[1], activity_id, row * 3 + 1, [head_people[0].id, deputy.id], "people")
    async with database.transaction() as repositories:
        connection = repositories.tasks._connection
        await connection.execute(activities.insert(), activity_rows)
        await connection.execute(tasks.insert(), world_rows)
        await connection.execute(task_executors.insert(), executor_rows)
        evidence, events, failed = [], [], []
        for number, row in enumerate(world_rows):
            if number % 3 == 0:
                evidence.append(
                    {
                        "task_id": row["id"],
                        "kind": "link",
                        "value": f"https://school.ru/{number}",
                        "file_name": None,
                        "added_by_person_id": None,
                        "added_at": now,
                    }
                )
            events.append(
                {
                    "task_id": row["id"],
                    "happened_at": now,
                    "actor_person_id": None,
                    "actor_telegram_id": None,
                    "event": "in_progress",
                    "details": {},
                }
            )
            if number % 97 == 0:
                failed.append(
                    {
                        "key": f"failed:{row['id']}",
                        "kind": "countdown",
                        "task_id": row["id"],
                        "person_id": None,
                        "chat_id": 1,
                        "local_day": NOW.date(),
                        "planned_at": now,
                        "status": "failed",
                        "attempts": 5,
                        "created_at": now,
                    }
                )
        await connection.execute(task_evidence.insert(), evidence)
        await connection.execute(task_events.insert(), events)
        await connection.execute(outbox.insert(), failed)
    names = {person.id: person.full_name for person in (*head_people, deputy)}
    section_of = {row["id"]: row["section"] for row in activity_rows}
    for row in executor_rows:
        if row["is_lead"]:
            world.leads[row["task_id"]] = names[row["person_id"]]
    world.tasks = world_rows
    world.sections = {row["id"]: section_of[row["activity_id"]] for row in world_rows}
    return world


@pytest.fixture
async def worlds(database: Database) -> tuple[World, World]:
    small = await _world(database, "Малый район", per_head=1, heads=2, own=8)
    big = await _world(database, "Большой район", per_head=19, heads=50, own=50)
    assert len(small.tasks) == 10 and len(big.tasks) == 1_000
    return small, big


def _today(world: World, roadmap_id: int) -> date:
    return NOW.astimezone(ZoneInfo(world.zone_of[roadmap_id])).date()


def _progress(world: World, row: dict[str, Any]) -> str:
    """The rule as /status has always applied it, written out plainly."""
    if row["status"] == "done":
        return "done"
    if row["due_on"] < _today(world, row["roadmap_id"]):
        return "overdue"
    return {"cannot_do": "cannot", "in_progress": "in_progress"}.get(row["status"], "upcoming")


View = Callable[[Database, World], Awaitable[str]]


async def _status(database: Database, world: World) -> str:
    chat: Any = _Chat()
    await status_command(chat, world.coordinator, TaskService(database, ManualClock(NOW)))
    return str(chat.sent[0][0])


async def _tasks_first(database: Database, world: World) -> str:
    chat: Any = _Chat()
    await tasks_command(chat, world.head, TaskService(database, ManualClock(NOW)))
    return str(chat.sent[0][0])


async def _tasks_later(database: Database, world: World) -> str:
    text, _keyboard = await list_page(TaskService(database, ManualClock(NOW)), world.head, 3)
    return text


async def _roadmap_page(database: Database, world: World) -> str:
    roadmaps = RoadmapService(database, ManualClock(NOW))
    text, _keyboard = await page_view(world.coordinator, roadmaps, world.roadmaps[0], 0)
    return text


async def _digest(database: Database, world: World) -> str:
    """As the tick renders a Monday digest."""
    service = TaskService(database, ManualClock(NOW))
    week_end = NOW.date() + timedelta(days=6 - NOW.date().weekday())
    found = await service.open_tasks(
        world.head, until=week_end, size=reminder_messages.DIGEST_SHOWN
    )
    return reminder_messages.digest(found)


async def _summary(database: Database, world: World) -> str:
    """As the tick renders a coordinator's summary."""
    service = TaskService(database, ManualClock(NOW))
    return reminder_messages.summary(await service.overview(world.coordinator, details=False))


VIEWS: dict[str, View] = {
    "status": _status,
    "tasks, first page": _tasks_first,
    "tasks, a later page": _tasks_later,
    "roadmap, a page": _roadmap_page,
    "monday digest": _digest,
    "coordinator summary": _summary,
}


@pytest.mark.parametrize("view", list(VIEWS))
async def test_a_view_sends_as_many_statements_at_1000_tasks_as_at_10(
    database: Database, worlds: tuple[World, World], view: str
) -> None:
    i18n = create_i18n()
    counted = []
    texts = []
    for world in worlds:
        with i18n.context(), i18n.use_locale("ru"), count_statements(database.engine) as sent:
            texts.append(await VIEWS[view](database, world))
        counted.append(len(sent))
    assert all(texts) and all(telegram_length(text) <= TELEGRAM_TEXT_LIMIT for text in texts)
    assert counted[0] == counted[1], (
        f"{view}: {counted[0]} statements at 10, {counted[1]} at 1,000"
    )


async def test_status_counts_are_those_of_every_task(
    database: Database, worlds: tuple[World, World]
) -> None:
    _small, world = worlds
    service = TaskService(database, ManualClock(NOW))
    overview = await service.overview(world.coordinator, overdue_shown=7, recent_shown=4)
    live = [row for row in world.tasks if not row["is_cancelled"]]

    def counted(rows: list[dict[str, Any]]) -> dict[str, int]:
        found = Counter(_progress(world, row) for row in rows)
        return {
            kind: found[kind] for kind in ("done", "in_progress", "overdue", "upcoming", "cannot")
        }

    def as_dict(counts: Any) -> dict[str, int]:
        return {
            kind: getattr(counts, kind)
            for kind in ("done", "in_progress", "overdue", "upcoming", "cannot")
        }

    # Newest roadmap first: the school's, imported a second after the municipality's.
    assert [item.roadmap.id for item in overview.roadmaps] == [r.id for r in world.roadmaps[::-1]]
    for item in overview.roadmaps:
        mine = [row for row in live if row["roadmap_id"] == item.roadmap.id]
        assert as_dict(item.counts) == counted(mine)
        by_lead = {
            name: counted([row for row in mine if world.leads[row["id"]] == name])
            for name in sorted({world.leads[row["id"]] for row in mine})
        }
        assert [(name, as_dict(c)) for name, c in item.executors] == list(by_lead.items())
        by_section = {
            section: counted([row for row in mine if world.sections[row["id"]] == section])
            for section in SECTIONS
            if section and any(world.sections[row["id"]] == section for row in mine)
        }
        assert {name: as_dict(c) for name, c in item.sections} == by_section
    # Moscow is a day behind at this moment: its tasks due "yesterday" in Vladivostok are not late.
    school = next(item for item in overview.roadmaps if item.roadmap.id == world.roadmaps[1].id)
    due_19th = [
        row
        for row in live
        if row["roadmap_id"] == school.roadmap.id
        and row["due_on"] == date(2022, 9, 19)
        and row["status"] != "done"
    ]
    assert due_19th and all(_progress(world, row) != "overdue" for row in due_19th)

    overdue = sorted(
        (row for row in live if _progress(world, row) == "overdue"),
        key=lambda row: (row["roadmap_id"] != world.roadmaps[1].id, row["due_on"], row["id"]),
    )
    assert overview.overdue_total == len(overdue)
    assert [card.task.id for card in overview.overdue] == [row["id"] for row in overdue[:7]]
    done = sorted(
        (row for row in live if row["done_at"] is not None),
        key=lambda row: (row["done_at"], -row["id"]),
        reverse=True,
    )
    assert [card.task.id for card in overview.recent][:1] == [done[0]["id"]]
    assert len(overview.recent) == 4
    assert all(card.task.done_at is not None for card in overview.recent)


async def test_a_municipal_status_fits_one_message_and_says_how_many_more(
    database: Database, worlds: tuple[World, World]
) -> None:
    _small, world = worlds
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("ru"):
        chat: Any = _Chat()
        await status_command(chat, world.coordinator, TaskService(database, ManualClock(NOW)))
    ((text, markup),) = chat.sent
    assert telegram_length(text) <= TELEGRAM_TEXT_LIMIT
    assert "…и ещё 38" in text  # fifty heads, twelve shown
    assert "Не удалось доставить сообщений: 11" in text
    buttons = [button.text for row in markup.inline_keyboard for button in row]
    assert buttons.count("🔔 Напомнить (10)") == 1 and "📄 ✅5" in buttons
    for number in range(1, 11):
        assert f"\n{number}. " in text  # every overdue line a button points at is shown


async def test_tasks_pages_cover_every_open_task_once_in_date_order(
    database: Database, worlds: tuple[World, World]
) -> None:
    _small, world = worlds
    service = TaskService(database, ManualClock(NOW))
    assert world.head.person is not None
    mine = sorted(
        (
            row
            for row in world.tasks
            if not row["is_cancelled"]
            and row["status"] != "done"
            and world.leads[row["id"]] == world.head.person.full_name
        ),
        key=lambda row: (row["due_on"], row["id"]),
    )
    seen = []
    first = await service.open_tasks(world.head, size=8)
    for page in range(first.pages + 1):  # one past the end is clamped to the last
        found = await service.open_tasks(world.head, size=8, page=page)
        assert found.total == len(mine) and found.pages == -(-len(mine) // 8)
        if page < first.pages:
            seen.extend(card.task.id for card in found.cards)
        else:
            assert found.page == first.pages - 1
    assert seen == [row["id"] for row in mine]
    assert [card.task.id for card in await service.my_open_tasks(world.head)] == seen


async def test_cards_in_bulk_are_the_cards_one_at_a_time(
    database: Database, worlds: tuple[World, World]
) -> None:
    _small, world = worlds
    service = TaskService(database, ManualClock(NOW))
    shared_id = next(row["id"] for row in world.tasks if row["executor_key"] == "people")
    ids = [row["id"] for row in world.tasks[::37]] + [shared_id, 1]
    with count_statements(database.engine) as sent:
        cards = await service.cards_for_job(ids)
    assert len(sent) == 4
    assert sorted(cards) == sorted(set(ids) - {1})
    for task_id in ids[:-1]:
        one = await service.card_for_job(task_id)
        assert one == cards[task_id]
        assert one is not None and one.today == _today(world, one.task.roadmap_id)
    steps = [card for card in cards.values() if card.activity.parent_id is not None]
    assert steps and all(card.parent is not None for card in steps)
    shared = cards[shared_id]
    assert next(person.full_name for person in shared.executors) == world.leads[shared.task.id]
    assert len(shared.executors) == 2


async def test_roadmap_pages_number_steps_and_keep_table_order(
    database: Database, worlds: tuple[World, World]
) -> None:
    _small, world = worlds
    rows = []
    page = 0
    while True:
        found = await roadmap_page(database, world.roadmaps[0].id, page, 8)
        rows.extend(found.rows)
        if page >= found.pages - 1:
            break
        page += 1
    async with database.transaction() as repositories:
        stored = await repositories.activities.in_roadmap(world.roadmaps[0].id)
    assert [row.activity for row in rows] == stored
    parents = {a.parent_id for a in stored if a.parent_id is not None}
    for row in rows:
        assert row.has_steps == (row.activity.id in parents)
        if row.activity.parent_id is None:
            assert row.step_number is None and row.parent_title is None
        else:
            assert row.step_number == 1
            assert row.parent_title == row.activity.fields.title


async def test_a_long_digest_lists_the_first_and_counts_the_rest(
    database: Database, worlds: tuple[World, World]
) -> None:
    _small, world = worlds
    service = TaskService(database, ManualClock(NOW))
    found = await service.open_tasks(
        world.head, until=date(2023, 6, 30), size=reminder_messages.DIGEST_SHOWN
    )
    assert found.total > reminder_messages.DIGEST_SHOWN == len(found.cards)
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("ru"):
        text = reminder_messages.digest(found)
    assert text.count("\n• ") == reminder_messages.DIGEST_SHOWN
    assert f"…и ещё {found.total - reminder_messages.DIGEST_SHOWN}" in text


def test_a_summary_of_many_roadmaps_names_twenty_and_counts_the_rest() -> None:
    moment = NOW.astimezone(ZoneInfo("UTC"))
    roadmaps = tuple(
        RoadmapProgress(
            Roadmap(
                number,
                1,
                f"Дорожная карта школы №{number}",
                "",
                date(2022, 9, 1),
                date(2023, 6, 30),
                "plan.docx",
                None,
                moment,
                moment,
            ),
            ProgressCounts(done=number, overdue=1),
        )
        for number in range(1, 56)
    )
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("ru"):
        text = reminder_messages.summary(Overview(roadmaps))
    assert "школы №20<" in text and "школы №21<" not in text
    assert "…и ещё 35" in text and len(text) <= TELEGRAM_TEXT_LIMIT
