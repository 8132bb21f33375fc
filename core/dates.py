"""Days as people in Russia type them: "15.11", "15 ноября", "через неделю", "в пятницу".

Everything is relative to `today`, the organisation's local date, so the parser needs no clock
and no time zone. Anything it does not recognise is None, never an exception: the caller asks
again or offers the calendar.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

# Longer texts are not a date; the limit also keeps the work per message small.
MAX_TEXT_LENGTH = 100
# Relative forms ("через 40 недель") further ahead are typos, not deadlines.
MAX_MONTHS_AHEAD = 24
# A school deadline with a four-digit year outside this range is a typo; two-digit years are 20xx.
MIN_YEAR, MAX_YEAR = 2000, 2099

_PREFIXES = frozenset({"до", "к", "ко", "на", "в", "во", "по"})
_YEAR_WORDS = frozenset({"г", "год", "года", "году"})

_WEEKDAYS = {
    word: number
    for number, words in enumerate(
        (
            "понедельник понедельника понедельнику пн пон",
            "вторник вторника вторнику вт",
            "среда среду среды среде ср",
            "четверг четверга четвергу чт",
            "пятница пятницу пятницы пятнице пт",
            "суббота субботу субботы субботе сб",
            "воскресенье воскресенья воскресенью вс",
        )
    )
    for word in words.split()
}

_MONTHS = {
    word: number
    for number, words in enumerate(
        (
            "январь января янв",
            "февраль февраля фев февр",
            "март марта мар",
            "апрель апреля апр",
            "май мая",
            "июнь июня июн",
            "июль июля июл",
            "август августа авг",
            "сентябрь сентября сен сент",
            "октябрь октября окт",
            "ноябрь ноября ноя нояб",
            "декабрь декабря дек",
        ),
        start=1,
    )
    for word in words.split()
}

_NUMBER_WORDS = {
    "один": 1,
    "одну": 1,
    "одни": 1,
    "два": 2,
    "две": 2,
    "пару": 2,
    "три": 3,
    "четыре": 4,
    "пять": 5,
    "шесть": 6,
    "семь": 7,
    "восемь": 8,
    "девять": 9,
    "десять": 10,
}

_DAY_UNITS = frozenset({"день", "дня", "дней", "дн", "сутки", "суток"})
_WEEK_UNITS = frozenset({"неделя", "неделю", "недели", "недель", "нед"})
_MONTH_UNITS = frozenset({"месяц", "месяца", "месяцев", "мес"})

_NAMED_DAYS = {"сегодня": 0, "завтра": 1, "послезавтра": 2}

# 15.11, 15.11.2022, 15.11.22, 15/11/2022, 15-11; ASCII digits only ("١٥" is not a day).
_DAY_MONTH_RE = re.compile(r"([0-9]{1,2})[./-]([0-9]{1,2})(?:[./-]([0-9]{2}|[0-9]{4}))?")
_ISO_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DAY_RE = re.compile(r"[0-9]{1,2}")
_YEAR_RE = re.compile(r"[0-9]{2}|[0-9]{4}")
_COUNT_RE = re.compile(r"[0-9]{1,4}")
# A year glued to its abbreviation: "2022г".
_GLUED_YEAR_RE = re.compile(r"([0-9.]*[0-9])(?:г|года|год)")
# Everything but letters, digits and the separators inside "15.11.2022" splits words.
_SEPARATORS_RE = re.compile(r"[^\w./-]+|_")


def format_day(value: date) -> str:
    """A day as people in Russia write it: 04.10.2022."""
    return value.strftime("%d.%m.%Y")


def parse_day(text: str, today: date) -> date | None:
    """The day `text` names, counted from `today`, or None when it names none."""
    if len(text) > MAX_TEXT_LENGTH:
        return None
    words = _words(text)
    if not words:
        return None
    try:
        for parse in _FORMS:
            day = parse(words, today)
            if day is not None:
                return day
    except OverflowError:
        # Only near date.max: "завтра" on 9999-12-31 names no day.
        return None
    return None


def add_months(day: date, months: int) -> date:
    """The same day `months` later, moved back to the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date value out of range")
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _words(text: str) -> list[str]:
    cleaned = _SEPARATORS_RE.sub(" ", text.lower().replace("ё", "е"))
    words = [word.strip("./-") for word in cleaned.split()]
    words = [word for word in words if word]
    while words and words[0] in _PREFIXES:
        words.pop(0)
    if len(words) >= 2 and words[-1] in _YEAR_WORDS and words[-2][-1:].isdigit():
        words.pop()
    if words:
        glued = _GLUED_YEAR_RE.fullmatch(words[-1])
        if glued:
            words[-1] = glued.group(1)
    return words


def _named_day(words: list[str], today: date) -> date | None:
    if len(words) != 1 or words[0] not in _NAMED_DAYS:
        return None
    return today + timedelta(days=_NAMED_DAYS[words[0]])


def _weekday(words: list[str], today: date) -> date | None:
    if len(words) != 1 or words[0] not in _WEEKDAYS:
        return None
    # Strictly after today: on a Friday, "в пятницу" is a week ahead.
    ahead = (_WEEKDAYS[words[0]] - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def _relative(words: list[str], today: date) -> date | None:
    if not 2 <= len(words) <= 3 or words[0] != "через":
        return None
    if len(words) == 2:
        count, unit = 1, words[1]
    elif _COUNT_RE.fullmatch(words[1]):
        count, unit = int(words[1]), words[2]
    elif words[1] in _NUMBER_WORDS:
        count, unit = _NUMBER_WORDS[words[1]], words[2]
    else:
        return None
    if unit in _DAY_UNITS:
        day = today + timedelta(days=count)
    elif unit in _WEEK_UNITS:
        day = today + timedelta(weeks=count)
    elif unit in _MONTH_UNITS:
        if count > MAX_MONTHS_AHEAD:
            return None
        day = add_months(today, count)
    else:
        return None
    return day if day <= add_months(today, MAX_MONTHS_AHEAD) else None


def _numeric(words: list[str], today: date) -> date | None:
    if len(words) == 1:
        iso = _ISO_RE.fullmatch(words[0])
        if iso:
            return _dated(int(iso.group(3)), int(iso.group(2)), iso.group(1))
    if len(words) > 2:
        return None
    match = _DAY_MONTH_RE.fullmatch(words[0])
    if match is None:
        return None
    year = match.group(3)
    if len(words) == 2:
        # "15.11 2022": the year as a word of its own.
        if year is not None or not _YEAR_RE.fullmatch(words[1]):
            return None
        year = words[1]
    return _day_month_year(int(match.group(1)), int(match.group(2)), year, today)


def _spelled_month(words: list[str], today: date) -> date | None:
    if not 2 <= len(words) <= 3 or not _DAY_RE.fullmatch(words[0]) or words[1] not in _MONTHS:
        return None
    year = words[2] if len(words) == 3 else None
    if year is not None and not _YEAR_RE.fullmatch(year):
        return None
    return _day_month_year(int(words[0]), _MONTHS[words[1]], year, today)


def _day_month_year(day: int, month: int, year: str | None, today: date) -> date | None:
    if year is not None:
        return _dated(day, month, year)
    # No year: the nearest such day from today on; 29.02 may be up to eight years away.
    for candidate_year in range(today.year, min(today.year + 9, 10000)):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _dated(day: int, month: int, year_text: str) -> date | None:
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


_FORMS: tuple[Callable[[list[str], date], date | None], ...] = (
    _named_day,
    _weekday,
    _relative,
    _numeric,
    _spelled_month,
)


# «с 01.09.2022 по 31.12.2022», «01.09.2022 – 31.12.2022», «1 сентября - 31 декабря»
_RANGE_SPLIT_RE = re.compile(r"\s+(?:по|до)\s+|\s*[–—]\s*|\s+-\s+|(?<=\d)-(?=\d{1,2}[./])")


def parse_days(text: str, today: date) -> tuple[date, date] | None:
    """The first and last day of a period typed as two days, counted from `today`; None
    unless the text names exactly two days in that order (the same day twice is one day)."""
    if len(text) > MAX_TEXT_LENGTH:
        return None
    cleaned = re.sub(r"^(?:с|со|from)\s+", "", text.strip(), flags=re.IGNORECASE)
    parts = [part for part in _RANGE_SPLIT_RE.split(cleaned) if part.strip()]
    if len(parts) != 2:
        return None
    first, last = (parse_day(part, today) for part in parts)
    if first is None or last is None or last < first:
        return None
    return first, last
