"""Tasks derived from real roadmaps on real databases (SQLite; PostgreSQL in CI)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest

from core.clock import ManualClock
from core.models import OrganisationKind, Role
from roadmap.importer import parse_roadmap
from roadmap.readers import read_text
from roadmap.responsible import person_key
from services.access import AccessDenied, Actor
from services.people import PeopleService
from services.roadmaps import RoadmapService
from services.tasks import TaskService
from storage.database import Database
from tasks.rules import TaskStatus

DATA = Path(__file__).resolve().parents[1] / "data" / "roadmaps"
TZ = "Asia/Vladivostok"
ADMIN = Actor(1, None, is_admin=True)


async def _import(database: Database, clock: ManualClock, name: str, org: int) -> int:
    service = RoadmapService(database, clock)
    parsed = parse_roadmap(read_text((DATA / name).read_text(encoding="utf-8")))
    result = await service.apply(org, parsed, source_name=name, actor_telegram_id=1)
    return result.roadmap.id


async def test_series_gives_one_task_per_due_date_and_heads_fan_out(
    database: Database, clock: ManualClock
) -> None:
    people = PeopleService(database, clock, timedelta(days=14))
    district = await people.add_organisation(
        ADMIN,
        name="УО Октябрьского МО",
        kind=OrganisationKind.MUNICIPALITY,
        timezone=TZ,
        parent_id=None,
    )
    heads = []
    for number in (1, 2, 3):
        school = await people.add_organisation(
            ADMIN,
            name=f"СОШ №{number}",
            kind=OrganisationKind.SCHOOL,
            timezone=TZ,
            parent_id=district.id,
        )
        head = await people.add_person(
            full_name=f"Директор{number} А.А.",
            name_key=f"d{number}",
            organisation_id=school.id,
            role=Role.EXECUTOR,
        )
        await people.make_head(ADMIN, head.id)
        heads.append(head.id)
    roadmap_id = await _import(
        database, clock, "municipal-order-with-roadmap-2022.txt", district.id
    )
    async with database.transaction() as repositories:
        found = await repositories.tasks.in_roadmap(roadmap_id)
        activities = {a.id: a for a in await repositories.activities.in_roadmap(roadmap_id)}
        executors = await repositories.tasks.executors_of([t.id for t in found])
    monthly = [
        a
        for a in activities.values()
        if a.fields.deadline_text.strip().lower() == "ежемесячно" and a.parent_id is None
    ]
    assert monthly
    for activity in monthly:
        own = [t for t in found if t.activity_id == activity.id]
        keys = {t.executor_key for t in own}
        per_key = len(own) // len(keys)
        assert per_key == len(activity.fields.deadline_due) == 12
        assert sorted({t.due_on for t in own}) == sorted(activity.fields.deadline_due)
    fanned = [t for t in found if t.executor_key.startswith("head:")]
    assert {executors[t.id][0] for t in fanned} == set(heads)
    by_activity: dict[tuple[int, int], set[str]] = {}
    for task in fanned:
        by_activity.setdefault((task.activity_id, task.occurrence), set()).add(task.executor_key)
    assert by_activity and all(len(keys) == 3 for keys in by_activity.values())


async def test_reimport_keeps_status_and_a_new_date_replans(
    database: Database, clock: ManualClock
) -> None:
    roadmaps = RoadmapService(database, clock)
    org = await roadmaps.organisation_named("МБОУ «СОШ №2»", TZ)
    roadmap_id = await _import(database, clock, "school-tech-cluster-2022.txt", org.id)
    async with database.transaction() as repositories:
        (shabanova,) = await repositories.people.find_by_name_key(
            org.id, person_key("Шабанова Н.С.")
        )
        await repositories.people.link_account(shabanova.id, 77, "ru")
        shabanova = await repositories.people.get(shabanova.id)
    assert shabanova is not None
    actor = Actor(77, shabanova, is_admin=False)
    service = TaskService(database, clock)
    mine = await service.my_open_tasks(actor)
    first = next(c for c in mine if c.activity.fields.title.startswith("Утверждение"))
    assert first.task.due_on == date(2022, 10, 4)
    await service.mark_done(actor, first.task.id)
    async with database.transaction() as repositories:
        before = {t.id for t in await repositories.tasks.in_roadmap(roadmap_id)}
    text = (DATA / "school-tech-cluster-2022.txt").read_text(encoding="utf-8")
    corrected = text.replace("до 04.10.2022 г.", "до 07.10.2022 г.")
    await roadmaps.apply(
        org.id, parse_roadmap(read_text(corrected)), source_name="b", actor_telegram_id=1
    )
    card = await service.card(actor, first.task.id)
    assert card.status is TaskStatus.DONE  # status survives the re-import
    assert card.task.due_on == date(2022, 10, 7)
    assert [event.event for event in card.events] == ["done"]
    async with database.transaction() as repositories:
        same = [t for t in await repositories.tasks.in_roadmap(roadmap_id) if not t.is_cancelled]
    assert {t.id for t in same} == before  # the same tasks, none added or withdrawn


async def test_only_executors_act_and_postponements_are_decided_once(
    database: Database, clock: ManualClock
) -> None:
    roadmaps = RoadmapService(database, clock)
    org = await roadmaps.organisation_named("МБОУ «СОШ №2»", TZ)
    await _import(database, clock, "school-tech-cluster-2022.txt", org.id)
    async with database.transaction() as repositories:
        people = {
            name: (await repositories.people.find_by_name_key(org.id, person_key(name)))[0]
            for name in ("Шабанова Н.С.", "Бредня М.В.")
        }
    shabanova = Actor(77, people["Шабанова Н.С."], is_admin=False)
    bredna = Actor(78, people["Бредня М.В."], is_admin=False)
    service = TaskService(database, clock)
    card = next(
        c
        for c in await service.my_open_tasks(shabanova)
        if c.activity.fields.title.startswith("Утверждение")
    )
    with pytest.raises(AccessDenied):
        await service.mark_done(bredna, card.task.id)
    with pytest.raises(AccessDenied):
        await service.request_postponement(shabanova, card.task.id, date(2022, 9, 1), "x")
    # Due 4 October: «через неделю» from 20 September would be a move to an earlier day.
    with pytest.raises(AccessDenied) as earlier:
        await service.request_postponement(shabanova, card.task.id, date(2022, 9, 27), "x")
    assert (earlier.value.key, earlier.value.params) == (
        "tasks.postpone.earlier",
        {"due": "04.10.2022"},
    )
    outcome = await service.request_postponement(
        shabanova, card.task.id, date(2022, 10, 14), "Ждём приказ министерства"
    )
    assert outcome.postponement is not None
    coordinator = Actor(1, None, is_admin=True)
    decided = await service.decide_postponement(coordinator, outcome.postponement.id, True)
    assert decided.card.task.due_on == date(2022, 10, 14)
    with pytest.raises(AccessDenied):
        await service.decide_postponement(coordinator, outcome.postponement.id, False, "нет")
    with pytest.raises(AccessDenied):
        await service.decide_postponement(bredna, outcome.postponement.id, True)


async def test_two_presses_at_once_on_two_instances_change_the_task_once(
    database: Database, clock: ManualClock
) -> None:
    """Two people (or one, twice) pressing «Выполнено» at the same moment, their updates handled
    by two instances: one change, one event in the history, one set of notices."""
    people = PeopleService(database, clock, timedelta(days=14))
    school = await people.add_organisation(
        ADMIN, name="МБОУ «СОШ №2»", kind=OrganisationKind.SCHOOL, timezone=TZ, parent_id=None
    )
    await _import(database, clock, "school-tech-cluster-2022.txt", school.id)
    async with database.transaction() as repositories:
        (shabanova,) = await repositories.people.find_by_name_key(
            school.id, person_key("Шабанова Н.С.")
        )
        await repositories.people.link_account(shabanova.id, 5_001, "ru")
        shabanova = await repositories.people.get(shabanova.id)
    assert shabanova is not None
    actor = Actor(5_001, shabanova, is_admin=False)
    first, second = TaskService(database, clock), TaskService(database, clock)
    task_id = (await first.my_open_tasks(actor))[0].task.id
    outcomes = await asyncio.gather(
        first.mark_done(actor, task_id), second.mark_done(actor, task_id)
    )
    assert all(outcome.card.status is TaskStatus.DONE for outcome in outcomes)
    async with database.transaction() as repositories:
        events = [e.event for e in await repositories.tasks.events(task_id)]
    assert events.count("done") == 1
