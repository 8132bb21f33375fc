"""A generated municipality and roadmap: many schools, rows fanned out to every school head.

Built straight into the database and as a ParsedRoadmap (no file to read), so tests of the
import's size stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from core.clock import Clock
from core.models import OrganisationKind, Role
from roadmap.deadlines import Deadline, DeadlineKind
from roadmap.importer import ParsedActivity, ParsedRoadmap
from roadmap.period import Period
from roadmap.responsible import Responsible, ResponsibleKind
from storage.database import Database

TIMEZONE = "Asia/Vladivostok"
PERIOD = Period(date(2022, 9, 1), date(2023, 8, 31))
HEADS = Responsible(ResponsibleKind.GROUP, "Руководители ОО")


@dataclass(frozen=True)
class Municipality:
    organisation_id: int
    head_ids: tuple[int, ...]


async def municipality(
    database: Database, clock: Clock, schools: int, *, linked: bool = True
) -> Municipality:
    """A district with `schools` schools, each with a head (linked to Telegram when asked)."""
    now = clock.now()
    async with database.transaction() as repositories:
        district = await repositories.organisations.add(
            name="Управление образования",
            kind=OrganisationKind.MUNICIPALITY,
            timezone=TIMEZONE,
            created_at=now,
        )
        await repositories.people.add(
            full_name="Координатор",
            name_key="координатор",
            role=Role.COORDINATOR,
            created_at=now,
            organisation_id=district.id,
            telegram_user_id=district.id * 1_000_000,
        )
        heads = []
        for number in range(1, schools + 1):
            school = await repositories.organisations.add(
                name=f"СОШ №{number}",
                kind=OrganisationKind.SCHOOL,
                timezone=TIMEZONE,
                created_at=now,
                parent_id=district.id,
            )
            head = await repositories.people.add(
                full_name=f"Директор{number} А.А.",
                name_key=f"директор{number} а а",
                role=Role.EXECUTOR,
                created_at=now,
                organisation_id=school.id,
                telegram_user_id=district.id * 1_000_000 + number if linked else None,
            )
            await repositories.people.set_head(head.id, school.id)
            heads.append(head.id)
    return Municipality(district.id, tuple(heads))


def _row(index: int, day: date) -> ParsedActivity:
    # Every fifth row is for every school head, the others for one named person: 2,000 rows
    # and 50 schools give 21,600 tasks, as the issue measured.
    if index % 5 == 0:
        responsible: tuple[Responsible, ...] = (HEADS,)
    else:
        responsible = (Responsible(ResponsibleKind.PERSON, f"Методист{index % 20} Б.Б."),)
    return ParsedActivity(
        number=f"{index}.",
        section=None,
        title=f"Мероприятие номер {index} для всех школ района",
        result=None,
        deadline=Deadline(f"до {day:%d.%m.%Y}", DeadlineKind.DATE, None, (day,), ()),
        responsible_text=", ".join(item.name for item in responsible),
        responsible=responsible,
        responsible_warnings=(),
        source_ref=f"строка {index}",
    )


def roadmap(activities: int, first_due: date = date(2022, 11, 1)) -> ParsedRoadmap:
    """`activities` rows due on days within the period; every fifth for every school head."""
    rows = tuple(
        _row(index, first_due + timedelta(days=index % 200)) for index in range(1, activities + 1)
    )
    return ParsedRoadmap("Дорожная карта района на 2022-2023 учебный год", PERIOD, rows, ())


def with_new_date(parsed: ParsedRoadmap, index: int, day: date) -> ParsedRoadmap:
    """The same roadmap with one row's deadline moved."""
    rows = list(parsed.activities)
    rows[index] = replace(
        rows[index], deadline=Deadline(f"до {day:%d.%m.%Y}", DeadlineKind.DATE, None, (day,), ())
    )
    return replace(parsed, activities=tuple(rows))
