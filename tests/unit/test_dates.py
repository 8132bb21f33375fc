from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.dates import MAX_MONTHS_AHEAD, add_months, parse_day

THURSDAY = date(2022, 11, 17)
NEW_YEARS_EVE_WEEK = date(2022, 12, 28)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Day and month: the nearest such day from today on.
        ("15.11", date(2023, 11, 15)),
        ("17.11", THURSDAY),
        ("18.11", date(2022, 11, 18)),
        ("1.1", date(2023, 1, 1)),
        ("01.01", date(2023, 1, 1)),
        ("15/12", date(2022, 12, 15)),
        ("15-12", date(2022, 12, 15)),
        ("29.02", date(2024, 2, 29)),
        # With a year: exactly that day, even a past one (the caller decides what to say).
        ("15.11.2022", date(2022, 11, 15)),
        ("15.11.22", date(2022, 11, 15)),
        ("15.11.23", date(2023, 11, 15)),
        ("15.11 2023", date(2023, 11, 15)),
        ("15.11.2022 г.", date(2022, 11, 15)),
        ("15.11.2022г.", date(2022, 11, 15)),
        ("15.11.2022 года", date(2022, 11, 15)),
        ("2022-12-01", date(2022, 12, 1)),
        ("29.02.2024", date(2024, 2, 29)),
        # Spelled months, in any case, full or short.
        ("15 ноября", date(2023, 11, 15)),
        ("20 декабря", date(2022, 12, 20)),
        ("до 20 декабря", date(2022, 12, 20)),
        ("к 1 сентября", date(2023, 9, 1)),
        ("1 янв", date(2023, 1, 1)),
        ("3 мая", date(2023, 5, 3)),
        ("3 май", date(2023, 5, 3)),
        ("8 Марта", date(2023, 3, 8)),
        ("20 дек.", date(2022, 12, 20)),
        ("15 ноября 2022", date(2022, 11, 15)),
        ("15 ноября 2022 года", date(2022, 11, 15)),
        ("15 ноября 2022 г.", date(2022, 11, 15)),
        ("15 ноября 23", date(2023, 11, 15)),
        # Named days.
        ("сегодня", THURSDAY),
        ("завтра", date(2022, 11, 18)),
        ("Завтра!", date(2022, 11, 18)),
        ("на завтра", date(2022, 11, 18)),
        ("послезавтра", date(2022, 11, 19)),
        # Weekdays: strictly after today, so "четверг" on a Thursday is a week ahead.
        ("в пятницу", date(2022, 11, 18)),
        ("пятница", date(2022, 11, 18)),
        ("до пятницы", date(2022, 11, 18)),
        ("пт", date(2022, 11, 18)),
        ("Пт.", date(2022, 11, 18)),
        ("к понедельнику", date(2022, 11, 21)),
        ("понедельник", date(2022, 11, 21)),
        ("пн", date(2022, 11, 21)),
        ("во вторник", date(2022, 11, 22)),
        ("ко вторнику", date(2022, 11, 22)),
        ("в среду", date(2022, 11, 23)),
        ("четверг", date(2022, 11, 24)),
        ("в четверг", date(2022, 11, 24)),
        ("в субботу", date(2022, 11, 19)),
        ("в воскресенье", date(2022, 11, 20)),
        ("к воскресенью", date(2022, 11, 20)),
        ("вс", date(2022, 11, 20)),
        # Relative counts.
        ("через день", date(2022, 11, 18)),
        ("через 1 день", date(2022, 11, 18)),
        ("через 3 дня", date(2022, 11, 20)),
        ("через 10 дней", date(2022, 11, 27)),
        ("через два дня", date(2022, 11, 19)),
        ("через пару дней", date(2022, 11, 19)),
        ("через неделю", date(2022, 11, 24)),
        ("через 2 недели", date(2022, 12, 1)),
        ("через две недели", date(2022, 12, 1)),
        ("через 5 недель", date(2022, 12, 22)),
        ("через месяц", date(2022, 12, 17)),
        ("через 3 месяца", date(2023, 2, 17)),
        # Tolerance: case, ё, spaces and punctuation.
        ("  ДО   15.12 ,", date(2022, 12, 15)),
        ("«через неделю»", date(2022, 11, 24)),
        ("15.12.", date(2022, 12, 15)),
        ("ЧЕТВЕРГ", date(2022, 11, 24)),
    ],
)
def test_forms_on_a_thursday(text: str, expected: date) -> None:
    assert parse_day(text, THURSDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28.12", NEW_YEARS_EVE_WEEK),
        ("27.12", date(2023, 12, 27)),
        ("15.01", date(2023, 1, 15)),
        ("5 января", date(2023, 1, 5)),
        ("в понедельник", date(2023, 1, 2)),
        ("через неделю", date(2023, 1, 4)),
        ("через 5 дней", date(2023, 1, 2)),
        ("через месяц", date(2023, 1, 28)),
    ],
)
def test_forms_roll_over_the_new_year(text: str, expected: date) -> None:
    assert parse_day(text, NEW_YEARS_EVE_WEEK) == expected


def test_yo_is_read_as_e() -> None:
    # None of the words has ё; a stray one (a habit of some keyboards) still reads.
    assert parse_day("чЁрез 2 недели", THURSDAY) == date(2022, 12, 1)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2023, 1, 31), date(2023, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2022, 3, 31), date(2022, 4, 30)),
        (date(2022, 12, 15), date(2023, 1, 15)),
    ],
)
def test_a_month_later_is_clamped_to_the_month_end(today: date, expected: date) -> None:
    assert parse_day("через месяц", today) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?!",
        "15",
        "31.02",
        "31.04.2023",
        "29.02.2023",
        "00.11",
        "15.00",
        "15.13",
        "32.01",
        "15.11.202",
        "15.11.1999",
        "15.11.2100",
        "15 ноября 202",
        "31 февраля",
        "15 брюмера",
        "ноября 15",
        "15 ноября завтра",
        "завтра завтра",
        "вчера",
        "до",
        "г.",
        "через",
        "через 3",
        "через три",
        "через 3 года",
        "через 3 попугая",
        "через 1000 дней",
        "через 200 недель",
        "через 25 месяцев",
        "следующий понедельник",
        "15.11 в 18:00",
        "tomorrow",
        "١٥.١١",
        "15,11",
        "15 . 11",
        "пятницу завтра",
        "x" * 1000,
    ],
)
def test_what_names_no_day_is_none(text: str) -> None:
    assert parse_day(text, THURSDAY) is None


def test_the_ends_of_the_calendar_are_not_errors() -> None:
    assert parse_day("завтра", date.max) is None
    assert parse_day("через месяц", date(9999, 12, 1)) is None
    assert parse_day("31.12", date.max) == date.max
    assert parse_day("01.01", date.max) is None


def test_add_months_keeps_the_day_when_it_can() -> None:
    assert add_months(date(2022, 11, 17), 1) == date(2022, 12, 17)
    assert add_months(date(2022, 11, 17), 14) == date(2024, 1, 17)
    assert add_months(date(2022, 1, 31), -2) == date(2021, 11, 30)
    with pytest.raises(OverflowError):
        add_months(date(9999, 12, 1), 1)


@given(st.text(max_size=120), st.dates())
def test_never_raises(text: str, today: date) -> None:
    parse_day(text, today)


_WORDS = st.sampled_from(
    [
        "до",
        "к",
        "в",
        "на",
        "через",
        "завтра",
        "пятницу",
        "ноября",
        "февраля",
        "дней",
        "неделю",
        "месяца",
        "г.",
        "года",
        "15",
        "29",
        "31",
        "15.11",
        "29.02",
        "31.02.22",
        "2022",
        "0",
        "9999",
        ".",
        ",",
    ]
)


@given(st.lists(_WORDS, max_size=5).map(" ".join), st.dates())
def test_never_raises_on_near_misses(text: str, today: date) -> None:
    parse_day(text, today)


_RELATIVE = st.one_of(
    st.sampled_from(
        [
            "сегодня",
            "завтра",
            "послезавтра",
            "в пятницу",
            "пн",
            "к воскресенью",
            "через неделю",
            "через месяц",
            "через пару недель",
        ]
    ),
    st.builds("через {} дней".format, st.integers(0, 2000)),
    st.builds("через {} недель".format, st.integers(0, 300)),
    st.builds("через {} месяцев".format, st.integers(0, 40)),
)
_TODAY = st.dates(date(2000, 1, 1), date(2099, 12, 31))


@given(_RELATIVE, _TODAY)
def test_relative_forms_stay_within_two_years(text: str, today: date) -> None:
    day = parse_day(text, today)
    if day is not None:
        assert today <= day <= add_months(today, MAX_MONTHS_AHEAD)


@given(st.integers(1, 31), st.integers(1, 12), _TODAY)
def test_a_day_without_a_year_is_the_nearest_one_ahead(day: int, month: int, today: date) -> None:
    result = parse_day(f"{day}.{month}", today)
    if result is None:
        assert (day, month) in {(30, 2), (31, 2), (31, 4), (31, 6), (31, 9), (31, 11)}
        return
    assert (result.day, result.month) == (day, month)
    assert result >= today
    limit = timedelta(days=8 * 366) if (day, month) == (29, 2) else timedelta(days=366)
    assert result - today < limit
    # Nothing nearer: the year before is either impossible or already past.
    try:
        earlier = result.replace(year=result.year - 1)
    except ValueError:
        return
    assert earlier < today


@given(_TODAY, _TODAY)
def test_the_bots_own_format_round_trips(day: date, today: date) -> None:
    assert parse_day(day.strftime("%d.%m.%Y"), today) == day
