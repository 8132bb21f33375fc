"""The execution report read from the database: a municipal roadmap fanned out to three
schools gives the matrix's right cells; totals as /status counts them; a past date."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from core.clock import ManualClock
from core.models import OrganisationKind, Role
from reports import Status, school_matrix
from roadmap.importer import parse_roadmap
from roadmap.readers import read_text
from services.access import Actor
from services.people import PeopleService
from services.reports import ReportService
from services.roadmaps import RoadmapService
from services.tasks import TaskService
from storage.database import Database
from tests.harness import DATA, ZONE

ADMIN = Actor(3, None, is_admin=True)
SCHOOLS = ("МБОУ «СОШ №1»", "МБОУ «СОШ №2»", "МБОУ «СОШ №3»")


async def _municipality(database: Database, clock: ManualClock) -> tuple[int, dict[str, Actor]]:
    """A town with three schools, each with a linked head; the municipal order imported."""
    people = PeopleService(database, clock, timedelta(days=14))
    town = await people.add_organisation(
        None,
        name="Артёмовский ГО",
        kind=OrganisationKind.MUNICIPALITY,
        timezone=ZONE,
        parent_id=None,
    )
    heads = {}
    for number, name in enumerate(SCHOOLS, start=1):
        school = await people.add_organisation(
            None, name=name, kind=OrganisationKind.SCHOOL, timezone=ZONE, parent_id=town.id
        )
        async with database.transaction() as repositories:
            head = await repositories.people.add(
                full_name=f"Директор {number}",
                name_key=f"директор {number}",
                role=Role.EXECUTOR,
                created_at=clock.now(),
                organisation_id=school.id,
                telegram_user_id=9000 + number,
            )
            await repositories.people.set_head(head.id, school.id)
            head = (await repositories.people.by_ids([head.id]))[head.id]
        heads[name] = Actor(9000 + number, head, False)
    text = (DATA / "municipal-order-with-roadmap-2022.txt").read_text(encoding="utf-8")
    roadmaps = RoadmapService(database, clock)
    result = await roadmaps.apply(
        town.id, parse_roadmap(read_text(text)), source_name="order.txt", actor_telegram_id=1
    )
    return result.roadmap.id, heads


async def test_a_municipal_roadmap_gives_the_schools_matrix(
    database: Database, clock: ManualClock
) -> None:
    roadmap_id, heads = await _municipality(database, clock)
    tasks = TaskService(database, clock)
    # The first school does all its work; the second says it cannot do its first task.
    first = await tasks.my_open_tasks(heads[SCHOOLS[0]])
    for card in first:
        await tasks.mark_done(heads[SCHOOLS[0]], card.task.id)
    second = sorted(
        await tasks.my_open_tasks(heads[SCHOOLS[1]]), key=lambda c: (c.task.due_on, c.task.id)
    )
    await tasks.cannot_do(heads[SCHOOLS[1]], second[-1].task.id, "Нет специалиста")
    clock.advance(timedelta(days=40))  # the first October dates have passed
    reports = ReportService(database, clock)
    report = await reports.execution_report(ADMIN, roadmap_id)
    matrix = school_matrix(report)
    assert {line.school for line in matrix.schools} == set(SCHOOLS)
    assert matrix.schools[-1].school == SCHOOLS[0]  # nothing behind: last
    done = next(line for line in matrix.schools if line.school == SCHOOLS[0])
    assert done.cells and all(cell.status is Status.DONE for cell in done.cells)
    late = next(line for line in matrix.schools if line.school == SCHOOLS[2])
    assert any(cell.status is Status.OVERDUE for cell in late.cells)
    cannot = next(line for line in matrix.schools if line.school == SCHOOLS[1])
    # Its «не могу» task is the last due, so still within its date: that column says so.
    assert sum(cell.status is Status.CANNOT for cell in cannot.cells) == 1
    # Each fanned-out row is a column: one cell per school, as many columns as such rows.
    fanned = [row for row in report.rows if any(o.school for o in row.occurrences)]
    assert len(matrix.columns) == len(fanned) > 0
    for row in fanned:
        assert sorted({o.school for o in row.occurrences if o.school}) == sorted(SCHOOLS)


async def test_totals_agree_with_status_and_a_past_date_forgets_later_work(
    database: Database, clock: ManualClock
) -> None:
    roadmap_id, heads = await _municipality(database, clock)
    tasks = TaskService(database, clock)
    start = clock.now()
    clock.advance(timedelta(days=5))
    card = (await tasks.my_open_tasks(heads[SCHOOLS[0]]))[0]
    await tasks.mark_done(heads[SCHOOLS[0]], card.task.id)
    reports = ReportService(database, clock)
    report = await reports.execution_report(ADMIN, roadmap_id)
    overview = await tasks.overview(ADMIN, details=False)
    (counts,) = [item.counts for item in overview.roadmaps if item.roadmap.id == roadmap_id]
    summary = report.summary
    assert (summary.done, summary.in_progress, summary.overdue, summary.upcoming) == (
        counts.done,
        counts.in_progress,
        counts.overdue,
        counts.upcoming,
    )
    assert summary.cannot == counts.cannot and summary.total == counts.total
    assert summary.done == 1
    first_day = start.astimezone(ZoneInfo(ZONE)).date()
    before = await reports.execution_report(ADMIN, roadmap_id, at=first_day)
    assert before.summary.done == 0 and before.summary.total == summary.total
    assert before.at == date(2022, 9, 20)
