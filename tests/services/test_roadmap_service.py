"""Import and re-import against real databases (SQLite always, PostgreSQL in CI)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core.clock import ManualClock
from core.models import Role
from roadmap.deadlines import parse_deadline
from roadmap.importer import ParsedRoadmap, parse_roadmap
from roadmap.readers import read_text
from services.access import AccessDenied, Actor
from services.roadmaps import RoadmapService
from storage.database import Database

DATA = Path(__file__).resolve().parents[1] / "data" / "roadmaps"
SCHOOL = (DATA / "school-tech-cluster-2022.txt").read_text(encoding="utf-8")
CLUSTERS = (DATA / "municipal-clusters-plan-2022.txt").read_text(encoding="utf-8")
ORDER = (DATA / "municipal-order-with-roadmap-2022.txt").read_text(encoding="utf-8")

ADMIN = Actor(3, None, is_admin=True)


def _parsed(text: str) -> ParsedRoadmap:
    return parse_roadmap(read_text(text))


async def _org(service: RoadmapService) -> int:
    return (await service.organisation_named("МБОУ «СОШ №2»", "Asia/Vladivostok")).id


async def test_import_stores_activities_steps_people_and_history(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    org = await _org(service)
    result = await service.apply(org, _parsed(SCHOOL), source_name="a.txt", actor_telegram_id=7)
    stored = await service.activities_of(result.roadmap.id)
    assert len([a for a in stored if a.parent_id is None]) == 19
    assert len([a for a in stored if a.parent_id is not None]) == 13
    assert result.plan.new_people == (
        "Шабанова Н.С.",
        "Бредня М.В.",
        "Шарик Н.Н.",
        "Полякова В.А.",
        "Бондаренко А.Е.",
        "Акимова Н.А.",
    )
    first = stored[0]
    assert first.fields.deadline_text == "до 04.10.2022 г."
    assert first.fields.deadline_kind == "date"
    assert [str(day) for day in first.fields.deadline_due] == ["2022-10-04"]
    async with database.transaction() as repositories:
        assignees = await repositories.activities.assignees_of([first.id])
        history = await repositories.activities.history(first.id)
        people = await repositories.people.in_organisations([org])
    (lead,) = assignees[first.id]
    assert lead.fields.name == "Шабанова Н.С." and lead.fields.is_lead
    assert lead.fields.job_title == "заместитель директора по УВР"
    assert lead.fields.person_id in {person.id for person in people}
    assert [(entry.event, entry.actor_telegram_id) for entry in history] == [("imported", 7)]
    assert len(people) == 6


async def test_same_people_are_matched_not_duplicated(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    org = await _org(service)
    await service.apply(org, _parsed(SCHOOL), source_name="a.txt", actor_telegram_id=None)
    # The same person written with initials first and odd spacing in another roadmap.
    other = ORDER.replace("Гришук Т.А.", "Т. А. Гришук")
    plan = await service.plan(org, _parsed(other))
    assert "Гришук Т.А." in plan.new_people
    await service.apply(org, _parsed(other), source_name="b.txt", actor_telegram_id=None)
    again = await service.plan(org, _parsed(ORDER.replace("Гришук Т.А.", "Гришук Т. А.")))
    assert "Гришук Т.А." in again.known_people
    assert again.new_people == ()


async def test_reimport_updates_in_place_and_keeps_history(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    org = await _org(service)
    first = await service.apply(org, _parsed(SCHOOL), source_name="a.txt", actor_telegram_id=1)
    before = {a.fields.title: a.id for a in await service.activities_of(first.roadmap.id)}
    corrected = SCHOOL.replace("до 04.10.2022 г.", "до 07.10.2022 г.")
    plan = await service.plan(org, _parsed(corrected))
    assert plan.is_reimport
    assert plan.added == ()
    assert [label.title[:35] for label in plan.changed] == ["Утверждение школьного координатора,"]
    assert plan.removed == ()
    second = await service.apply(org, _parsed(corrected), source_name="b.txt", actor_telegram_id=2)
    assert second.roadmap.id == first.roadmap.id
    after = await service.activities_of(first.roadmap.id)
    coordinator = next(a for a in after if a.fields.title.startswith("Утверждение школьного"))
    assert coordinator.id == before[coordinator.fields.title]
    assert [str(d) for d in coordinator.fields.deadline_due] == ["2022-10-07"]
    async with database.transaction() as repositories:
        events = [entry.event for entry in await repositories.activities.history(coordinator.id)]
    assert events == ["imported", "changed"]


async def test_removed_rows_are_retired_then_restored(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    org = await _org(service)
    full = _parsed(CLUSTERS)
    result = await service.apply(org, full, source_name="a.txt", actor_telegram_id=None)
    last_title = full.activities[-1].title
    shorter = ParsedRoadmap(full.title, full.period, full.activities[:-1], full.warnings)
    plan = await service.plan(org, shorter)
    assert [label.title for label in plan.removed] == [last_title]
    await service.apply(org, shorter, source_name="b.txt", actor_telegram_id=None)
    visible = await service.activities_of(result.roadmap.id)
    assert last_title not in {a.fields.title for a in visible}
    restored_plan = await service.plan(org, full)
    assert [label.title for label in restored_plan.changed] == [last_title]
    await service.apply(org, full, source_name="c.txt", actor_telegram_id=None)
    assert last_title in {a.fields.title for a in await service.activities_of(result.roadmap.id)}


async def test_manual_deadline_survives_reimport_of_the_same_cell(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    org = await _org(service)
    result = await service.apply(org, _parsed(SCHOOL), source_name="a", actor_telegram_id=None)
    undated = next(
        a for a in await service.activities_of(result.roadmap.id) if not a.fields.deadline_due
    )
    # The service checks who asks: a person who may not import (here a stranger) is refused,
    # whoever calls it (the chat, the command line, a job).
    with pytest.raises(AccessDenied):
        await service.set_deadline(Actor(99, None, is_admin=False), undated.id, "до 20 декабря")
    assert await service.set_deadline(ADMIN, undated.id, "не знаю") is None
    updated = await service.set_deadline(ADMIN, undated.id, "до 20 декабря")
    assert updated is not None
    assert [str(day) for day in updated.fields.deadline_due] == ["2022-12-20"]
    await service.apply(org, _parsed(SCHOOL), source_name="b", actor_telegram_id=None)
    again = await service.activity(undated.id)
    assert again is not None and again.deadline_manual
    assert [str(day) for day in again.fields.deadline_due] == ["2022-12-20"]


async def test_a_step_that_changed_every_cell_keeps_its_place_and_id(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    org = await _org(service)
    full = _parsed(SCHOOL)
    result = await service.apply(org, full, source_name="a", actor_telegram_id=None)
    index, parent = next((i, a) for i, a in enumerate(full.activities) if len(a.steps) >= 2)
    last = parent.steps[-1]
    stored = await service.activities_of(result.roadmap.id)
    old_id = next(a.id for a in stored if a.fields.source_ref == last.source_ref)
    new = replace(
        last,
        number="9.9",
        title="Совсем другой шаг",
        deadline=parse_deadline("до 20.12.2022 г.", full.period),
    )
    activities = list(full.activities)
    activities[index] = replace(parent, steps=(*parent.steps[:-1], new))
    rewritten = replace(full, activities=tuple(activities))

    plan = await service.plan(org, rewritten)
    assert (plan.added, plan.removed) == ((), ())
    assert [label.title for label in plan.changed] == ["Совсем другой шаг"]
    await service.apply(org, rewritten, source_name="b", actor_telegram_id=None)
    after = await service.activities_of(result.roadmap.id)
    assert next(a.id for a in after if a.fields.title == "Совсем другой шаг") == old_id


async def test_new_responsible_people_replace_the_old_on_reimport(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    org = await _org(service)
    result = await service.apply(org, _parsed(SCHOOL), source_name="a", actor_telegram_id=None)
    title = "Формирование перечней академических партнёров ОО."
    stored = await service.activities_of(result.roadmap.id)
    before = next(a for a in stored if a.fields.title == title)
    other = SCHOOL.replace(
        "Бредня М.В. ведущий специалист по учебной работе МКУ «Управление образования» ДГО",
        "Акимова Н.А., директор школы",
    )
    await service.apply(org, _parsed(other), source_name="b", actor_telegram_id=None)
    async with database.transaction() as repositories:
        assignees = await repositories.activities.assignees_of([before.id])
    assert [a.fields.name for a in assignees[before.id]] == ["Акимова Н.А."]


async def test_a_deadline_changed_in_the_chat_outlives_a_file_with_another(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    org = await _org(service)
    first = _parsed(SCHOOL)
    result = await service.apply(org, first, source_name="a", actor_telegram_id=None)
    dated = next(
        a
        for a in await service.activities_of(result.roadmap.id)
        if a.fields.deadline_due and a.parent_id is None
    )
    changed = await service.set_deadline(ADMIN, dated.id, "до 25 декабря")
    assert changed is not None and [str(d) for d in changed.fields.deadline_due] == ["2022-12-25"]
    async with database.transaction() as repositories:
        events = [e.event for e in await repositories.activities.history(dated.id)]
        tasks = await repositories.tasks.of_activities([dated.id])
    assert events[-1] == "deadline_set"  # audited
    assert {str(t.due_on) for t in tasks if not t.is_cancelled} == {"2022-12-25"}

    # The file's next version moves the same row to another day: the chat's date stays.
    index = next(i for i, a in enumerate(first.activities) if a.title == dated.fields.title)
    row = first.activities[index]
    moved = replace(row, deadline=parse_deadline("до 15.11.2022", first.period))
    second = replace(
        first, activities=(*first.activities[:index], moved, *first.activities[index + 1 :])
    )
    plan = await service.plan(org, second)
    (kept,) = plan.kept_deadlines
    assert kept.label.title == dated.fields.title and kept.file_text == "до 15.11.2022"
    assert [str(d) for d in kept.kept] == ["2022-12-25"]
    await service.apply(org, second, source_name="b", actor_telegram_id=None)
    again = await service.activity(dated.id)
    assert again is not None and [str(d) for d in again.fields.deadline_due] == ["2022-12-25"]


async def test_a_rows_people_are_chosen_among_those_one_may_pick(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    org = await _org(service)
    result = await service.apply(org, _parsed(SCHOOL), source_name="a", actor_telegram_id=None)
    stored = await service.activities_of(result.roadmap.id)
    row = next(a for a in stored if a.fields.deadline_due and a.parent_id is None)
    parent = next(a for a in stored if a.id in {s.parent_id for s in stored})
    other = await service.organisation_named("МБОУ «Лицей №2»", "Asia/Vladivostok")
    async with database.transaction() as repositories:
        own = await repositories.people.in_organisations([org])
        (stranger,) = await repositories.people.add_many(
            other.id,
            [("Чужой Ч.Ч.", "чужой ч.ч.", None)],
            role=Role.EXECUTOR,
            created_at=clock.now(),
        )
    with pytest.raises(AccessDenied):  # someone of an unrelated organisation
        await service.set_people(ADMIN, row.id, [stranger])
    with pytest.raises(AccessDenied):  # a row whose steps carry its tasks
        await service.set_people(ADMIN, parent.id, [own[0].id])
    with pytest.raises(AccessDenied):  # nobody at all
        await service.set_people(ADMIN, row.id, [])
    chosen = await service.set_people(ADMIN, row.id, [own[1].id, own[0].id])
    assert [p.id for p in chosen] == [own[1].id, own[0].id]
    async with database.transaction() as repositories:
        (assignees,) = (await repositories.activities.assignees_of([row.id])).values()
        tasks = [t for t in await repositories.tasks.of_activities([row.id]) if not t.is_cancelled]
        executors = await repositories.tasks.executors_of([t.id for t in tasks])
    assert [(a.fields.person_id, a.fields.is_lead) for a in assignees] == [
        (own[1].id, True),
        (own[0].id, False),
    ]
    assert tasks and all(set(executors[t.id]) == {own[0].id, own[1].id} for t in tasks)
    again = await service.activity(row.id)
    assert again is not None and again.responsible_manual
