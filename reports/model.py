"""What an execution report (отчёт о выполнении мероприятий дорожной карты) says, as plain data.

The service reads the database and fills these classes; the renderers (`reports.docx`,
`reports.xlsx`, `reports.matrix`) only draw them. Nothing here looks at a clock: every date
is given, and each occurrence's standing at the report date comes with it.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property


class Status(StrEnum):
    """How one task occurrence stands at the report date: the five categories of /status.

    The service takes them from `storage.repositories.task_views.progress_of` (done wins; then
    a passed due date makes it overdue; then «cannot» and «in progress» as marked; the rest is
    upcoming), so a report and /status never disagree. The values are the same strings.
    """

    DONE = "done"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    UPCOMING = "upcoming"  # not due yet (its date is the report date or later)
    CANNOT = "cannot"  # «не может быть выполнено», waiting for the coordinator


# Worst first: which status speaks for several occurrences (a school's monthly activity).
SEVERITY: tuple[Status, ...] = (
    Status.OVERDUE,
    Status.CANNOT,
    Status.IN_PROGRESS,
    Status.UPCOMING,
    Status.DONE,
)


class EvidenceKind(StrEnum):
    LINK = "link"
    FILE = "file"  # a document or a photo sent to the bot
    COMMENT = "comment"


@dataclass(frozen=True)
class Evidence:
    """What was attached to confirm the work: a URL, a file's name (a photo has none: the
    service names it), or the executor's comment."""

    kind: EvidenceKind
    text: str


@dataclass(frozen=True)
class Occurrence:
    """One task: one due date of a row, for its executors or for one school.

    `due` is the deadline in force (after an approved postponement; `postponed_from` is the
    one before it). `done_on` is the local day the task was marked done: required for DONE,
    absent otherwise. `reason` is what the executor wrote with «не может быть выполнено».
    """

    due: date
    status: Status
    done_on: date | None = None
    executors: tuple[str, ...] = ()
    school: str | None = None
    evidence: tuple[Evidence, ...] = ()
    confirmed_by: str | None = None
    postponed_from: date | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if (self.status is Status.DONE) != (self.done_on is not None):
            raise ValueError("done_on is given for a done occurrence, and only for one")

    @property
    def on_time(self) -> bool:
        """Done on or before its deadline in force (a postponed one counts from its new date)."""
        return self.done_on is not None and self.done_on <= self.due

    @property
    def late_days(self) -> int:
        """Days a done occurrence was late (done_on − due), 0 when on time or not done."""
        if self.done_on is None:
            return 0
        return max(0, (self.done_on - self.due).days)

    def overdue_days(self, at: date) -> int:
        """Days an OVERDUE occurrence is past its due date at the report date, else 0."""
        if self.status is not Status.OVERDUE:
            return 0
        return max(0, (at - self.due).days)


@dataclass(frozen=True)
class Row:
    """One activity row of the roadmap, its cells as the file wrote them.

    `occurrences` may be empty: a row nobody in the bot answers for (a body such as «МО ПК»),
    or one whose deadline could not be read. Such a row is still printed.
    """

    number: str
    section: str
    title: str
    result: str
    deadline_text: str
    responsible: str
    occurrences: tuple[Occurrence, ...] = ()


@dataclass(frozen=True)
class Summary:
    """The totals of a report (or of one school, or one row): computed by `summarise` only."""

    total: int = 0
    done: int = 0
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    in_progress: int = 0
    upcoming: int = 0
    cannot: int = 0

    @property
    def judged(self) -> int:
        """Occurrences that can be judged at the report date: done (whenever due: one done
        early counts) and overdue (due before the report date, not done). The others still
        have time: their due date is the report date or later."""
        return self.done + self.overdue

    @property
    def share_on_time(self) -> float | None:
        """done_on_time / judged, a fraction from 0 to 1; None when nothing can be judged yet.

        By the status rule an occurrence whose date has passed is either done or overdue, so
        the base is every occurrence due before the report date plus those done ahead of
        their date; «on time» is against the deadline in force (after a postponement).
        """
        return None if self.judged == 0 else self.done_on_time / self.judged

    @property
    def share_done(self) -> float | None:
        """done / total, a fraction; None when there is nothing to do."""
        return None if self.total == 0 else self.done / self.total


def summarise(occurrences: Iterable[Occurrence]) -> Summary:
    """The one place the report's totals are counted (the /status numbers are the same)."""
    counts = dict.fromkeys(Status, 0)
    on_time = 0
    for occurrence in occurrences:
        counts[occurrence.status] += 1
        if occurrence.on_time:
            on_time += 1
    done = counts[Status.DONE]
    return Summary(
        total=sum(counts.values()),
        done=done,
        done_on_time=on_time,
        done_late=done - on_time,
        overdue=counts[Status.OVERDUE],
        in_progress=counts[Status.IN_PROGRESS],
        upcoming=counts[Status.UPCOMING],
        cannot=counts[Status.CANNOT],
    )


class PeriodKind(StrEnum):
    QUARTER = "quarter"  # calendar: I = January–March … IV = October–December
    HALF_YEAR = "half_year"  # calendar: I = January–June, II = July–December
    SCHOOL_YEAR = "school_year"  # 1 September – 31 August
    CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included; `kind` names it in a title."""

    start: date
    end: date
    kind: PeriodKind = PeriodKind.CUSTOM

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def number(self) -> int:
        """The quarter (1–4) or half-year (1–2) of its year; 0 for other kinds."""
        if self.kind is PeriodKind.QUARTER:
            return (self.start.month - 1) // 3 + 1
        if self.kind is PeriodKind.HALF_YEAR:
            return (self.start.month - 1) // 6 + 1
        return 0


_MONTHS_OF = {PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6, PeriodKind.SCHOOL_YEAR: 12}
SCHOOL_YEAR_START_MONTH = 9


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _month_end(index: int) -> date:
    year, month = index // 12, index % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def period_of(kind: PeriodKind, at: date, offset: int = 0) -> Period:
    """The quarter, half-year or school year holding `at`; `offset=-1` gives the one before
    (a report drawn on 2 April about the first quarter).

    Quarters and half-years are calendar ones: reports upward (to the municipality and the
    region) and budget monitoring are made by calendar quarters, and those are the same for
    every school, where school terms (четверти) follow each school's own holidays and cannot
    be computed from a date. A school year runs from 1 September to 31 August.
    """
    if kind is PeriodKind.CUSTOM:
        raise ValueError("a custom period has its own dates: Period(start, end)")
    months = _MONTHS_OF[kind]
    # Months counted from the first month of the kind's cycle (January, or September).
    first = SCHOOL_YEAR_START_MONTH - 1 if kind is PeriodKind.SCHOOL_YEAR else 0
    index = _month_index(at) - first
    start = (index // months + offset) * months + first
    return Period(_month_start(start), _month_end(start + months - 1), kind)


@dataclass(frozen=True)
class ExecutionReport:
    """An execution report of one roadmap at one date.

    `rows` are in roadmap order, each with its section (consecutive rows of one section are
    drawn under one section heading). When `period` is given, the service includes only the
    occurrences due within it (start and end included) and the documents say so; rows with no
    occurrence in the period are the service's choice to keep or drop. `executor` is the
    person drawing the report («Исполнитель»); empty leaves a line to sign.
    """

    organisation: str
    roadmap_title: str
    at: date
    rows: tuple[Row, ...]
    roadmap_period: Period | None = None
    period: Period | None = None
    executor: str = ""

    @property
    def occurrences(self) -> Iterable[Occurrence]:
        for row in self.rows:
            yield from row.occurrences

    @cached_property
    def summary(self) -> Summary:
        return summarise(self.occurrences)

    @cached_property
    def municipal(self) -> bool:
        """Any occurrence belongs to a school: the report of a body with schools below it."""
        return any(occurrence.school for occurrence in self.occurrences)
