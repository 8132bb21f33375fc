"""Reports to render: a school's small roadmap with every kind of row, a municipality's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from reports.model import (
    Evidence,
    EvidenceKind,
    ExecutionReport,
    Occurrence,
    Period,
    PeriodKind,
    Row,
    Status,
    period_of,
)

LOCALES = Path(__file__).resolve().parents[2] / "bot" / "locales"
Translate = Callable[[str], str]
AT = date(2027, 3, 31)
SCHOOL = "МБОУ «Средняя общеобразовательная школа № 7» г. Уссурийска"
SECTION_A = "1. Организационно-управленческие мероприятия"
SECTION_B = "2. Работа с педагогическими кадрами"


@cache
def catalog(locale: str) -> dict[str, str]:
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return {str(m.id): str(m.string) for m in read_po(po_file) if m.id}


def strict(locale: str) -> Translate:
    """Like the bot's gettext, but a key missing from either catalog fails the test."""
    chosen = catalog(locale)

    def translate(key: str) -> str:
        assert key in catalog("ru") and key in catalog("en"), f"catalog key {key!r} missing"
        return chosen[key]

    return translate


RU, EN = strict("ru"), strict("en")

LINK = Evidence(EvidenceKind.LINK, "https://school7.example.ru/news/plan-2027")
FILE = Evidence(EvidenceKind.FILE, "Протокол педсовета № 3.pdf")
COMMENT = Evidence(EvidenceKind.COMMENT, "Проведено для 5–9 классов, 134 участника")

ON_TIME = Occurrence(
    due=date(2027, 1, 20),
    status=Status.DONE,
    done_on=date(2027, 1, 18),
    executors=("Шабанова Н.С.",),
    evidence=(LINK, COMMENT),
    confirmed_by="Петрова А.В.",
)
LATE = Occurrence(
    due=date(2027, 2, 10),
    status=Status.DONE,
    done_on=date(2027, 2, 15),
    executors=("Шарик Н.Н.",),
    evidence=(FILE,),
    confirmed_by="Петрова А.В.",
)
OVERDUE = Occurrence(
    due=date(2027, 3, 10),
    status=Status.OVERDUE,
    executors=("Колокольцева М.П.",),
)
UPCOMING = Occurrence(due=date(2027, 4, 15), status=Status.UPCOMING, executors=("Шабанова Н.С.",))
CANNOT = Occurrence(
    due=date(2027, 5, 20),
    status=Status.CANNOT,
    executors=("Шарик Н.Н.",),
    reason="Нет лицензии на программу",
)
POSTPONED = Occurrence(
    due=date(2027, 3, 25),
    status=Status.DONE,
    done_on=date(2027, 3, 24),
    executors=("Шабанова Н.С.", "Шарик Н.Н."),
    postponed_from=date(2027, 3, 1),
    evidence=(Evidence(EvidenceKind.FILE, "Приказ № 41.docx"),),
    confirmed_by="Петрова А.В.",
)
IN_PROGRESS = Occurrence(
    due=date(2027, 4, 30), status=Status.IN_PROGRESS, executors=("Колокольцева М.П.",)
)


def row(
    number: str,
    section: str,
    title: str,
    *occurrences: Occurrence,
    deadline: str = "",
    who: str = "",
) -> Row:
    return Row(
        number=number,
        section=section,
        title=title,
        result=f"Результат мероприятия {number}",
        deadline_text=deadline or "до 20.01.2027 г.",
        responsible=who or "Шабанова Н.С., заместитель директора по УВР",
        occurrences=occurrences,
    )


def school_report() -> ExecutionReport:
    rows = (
        row("1.1", SECTION_A, "Утверждение плана мероприятий", ON_TIME),
        row(
            "1.2",
            SECTION_A,
            "Педагогический совет по итогам полугодия",
            LATE,
            deadline="10.02.2027",
        ),
        row("1.3", SECTION_A, "Мониторинг посещаемости кружков", OVERDUE, deadline="Март 2027"),
        row("1.4", SECTION_A, "Заседание управляющего совета", UPCOMING, deadline="Апрель 2027"),
        row(
            "2.1",
            SECTION_B,
            "Курсы повышения квалификации по ФГОС",
            CANNOT,
            deadline="до 20 мая 2027",
        ),
        row("2.2", SECTION_B, "Методический семинар", POSTPONED, deadline="01.03.2027"),
        row(
            "2.3", SECTION_B, "Отчёт МО ПК о работе", who="МО ПК", deadline="По отдельному графику"
        ),
        row("2.4", SECTION_B, "Открытые уроки", IN_PROGRESS, deadline="В течение учебного года"),
    )
    return ExecutionReport(
        organisation=SCHOOL,
        roadmap_title="Дорожная карта по повышению качества образования на 2026/2027 учебный год",
        at=AT,
        rows=rows,
        roadmap_period=period_of(PeriodKind.SCHOOL_YEAR, AT),
        period=Period(date(2026, 9, 1), AT),
        executor="Петрова А.В.",
    )


SCHOOLS = ("МБОУ «СОШ № 3»", "МБОУ «СОШ № 7»", "МБОУ «Гимназия № 1»")


def municipal_report() -> ExecutionReport:
    """Three schools: activity 1 done by all; 2 overdue at СОШ № 3, done late at СОШ № 7,
    cannot at the gymnasium; 3 monthly, one month overdue at СОШ № 7; 4 a body's, no task."""
    first = tuple(
        Occurrence(
            date(2027, 2, 1),
            Status.DONE,
            done_on=date(2027, 1, 30),
            school=school,
            executors=(f"Директор {school}",),
        )
        for school in SCHOOLS
    )
    second = (
        Occurrence(date(2027, 3, 1), Status.OVERDUE, school=SCHOOLS[0]),
        Occurrence(date(2027, 3, 1), Status.DONE, done_on=date(2027, 3, 5), school=SCHOOLS[1]),
        Occurrence(date(2027, 4, 1), Status.CANNOT, school=SCHOOLS[2], reason="Нет кабинета"),
    )
    third = tuple(
        Occurrence(due, status, done_on=due if status is Status.DONE else None, school=school)
        for school, statuses in (
            (SCHOOLS[0], (Status.DONE, Status.DONE, Status.UPCOMING)),
            (SCHOOLS[1], (Status.DONE, Status.OVERDUE, Status.UPCOMING)),
            (SCHOOLS[2], (Status.DONE, Status.DONE, Status.IN_PROGRESS)),
        )
        for due, status in zip(
            (date(2027, 2, 28), date(2027, 3, 28), date(2027, 4, 28)), statuses, strict=True
        )
    )
    rows = (
        row(
            "1", "Раздел 1. Управление", "Назначение ответственных", *first, who="Руководители ОО"
        ),
        row("2", "Раздел 1. Управление", "Оснащение кабинетов", *second, who="Руководители ОО"),
        row(
            "3",
            "Раздел 2. Мониторинг",
            "Ежемесячный отчёт",
            *third,
            deadline="ежемесячно",
            who="Руководители ОО",
        ),
        row("4", "Раздел 2. Мониторинг", "Совещание РМК", who="РМК"),
    )
    return ExecutionReport(
        organisation="Управление образования Пограничного муниципального округа",
        roadmap_title="План работы на 2026-2027 учебный год",
        at=AT,
        rows=rows,
        period=period_of(PeriodKind.QUARTER, AT),
        executor="Третьякова Т.В.",
    )
