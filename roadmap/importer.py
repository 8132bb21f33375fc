"""A read roadmap made meaningful: each cell's deadline and people parsed, the period settled.

Readers deliver raw cell text (``RawRoadmap``); this module applies the deadline and
responsible parsers to every activity and step and returns what the preview shows and the
importer stores. Nothing here touches a database or a chat.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from roadmap.calendar import DEFAULT_CALENDAR, AcademicCalendar
from roadmap.deadlines import Deadline, DeadlineKind, parse_deadline
from roadmap.period import Period, period_from_title
from roadmap.responsible import Responsible, ResponsibleKind, parse_responsible
from roadmap.table import RawActivity, RawRoadmap
from roadmap.warnings import ParseWarning


@dataclass(frozen=True)
class ParsedActivity:
    number: str | None
    section: str | None
    title: str
    result: str | None
    deadline: Deadline
    responsible_text: str
    responsible: tuple[Responsible, ...]
    responsible_warnings: tuple[ParseWarning, ...]
    source_ref: str
    steps: tuple[ParsedActivity, ...] = ()

    @property
    def warnings(self) -> tuple[ParseWarning, ...]:
        return self.deadline.warnings + self.responsible_warnings

    @property
    def needs_date(self) -> bool:
        """No date a reminder could use: a coordinator should set one."""
        return self.deadline.kind in (DeadlineKind.UNKNOWN, DeadlineKind.ON_REQUEST)

    @property
    def people(self) -> tuple[Responsible, ...]:
        return tuple(item for item in self.responsible if item.kind is ResponsibleKind.PERSON)


@dataclass(frozen=True)
class ParsedRoadmap:
    title: str
    period: Period
    activities: tuple[ParsedActivity, ...]
    warnings: tuple[ParseWarning, ...]

    def walk(self) -> Iterator[ParsedActivity]:
        """Every activity, each followed by its steps, in table order."""
        for activity in self.activities:
            yield activity
            yield from activity.steps

    def leaves(self) -> Iterator[ParsedActivity]:
        """The rows that carry their own deadline: steps, and activities without steps.

        A parent's own cells are its first step's, so counting both would say everything
        about the first step twice.
        """
        for activity in self.activities:
            yield from activity.steps or (activity,)

    def rows_with_doubts(self) -> list[ParsedActivity]:
        """Rows whose deadline or people need a person's look, in table order."""
        return [row for row in self.leaves() if row.warnings or row.needs_date]

    def people(self) -> list[Responsible]:
        """Everyone named, once each (by normalised name and position first seen)."""
        seen: dict[str, Responsible] = {}
        for row in self.walk():
            for person in row.people:
                seen.setdefault(person.name, person)
        return list(seen.values())


class PeriodMissing(Exception):
    """The title names no period and none was given: someone has to say which it is."""


def find_period(raw: RawRoadmap) -> Period | None:
    return period_from_title(raw.title) or period_from_title(raw.preamble)


def _parse_activity(
    raw: RawActivity, period: Period, calendar: AcademicCalendar
) -> ParsedActivity:
    responsible = parse_responsible(raw.responsible_text)
    responsible_warnings = responsible.warnings
    if not responsible.items and not responsible_warnings:
        # Nobody to remind: the coordinator has to say who, not the parser guess.
        responsible_warnings = (ParseWarning.of("responsible.missing"),)
    return ParsedActivity(
        number=raw.number,
        section=raw.section,
        title=raw.title,
        result=raw.result,
        deadline=parse_deadline(raw.deadline_text, period, calendar),
        responsible_text=raw.responsible_text,
        responsible=responsible.items,
        responsible_warnings=responsible_warnings,
        source_ref=raw.source_ref,
        steps=tuple(_parse_activity(step, period, calendar) for step in raw.steps),
    )


def parse_roadmap(
    raw: RawRoadmap,
    period: Period | None = None,
    calendar: AcademicCalendar = DEFAULT_CALENDAR,
) -> ParsedRoadmap:
    """Parse every cell; ``period`` overrides the one in the title. Raises PeriodMissing."""
    period = period or find_period(raw)
    if period is None:
        raise PeriodMissing
    return ParsedRoadmap(
        title=raw.title,
        period=period,
        activities=tuple(_parse_activity(item, period, calendar) for item in raw.activities),
        warnings=raw.warnings,
    )


def title_key(text: str) -> str:
    """Case, ё, quotes, punctuation and spacing folded: the same title typed again."""
    folded = text.lower().replace("ё", "е")
    return " ".join(re.findall(r"\w+", folded))


WarningRenderer = Callable[[ParseWarning], str]


def _deadline_json(deadline: Deadline, render: WarningRenderer) -> dict[str, Any]:
    return {
        "text": deadline.text,
        "kind": deadline.kind.value,
        "start": deadline.start.isoformat() if deadline.start else None,
        "due": [day.isoformat() for day in deadline.due],
        "warnings": [render(warning) for warning in deadline.warnings],
    }


def _activity_json(
    activity: ParsedActivity, render: WarningRenderer, *, with_steps: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": activity.number,
        "section": activity.section,
        "title": activity.title,
        "result": activity.result,
        "deadline": _deadline_json(activity.deadline, render),
        "responsible": [
            {"kind": item.kind.value, "name": item.name, "position": item.position}
            for item in activity.responsible
        ],
        "responsible_warnings": [render(warning) for warning in activity.responsible_warnings],
        "source": activity.source_ref,
    }
    if with_steps:
        data["steps"] = [_activity_json(step, render, with_steps=False) for step in activity.steps]
    return data


def roadmap_to_json(parsed: ParsedRoadmap, render: WarningRenderer) -> dict[str, Any]:
    """The shape `python -m bot import --format json` prints (documented in the README)."""
    return {
        "title": parsed.title,
        "period": {"start": parsed.period.start.isoformat(), "end": parsed.period.end.isoformat()},
        "activities": [
            _activity_json(activity, render, with_steps=True) for activity in parsed.activities
        ],
        "warnings": [render(warning) for warning in parsed.warnings],
    }


_INSTITUTION = re.compile(
    r"(?:[МГ][БАК]?[ОУ]{1,2}[УО]?|МОБУ|МКУ|МБУ|МАУ|ГБУ|ГАУ|ОГБУ|КГБУ|КГКУ)\s*(?:ДО\s*)?"
    r"[«\"„][^»\"“]{2,80}[»\"“]"
)
_DEPARTMENT = re.compile(
    r"(?:[Уу]правлени[ея]|[Оо]тдел|[Кк]омитет)\s+(?:по\s+)?образовани[яюе][^\n.,;]{0,80}"
)


def guess_organisation_name(raw: RawRoadmap) -> str | None:
    """The institution a roadmap's title or preamble names ("МБОУ «СОШ №2»"), if any."""
    for text in (raw.title, raw.preamble):
        found = _INSTITUTION.search(text) or _DEPARTMENT.search(text)
        if found:
            return " ".join(found.group(0).split())
    return None
