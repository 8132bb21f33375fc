"""When a task's reminders go out: countdown, due day, overdue nudges, escalation, check-ins.

Nothing here reads the clock: the same due date, zone and settings always give the same plan, so
the scheduler can re-plan after a restart and meet the same idempotency keys (task, person, kind,
local day) instead of sending twice.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import holidays

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5
# No real calendar has a year of days off; a longer walk means a broken calendar, not a plan.
_MAX_WALK = 366


class ReminderKind(StrEnum):
    COUNTDOWN = "countdown"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    CHECK_IN = "check_in"


# Declaration order, not alphabetical: on an escalation morning the executor's nudge comes first.
_KIND_ORDER = {kind: index for index, kind in enumerate(ReminderKind)}


@dataclass(frozen=True)
class ReminderSettings:
    offsets_days: tuple[int, ...] = (7, 3, 1, 0)
    morning: time = time(9, 0)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    overdue_daily_days: int = 3
    overdue_weekdays: tuple[int, ...] = (0, 3)
    escalate_after_working_days: int = 2
    overdue_horizon_days: int = 60

    def __post_init__(self) -> None:
        if any(offset < 0 for offset in self.offsets_days):
            raise ValueError("reminder offsets are days before the due date, never negative")
        if any(not 0 <= weekday <= 6 for weekday in self.overdue_weekdays):
            raise ValueError("overdue weekdays are 0 (Monday) to 6 (Sunday)")
        if self.overdue_daily_days < 0 or self.overdue_horizon_days < 0:
            raise ValueError("overdue day counts cannot be negative")
        if self.escalate_after_working_days < 1:
            raise ValueError("escalation comes at least one working day after the due date")
        # The times are wall-clock times in each organisation's own zone, given with the date.
        if any(t.tzinfo is not None for t in (self.morning, self.quiet_start, self.quiet_end)):
            raise ValueError("reminder times are local wall-clock times, without a zone")

    def is_quiet(self, moment: time) -> bool:
        """Inside [quiet_start, quiet_end), which normally wraps past midnight."""
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= moment < self.quiet_end
        return moment >= self.quiet_start or moment < self.quiet_end

    @property
    def send_time(self) -> time:
        """The local time reminders go out: the morning, or the end of the quiet hours."""
        return self.quiet_end if self.is_quiet(self.morning) else self.morning


@dataclass(frozen=True)
class PlannedReminder:
    kind: ReminderKind
    local_day: date
    at: datetime
    # COUNTDOWN and DUE_TODAY: the configured offset that produced it (0 for DUE_TODAY), not the
    # calendar distance, which a move to an earlier working day makes larger: texts should name
    # the due date. OVERDUE and ESCALATION: calendar days since the due date, as a negative
    # number. CHECK_IN: 0.
    days_before: int


class WorkingCalendar:
    """Russian working days: not a weekend, not a public holiday or a day off moved by decree.

    The decrees also make some Saturdays working days (05.03.2022); those count as working.
    Holidays are read from the `holidays` package a year at a time and kept, so planning for many
    tasks does not rebuild them.
    """

    def __init__(self) -> None:
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        cached = self._years.get(year)
        if cached is None:
            russian = holidays.country_holidays("RU", years=year)
            days_off = frozenset(russian)
            working = frozenset(day for day in russian.weekend_workdays if day.year == year)
            cached = (days_off, working)
            self._years[year] = cached
        return cached

    def is_working(self, day: date) -> bool:
        days_off, working_weekends = self._year(day.year)
        if day.weekday() >= _SATURDAY:
            return day in working_weekends
        return day not in days_off

    def previous_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the nearest working day before it."""
        return self._walk(day, -_ONE_DAY)

    def next_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the nearest working day after it."""
        return self._walk(day, _ONE_DAY)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]: on b, a task due on a is this many working days overdue.

        Negative when b is before a.
        """
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.is_working(a + timedelta(days=n)) for n in range(1, (b - a).days + 1))

    def _walk(self, day: date, step: timedelta) -> date:
        for _ in range(_MAX_WALK):
            if self.is_working(day):
                return day
            day += step
        raise ValueError(f"no working day within {_MAX_WALK} days of {day}")


def plan_task_reminders(
    due: date,
    zone: ZoneInfo,
    settings: ReminderSettings,
    calendar: WorkingCalendar,
    *,
    continuous: bool = False,
    start: date | None = None,
) -> list[PlannedReminder]:
    """Every reminder of one task, sorted by moment and kind.

    `start`, when given, is the first day the task exists: nothing is planned before it (a task
    imported late gets no countdowns in the past). Continuous tasks ("в течение года") need it:
    they run from `start` to `due` and get a check-in at the end of each month.
    """
    if continuous:
        _check_period(start, due)
    morning = _Morning(zone, settings.send_time)
    countdown_days = _countdown_days(due, settings, calendar)
    planned = [
        morning.remind(
            ReminderKind.DUE_TODAY if offset == 0 else ReminderKind.COUNTDOWN, day, offset
        )
        for day, offset in countdown_days.items()
    ]
    planned += _overdue(due, settings, calendar, morning)
    if continuous and start is not None:
        planned += _check_ins(start, due, calendar, morning, countdown_days)

    if start is not None:
        planned = [reminder for reminder in planned if reminder.local_day >= start]
    return sorted(planned, key=lambda reminder: (reminder.at, _KIND_ORDER[reminder.kind]))


def _check_period(start: date | None, due: date) -> None:
    if start is None:
        raise ValueError("a continuous task needs the start of its period")
    if start > due:
        raise ValueError("a continuous task's period starts after it ends")


@dataclass(frozen=True)
class _Morning:
    """The local time one organisation's reminders go out."""

    zone: ZoneInfo
    time: time

    def remind(self, kind: ReminderKind, day: date, days_before: int) -> PlannedReminder:
        # zoneinfo resolves the offset for that very date, so a zone's DST or a change of its
        # standard offset moves the UTC moment, never the local morning.
        local = datetime.combine(day, self.time, tzinfo=self.zone)
        return PlannedReminder(kind, day, local.astimezone(UTC), days_before)


def _countdown_days(
    due: date, settings: ReminderSettings, calendar: WorkingCalendar
) -> dict[date, int]:
    """The working day each countdown offset lands on, with the offset that put it there."""
    days: dict[date, int] = {}
    for offset in sorted(set(settings.offsets_days)):
        # Smallest offset first, so when several land on one working day the closest one wins.
        moved = calendar.previous_working_day(due - timedelta(days=offset))
        days.setdefault(moved, offset)
    return days


def _overdue(
    due: date, settings: ReminderSettings, calendar: WorkingCalendar, morning: _Morning
) -> list[PlannedReminder]:
    """Nudges after the due date (daily at first, then on set weekdays) and the one escalation."""
    horizon = due + timedelta(days=settings.overdue_horizon_days)
    planned = []
    for overdue, day in enumerate(_working_days(due + _ONE_DAY, horizon, calendar), start=1):
        days_before = (due - day).days
        if overdue <= settings.overdue_daily_days or day.weekday() in settings.overdue_weekdays:
            planned.append(morning.remind(ReminderKind.OVERDUE, day, days_before))
        if overdue == settings.escalate_after_working_days:
            planned.append(morning.remind(ReminderKind.ESCALATION, day, days_before))
    return planned


def _working_days(first: date, last: date, calendar: WorkingCalendar) -> Iterator[date]:
    """The working days in [first, last], in order."""
    day = calendar.next_working_day(first)
    while day <= last:
        yield day
        day = calendar.next_working_day(day + _ONE_DAY)


def _check_ins(
    start: date,
    due: date,
    calendar: WorkingCalendar,
    morning: _Morning,
    countdown_days: dict[date, int],
) -> list[PlannedReminder]:
    """A continuous task's check-in on the last working day of each month of its period."""
    planned = []
    for year, month in _months(start, due):
        last = calendar.previous_working_day(date(year, month, monthrange(year, month)[1]))
        # The deadline's own reminders speak for its month: a check-in on the same morning,
        # or after the due date, would only be a second message about the same thing.
        if last < due and last not in countdown_days:
            planned.append(morning.remind(ReminderKind.CHECK_IN, last, 0))
    return planned


def _months(first: date, last: date) -> list[tuple[int, int]]:
    return [
        (index // 12, index % 12 + 1)
        for index in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
    ]
