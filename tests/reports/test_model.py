"""The report's model: the totals counted in one place, days late, and the periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.plurals import plural
from reports.labels import days_text, percent_text, period_label, period_phrase
from reports.model import Occurrence, Period, PeriodKind, Status, Summary, period_of, summarise
from tests.reports.samples import (
    AT,
    CANNOT,
    EN,
    IN_PROGRESS,
    LATE,
    ON_TIME,
    OVERDUE,
    POSTPONED,
    RU,
    UPCOMING,
    school_report,
)


def test_the_totals_of_a_small_roadmap() -> None:
    summary = school_report().summary
    assert summary == Summary(
        total=7,
        done=3,
        done_on_time=2,  # the postponed one was done before its new date
        done_late=1,
        overdue=1,
        in_progress=1,
        upcoming=1,
        cannot=1,
    )
    assert summary.judged == 4  # done 3 + overdue 1
    assert summary.share_on_time == 0.5
    assert summary.share_done == pytest.approx(3 / 7)


def test_nothing_to_judge_has_no_share() -> None:
    summary = summarise([UPCOMING, IN_PROGRESS, CANNOT])
    assert summary.judged == 0
    assert summary.share_on_time is None
    assert percent_text(summary.share_on_time, RU) == "—"
    assert summarise([]).share_done is None


def test_one_done_early_counts_on_time() -> None:
    early = Occurrence(AT + timedelta(days=30), Status.DONE, done_on=AT - timedelta(days=1))
    summary = summarise([early, OVERDUE])
    assert (summary.done_on_time, summary.judged, summary.share_on_time) == (1, 2, 0.5)


def test_days_late_and_overdue() -> None:
    assert ON_TIME.late_days == 0 and ON_TIME.on_time
    assert LATE.late_days == 5 and not LATE.on_time
    assert POSTPONED.on_time  # done 24.03, due 25.03 after the move from 01.03
    assert OVERDUE.late_days == 0
    assert OVERDUE.overdue_days(AT) == 21
    assert LATE.overdue_days(AT) == 0  # done: never overdue
    assert UPCOMING.overdue_days(AT) == 0


def test_done_needs_its_day_and_only_done_has_one() -> None:
    with pytest.raises(ValueError, match="done_on"):
        Occurrence(AT, Status.DONE)
    with pytest.raises(ValueError, match="done_on"):
        Occurrence(AT, Status.OVERDUE, done_on=AT)


@pytest.mark.parametrize(
    ("count", "russian", "english"),
    [
        (0, "0 дней", "0 days"),
        (1, "1 день", "1 day"),
        (2, "2 дня", "2 days"),
        (4, "4 дня", "4 days"),
        (5, "5 дней", "5 days"),
        (11, "11 дней", "11 days"),
        (12, "12 дней", "12 days"),
        (14, "14 дней", "14 days"),
        (21, "21 день", "21 days"),
        (22, "22 дня", "22 days"),
        (25, "25 дней", "25 days"),
        (101, "101 день", "101 days"),
        (111, "111 дней", "111 days"),
        (112, "112 дней", "112 days"),
        (122, "122 дня", "122 days"),
    ],
)
def test_russian_plural_of_days(count: int, russian: str, english: str) -> None:
    assert days_text(count, RU) == russian
    assert days_text(count, EN) == english


def test_one_form_serves_every_count() -> None:
    assert plural(7, "{count} шт.") == "7 шт."


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        (PeriodKind.QUARTER, date(2027, 1, 1), date(2027, 1, 1), date(2027, 3, 31)),
        (PeriodKind.QUARTER, date(2027, 3, 31), date(2027, 1, 1), date(2027, 3, 31)),
        (PeriodKind.QUARTER, date(2027, 4, 1), date(2027, 4, 1), date(2027, 6, 30)),
        (PeriodKind.QUARTER, date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31)),
        (PeriodKind.HALF_YEAR, date(2027, 6, 30), date(2027, 1, 1), date(2027, 6, 30)),
        (PeriodKind.HALF_YEAR, date(2027, 7, 1), date(2027, 7, 1), date(2027, 12, 31)),
        (PeriodKind.SCHOOL_YEAR, date(2026, 9, 1), date(2026, 9, 1), date(2027, 8, 31)),
        (PeriodKind.SCHOOL_YEAR, date(2027, 8, 31), date(2026, 9, 1), date(2027, 8, 31)),
        (PeriodKind.SCHOOL_YEAR, date(2028, 2, 29), date(2027, 9, 1), date(2028, 8, 31)),
    ],
)
def test_period_boundaries(kind: PeriodKind, day: date, start: date, end: date) -> None:
    assert period_of(kind, day) == Period(start, end, kind)


def test_the_period_before() -> None:
    assert period_of(PeriodKind.QUARTER, date(2027, 4, 2), -1) == Period(
        date(2027, 1, 1), date(2027, 3, 31), PeriodKind.QUARTER
    )
    assert period_of(PeriodKind.QUARTER, date(2027, 1, 10), -1).start == date(2026, 10, 1)
    assert period_of(PeriodKind.SCHOOL_YEAR, date(2027, 9, 1), -1).start == date(2026, 9, 1)


def test_a_custom_period_has_its_own_dates() -> None:
    with pytest.raises(ValueError, match="custom"):
        period_of(PeriodKind.CUSTOM, AT)
    with pytest.raises(ValueError, match="ends"):
        Period(AT, AT - timedelta(days=1))


@given(
    kind=st.sampled_from([PeriodKind.QUARTER, PeriodKind.HALF_YEAR, PeriodKind.SCHOOL_YEAR]),
    day=st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)),
)
def test_periods_hold_their_day_and_tile_the_calendar(kind: PeriodKind, day: date) -> None:
    period = period_of(kind, day)
    assert day in period
    assert period.start.day == 1
    assert (period.end + timedelta(days=1)).day == 1  # ends on a month's last day
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
    assert months + 1 == {PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6}.get(kind, 12)
    first_months = {PeriodKind.QUARTER: {1, 4, 7, 10}, PeriodKind.HALF_YEAR: {1, 7}}
    assert period.start.month in first_months.get(kind, {9})
    following = period_of(kind, period.end + timedelta(days=1))
    assert following.start == period.end + timedelta(days=1)
    assert period_of(kind, day, 1) == following
    assert period_of(kind, following.start, -1) == period


def test_period_words() -> None:
    quarter = period_of(PeriodKind.QUARTER, AT)
    assert period_label(quarter, RU) == "I квартал 2027 года"
    assert period_label(quarter, EN) == "Q1 2027"
    assert period_phrase(quarter, RU) == "за I квартал 2027 года"
    fourth = period_of(PeriodKind.QUARTER, date(2026, 11, 5))
    assert period_label(fourth, RU) == "IV квартал 2026 года"
    half = period_of(PeriodKind.HALF_YEAR, date(2027, 9, 1))
    assert period_label(half, RU) == "II полугодие 2027 года"
    year = period_of(PeriodKind.SCHOOL_YEAR, AT)
    assert period_phrase(year, RU) == "за 2026/2027 учебный год"
    custom = Period(date(2026, 9, 1), AT)
    assert period_phrase(custom, RU) == "за период с 01.09.2026 по 31.03.2027"
    assert period_phrase(custom, EN) == "for the period 01.09.2026 to 31.03.2027"


def test_percent_never_rounds_to_all_or_none() -> None:
    assert percent_text(0.5, RU) == "50 %"
    assert percent_text(0.5, EN) == "50%"
    assert percent_text(0.996, RU) == "99 %"
    assert percent_text(0.004, RU) == "1 %"
    assert percent_text(1.0, RU) == "100 %"
    assert percent_text(0.0, RU) == "0 %"
