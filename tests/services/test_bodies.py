"""Bodies and groups a roadmap names resolve to the people a coordinator picks for them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core.clock import ManualClock
from core.models import Role
from roadmap.importer import ParsedRoadmap, parse_roadmap
from roadmap.readers import read_text
from services.access import AccessDenied, Actor
from services.roadmaps import RoadmapService
from storage.database import Database
from tasks.reach import Gap

DATA = Path(__file__).resolve().parents[1] / "data" / "roadmaps"
TZ = "Asia/Vladivostok"
ADMIN = Actor(1, None, is_admin=True)
DISTRICT = "effective-school-district-2022.txt"


def _parsed(name: str = DISTRICT, *, title: str | None = None) -> ParsedRoadmap:
    parsed = parse_roadmap(read_text((DATA / name).read_text(encoding="utf-8")))
    return parsed if title is None else replace(parsed, title=title)


async def _people(database: Database, clock: ManualClock, org: int, *names: str) -> list[int]:
    async with database.transaction() as repositories:
        return [
            (
                await repositories.people.add(
                    full_name=name,
                    name_key=name.lower(),
                    role=Role.EXECUTOR,
                    created_at=clock.now(),
                    organisation_id=org,
                )
            ).id
            for name in names
        ]


async def _executors(database: Database, roadmap_id: int) -> set[tuple[int, ...]]:
    async with database.transaction() as repositories:
        tasks = await repositories.tasks.in_roadmap(roadmap_id)
        executors = await repositories.tasks.executors_of([t.id for t in tasks])
    return {tuple(sorted(executors[t.id])) for t in tasks if not t.is_cancelled}


async def test_a_body_nobody_answers_for_is_named_before_import_and_then_resolved(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    district = await service.organisation_named("Комитет по образованию", TZ)
    plan = await service.plan(district.id, _parsed())
    assert len(plan.reach.unreached) == len(plan.reach.rows) > 0  # nobody is reached at all
    missing = {(gap, name) for gap, name, _ in plan.reach.missing()}
    assert {(Gap.BODY, "РМК"), (Gap.BODY, "Комитет")} <= missing

    result = await service.apply(district.id, _parsed(), source_name=DISTRICT, actor_telegram_id=1)
    roadmap_id = result.roadmap.id
    assert await _executors(database, roadmap_id) == set()
    methodists = await _people(database, clock, district.id, "Иванова И.И.", "Петрова П.П.")
    synced = await service.answer_for(ADMIN, roadmap_id, "РМК", methodists)
    assert synced.created > 0
    assert await _executors(database, roadmap_id) == {tuple(sorted(methodists))}

    after = await service.reach(ADMIN, roadmap_id)
    names = {name for _, name, _ in after.missing()}
    assert "РМК" not in names
    # «Районный методический кабинет» is the same body under its full name.
    assert "Районный методический кабинет" not in names
    assert "Комитет" in names and len(after.unreached) < len(plan.reach.unreached)

    # A re-import of the same file keeps them; a second roadmap naming «РМК» needs no question.
    again = await service.apply(district.id, _parsed(), source_name=DISTRICT, actor_telegram_id=1)
    assert await _executors(database, again.roadmap.id) == {tuple(sorted(methodists))}
    second = await service.apply(
        district.id, _parsed(title="Второй план района"), source_name="2.txt", actor_telegram_id=1
    )
    assert second.roadmap.id != roadmap_id
    assert await _executors(database, second.roadmap.id) == {tuple(sorted(methodists))}


async def test_only_people_of_the_organisation_may_be_picked_by_its_coordinators(
    database: Database, clock: ManualClock
) -> None:
    service = RoadmapService(database, clock)
    district = await service.organisation_named("Комитет по образованию", TZ)
    other = await service.organisation_named("Другой район", TZ)
    result = await service.apply(district.id, _parsed(), source_name=DISTRICT, actor_telegram_id=1)
    (stranger,) = await _people(database, clock, other.id, "Чужой Ч.Ч.")
    with pytest.raises(AccessDenied):
        await service.answer_for(ADMIN, result.roadmap.id, "РМК", [stranger])
    (executor,) = await _people(database, clock, district.id, "Иванова И.И.")
    async with database.transaction() as repositories:
        person = await repositories.people.get(executor)
    with pytest.raises(AccessDenied):
        await service.answer_for(Actor(5, person, is_admin=False), result.roadmap.id, "РМК", [])
