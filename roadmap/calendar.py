"""When Russian school quarters and half-years end.

Each region and school sets its own holidays, so these are defaults a school may override; they
follow the ministry's usual pattern: autumn holidays from late October, winter holidays from the
end of December, spring holidays from about 22 March, lessons over by the end of May.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from roadmap.period import Period, month_end

MonthDay = tuple[int, int]


def _school_order(month_day: MonthDay) -> tuple[int, int]:
    """Sort key that puts September first, as a school year does."""
    month, day = month_day
    return (month - 9) % 12, day


def _dates_in(period: Period, month_days: tuple[MonthDay, ...]) -> list[date]:
    found: set[date] = set()
    for year in range(period.start.year, period.end.year + 1):
        for month, day in month_days:
            # A configured 29 or 31 still means "the end of that month" in shorter months.
            candidate = date(year, month, min(day, month_end(year, month).day))
            if period.contains(candidate):
                found.add(candidate)
    return sorted(found)


@dataclass(frozen=True)
class AcademicCalendar:
    """Russian school year: default quarter ends and half-year ends, configurable."""

    quarter_ends: tuple[MonthDay, ...] = ((10, 27), (12, 28), (3, 22), (5, 26))
    half_year_ends: tuple[MonthDay, ...] = ((12, 28), (5, 26))

    def __post_init__(self) -> None:
        for month, day in (*self.quarter_ends, *self.half_year_ends):
            if not (1 <= month <= 12 and 1 <= day <= 31):
                raise ValueError(f"not a month and day: ({month}, {day})")
        if not self.quarter_ends or not self.half_year_ends:
            raise ValueError("a school year needs at least one quarter end and one half-year end")

    def quarter_end_dates(self, period: Period) -> list[date]:
        """Every quarter end inside the period, sorted."""
        return _dates_in(period, self.quarter_ends)

    def half_year_end_dates(self, period: Period) -> list[date]:
        """Every half-year end inside the period, sorted."""
        return _dates_in(period, self.half_year_ends)

    def quarters_in_school_order(self) -> tuple[MonthDay, ...]:
        """Quarter ends from the first quarter (autumn) to the last (spring)."""
        return tuple(sorted(self.quarter_ends, key=_school_order))

    def half_years_in_school_order(self) -> tuple[MonthDay, ...]:
        return tuple(sorted(self.half_year_ends, key=_school_order))

    def school_year_end(self) -> MonthDay:
        """The day lessons end: the last quarter end of the school year."""
        return self.quarters_in_school_order()[-1]


DEFAULT_CALENDAR = AcademicCalendar()
