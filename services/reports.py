"""The roadmap's execution report (отчёт о выполнении мероприятий дорожной карты): what the
database knows of every task, as `reports.ExecutionReport`, and its documents.

Each task's standing comes from `progress_of`, the rule /status counts by, and the totals from
`reports.summarise`: a report at today's date and /status say the same numbers. A fixed number
of statements whatever the roadmap's size (one more per 5,000 tasks where a list is bound).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.i18n import Translate
from core.models import Role
from reports import (
    Evidence,
    EvidenceKind,
    ExecutionReport,
    Occurrence,
    Period,
    PeriodKind,
    Row,
    Status,
    build_docx,
    build_xlsx,
    matrix_png,
    period_of,
)
from services.access import Actor, require_roadmap_access
from services.reminders import Planning, settings_for
from services.roadmaps import visible_roadmaps
from storage.database import Database
from storage.records import (
    Activity,
    Organisation,
    Person,
    PlannedMessage,
    Roadmap,
    Task,
    TaskEvent,
)
from storage.records import Evidence as StoredEvidence
from storage.repositories import Repositories

REPORT_KIND = "report"  # an outbox row: the period's report to one coordinator
# After a period ends, its report goes on the first working morning of these days (the key
# keeps it to one: a bot down that morning sends it the next one).
REPORT_DAYS = 7


class ReportCadence(StrEnum):
    """How often an organisation's coordinators get the report by themselves."""

    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    OFF = "off"


def cadence_of(organisation: Organisation) -> ReportCadence:
    try:
        return ReportCadence(organisation.report_cadence or ReportCadence.QUARTER)
    except ValueError:
        return ReportCadence.QUARTER


def ended_period(cadence: ReportCadence, today: date) -> Period | None:
    """The quarter or half-year that ended within the last REPORT_DAYS days, if any."""
    if cadence is ReportCadence.OFF:
        return None
    kind = PeriodKind.QUARTER if cadence is ReportCadence.QUARTER else PeriodKind.HALF_YEAR
    ended = period_of(kind, today, -1)
    return ended if 0 < (today - ended.end).days <= REPORT_DAYS else None


async def plan_reports(repositories: Repositories, clock: Clock, planning: Planning) -> int:
    """The report of the period just ended, for each coordinator of each organisation and
    each of its roadmaps that the period touches: on a working morning (the organisation's
    calendar, zone and reminder time), once per key whatever restarts or instances do."""
    now = clock.now()
    planned: list[PlannedMessage] = []
    for organisation in await repositories.organisations.list_all():
        local = now.astimezone(_zone(organisation))
        morning = settings_for(planning.settings, organisation).send_time
        start = local.replace(hour=morning.hour, minute=morning.minute, second=0, microsecond=0)
        today = local.date()
        period = ended_period(cadence_of(organisation), today)
        if period is None or local < start or not planning.calendar.is_working(today):
            continue
        roadmaps = [
            roadmap
            for roadmap in await repositories.roadmaps.in_organisations([organisation.id])
            if roadmap.period_start <= period.end and period.start <= roadmap.period_end
        ]
        if not roadmaps:
            continue
        coordinators = [
            person
            for person in await repositories.people.in_organisations([organisation.id])
            if person.role is Role.COORDINATOR
            and person.is_active
            and person.is_reachable
            and person.account is not None
        ]
        planned.extend(
            PlannedMessage(
                key=f"{REPORT_KIND}:{roadmap.id}:{person.id}:{period.start}",
                kind=REPORT_KIND,
                task_id=None,
                person_id=person.id,
                chat_id=person.account,
                local_day=today,
                planned_at=now,
                payload={
                    "roadmap_id": roadmap.id,
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "kind": period.kind.value,
                },
            )
            for roadmap in roadmaps
            for person in coordinators
            if person.account is not None
        )
    await repositories.outbox.plan(planned, now)
    return len(planned)


def planned_period(payload: Mapping[str, object]) -> tuple[int, Period]:
    """The roadmap and period a planned report row is about."""
    return int(str(payload["roadmap_id"])), Period(
        date.fromisoformat(str(payload["start"])),
        date.fromisoformat(str(payload["end"])),
        PeriodKind(str(payload["kind"])),
    )


# How the bot stores evidence (`TaskService.add_evidence`): as the report names it.
_EVIDENCE_KINDS = {
    "link": EvidenceKind.LINK,
    "document": EvidenceKind.FILE,
    "photo": EvidenceKind.FILE,
    "comment": EvidenceKind.COMMENT,
}


@dataclass(frozen=True)
class ReportFiles:
    """The documents of one report, named for the person who receives them."""

    docx: bytes
    xlsx: bytes
    matrix_png: bytes | None  # for a roadmap fanned out to schools
    stem: str  # «otchet-<roadmap id>-<date>»: a file name without its extension


def _rows(activities: Sequence[Activity]) -> list[tuple[Activity, str, str]]:
    """The rows that carry tasks, in table order, with the number and section they show: an
    activity without steps, or each step of one (numbered under its activity)."""
    by_id = {activity.id: activity for activity in activities}
    with_steps = {a.parent_id for a in activities if a.parent_id is not None}
    steps_seen: dict[int, int] = {}
    found = []
    for activity in activities:
        if activity.id in with_steps:
            continue
        parent = by_id.get(activity.parent_id) if activity.parent_id is not None else None
        if parent is None:
            found.append((activity, activity.fields.number or "", activity.fields.section or ""))
            continue
        steps_seen[parent.id] = steps_seen.get(parent.id, 0) + 1
        number = parent.fields.number or ""
        number = f"{number.rstrip('.')}.{steps_seen[parent.id]}" if number else ""
        found.append((activity, number, parent.fields.section or activity.fields.section or ""))
    return found


def _row_title(activity: Activity, parent: Activity | None) -> str:
    return parent.fields.title if parent is not None else activity.fields.title


@dataclass(frozen=True)
class _Known:
    """What the tasks' occurrences need besides the tasks: read in bulk."""

    executors: Mapping[int, list[Person]]
    evidence: Mapping[int, list[StoredEvidence]]
    events: Mapping[int, list[TaskEvent]]
    people: Mapping[int, Person]  # those who marked a task done
    organisations: Mapping[int, Organisation]
    zone: ZoneInfo


def _evidence(items: Sequence[StoredEvidence]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(
            _EVIDENCE_KINDS.get(item.kind, EvidenceKind.COMMENT),
            item.file_name or (f"photo-{item.id}.jpg" if item.kind == "photo" else item.value),
        )
        for item in items
    )


def _reason(events: Sequence[TaskEvent]) -> str | None:
    said = [e.details.get("reason") for e in events if e.event == "cannot_do"]
    return str(said[-1]) if said and said[-1] else None


def _occurrence(task: Task, progress: str, known: _Known) -> Occurrence:
    status = Status(progress)
    executors = known.executors.get(task.id, [])
    school = None
    if task.executor_key.startswith("head:") and executors:
        organisation = known.organisations.get(executors[0].organisation_id or 0)
        school = organisation.name if organisation else None
    done = status is Status.DONE and task.done_at is not None
    confirmed = known.people.get(task.done_by_person_id or 0) if done else None
    return Occurrence(
        due=task.due_on,
        status=status,
        done_on=task.done_at.astimezone(known.zone).date() if done and task.done_at else None,
        executors=tuple(p.full_name for p in executors),
        school=school,
        evidence=_evidence(known.evidence.get(task.id, [])),
        confirmed_by=confirmed.full_name if confirmed else None,
        postponed_from=task.planned_due_on if task.planned_due_on != task.due_on else None,
        # Said with «не может быть выполнено», also once its date has passed.
        reason=_reason(known.events.get(task.id, [])) if task.status == "cannot_do" else None,
    )


class ReportService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    async def roadmaps(self, actor: Actor) -> list[tuple[Roadmap, Organisation]]:
        """The roadmaps this person may report on (those they see), newest first."""
        return await visible_roadmaps(self._database, actor)

    async def today(self, actor: Actor, roadmap_id: int) -> date:
        """Today where the roadmap's organisation is."""
        roadmap = await require_roadmap_access(self._database, actor, roadmap_id)
        async with self._database.transaction() as repositories:
            organisation = await repositories.organisations.get(roadmap.organisation_id)
        return self._clock.now().astimezone(_zone(organisation)).date()

    async def execution_report(
        self,
        actor: Actor,
        roadmap_id: int,
        *,
        at: date | None = None,
        period: Period | None = None,
    ) -> ExecutionReport:
        """The roadmap's rows with each task's standing at `at` (today by default, in the
        organisation's zone): a task done after that day counts as not done yet. With a
        period, only the tasks due within it, and the rows that have some or are due in it.
        AccessDenied unless this person may see the roadmap."""
        roadmap = await require_roadmap_access(self._database, actor, roadmap_id)
        async with self._database.transaction() as repositories:
            organisation = await repositories.organisations.get(roadmap.organisation_id)
            zone = _zone(organisation)
            today = self._clock.now().astimezone(zone).date()
            day = at or today
            done_by = None if day >= today else _end_of(day, zone)
            activities = await repositories.activities.in_roadmap(roadmap.id)
            found = await repositories.task_views.report_tasks(
                roadmap.id,
                day,
                due_from=period.start if period else None,
                due_until=period.end if period else None,
                done_by=done_by,
            )
            known = await _known(repositories, [task for task, _progress in found], zone)
        by_activity: dict[int, list[Occurrence]] = {}
        for task, progress in found:
            by_activity.setdefault(task.activity_id, []).append(_occurrence(task, progress, known))
        by_id = {activity.id: activity for activity in activities}
        rows = []
        for activity, number, section in _rows(activities):
            occurrences = by_activity.get(activity.id, [])
            due = activity.fields.deadline_due
            if period and not occurrences and not any(d in period for d in due):
                continue
            parent = by_id.get(activity.parent_id) if activity.parent_id else None
            rows.append(
                Row(
                    number=number,
                    section=section,
                    title=_row_title(activity, parent),
                    result=activity.fields.result or "",
                    deadline_text=activity.fields.deadline_text,
                    responsible=" ".join(activity.fields.responsible_text.split()),
                    occurrences=tuple(occurrences),
                )
            )
        return ExecutionReport(
            organisation=organisation.name if organisation else "",
            roadmap_title=roadmap.title,
            at=day,
            rows=tuple(rows),
            roadmap_period=Period(roadmap.period_start, roadmap.period_end),
            period=period,
            executor=actor.person.full_name if actor.person else "",
        )

    async def files(self, report: ExecutionReport, translate: Translate, stem: str) -> ReportFiles:
        """The report's DOCX and XLSX (and the schools' heat map for a municipal one), drawn
        off the event loop."""
        return await asyncio.to_thread(_draw, report, translate, stem)


def _draw(report: ExecutionReport, translate: Translate, stem: str) -> ReportFiles:
    picture = matrix_png(report, translate) if report.municipal else None
    return ReportFiles(build_docx(report, translate), build_xlsx(report, translate), picture, stem)


def report_stem(roadmap_id: int, at: date) -> str:
    return f"otchet-{roadmap_id}-{at.isoformat()}"


def _zone(organisation: Organisation | None) -> ZoneInfo:
    return ZoneInfo(organisation.timezone if organisation else "UTC")


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), zone)


async def _known(repositories: Repositories, tasks: Sequence[Task], zone: ZoneInfo) -> _Known:
    ids = [task.id for task in tasks]
    views = repositories.task_views
    executors = await views.executors_of(ids)
    evidence = await views.evidence_of(ids)
    events = await views.events_of([t.id for t in tasks if t.status == "cannot_do"])
    seen = {p.id: p for people in executors.values() for p in people}
    missing = {t.done_by_person_id for t in tasks if t.done_by_person_id} - set(seen)
    if missing:
        seen.update(await repositories.people.by_ids(sorted(missing)))
    organisations = {o.id: o for o in await repositories.organisations.list_all()}
    return _Known(executors, evidence, events, seen, organisations, zone)


__all__ = [
    "REPORT_KIND",
    "PeriodKind",
    "ReportCadence",
    "ReportFiles",
    "ReportService",
    "cadence_of",
    "plan_reports",
    "report_stem",
]
