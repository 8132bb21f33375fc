"""The stretch of time a roadmap covers, and how its title names it.

Russian school roadmaps count years from September: "2022-2023 учебный год" and even
"с 2023 по 2028 г.г." mean school years (1 September .. 31 August), while "в 2022 году" means a
calendar year. ``normalise`` is the one cleaning step shared by titles and deadline cells.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, timedelta

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"
_SPACES = "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_BREAKS = "\n\r\v\f\x85\u2028\u2029"
_TRANSLATION = str.maketrans(
    {
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_SPACES + _BREAKS + "\t", " "),
        **dict.fromkeys(_INVISIBLE, ""),
        "ё": "е",
        # OCR reads the Roman numeral I of "I полугодие" as the Cyrillic і.
        "і": "i",
    }
)
_KEEP_LINES = {**_TRANSLATION, **dict.fromkeys(map(ord, _BREAKS), "\n")}
_TAG_RE = re.compile(r"<[^<>]{0,200}>")
_MD_LINK_RE = re.compile(r"\[([^\]]{0,200})\]\([^)]{0,300}\)")
_MD_MARK_RE = re.compile(r"\*{1,3}|_{2,}|`+")
_SPACE_RE = re.compile(r" {2,}")
_LINE_BREAK_RE = re.compile(r" *\n[ \n]*")
# Latin letters that look like Cyrillic ones, typed into a Russian word by a keyboard switched
# half-way: "Cентябрь", "в течениe".
_LOOKALIKES = str.maketrans("abcehkmoptxy", "авсенкмортху")
_LETTERS_RE = re.compile(r"[a-zа-яё]+")
_LATIN_RE = re.compile(r"[a-z]")
_CYRILLIC_RE = re.compile(r"[а-яё]")


def _cyrillic(match: re.Match[str]) -> str:
    """A word of both alphabets in Cyrillic, when each Latin letter has a Cyrillic twin."""
    word = match.group()
    if not (_LATIN_RE.search(word) and _CYRILLIC_RE.search(word)):
        return word
    fixed = word.translate(_LOOKALIKES)
    return word if _LATIN_RE.search(fixed) else fixed


def normalise(text: str, keep_lines: bool = False) -> str:
    """Lower-case one-line text with the export's markup, odd dashes and odd spaces flattened,
    and Russian words with Latin twins of their letters ("Cентябрь") in Cyrillic.

    With ``keep_lines`` the text keeps one "\\n" where it had line breaks (blank lines dropped):
    a cell's lines can be items of a list.
    """
    text = _MD_LINK_RE.sub(r"\1", _TAG_RE.sub(" ", html.unescape(text)))
    text = _LETTERS_RE.sub(_cyrillic, _MD_MARK_RE.sub(" ", text).lower())
    text = _SPACE_RE.sub(" ", text.translate(_KEEP_LINES if keep_lines else _TRANSLATION))
    return _LINE_BREAK_RE.sub("\n", text).strip()


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February falls back to the 28th, the range is clamped."""
    year = min(max(day.year + years, date.min.year), date.max.year)
    return day.replace(year=year, day=min(day.day, month_end(year, day.month).day))


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def school_year(cls, first_year: int) -> Period:
        return cls(date(first_year, 9, 1), date(first_year + 1, 8, 31))

    @classmethod
    def school_years(cls, first_year: int, last_year: int) -> Period:
        """From 1 September of ``first_year`` to 31 August of ``last_year``."""
        return cls(date(first_year, 9, 1), date(last_year, 8, 31))

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))


_YEAR = r"(?:19|20|21)\d\d"
# Either two full years or a year and its last two digits ("2022/23").
_YEAR_SPAN_RE = re.compile(
    rf"(?<![\d.,/])(?P<a>{_YEAR})\s*(?:г(?![а-я])\s*\.?\s*)?(?:-|/|по)\s*(?P<b>{_YEAR}|\d\d)(?![\d])"
    r"(?!\s*\.\s*\d)"
)
# One year named as the time of the whole document: "в 2022 году", "на 2023 учебный год".
_ONE_YEAR_RE = re.compile(
    rf"(?<![а-я\d.,/-])(?:в|на|за)\s+(?P<y>{_YEAR})\s*(?:-?\s*(?:ом|м)\s*)?"
    r"(?P<school>уч(?:ебн[а-я]*)?\s*\.?\s*)?(?:год[а-я]*|г\s*\.|г(?![а-я]))"
)
_DATE = r"(?P<{p}d>\d{{1,2}})\s*\.\s*(?P<{p}m>\d{{1,2}})\s*\.\s*(?P<{p}y>\d{{4}})"
_DATE_SPAN_RE = re.compile(
    r"(?<![а-я])с\s*"
    + _DATE.format(p="a")
    + r"(?:\s*г(?![а-я])\s*\.?)?\s*(?:по|до|-)\s*"
    + _DATE.format(p="b")
)
# Titles of documents that are the roadmap itself, as opposed to the laws an order cites.
_ROADMAP_WORDS_RE = re.compile(r"дорожн|карт|план")


def _span_period(first: int, last_text: str) -> Period | None:
    last = int(last_text)
    if len(last_text) == 2:
        last += first // 100 * 100
        if last < first:
            last += 100
    if not first < last <= first + 10:
        return None
    return Period.school_years(first, last)


def _candidates(paragraph: str) -> list[tuple[int, Period]]:
    """Every period a paragraph names, with where it starts."""
    found: list[tuple[int, Period]] = []
    for match in _DATE_SPAN_RE.finditer(paragraph):
        try:
            start = date(int(match["ay"]), int(match["am"]), int(match["ad"]))
            end = date(int(match["by"]), int(match["bm"]), int(match["bd"]))
            found.append((match.start(), Period(start, end)))
        except ValueError:
            continue
    for match in _YEAR_SPAN_RE.finditer(paragraph):
        period = _span_period(int(match["a"]), match["b"])
        if period is not None:
            found.append((match.start(), period))
    for match in _ONE_YEAR_RE.finditer(paragraph):
        year = int(match["y"])
        school = match["school"] is not None
        period = Period.school_year(year) if school else Period.calendar_year(year)
        found.append((match.start(), period))
    return sorted(found, key=lambda candidate: candidate[0])


def _statements(text: str) -> list[str]:
    """Blocks of lines that read as one statement: a title wraps, a sentence ends with a stop."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        bare = line.strip().strip("*_ ")
        if not bare:
            blocks.append([])
            continue
        blocks[-1].append(line)
        if bare[-1] in ".!?:;":
            blocks.append([])
    return [" ".join(block) for block in blocks if block]


def period_from_title(text: str) -> Period | None:
    """The period a title (or the whole preamble before the table) names, if any.

    A preamble may cite other documents with their own years ("Концепции ... на 2022-2024 годы");
    the first period in a statement that speaks of a roadmap or plan wins, else the first at all.
    """
    first: Period | None = None
    for statement in map(normalise, _statements(text)):
        candidates = _candidates(statement)
        if not candidates:
            continue
        if _ROADMAP_WORDS_RE.search(statement):
            return candidates[0][1]
        if first is None:
            first = candidates[0][1]
    return first


_ARG_RE = re.compile(r"\s*(\d{4}-\d\d-\d\d)\s*:\s*(\d{4}-\d\d-\d\d)\s*")


def parse_period_arg(text: str) -> Period:
    """A period given on the command line as ``YYYY-MM-DD:YYYY-MM-DD`` (both days inclusive)."""
    match = _ARG_RE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"period must look like 2022-09-01:2023-08-31 (start:end, inclusive), got {text!r}"
        )
    days: list[date] = []
    for part in match.groups():
        try:
            days.append(date.fromisoformat(part))
        except ValueError as error:
            raise ValueError(f"{part!r} in period {text!r} is not a real date") from error
    if days[1] < days[0]:
        raise ValueError(f"period {text!r} ends before it starts")
    return Period(days[0], days[1])
