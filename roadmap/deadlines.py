"""Turns a roadmap's deadline cell ("Сроки проведения", "Периодичность") into due dates.

People type these cells by hand, so the reader is built from a few general rules rather than
from the strings seen so far:

1. *Phrases* are found first: a rhythm ("ежемесячно", "по окончании каждой учебной четверти"),
   an ongoing activity ("в течение года", "постоянно") or dates kept elsewhere ("по отдельному
   графику", "по запросу").
2. *Items* are found next: dates ("до 04.10.2022 г.", "20 января"), months ("февраль 2023"),
   numbered quarters and half-years ("I полугодие"), years ("2023 г.") and year spans
   ("2022-2023 учебный год", "с 2023 по 2028 г.г.").
3. Two items joined by a dash, "по" or "до" form a range; two bare dates side by side do too
   (the dash between them got lost), unless a line break parts them or a third date follows.
   Other items form a list: commas, semicolons, "и" and line breaks all part its items. Items
   without a year take it from their neighbours (the start of a range from its end, the year
   before when its day comes later: "25.12.-10.01.2024"), or else from the roadmap's period.
   A two-digit year is 20YY, and said when it falls outside the period.

Before the rules, a word one letter off a word they key on ("ежемесечно", "сентебря") is read
as that word and said (``roadmap.spelling``); the cell's lines are kept, as they part a list.
Whatever the rules do not explain is reported as a warning; the cell text itself is kept as is.
A single date is a point: ``start`` is None and ``due`` holds the date, with or without "до".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

from roadmap.calendar import DEFAULT_CALENDAR, AcademicCalendar, MonthDay
from roadmap.period import Period, add_years, month_end, normalise
from roadmap.spelling import Lexicon
from roadmap.warnings import ParseWarning


class DeadlineKind(StrEnum):
    DATE = "date"
    SERIES = "series"
    CONTINUOUS = "continuous"
    ON_REQUEST = "on_request"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Deadline:
    text: str  # the original cell text, untouched
    kind: DeadlineKind
    start: date | None
    due: tuple[date, ...]  # sorted, unique
    warnings: tuple[ParseWarning, ...]


# Dates further than this from the roadmap's period are typos, not plans.
PLAUSIBLE_YEARS = 5

_YEAR = r"(?:19|20|21)\d\d"
_G = r"г(?![а-я])\s*\.?"  # "г." for "год", never the start of a word
_YEAR_WORD = rf"(?:\s*(?:{_G}\s*{_G}|г{_G}|год(?:ы|ов|а|у)?(?![а-я])|{_G}))?"
# "учебного года", "учебный год", "учеб. года", "уч.г."
_SCHOOL = r"уч(?:еб(?:н[а-я]*)?)?(?![а-я])\s*\.?"
_YEAR_NOUN = r"(?:год[а-я]*|г(?![а-я])\s*\.?)"
_SCHOOL_YEAR = rf"{_SCHOOL}\s*{_YEAR_NOUN}"
_SCHOOL_WORD = rf"(?P<school>\s*{_SCHOOL_YEAR})?"
_MONTH = (
    r"(?<![а-я])(?P<month>январ[а-я]*|янв|феврал[а-я]*|февр?|март[а-я]*|мар|апрел[а-я]*|апр"
    r"|ма[йяею]|июн[а-я]*|июл[а-я]*|август[а-я]*|авг|сентябр[а-я]*|сент?|октябр[а-я]*|окт"
    r"|ноябр[а-я]*|нояб?|декабр[а-я]*|дек)(?![а-я])\.?"
)
# "мар" must be tried before "ма" (май), hence this order.
_MONTH_STEMS = ("янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")

_NUMBERED_RE = re.compile(
    r"(?<![а-яa-z\d.])(?P<n>iv|iii|ii|i|[1-4])(?:\s*-?\s*[а-я]{1,2}(?![а-я]))?\s*"
    r"(?P<unit>четверт|квартал|полугоди)[а-я]*"
    rf"(?:\s*(?P<a>{_YEAR})(?:\s*(?:{_G}\s*)?[-/]\s*(?P<b>{_YEAR}|\d\d)(?!\d))?(?!\d))?"
    + _YEAR_WORD
    + _SCHOOL_WORD
)
_TEXT_DATE_RE = re.compile(
    r"(?<![\d.,/])(?:(?P<d0>\d{1,2})\s*(?:-|по|до)\s*)?(?P<d>\d{1,2})(?!\d)(?:\s*-?\s*го)?\s*"
    + _MONTH
    + rf"(?:\s*(?P<y>{_YEAR})(?!\d))?"
    + _YEAR_WORD
)
# Separators are taken loosely ("15.-06.2023") so that a typo is read and reported, not lost.
# A date starts after no digit, nor after a digit and a dot (the middle of "01.10.2022"); a stray
# dot before it (".12.05.2024") or after it ("9.02.25.") is no part of it. A comma after it
# starts the next date of a list ("12.09.2023, 14.11.2023").
_NOT_AFTER_A_NUMBER = r"(?<!\d)(?<!\d[./])"
# The first day of a range within one month: "12-16.03.2024", "с 12 по 16.03".
_FIRST_DAY = r"(?:(?P<d0>\d{1,2})\s*(?:-|по|до)\s*)?"
_DATE_RE = re.compile(
    _NOT_AFTER_A_NUMBER
    + _FIRST_DAY
    + r"(?P<d>\d{1,2})(?P<s1>\s*[.,/-]{1,3}\s*)(?P<m>\d{1,2})(?P<s2>\s*[.,/-]{1,3}\s*)"
    r"(?P<y>\d{4}|\d\d)(?!\d)(?!\s*[./]\s*\d)" + _YEAR_WORD
)
# "10.11." before a dash is the first end of a range: its dot is taken with it.
_DAY_MONTH_RE = re.compile(
    _NOT_AFTER_A_NUMBER
    + _FIRST_DAY
    + r"(?P<d>\d{1,2})\s*\.\s*(?P<m>0[1-9]|1[0-2])(?!\d)(?!\s*\.\s*\d)(?:\s*\.)?"
)
_MONTH_RE = re.compile(_MONTH + rf"(?:\s*,?\s*(?P<y>{_YEAR})(?!\d))?" + _YEAR_WORD)
_YEARS_RE = re.compile(
    rf"(?<![\d.,/])(?P<a>{_YEAR})(?!\d)(?:\s*(?:{_G}\s*{_G}|г{_G}|{_G}))?"
    rf"(?:\s*(?:-|/|по|до)\s*(?P<b>{_YEAR}|\d\d)(?!\d)(?!\s*[.,]\s*\d))?"
    + _YEAR_WORD
    + _SCHOOL_WORD
)

_START_OF_YEAR_RE = re.compile(rf"(?<![а-я])в\s*начал[еао]\s*(?P<each>каждого\s*)?{_SCHOOL_YEAR}")
# "по окончании", and the common "по окончанию".
_ENDING = r"по\s*(?:итогам|окончани[а-я]*|завершени[а-я]*)"
_END_OF_YEAR_RE = re.compile(
    rf"(?<![а-я])(?:(?:в|до|к)\s*конц[еау]|{_ENDING})\s*(?P<each>каждого\s*)?{_SCHOOL_YEAR}"
)
_AFTER = rf"(?:{_ENDING}|в\s*конце)\s*"
_HALF_YEAR_RE = re.compile(
    rf"(?<![а-я])(?:по\s*(?:учебным\s*)?полугодиям|{_AFTER}(?:каждого\s*)?(?:учебного\s*)?"
    r"полугоди[а-я]*|кажд[а-я]*\s*(?:учебн[а-я]*\s*)?полугоди[а-я]*|(?:\d\s*)?раза?\s*в\s*"
    r"полугоди[а-я]*|(?:2|два)\s*раза\s*в\s*(?:учебный\s*)?год|дважды\s*в\s*(?:учебный\s*)?год"
    r"|полугодов[а-я]*)"
)
_SCHOOL_QUARTER_RE = re.compile(
    rf"(?<![а-я])(?:{_AFTER}(?:каждой\s*)?(?:учебной\s*)?четверт[а-я]*|по\s*(?:учебным\s*)?"
    r"четвертям|кажд[а-я]*\s*(?:учебн[а-я]*\s*)?четверт[а-я]*|(?:\d\s*)?раза?\s*в\s*(?:учебную\s*)?"
    r"четверть|(?:4|четыре)\s*раза\s*в\s*(?:учебный\s*)?год|ежечетвертн[а-я]*)"
)
_QUARTER_RE = re.compile(
    rf"(?<![а-я])(?:ежекварталь?н[а-я]*|поквартальн[а-я]*|по\s*кварталам|{_AFTER}(?:каждого\s*)?"
    r"квартал[а-я]*|кажд[а-я]*\s*квартал[а-я]*|(?:\d\s*)?раза?\s*в\s*квартал)"
)
_MONTHLY_RE = re.compile(
    rf"(?<![а-я])(?:ежемесячн[а-я]*|помесячн[а-я]*|по\s*месяцам|{_AFTER}(?:каждого\s*)?месяца"
    r"|кажд[а-я]*\s*месяц[а-я]*|(?:\d+\s*)?раза?\s*в\s*месяц)"
)
# "до 5 числа каждого месяца": a monthly rhythm on that day.
_DAY_OF_MONTH_RE = re.compile(
    r"(?<![а-я\d])(?:(?:до|к|не\s*позднее)\s*)?(?P<day>\d{1,2})\s*(?:-?\s*г?о\s*)?числа"
    r"(?:\s*(?:каждого|следующего|текущего)?\s*месяца)?"
)
_WEEKLY_RE = re.compile(
    r"(?<![а-я])(?:еженедельн[а-я]*|по\s*неделям|кажд[а-я]*\s*недел[а-я]*"
    r"|(?:\d+\s*)?раза?\s*в\s*неделю)"
)
_WEEKDAY_RE = re.compile(
    r"(?<![а-я])(?:по|каждую|каждый|каждое)\s*"
    r"(?P<day>понедельник|вторник|сред|четверг|пятниц|суббот|воскресень)[а-я]*"
)
_WEEKDAYS = ("понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень")
_OF_WHAT = r"(?:\s*реализации)?(?:\s*(?:проекта|программы|дорожной\s*карты))?"
_CONTINUOUS_RE = re.compile(
    r"(?<![а-я])(?:(?:в\s*теч(?:ени[еиюя]?|\s*\.)|на\s*протяжении|в\s*ходе)"
    r"(?:\s*(?:всего|всех|каждого|текущего|этого|данного))?"
    rf"(?:\s*(?:{_SCHOOL}|календарного|отчетного))?"
    rf"(?:\s*(?:года|г(?![а-я])\s*\.?|периода|срока|учебных\s*лет|лет))?{_OF_WHAT}"
    r"|постоянн[а-я]*|систематическ[а-я]*|регулярн[а-я]*|ежедневн[а-я]*|круглогодичн[а-я]*"
    rf"|непрерывн[а-я]*|весь\s*период{_OF_WHAT}|в\s*период\s*реализации{_OF_WHAT}"
    r"|в\s*постоянном\s*режиме)"
)
_YEARLY_RE = re.compile(
    r"(?<![а-я])(?:ежегодн[а-я]*|кажд[а-я]*\s*(?:учебн[а-я]*\s*|календарн[а-я]*\s*)?год[а-я]*"
    r"|(?:1\s*|один\s*)?раз\s*в\s*(?:учебный\s*)?год)"
)
_ADJECTIVES = r"(?:[а-я]+(?:ому|ему|ым|им|ыми|ими|ой|ей|ом|ем)\s*){0,2}"
_PLANS = r"(?:график|план|расписани|положени|приказ|программ|заявк)[а-я]*"
_ON_REQUEST_RE = re.compile(
    rf"(?<![а-я])(?:по\s*{_ADJECTIVES}(?:график|план|расписани)[а-я]*"
    rf"|(?:в\s*соответстви[а-я]*?\s*со?|согласно)\s*{_ADJECTIVES}{_PLANS}"
    r"|(?:по|при)\s*(?:мере\s*)?необходим[а-я]*|по\s*мере\s*[а-я]+|по\s*запрос[а-я]*(?:\s*сторон)?"
    r"|по\s*(?:требовани|согласовани|заявк|приглашени)[а-я]*|в\s*рабочем\s*порядке"
    r"|(?:сроки\s*)?(?:будут\s*)?уточн[а-я]*)"
)

_EXCEPT_RE = re.compile(r"(?<![а-я])(?:кроме|за\s*исключением|исключая)(?![а-я])")
_RANGE_JOIN_RE = re.compile(r"\s*(?:-+\s*(?:по|до)?|по|до)\s*")
_UNTIL_RE = re.compile(r"(?<![а-я])(?:(?:до|к|в)\s*конц[аеу]|не\s*позднее|не\s*позже|до|по|к)\s*$")
_SINCE_RE = re.compile(r"(?<![а-я])(?:начиная\s*с|со|с)\s*$")
_WORD_RE = re.compile(r"[а-яa-z0-9]+")
# Words that only frame a date ("до", "г.", "учебного года") and say nothing when left over.
_FILLER = frozenset({
    "а", "в", "во", "до", "за", "и", "или", "к", "на", "не", "по", "позднее", "позже", "с", "со",
    "срок", "сроки", "срока", "также", "течение", "включительно", "г", "гг", "год", "года",
    "году", "годы", "годов", "уч", "учебный", "учебного", "учебном", "учебной", "учебная",
    "учебные", "учебных", "каждого", "каждый", "каждой", "каждом", "каждое", "итогам",
    "окончании", "окончанию", "окончания", "завершении", "завершению", "завершения",
})  # fmt: skip


# The words that carry a cell's meaning, so that a one-letter slip in them ("ежемесечно") is
# still read.
_KNOWN_NOUNS = (
    "течени", "протяжени", "календар", "месяц", "недел", "квартал", "полугоди", "четверт",
    "окончани", "завершени", "необходимост", "запрос", "требовани", "согласовани",
    "приглашени", "график", "расписани", "соответстви", "исключени", "январ", "феврал",
    "апрел", "август", "сентябр", "октябр", "ноябр", "декабр", *_WEEKDAYS,
)  # fmt: skip
_KNOWN_ADJECTIVES = (
    "учебн", "календарн", "кажд", "текущ", "постоянн", "систематическ", "регулярн", "ежедневн",
    "круглогодичн", "непрерывн", "ежегодн", "ежемесячн", "помесячн", "еженедельн",
    "ежеквартальн", "поквартальн", "квартальн", "полугодов", "ежечетвертн", "необходим",
    "отдельн", "утвержден", "утвержденн", "завершен", "завершенн", "согласован", "согласованн",
    "включительн",
)  # fmt: skip
# Words of a school's plans one letter from those above ("четвертый" from "четверти"): known,
# so never read as slips of them.
_KNOWN_NEIGHBOURS = (
    "четверт", "ученик", "учебник", "ежедневник", "еженедельник", "ежемесячник", "ежегодник",
    "отделени", "отделен", "отделенн", "учени", "учет", "учетн", "учен", "ученн", "утверждени",
    "заверени", "заверен", "заверенн",
)  # fmt: skip


@cache
def _lexicon() -> Lexicon:
    return Lexicon(_KNOWN_NOUNS, _KNOWN_ADJECTIVES, _KNOWN_NEIGHBOURS)


class _Grain(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class _Template:
    """A day or a stretch of months that recurs every year, such as "май" or "20 января"."""

    first: MonthDay
    last: MonthDay  # a day of 0 stands for the month's last day

    def dates(self, year: int) -> tuple[date, date] | None:
        last_year = year if self.last[0] >= self.first[0] else year + 1
        try:
            start = date(year, *self.first)
            month, day = self.last
            end = month_end(last_year, month) if day == 0 else date(last_year, month, day)
        except ValueError:
            return None
        return start, end

    def ending_on_or_after(self, day: date) -> tuple[date, date] | None:
        for year in (day.year - 1, day.year, day.year + 1):
            found = self.dates(year)
            if found is not None and found[1] >= day:
                return found
        return None

    def starting_on_or_after(self, day: date) -> tuple[date, date] | None:
        for year in (day.year, day.year + 1):
            found = self.dates(year)
            if found is not None and found[0] >= day:
                return found
        return None

    def starting_on_or_before(self, day: date) -> tuple[date, date] | None:
        for year in (day.year, day.year - 1):
            found = self.dates(year)
            if found is not None and found[0] <= day:
                return found
        return None


@dataclass(frozen=True)
class _Item:
    """One date-like piece of the cell; an unusable one has neither span nor template."""

    begin: int
    end: int
    fragment: str
    grain: _Grain
    span: tuple[date, date] | None = None
    template: _Template | None = None
    ranged: bool = False  # the item is a range by itself: "2023-2026", "1-15 октября"


@dataclass(frozen=True)
class _Group:
    members: tuple[int, ...]  # one item, or the two ends of a range
    until: bool  # "до ...": only the end counts
    since: bool  # "с ...": from then on, to the end of the roadmap


@dataclass(frozen=True)
class _Dated:
    start: date | None
    due: date
    ongoing: bool  # a whole year or "с ...": continuous work when it stands alone


def _full_date(match: re.Match[str]) -> bool:
    """A two-digit year comes with the same separator twice: "12-16.03" is two days of March."""
    return len(match["y"]) == 4 or match["s1"].strip() == match["s2"].strip()


def _month_number(word: str) -> int:
    return next(number for number, stem in enumerate(_MONTH_STEMS, 1) if word.startswith(stem))


def _roman(text: str) -> int:
    return {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(text) or int(text)


def _full_year(text: str) -> int:
    # Two-digit years in roadmaps are always this century.
    return int(text) if len(text) == 4 else 2000 + int(text)


def _valid_month_day(month: int, day: int) -> bool:
    try:
        date(2000, month, day)  # a leap year, so 29 February passes here
    except ValueError:
        return False
    return True


def _month_ends(
    period: Period, months: Iterable[int] = range(1, 13), day: int | None = None
) -> set[date]:
    """The last day (or the given day, at most the last) of the wanted months in the period."""
    wanted = set(months)
    found: set[date] = set()
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        end = month_end(year, month)
        if day is not None:
            end = end.replace(day=min(day, end.day))
        if month in wanted and period.contains(end):
            found.add(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _weekdays(period: Period, weekday: int) -> set[date]:
    first = period.start.toordinal() + (weekday - period.start.weekday()) % 7
    return {date.fromordinal(day) for day in range(first, period.end.toordinal() + 1, 7)}


def _year_starts(period: Period) -> list[date]:
    """The starts of the period's yearly cycles: school years for a school roadmap."""
    starts: list[date] = []
    while len(starts) < 200:
        start = add_years(period.start, len(starts))
        if start > period.end or (starts and start <= starts[-1]):
            break
        starts.append(start)
    return starts


def _cycle(period: Period, start: date) -> Period:
    following = add_years(start, 1)
    if following <= start:  # the calendar ends here
        return Period(start, period.end)
    return Period(start, min(following - timedelta(days=1), period.end))


class _Reader:
    """Reads one cell; ``work`` is the normalised text with every understood part blanked out."""

    def __init__(self, text: str, period: Period, calendar: AcademicCalendar) -> None:
        self.original = text
        self.text, slips = _lexicon().correct(normalise(text, keep_lines=True))
        self.work = self.text
        self.period = period
        self.calendar = calendar
        self.warnings: list[ParseWarning] = []
        # Said, but no doubt about the cell's dates: those come after, in ``warnings``.
        self.slips = [
            ParseWarning.of("deadline.misspelt", word=slip.word, reading=slip.reading)
            for slip in slips
        ]
        self.earliest = add_years(period.start, -PLAUSIBLE_YEARS)
        self.latest = add_years(period.end, PLAUSIBLE_YEARS)
        self.each_anchor = False  # "в начале каждого учебного года" asks for every year
        self.unused = ""  # understood text that no rule could use, such as a stray "кроме ..."

    def take(
        self, pattern: re.Pattern[str], keep: Callable[[re.Match[str]], bool] = lambda _: True
    ) -> list[re.Match[str]]:
        """Every match that ``keep`` accepts, blanked out of ``work``."""
        found = [match for match in pattern.finditer(self.work) if keep(match)]
        for match in found:
            self.blank(match.start(), match.end())
        return found

    def blank(self, start: int, end: int) -> None:
        self.work = self.work[:start] + " " * (end - start) + self.work[end:]

    def fragment(self, match: re.Match[str]) -> str:
        return self.text[match.start() : match.end()].strip()

    def warn(self, code: str, **params: object) -> None:
        warning = ParseWarning.of(code, **params)
        if warning not in self.warnings:
            self.warnings.append(warning)

    # -- the result -------------------------------------------------------------------------

    def deadline(self) -> Deadline:
        if not any(character.isalnum() for character in self.text):
            return self.result(DeadlineKind.UNKNOWN, None, (), "deadline.empty")
        items = self.anchors()
        rhythms = self.rhythms()
        continuous = bool(self.take(_CONTINUOUS_RE))
        yearly = [self.fragment(match) for match in self.take(_YEARLY_RE)]
        on_request = bool(self.take(_ON_REQUEST_RE))
        exception = self.take(_EXCEPT_RE)
        items = sorted(items + self.items(), key=lambda item: item.begin)
        # "ежемесячно, кроме июля и августа": what follows "кроме" is taken out, not added.
        cut = exception[0].start() if exception else len(self.text)
        excepted = [item for item in items if item.begin > cut]
        items = [item for item in items if item.begin <= cut]
        if yearly and not items:
            rhythms.append((yearly[0], self.yearly_dates()))
        repeating = bool(rhythms or yearly)
        dated = self.dated(items, each=repeating)

        if repeating and (dated or not items):
            if dated:
                # Named days or months are the rhythm's occasions: "2 раза в год (декабрь, май)".
                due = {entry.due for entry in dated}
                starts = [entry.start for entry in dated if entry.start]
            else:
                for fragment, made in rhythms:
                    if not made:
                        self.warn("deadline.no_dates_in_period", fragment=fragment)
                due, starts = set().union(*(made for _, made in rhythms)), [self.period.start]
            if kept := {day for day in due if not _excepted(day, excepted)}:
                start = min(starts, default=min(self.period.start, *kept))
                return self.result(DeadlineKind.SERIES, start, kept)
            if due:
                self.warn("deadline.no_dates_in_period", fragment=self.text[cut:].strip())
        elif exception:
            self.unused = self.text[cut:].strip()
        if len(dated) > 1:
            starts = [entry.start for entry in dated if entry.start]
            due = {entry.due for entry in dated}
            return self.result(DeadlineKind.SERIES, min(starts, default=None), due)
        if dated:
            entry = dated[0]
            if continuous or entry.ongoing:
                start = entry.start or min(self.period.start, entry.due)
                return self.result(DeadlineKind.CONTINUOUS, start, {entry.due})
            return self.result(DeadlineKind.DATE, entry.start, {entry.due})
        if self.warnings or items or rhythms:
            return self.result(DeadlineKind.UNKNOWN, None, ())
        if on_request:
            return Deadline(self.original, DeadlineKind.ON_REQUEST, None, (), ())
        if continuous:
            return self.result(DeadlineKind.CONTINUOUS, self.period.start, {self.period.end})
        return self.result(DeadlineKind.UNKNOWN, None, ())

    def result(
        self, kind: DeadlineKind, start: date | None, due: Iterable[date], code: str = ""
    ) -> Deadline:
        if code:
            self.warn(code)
        elif kind is DeadlineKind.UNKNOWN:
            if not self.warnings:
                self.warn("deadline.unrecognised", text=self.text)
        else:
            leftover = [word for word in _WORD_RE.findall(self.work) if word not in _FILLER]
            leftover = [self.unused, *leftover] if self.unused else leftover
            if leftover:
                self.warn("deadline.unparsed_text", fragment=" ".join(leftover))
        warnings = tuple(self.slips + self.warnings)
        return Deadline(self.original, kind, start, tuple(sorted(set(due))), warnings)

    # -- phrases ------------------------------------------------------------------------------

    def anchors(self) -> list[_Item]:
        """At the start or end of the school year: a month or a day that recurs every year."""
        items: list[_Item] = []
        september = _Template((9, 1), (9, 0))
        last_lesson = self.calendar.school_year_end()
        for pattern, template, grain in (
            (_START_OF_YEAR_RE, september, _Grain.MONTH),
            (_END_OF_YEAR_RE, _Template(last_lesson, last_lesson), _Grain.DAY),
        ):
            for match in self.take(pattern):
                self.each_anchor |= match["each"] is not None
                fragment = self.fragment(match)
                items.append(_Item(match.start(), match.end(), fragment, grain, template=template))
        return items

    def rhythms(self) -> list[tuple[str, set[date]]]:
        """Every rhythm phrase with the dates it gives inside the period."""
        period, calendar = self.period, self.calendar
        day: int | None = None
        days_of_month = self.take(_DAY_OF_MONTH_RE)
        for match in days_of_month:
            if 1 <= int(match["day"]) <= 31:
                day = day or int(match["day"])
            else:
                self.warn("deadline.invalid_date", fragment=self.fragment(match))
        makers: list[tuple[re.Pattern[str], Callable[[re.Match[str]], set[date]]]] = [
            (_HALF_YEAR_RE, lambda _: set(calendar.half_year_end_dates(period))),
            (_SCHOOL_QUARTER_RE, lambda _: set(calendar.quarter_end_dates(period))),
            (_QUARTER_RE, lambda _: _month_ends(period, (3, 6, 9, 12))),
            (_MONTHLY_RE, lambda _: _month_ends(period, day=day)),
            # A weekly report is due by the end of the school week.
            (_WEEKLY_RE, lambda _: _weekdays(period, 4)),
            (_WEEKDAY_RE, lambda match: _weekdays(period, _weekday(match["day"]))),
        ]
        found: list[tuple[str, set[date]]] = []
        monthly = False
        for pattern, make in makers:
            for match in self.take(pattern):
                found.append((self.fragment(match), make(match)))
                monthly |= pattern is _MONTHLY_RE
        # "до 5 числа каждого месяца" needs no "ежемесячно" to be monthly.
        if day is not None and not monthly:
            found.append((self.fragment(days_of_month[0]), _month_ends(period, day=day)))
        return found

    def yearly_dates(self) -> set[date]:
        """Once a year: when the year's last half ends, or else when the cycle ends."""
        found: set[date] = set()
        for start in _year_starts(self.period):
            cycle = _cycle(self.period, start)
            halves = self.calendar.half_year_end_dates(cycle)
            found.add(halves[-1] if halves else cycle.end)
        return found

    # -- items --------------------------------------------------------------------------------

    def items(self) -> list[_Item]:
        items: list[_Item] = []
        for match in self.take(_NUMBERED_RE):
            items.append(self.numbered(match))
        for match in self.take(_TEXT_DATE_RE):
            items.append(self.text_date(match))
        for match in self.take(_DATE_RE, keep=_full_date):
            items.append(self.numeric_date(match))
        for match in self.take(_DAY_MONTH_RE):
            items.append(self.days(match, int(match["m"])))
        for match in self.take(_MONTH_RE):
            items.append(self.month(match))
        for match in self.take(_YEARS_RE):
            items.append(self.years(match))
        return items

    def item(
        self,
        match: re.Match[str],
        grain: _Grain,
        span: tuple[date, date] | None = None,
        template: _Template | None = None,
        ranged: bool = False,
    ) -> _Item:
        return _Item(
            match.start(), match.end(), self.fragment(match), grain, span, template, ranged
        )

    def invalid(self, match: re.Match[str], grain: _Grain) -> _Item:
        self.warn("deadline.invalid_date", fragment=self.fragment(match))
        return self.item(match, grain)

    def numbered(self, match: re.Match[str]) -> _Item:
        """A numbered quarter or half-year: "IV квартал 2023", "2 четверть 2022-2023 уч. г."."""
        number, unit = _roman(match["n"]), match["unit"]
        if unit == "квартал":
            if number > 4:
                return self.invalid(match, _Grain.MONTH)
            template = _Template((3 * number - 2, 1), (3 * number, 0))
            grain = _Grain.MONTH
        else:
            ends = (
                self.calendar.quarters_in_school_order()
                if unit == "четверт"
                else self.calendar.half_years_in_school_order()
            )
            if number > len(ends):
                return self.invalid(match, _Grain.DAY)
            template, grain = _Template(ends[number - 1], ends[number - 1]), _Grain.DAY
        if match["a"] is None:
            return self.item(match, grain, template=template)
        year = int(match["a"])
        # A school year ("2022-2023 учебного года") holds the autumn quarter of its first year.
        if match["b"] is not None or match["school"] is not None:
            span = template.ending_on_or_after(date(year, 9, 1))
        else:
            span = template.dates(year)
        return self.item(match, grain, span=span) if span else self.invalid(match, grain)

    def text_date(self, match: re.Match[str]) -> _Item:
        """A day with the month in words: "20 января 2022", "1-15 октября"."""
        return self.days(match, _month_number(match["month"]), match["y"])

    def days(self, match: re.Match[str], month: int, year: str | None = None) -> _Item:
        """A day of a month, or the days ``d0`` to ``d`` of one: "1-15 октября", "12-16.03"."""
        last = self.day_month(match, int(match["d"]), month, year)
        if match["d0"] is None or (last.span is None and last.template is None):
            return last
        first = self.day_month(match, int(match["d0"]), month, year)
        if first.span and last.span:
            span = self.ordered(first.span[0], last.span[1])
            return self.item(match, _Grain.DAY, span=span, ranged=True)
        if first.template and last.template:
            template = _Template(first.template.first, last.template.last)
            return self.item(match, _Grain.DAY, template=template, ranged=True)
        return self.item(match, _Grain.DAY)

    def numeric_date(self, match: re.Match[str]) -> _Item:
        item = self.days(match, int(match["m"]), match["y"])
        separators = {match["s1"].strip(), match["s2"].strip()}
        if item.span and (len(separators) > 1 or not separators <= {".", "/"}):
            self.warn(
                "deadline.malformed_date",
                fragment=self.fragment(match),
                date=item.span[1].isoformat(),
            )
        return item

    def day_month(
        self, match: re.Match[str], day: int, month: int, year: str | None = None
    ) -> _Item:
        if not _valid_month_day(month, day):
            return self.invalid(match, _Grain.DAY)
        template = _Template((month, day), (month, day))
        if year is None:
            return self.item(match, _Grain.DAY, template=template)
        span = template.dates(_full_year(year))
        return self.item(match, _Grain.DAY, span=span) if span else self.invalid(match, _Grain.DAY)

    def month(self, match: re.Match[str]) -> _Item:
        month = _month_number(match["month"])
        template = _Template((month, 1), (month, 0))
        if match["y"] is None:
            return self.item(match, _Grain.MONTH, template=template)
        return self.item(match, _Grain.MONTH, span=template.dates(int(match["y"])))

    def years(self, match: re.Match[str]) -> _Item:
        """A year is a calendar year; a span of years, or a year called "учебный", school years."""
        first = int(match["a"])
        if match["b"] is None:
            if match["school"] is not None:
                span = (date(first, 9, 1), date(first + 1, 8, 31))
            else:
                span = (date(first, 1, 1), date(first, 12, 31))
            return self.item(match, _Grain.YEAR, span=span)
        last = int(match["b"]) if len(match["b"]) == 4 else first // 100 * 100 + int(match["b"])
        if last == first:
            return self.item(match, _Grain.YEAR, span=(date(first, 1, 1), date(first, 12, 31)))
        if last < first:
            self.warn("deadline.range_reversed", start=str(first), end=str(last))
            first, last = last, first
        span = (date(first, 9, 1), date(last, 8, 31))
        return self.item(match, _Grain.YEAR, span=span, ranged=True)

    def ordered(self, start: date, end: date) -> tuple[date, date]:
        if end < start:
            self.warn("deadline.range_reversed", start=start.isoformat(), end=end.isoformat())
            return end, start
        return start, end

    # -- from items to dates -----------------------------------------------------------------

    def groups(self, items: list[_Item]) -> list[_Group]:
        groups: list[_Group] = []
        index, previous_end = 0, 0
        while index < len(items):
            first = items[index]
            prefix = self.work[previous_end : first.begin]
            until = _UNTIL_RE.search(prefix)
            if index + 1 < len(items) and self.joined(items, index, until is not None):
                members: tuple[int, ...] = (index, index + 1)
            else:
                members = (index,)
                following = items[index + 1].begin if index + 1 < len(items) else len(self.work)
                after = self.work[first.end : following]
                if prefix.rstrip().endswith("-") or after.lstrip().startswith("-"):
                    self.warn("deadline.range_incomplete", fragment=first.fragment)
            since = _SINCE_RE.search(prefix) if len(members) == 1 and not first.ranged else None
            for word in (until, since):
                if word is not None:
                    self.blank(previous_end + word.start(), previous_end + word.end())
            groups.append(_Group(members, until=until is not None, since=since is not None))
            index += len(members)
            previous_end = items[members[-1]].end
        return groups

    def joined(self, items: list[_Item], index: int, until: bool) -> bool:
        """Whether the item at ``index`` and the next are the two ends of one range.

        After "до" the next "до" or "по" starts another deadline: "до 25.05 до 30.08".
        """
        first, second = items[index], items[index + 1]
        if first.ranged or second.ranged:
            return False
        if join := _RANGE_JOIN_RE.fullmatch(self.work[first.end : second.begin]):
            return not until or "-" in join.group()
        # Two bare dates side by side are the two ends of a range whose dash got lost; three or
        # more are a list whose separators got lost.
        before = index > 0 and self.side_by_side(items[index - 1], first)
        after = index + 2 < len(items) and self.side_by_side(second, items[index + 2])
        return self.side_by_side(first, second) and not before and not after

    def side_by_side(self, first: _Item, second: _Item) -> bool:
        """Two days with nothing between them, not even a line break; months side by side
        ("Ноябрь 2022 года февраль 2023 года") are a list."""
        days = first.grain is _Grain.DAY and second.grain is _Grain.DAY
        # An item may end with the line break after "г" that its pattern took in.
        broken = "\n" in self.text[first.begin : second.begin]
        return days and not self.work[first.end : second.begin].strip() and not broken

    def dated(self, items: list[_Item], each: bool) -> list[_Dated]:
        groups = self.groups(items)
        if any(item.span for item in items) or not any(item.template for item in items):
            spans = self.fill_years(items, groups)
            found = (self.group_dates(group, items, spans) for group in groups)
            return [entry for entry in found if entry is not None]
        # No item names a year: each one recurs in every year of the period.
        starts = _year_starts(self.period)
        if len(starts) > 1 and not (each or self.each_anchor):
            first = next(item for item in items if item.template)
            self.warn("deadline.year_missing", fragment=first.fragment)
        dated: list[_Dated] = []
        for start in starts:
            for group in groups:
                cycle_spans = self.spans_in_cycle(group, items, start)
                entry = self.group_dates(group, items, cycle_spans) if cycle_spans else None
                if entry is not None and (len(starts) == 1 or entry.due <= self.period.end):
                    dated.append(entry)
        return dated

    def spans_in_cycle(
        self, group: _Group, items: list[_Item], start: date
    ) -> dict[int, tuple[date, date] | None] | None:
        first = items[group.members[0]].template
        if first is None:
            return None
        spans: dict[int, tuple[date, date] | None] = {
            group.members[0]: first.ending_on_or_after(start)
        }
        if len(group.members) == 2:
            first_span, last = spans[group.members[0]], items[group.members[1]].template
            if first_span is None or last is None:
                return None
            spans[group.members[1]] = last.starting_on_or_after(first_span[0])
        return spans

    def fill_years(
        self, items: list[_Item], groups: list[_Group]
    ) -> dict[int, tuple[date, date] | None]:
        """Years for items that lack one, from their neighbours: the range's end first."""
        spans: dict[int, tuple[date, date] | None] = {
            index: item.span for index, item in enumerate(items)
        }
        order = range(len(items))

        def fill(index: int, neighbour: int | None, forward: bool) -> None:
            template = items[index].template
            anchor = spans.get(neighbour) if neighbour is not None else None
            if spans[index] is not None or template is None or anchor is None:
                return
            if forward:
                spans[index] = template.starting_on_or_after(anchor[0])
            else:
                spans[index] = template.starting_on_or_before(anchor[0])

        for group in groups:
            if len(group.members) == 2:
                fill(group.members[0], group.members[1], forward=False)
        for index in order:
            fill(index, next((j for j in reversed(order[:index]) if spans[j]), None), True)
        for index in reversed(order):
            fill(index, next((j for j in order[index + 1 :] if spans[j]), None), False)
        return spans

    def group_dates(
        self, group: _Group, items: list[_Item], spans: dict[int, tuple[date, date] | None]
    ) -> _Dated | None:
        first, last = spans.get(group.members[0]), spans.get(group.members[-1])
        if first is None or last is None:
            for index in group.members:
                if items[index].template and spans.get(index) is None:
                    self.warn("deadline.invalid_date", fragment=items[index].fragment)
            return None
        head = items[group.members[0]]
        fragment = " - ".join(items[index].fragment for index in group.members)
        start: date | None
        if len(group.members) == 2:
            start, due = first[0], last[1]
            if due < start:
                self.warn("deadline.range_reversed", start=start.isoformat(), end=due.isoformat())
                start, due = min(first[0], last[0]), max(first[1], last[1])
            ongoing = all(items[index].grain is _Grain.YEAR for index in group.members)
        else:
            start, due = first
            ongoing = head.grain is _Grain.YEAR
            if head.grain is _Grain.DAY and not head.ranged:
                start = None
        if group.until:
            start, ongoing = None, False
        elif group.since:
            start, due, ongoing = first[0], max(self.period.end, first[1]), True
        if (start or due) < self.earliest or due > self.latest:
            self.warn("deadline.implausible_date", fragment=fragment)
            return None
        if not self.period.contains(due):
            self.warn("deadline.outside_period", date=due.isoformat())
        return _Dated(start, due, ongoing)


def _excepted(day: date, items: list[_Item]) -> bool:
    for item in items:
        spans = [item.span]
        if item.template is not None:
            spans += [item.template.dates(day.year), item.template.dates(day.year - 1)]
        if any(span is not None and span[0] <= day <= span[1] for span in spans):
            return True
    return False


def _weekday(stem: str) -> int:
    return next(number for number, name in enumerate(_WEEKDAYS) if stem.startswith(name))


def parse_deadline(
    text: str, period: Period, calendar: AcademicCalendar = DEFAULT_CALENDAR
) -> Deadline:
    """Read one deadline cell against the roadmap's period; never raises on odd text."""
    return _Reader(text, period, calendar).deadline()
