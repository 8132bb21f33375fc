from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.planner import (
    PlannedReminder,
    ReminderKind,
    ReminderSettings,
    WorkingCalendar,
    plan_task_reminders,
)

VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
ZONES = ["Asia/Vladivostok", "Europe/Moscow", "Asia/Kamchatka", "Europe/Kaliningrad"]
DEFAULT = ReminderSettings()
# One calendar for the whole module, as the bot keeps one: its yearly cache is the point.
CALENDAR = WorkingCalendar()
SCHOOL_YEAR_START = date(2022, 9, 1)
SCHOOL_YEAR_END = date(2023, 5, 31)


def _plan(
    due: date, *, continuous: bool = False, start: date | None = None
) -> list[PlannedReminder]:
    return plan_task_reminders(
        due, VLADIVOSTOK, DEFAULT, CALENDAR, continuous=continuous, start=start
    )


def _days(reminders: list[PlannedReminder], *kinds: ReminderKind) -> list[date]:
    return [reminder.local_day for reminder in reminders if reminder.kind in kinds]


def _countdown(due: date) -> list[tuple[ReminderKind, date, int]]:
    return [
        (reminder.kind, reminder.local_day, reminder.days_before)
        for reminder in _plan(due)
        if reminder.kind in (ReminderKind.COUNTDOWN, ReminderKind.DUE_TODAY)
    ]


# The calendar


def test_weekends_and_public_holidays_are_days_off() -> None:
    assert CALENDAR.is_working(date(2022, 11, 3))
    assert not CALENDAR.is_working(date(2022, 11, 4))  # День народного единства, a Friday
    assert not CALENDAR.is_working(date(2022, 10, 8))  # Saturday
    assert not any(CALENDAR.is_working(date(2023, 1, day)) for day in range(1, 9))
    assert CALENDAR.is_working(date(2023, 1, 9))


def test_days_moved_by_decree() -> None:
    # 2022: Saturday 5 March was worked so that Monday 7 March could be a day off.
    assert CALENDAR.is_working(date(2022, 3, 5))
    assert not CALENDAR.is_working(date(2022, 3, 7))
    assert not CALENDAR.is_working(date(2023, 2, 24))  # moved from 1 January 2023


def test_walking_to_a_working_day() -> None:
    assert CALENDAR.previous_working_day(date(2022, 11, 6)) == date(2022, 11, 3)
    assert CALENDAR.previous_working_day(date(2022, 11, 3)) == date(2022, 11, 3)
    assert CALENDAR.previous_working_day(date(2023, 1, 8)) == date(2022, 12, 30)
    assert CALENDAR.next_working_day(date(2022, 12, 31)) == date(2023, 1, 9)
    assert CALENDAR.next_working_day(date(2023, 1, 9)) == date(2023, 1, 9)


def test_working_days_between_counts_the_days_overdue() -> None:
    monday = date(2022, 10, 10)
    assert CALENDAR.working_days_between(monday, monday) == 0
    assert CALENDAR.working_days_between(monday, date(2022, 10, 12)) == 2
    assert CALENDAR.working_days_between(monday, date(2022, 10, 17)) == 5
    assert CALENDAR.working_days_between(date(2022, 10, 17), monday) == -5
    assert CALENDAR.working_days_between(date(2022, 12, 30), date(2023, 1, 9)) == 1


# Countdown


def test_by_the_end_of_september() -> None:
    """«до 30.09.2022 г.»: a week, three days, a day before and on the day, 09:00 local."""
    reminders = _plan(date(2022, 9, 30))
    assert _countdown(date(2022, 9, 30)) == [
        (ReminderKind.COUNTDOWN, date(2022, 9, 23), 7),
        (ReminderKind.COUNTDOWN, date(2022, 9, 27), 3),
        (ReminderKind.COUNTDOWN, date(2022, 9, 29), 1),
        (ReminderKind.DUE_TODAY, date(2022, 9, 30), 0),
    ]
    countdown = [r for r in reminders if r.kind is not ReminderKind.OVERDUE][:4]
    # Vladivostok is UTC+10: nine in the morning there is 23:00 UTC the evening before.
    assert [r.at for r in countdown] == [
        datetime(2022, 9, 22, 23, 0, tzinfo=UTC),
        datetime(2022, 9, 26, 23, 0, tzinfo=UTC),
        datetime(2022, 9, 28, 23, 0, tzinfo=UTC),
        datetime(2022, 9, 29, 23, 0, tzinfo=UTC),
    ]


def test_due_monday_moves_the_day_before_to_friday() -> None:
    # 1 day before is Sunday 09.10 and 3 days before is Friday 07.10: one message on Friday,
    # the closer offset's; the week-before reminder stays on Monday 03.10.
    assert _countdown(date(2022, 10, 10)) == [
        (ReminderKind.COUNTDOWN, date(2022, 10, 3), 7),
        (ReminderKind.COUNTDOWN, date(2022, 10, 7), 1),
        (ReminderKind.DUE_TODAY, date(2022, 10, 10), 0),
    ]


def test_a_reminder_on_unity_day_moves_to_the_day_before() -> None:
    # 3 days before Monday 07.11.2022 is Friday 04.11, a public holiday; the 1-day one (Sunday
    # 06.11) walks back past the weekend and the holiday to the same Thursday.
    assert _countdown(date(2022, 11, 7)) == [
        (ReminderKind.COUNTDOWN, date(2022, 10, 31), 7),
        (ReminderKind.COUNTDOWN, date(2022, 11, 3), 1),
        (ReminderKind.DUE_TODAY, date(2022, 11, 7), 0),
    ]
    only_three = ReminderSettings(offsets_days=(3,))
    planned = plan_task_reminders(date(2022, 11, 7), VLADIVOSTOK, only_three, CALENDAR)
    assert _days(planned, ReminderKind.COUNTDOWN) == [date(2022, 11, 3)]


def test_new_year_holidays_move_everything_to_the_last_december_working_day() -> None:
    # 7, 3 and 1 days before 09.01.2023 all fall in the holidays 01–08.01: one reminder on 30.12.
    assert _countdown(date(2023, 1, 9)) == [
        (ReminderKind.COUNTDOWN, date(2022, 12, 30), 1),
        (ReminderKind.DUE_TODAY, date(2023, 1, 9), 0),
    ]


def test_due_on_a_day_off_is_announced_on_the_working_day_before() -> None:
    # Saturday 31.12.2022: "due today" on Friday 30.12 absorbs the 1-day reminder.
    assert _countdown(date(2022, 12, 31)) == [
        (ReminderKind.COUNTDOWN, date(2022, 12, 23), 7),
        (ReminderKind.COUNTDOWN, date(2022, 12, 28), 3),
        (ReminderKind.DUE_TODAY, date(2022, 12, 30), 0),
    ]


def test_a_morning_inside_quiet_hours_waits_for_their_end() -> None:
    early = ReminderSettings(morning=time(6, 30))
    assert early.send_time == time(8, 0)
    planned = plan_task_reminders(date(2022, 9, 30), VLADIVOSTOK, early, CALENDAR)
    assert {r.at.astimezone(VLADIVOSTOK).time() for r in planned} == {time(8, 0)}
    assert ReminderSettings(morning=time(21, 0)).send_time == time(8, 0)
    assert ReminderSettings(morning=time(8, 0)).send_time == time(8, 0)
    assert ReminderSettings(morning=time(20, 59)).send_time == time(20, 59)


def test_daylight_saving_keeps_the_local_morning() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # Summer time in Berlin ends on 30.10.2022: the same 09:00 is a different UTC hour.
    planned = plan_task_reminders(date(2022, 11, 1), berlin, DEFAULT, CALENDAR)
    by_day = {r.local_day: r.at for r in planned if r.kind is ReminderKind.COUNTDOWN}
    assert by_day[date(2022, 10, 25)] == datetime(2022, 10, 25, 7, 0, tzinfo=UTC)
    assert by_day[date(2022, 10, 31)] == datetime(2022, 10, 31, 8, 0, tzinfo=UTC)


# Overdue and escalation


def test_overdue_cadence_and_escalation_in_october_2022() -> None:
    reminders = _plan(date(2022, 10, 10))
    assert _days(reminders, ReminderKind.OVERDUE)[:9] == [
        date(2022, 10, 11),  # Tue, daily
        date(2022, 10, 12),  # Wed, daily
        date(2022, 10, 13),  # Thu, daily
        date(2022, 10, 17),  # then Mondays and Thursdays
        date(2022, 10, 20),
        date(2022, 10, 24),
        date(2022, 10, 27),
        date(2022, 10, 31),
        date(2022, 11, 3),
    ]
    # Up to due + 60 days = 09.12.2022.
    assert _days(reminders, ReminderKind.OVERDUE)[-1] == date(2022, 12, 8)
    escalations = [r for r in reminders if r.kind is ReminderKind.ESCALATION]
    assert escalations == [
        PlannedReminder(
            ReminderKind.ESCALATION,
            date(2022, 10, 12),
            datetime(2022, 10, 11, 23, 0, tzinfo=UTC),
            -2,
        )
    ]
    overdue = {r.local_day: r.days_before for r in reminders if r.kind is ReminderKind.OVERDUE}
    assert overdue[date(2022, 10, 11)] == -1
    assert overdue[date(2022, 10, 17)] == -7


def test_escalation_and_nudge_on_the_same_morning_both_go_executor_first() -> None:
    reminders = _plan(date(2022, 10, 10))
    same_morning = [r.kind for r in reminders if r.local_day == date(2022, 10, 12)]
    assert same_morning == [ReminderKind.OVERDUE, ReminderKind.ESCALATION]


def test_overdue_counts_working_days_across_holidays() -> None:
    # Due Thursday 03.11.2022: Friday is Unity Day, so overdue day 1 is Monday 07.11.
    reminders = _plan(date(2022, 11, 3))
    assert _days(reminders, ReminderKind.OVERDUE)[:4] == [
        date(2022, 11, 7),
        date(2022, 11, 8),
        date(2022, 11, 9),
        date(2022, 11, 10),  # a Thursday: the twice-weekly rhythm begins
    ]
    assert _days(reminders, ReminderKind.ESCALATION) == [date(2022, 11, 8)]


def test_a_holiday_monday_gets_no_nudge() -> None:
    # Due 27.12.2022: nudges 28, 29, 30.12, then Thursdays and Mondays that are working days.
    overdue = _days(_plan(date(2022, 12, 27)), ReminderKind.OVERDUE)
    assert overdue[:5] == [
        date(2022, 12, 28),
        date(2022, 12, 29),
        date(2022, 12, 30),
        date(2023, 1, 9),
        date(2023, 1, 12),
    ]


def test_horizon_zero_plans_no_overdue_at_all() -> None:
    none_after = ReminderSettings(overdue_horizon_days=0)
    planned = plan_task_reminders(date(2022, 10, 10), VLADIVOSTOK, none_after, CALENDAR)
    assert {r.kind for r in planned} == {ReminderKind.COUNTDOWN, ReminderKind.DUE_TODAY}


# Continuous tasks


def test_continuous_task_checks_in_at_the_end_of_each_month() -> None:
    reminders = _plan(SCHOOL_YEAR_END, continuous=True, start=SCHOOL_YEAR_START)
    assert _days(reminders, ReminderKind.CHECK_IN) == [
        date(2022, 9, 30),
        date(2022, 10, 31),
        date(2022, 11, 30),
        date(2022, 12, 30),  # 31.12.2022 is a Saturday
        date(2023, 1, 31),
        date(2023, 2, 28),
        date(2023, 3, 31),
        date(2023, 4, 28),  # 29–30.04.2023 is a weekend
        # 31.05.2023 is the due date itself: its "due today" speaks for May.
    ]
    assert _days(reminders, ReminderKind.COUNTDOWN, ReminderKind.DUE_TODAY) == [
        date(2023, 5, 24),
        date(2023, 5, 26),
        date(2023, 5, 30),
        date(2023, 5, 31),
    ]
    assert all(r.days_before == 0 for r in reminders if r.kind is ReminderKind.CHECK_IN)


def test_continuous_task_needs_a_sensible_period() -> None:
    with pytest.raises(ValueError, match="start"):
        _plan(SCHOOL_YEAR_END, continuous=True)
    with pytest.raises(ValueError, match="starts after"):
        _plan(SCHOOL_YEAR_START, continuous=True, start=SCHOOL_YEAR_END)


def test_nothing_is_planned_before_start() -> None:
    late = _plan(date(2022, 10, 10), start=date(2022, 10, 5))
    assert late[0].local_day == date(2022, 10, 7)
    short = _plan(date(2022, 10, 14), continuous=True, start=date(2022, 10, 3))
    assert _days(short, ReminderKind.CHECK_IN) == []
    assert _days(short, ReminderKind.COUNTDOWN)[0] == date(2022, 10, 7)


# Settings


@pytest.mark.parametrize(
    "wrong",
    [
        {"offsets_days": (7, -1)},
        {"overdue_weekdays": (7,)},
        {"overdue_daily_days": -1},
        {"overdue_horizon_days": -1},
        {"escalate_after_working_days": 0},
        {"morning": time(9, 0, tzinfo=UTC)},
    ],
)
def test_settings_refuse_nonsense(wrong: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        ReminderSettings(**wrong)  # type: ignore[arg-type]


def test_quiet_hours_wrap_midnight() -> None:
    assert DEFAULT.is_quiet(time(21, 0))
    assert DEFAULT.is_quiet(time(2, 0))
    assert DEFAULT.is_quiet(time(7, 59))
    assert not DEFAULT.is_quiet(time(8, 0))
    assert not DEFAULT.is_quiet(time(20, 59, 59))
    assert not ReminderSettings(quiet_start=time(8), quiet_end=time(8)).is_quiet(time(3))
    daytime = ReminderSettings(quiet_start=time(13), quiet_end=time(14))
    assert daytime.is_quiet(time(13, 30))
    assert not daytime.is_quiet(time(14))


# Properties


reminder_settings = st.builds(
    ReminderSettings,
    offsets_days=st.lists(st.integers(0, 40), max_size=6).map(tuple),
    morning=st.times(),
    quiet_start=st.times(),
    quiet_end=st.times(),
    overdue_daily_days=st.integers(0, 5),
    overdue_weekdays=st.lists(st.integers(0, 6), max_size=7, unique=True).map(tuple),
    escalate_after_working_days=st.integers(1, 10),
    overdue_horizon_days=st.integers(0, 90),
)
due_dates = st.dates(date(2022, 1, 1), date(2030, 12, 31))
zones = st.sampled_from(ZONES).map(ZoneInfo)


@settings(max_examples=300, deadline=None)
@given(
    due=due_dates,
    zone=zones,
    config=reminder_settings,
    continuous=st.booleans(),
    period=st.integers(0, 400),
)
def test_every_reminder_is_a_working_morning(
    due: date, zone: ZoneInfo, config: ReminderSettings, continuous: bool, period: int
) -> None:
    start = due - timedelta(days=period) if continuous else None
    planned = plan_task_reminders(due, zone, config, CALENDAR, continuous=continuous, start=start)
    keys = [(r.kind, r.local_day) for r in planned]
    assert len(keys) == len(set(keys))
    assert planned == sorted(planned, key=lambda r: (r.at, list(ReminderKind).index(r.kind)))
    for reminder in planned:
        assert reminder.at.utcoffset() == timedelta(0)
        local = reminder.at.astimezone(zone)
        assert local.date() == reminder.local_day
        assert local.time() == config.send_time
        assert local.time() in (config.morning, config.quiet_end)
        assert not config.is_quiet(local.time())
        assert CALENDAR.is_working(reminder.local_day)
        if start is not None:
            assert reminder.local_day >= start
        if reminder.kind in (ReminderKind.COUNTDOWN, ReminderKind.DUE_TODAY):
            assert reminder.local_day <= due
            assert reminder.days_before in config.offsets_days
            assert (reminder.days_before == 0) == (reminder.kind is ReminderKind.DUE_TODAY)
        elif reminder.kind is ReminderKind.CHECK_IN:
            assert reminder.local_day < due
            assert reminder.days_before == 0
        else:
            assert due < reminder.local_day <= due + timedelta(days=config.overdue_horizon_days)
            assert reminder.days_before == (due - reminder.local_day).days


@settings(max_examples=200, deadline=None)
@given(due=due_dates, zone=zones, config=reminder_settings)
def test_one_reminder_per_offset_day_and_one_escalation(
    due: date, zone: ZoneInfo, config: ReminderSettings
) -> None:
    planned = plan_task_reminders(due, zone, config, CALENDAR)
    countdown = _days(planned, ReminderKind.COUNTDOWN, ReminderKind.DUE_TODAY)
    wanted = {
        CALENDAR.previous_working_day(due - timedelta(days=offset))
        for offset in config.offsets_days
    }
    assert sorted(countdown) == sorted(wanted)
    escalations = _days(planned, ReminderKind.ESCALATION)
    horizon = due + timedelta(days=config.overdue_horizon_days)
    if CALENDAR.working_days_between(due, horizon) >= config.escalate_after_working_days:
        assert len(escalations) == 1
        assert (
            CALENDAR.working_days_between(due, escalations[0])
            == config.escalate_after_working_days
        )
    else:
        assert escalations == []
    # Independent of the planner's walk: look at every calendar day up to the horizon.
    expected = [
        day
        for day in (due + timedelta(days=n) for n in range(1, config.overdue_horizon_days + 1))
        if CALENDAR.is_working(day)
        and (
            CALENDAR.working_days_between(due, day) <= config.overdue_daily_days
            or day.weekday() in config.overdue_weekdays
        )
    ]
    assert _days(planned, ReminderKind.OVERDUE) == expected


@settings(max_examples=100, deadline=None)
@given(start=st.dates(date(2022, 1, 1), date(2029, 12, 31)), months=st.integers(0, 24))
def test_check_ins_close_each_month(start: date, months: int) -> None:
    due = start + timedelta(days=months * 30)
    planned = plan_task_reminders(
        due, VLADIVOSTOK, DEFAULT, CALENDAR, continuous=True, start=start
    )
    check_ins = _days(planned, ReminderKind.CHECK_IN)
    for day in check_ins:
        following = day + timedelta(days=1)
        while following.month == day.month:
            assert not CALENDAR.is_working(following)
            following += timedelta(days=1)
    # Every month end inside the period has one, unless the deadline's own reminders cover it.
    others = set(_days(planned, ReminderKind.COUNTDOWN, ReminderKind.DUE_TODAY))
    month_end = start.replace(day=1) + timedelta(days=32)
    while (month_end := month_end.replace(day=1) - timedelta(days=1)) < due:
        last = CALENDAR.previous_working_day(month_end)
        if start <= last < due and last not in others:
            assert last in check_ins
        month_end += timedelta(days=32)
