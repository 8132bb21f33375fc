"""Every deadline cell of the five seed roadmaps, read by hand, and their close kin."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest

from roadmap.calendar import AcademicCalendar
from roadmap.deadlines import DeadlineKind, parse_deadline
from roadmap.period import Period
from roadmap.warnings import ParseWarning

DATE = DeadlineKind.DATE
SERIES = DeadlineKind.SERIES
CONTINUOUS = DeadlineKind.CONTINUOUS
ON_REQUEST = DeadlineKind.ON_REQUEST
UNKNOWN = DeadlineKind.UNKNOWN

# The periods the seed roadmaps' titles name.
SCHOOL_2022 = Period(date(2022, 9, 1), date(2023, 8, 31))  # "на 2022-2023 учебный год"
YEAR_2022 = Period(date(2022, 1, 1), date(2022, 12, 31))  # "в 2022 году"
LYCEUM = Period(date(2023, 9, 1), date(2028, 8, 31))  # "на период с 2023 по 2028 г.г."

MONTH_ENDS_2022_23 = (
    "2022-09-30", "2022-10-31", "2022-11-30", "2022-12-31", "2023-01-31", "2023-02-28",
    "2023-03-31", "2023-04-30", "2023-05-31", "2023-06-30", "2023-07-31", "2023-08-31",
)  # fmt: skip
# Default academic calendar: quarters end 27 Oct, 28 Dec, 22 Mar, 26 May; halves 28 Dec, 26 May.
QUARTER_ENDS_2022 = ("2022-03-22", "2022-05-26", "2022-10-27", "2022-12-28")
HALF_ENDS_2022 = ("2022-05-26", "2022-12-28")

Case = tuple[str, Period, DeadlineKind, str | None, tuple[str, ...], tuple[str, ...]]

# text (verbatim), period, kind, start, due, warning codes
EFFECTIVE_SCHOOL: list[Case] = [
    ("До 20 января 2022", YEAR_2022, DATE, None, ("2022-01-20",), ()),
    ("До 27 февраля 2022", YEAR_2022, DATE, None, ("2022-02-27",), ()),
    ("Февраль 2022", YEAR_2022, DATE, "2022-02-01", ("2022-02-28",), ()),
    ("До 28 февраля 2022", YEAR_2022, DATE, None, ("2022-02-28",), ()),
    ("Январь-декабрь 2022", YEAR_2022, DATE, "2022-01-01", ("2022-12-31",), ()),
    ("Март-август 2022", YEAR_2022, DATE, "2022-03-01", ("2022-08-31",), ()),
    # One cell over two lines: half-year ends and quarter ends together.
    (
        " По полугодиям учебного года,\nпо окончании каждой учебной четверти",
        YEAR_2022, SERIES, "2022-01-01", QUARTER_ENDS_2022, (),
    ),
    # The same cell as the line-per-cell export splits it.
    (" По полугодиям учебного года,", YEAR_2022, SERIES, "2022-01-01", HALF_ENDS_2022, ()),
    (
        "по окончании каждой учебной четверти", YEAR_2022, SERIES, "2022-01-01",
        QUARTER_ENDS_2022, (),
    ),
    ("Февраль-октябрь 2022", YEAR_2022, DATE, "2022-02-01", ("2022-10-31",), ()),
    # The exact days are in another schedule, but the months are known: the range wins.
    (
        "Февраль-ноябрь (по утвержденному графику)", YEAR_2022, DATE, "2022-02-01",
        ("2022-11-30",), (),
    ),
    ("Март 2022", YEAR_2022, DATE, "2022-03-01", ("2022-03-31",), ()),
    ("Февраль –апрель 2022", YEAR_2022, DATE, "2022-02-01", ("2022-04-30",), ()),
    ("Февраль –ноябрь 2022", YEAR_2022, DATE, "2022-02-01", ("2022-11-30",), ()),
    (
        "По окончании каждой учебной четверти", YEAR_2022, SERIES, "2022-01-01",
        QUARTER_ENDS_2022, (),
    ),
    ("По окончании учебного полугодия ", YEAR_2022, SERIES, "2022-01-01", HALF_ENDS_2022, ()),
    ("Август-сентябрь 2022", YEAR_2022, DATE, "2022-08-01", ("2022-09-30",), ()),
    ("Ноябрь-декабрь 2022", YEAR_2022, DATE, "2022-11-01", ("2022-12-31",), ()),
    ("В течение 2022 года постоянно", YEAR_2022, CONTINUOUS, "2022-01-01", ("2022-12-31",), ()),
    (
        "Ежеквартально", YEAR_2022, SERIES, "2022-01-01",
        ("2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"), (),
    ),
]  # fmt: skip

LYCEUM_CELLS: list[Case] = [
    ("•", LYCEUM, UNKNOWN, None, (), ("deadline.empty",)),
    (
        "Сентябрь, май каждого учебного года", LYCEUM, SERIES, "2023-09-01",
        (
            "2023-09-30", "2024-05-31", "2024-09-30", "2025-05-31", "2025-09-30",
            "2026-05-31", "2026-09-30", "2027-05-31", "2027-09-30", "2028-05-31",
        ),
        (),
    ),
    # "2 раза в год" is the rhythm: both half-year ends of every school year.
    (
        "В течение каждого учебного года(2 раза в год)", LYCEUM, SERIES, "2023-09-01",
        (
            "2023-12-28", "2024-05-26", "2024-12-28", "2025-05-26", "2025-12-28",
            "2026-05-26", "2026-12-28", "2027-05-26", "2027-12-28", "2028-05-26",
        ),
        (),
    ),
    # "At the start of each school year": September of every year of the project.
    (
        "В началекаждого учебного года", LYCEUM, SERIES, "2023-09-01",
        ("2023-09-30", "2024-09-30", "2025-09-30", "2026-09-30", "2027-09-30"), (),
    ),
    ("2023-2024", LYCEUM, CONTINUOUS, "2023-09-01", ("2024-08-31",), ()),
    # "As needed" says more than "during the year": no date can be set in advance.
    ("В течение года по необходимост и", LYCEUM, ON_REQUEST, None, (), ()),
    ("В течение года, по необходимости", LYCEUM, ON_REQUEST, None, (), ()),
    ("В течениегода", LYCEUM, CONTINUOUS, "2023-09-01", ("2028-08-31",), ()),
    ("С 2024 г.", LYCEUM, CONTINUOUS, "2024-01-01", ("2028-08-31",), ()),
    ("В соответствиис планом, по запросу сторон", LYCEUM, ON_REQUEST, None, (), ()),
    # No year in a five-year roadmap: every year, and the user is told so.
    (
        "Май, январь", LYCEUM, SERIES, "2024-01-01",
        (
            "2024-01-31", "2024-05-31", "2025-01-31", "2025-05-31", "2026-01-31",
            "2026-05-31", "2027-01-31", "2027-05-31", "2028-01-31", "2028-05-31",
        ),
        ("deadline.year_missing",),
    ),
    ("В течениегода, по запросу", LYCEUM, ON_REQUEST, None, (), ()),
    ("В соответствиис планами закупки", LYCEUM, ON_REQUEST, None, (), ()),
    (
        "Май", LYCEUM, SERIES, "2024-05-01",
        ("2024-05-31", "2025-05-31", "2026-05-31", "2027-05-31", "2028-05-31"),
        ("deadline.year_missing",),
    ),
    ("Методическиедни", LYCEUM, UNKNOWN, None, (), ("deadline.unrecognised",)),
    ("2023 – 2026 г.г.", LYCEUM, CONTINUOUS, "2023-09-01", ("2026-08-31",), ()),
    ("2023 г.", LYCEUM, CONTINUOUS, "2023-01-01", ("2023-12-31",), ()),
    ("2024 г.", LYCEUM, CONTINUOUS, "2024-01-01", ("2024-12-31",), ()),
]  # fmt: skip

MUNICIPAL_ORDER: list[Case] = [
    ("2022-2023 учебный год", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",), ()),
    ("систематически", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",), ()),
    ("ежемесячно", SCHOOL_2022, SERIES, "2022-09-01", MONTH_ENDS_2022_23, ()),
    ("10.10.2022-14.10.2022", SCHOOL_2022, DATE, "2022-10-10", ("2022-10-14",), ()),
    ("10.10.2022-15.10.2022", SCHOOL_2022, DATE, "2022-10-10", ("2022-10-15",), ()),
    ("15.01.2023-20.01.2023", SCHOOL_2022, DATE, "2023-01-15", ("2023-01-20",), ()),
    ("Февраль 2023", SCHOOL_2022, DATE, "2023-02-01", ("2023-02-28",), ()),
    # The .docx keeps the step row's cell with its activity's: the rhythm wins.
    ("ежемесячно\nВ течение года", SCHOOL_2022, SERIES, "2022-09-01", MONTH_ENDS_2022_23, ()),
    ("В течение года", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",), ()),
    ("По отдельному плану", SCHOOL_2022, ON_REQUEST, None, (), ()),
    (
        "Ноябрь 2022 года февраль 2023 года. апрель 2023 года", SCHOOL_2022, SERIES,
        "2022-11-01", ("2022-11-30", "2023-02-28", "2023-04-30"), (),
    ),
    (
        "15.-06.2023-20.06.2023", SCHOOL_2022, DATE, "2023-06-15", ("2023-06-20",),
        ("deadline.malformed_date",),
    ),
    ("Июль-август 2023", SCHOOL_2022, DATE, "2023-07-01", ("2023-08-31",), ()),
    ("до 20.08.2023", SCHOOL_2022, DATE, None, ("2023-08-20",), ()),
]  # fmt: skip

MUNICIPAL_CLUSTERS: list[Case] = [
    ("До 26.09.2022", SCHOOL_2022, DATE, None, ("2022-09-26",), ()),
    ("До 30.09.2022", SCHOOL_2022, DATE, None, ("2022-09-30",), ()),
    ("До 30.10.2022", SCHOOL_2022, DATE, None, ("2022-10-30",), ()),
    ("До 10.10.2022", SCHOOL_2022, DATE, None, ("2022-10-10",), ()),
    ("До 14.10.2022", SCHOOL_2022, DATE, None, ("2022-10-14",), ()),
    ("До 17.10.2022", SCHOOL_2022, DATE, None, ("2022-10-17",), ()),
    ("Постоянно в течение года", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",), ()),
    ("До 15.11.2022", SCHOOL_2022, DATE, None, ("2022-11-15",), ()),
    ("10.10.2022- 14.10.2022", SCHOOL_2022, DATE, "2022-10-10", ("2022-10-14",), ()),
    ("До 21.10.2022", SCHOOL_2022, DATE, None, ("2022-10-21",), ()),
    ("10.10.2022- 15.10.2022", SCHOOL_2022, DATE, "2022-10-10", ("2022-10-15",), ()),
    ("До 05.11.2022", SCHOOL_2022, DATE, None, ("2022-11-05",), ()),
    ("До 10.11.2022", SCHOOL_2022, DATE, None, ("2022-11-10",), ()),
    # The dates live in separate plans: nothing to remind of from this cell alone.
    (
        "В течение года (в соответствии с отдельными планами)", SCHOOL_2022, ON_REQUEST, None,
        (), (),
    ),
    ("До 15.01.2023", SCHOOL_2022, DATE, None, ("2023-01-15",), ()),
    ("15.01.2023- 20.01.2023", SCHOOL_2022, DATE, "2023-01-15", ("2023-01-20",), ()),
    ("До 31.01.2023", SCHOOL_2022, DATE, None, ("2023-01-31",), ()),
    ("До 05.02.2023", SCHOOL_2022, DATE, None, ("2023-02-05",), ()),
    ("По отдельному графику", SCHOOL_2022, ON_REQUEST, None, (), ()),
    ("До 15.03.2023", SCHOOL_2022, DATE, None, ("2023-03-15",), ()),
    # Two bare dates side by side: a range that lost its dash.
    ("15.03.2023 30.03.2023", SCHOOL_2022, DATE, "2023-03-15", ("2023-03-30",), ()),
    ("До 31.03.2023", SCHOOL_2022, DATE, None, ("2023-03-31",), ()),
    ("До 01.05.2023", SCHOOL_2022, DATE, None, ("2023-05-01",), ()),
    ("01.05.2023 05.05.2023", SCHOOL_2022, DATE, "2023-05-01", ("2023-05-05",), ()),
    ("До 15.05.2023", SCHOOL_2022, DATE, None, ("2023-05-15",), ()),
    ("До 15.06.2023", SCHOOL_2022, DATE, None, ("2023-06-15",), ()),
    ("15.06.2023- 20.06.2023", SCHOOL_2022, DATE, "2023-06-15", ("2023-06-20",), ()),
    ("До 30.06.2023", SCHOOL_2022, DATE, None, ("2023-06-30",), ()),
    ("До 05.07.2023", SCHOOL_2022, DATE, None, ("2023-07-05",), ()),
    ("До 01.08.2023", SCHOOL_2022, DATE, None, ("2023-08-01",), ()),
]  # fmt: skip

SCHOOL_TECH: list[Case] = [
    ("до 04.10.2022 г.", SCHOOL_2022, DATE, None, ("2022-10-04",), ()),
    ("до 30.09.2022 г.", SCHOOL_2022, DATE, None, ("2022-09-30",), ()),
    ("до 20.10.2022г.", SCHOOL_2022, DATE, None, ("2022-10-20",), ()),
    ("до 20.10.2022 г.", SCHOOL_2022, DATE, None, ("2022-10-20",), ()),
    ("В течение учебного года", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",), ()),
    ("октябрь – декабрь 2022г.", SCHOOL_2022, DATE, "2022-10-01", ("2022-12-31",), ()),
    ("до 14.10.2022 г.", SCHOOL_2022, DATE, None, ("2022-10-14",), ()),
    # A dash with nothing before it: the start of the range is missing.
    ("— 21.10.2022 г.", SCHOOL_2022, DATE, None, ("2022-10-21",), ("deadline.range_incomplete",)),
    ("до 28.10.2022 г.", SCHOOL_2022, DATE, None, ("2022-10-28",), ()),
    ("", SCHOOL_2022, UNKNOWN, None, (), ("deadline.empty",)),
    ("до 25.10.2022 г.", SCHOOL_2022, DATE, None, ("2022-10-25",), ()),
    ("до 10.11.2022 г.", SCHOOL_2022, DATE, None, ("2022-11-10",), ()),
    ("до 18.11.2022 г.", SCHOOL_2022, DATE, None, ("2022-11-18",), ()),
    (
        "В течение года (в соответствии с отдельными планами)", SCHOOL_2022, ON_REQUEST, None,
        (), (),
    ),
    ("до 15.01.2023 г.", SCHOOL_2022, DATE, None, ("2023-01-15",), ()),
    ("5.01.2023 г. - 20.01.2023 г.", SCHOOL_2022, DATE, "2023-01-05", ("2023-01-20",), ()),
    # Surely 29.12.2022 was meant; kept as written and flagged.
    ("до 29.12.2023 г.", SCHOOL_2022, DATE, None, ("2023-12-29",), ("deadline.outside_period",)),
    ("до 03.02.2023 г.", SCHOOL_2022, DATE, None, ("2023-02-03",), ()),
    ("февраль 2023 г.", SCHOOL_2022, DATE, "2023-02-01", ("2023-02-28",), ()),
    ("По отдельному графику", SCHOOL_2022, ON_REQUEST, None, (), ()),
    ("до 01.05.2023 г.", SCHOOL_2022, DATE, None, ("2023-05-01",), ()),
    ("01.05.2023 г. - 05.05.2023 г.", SCHOOL_2022, DATE, "2023-05-01", ("2023-05-05",), ()),
    ("до 15.05.2023 г.", SCHOOL_2022, DATE, None, ("2023-05-15",), ()),
    ("15.06.2023 г. - 20.06.2023 г.", SCHOOL_2022, DATE, "2023-06-15", ("2023-06-20",), ()),
    ("до 30.06.2023 г.", SCHOOL_2022, DATE, None, ("2023-06-30",), ()),
    ("до 05.07.2023 г.", SCHOOL_2022, DATE, None, ("2023-07-05",), ()),
    ("до 01.08.2023 г.", SCHOOL_2022, DATE, None, ("2023-08-01",), ()),
]  # fmt: skip

# What the product owner described, and the spellings other roadmaps will use.
KIN: list[Case] = [
    ("01.05.2023 05.05.2023", SCHOOL_2022, DATE, "2023-05-01", ("2023-05-05",), ()),
    ("20.01.22", YEAR_2022, DATE, None, ("2022-01-20",), ()),
    ("до 31.12.22", SCHOOL_2022, DATE, None, ("2022-12-31",), ()),
    ("10.10.2022", SCHOOL_2022, DATE, None, ("2022-10-10",), ()),
    ("10 . 10 . 2022", SCHOOL_2022, DATE, None, ("2022-10-10",), ()),
    ("не позднее 10.10.2022", SCHOOL_2022, DATE, None, ("2022-10-10",), ()),
    ("в срок до 10.10.2022", SCHOOL_2022, DATE, None, ("2022-10-10",), ()),
    ("по 15.10.2022", SCHOOL_2022, DATE, None, ("2022-10-15",), ()),
    ("до 1 сентября 2022 г.", SCHOOL_2022, DATE, None, ("2022-09-01",), ()),
    ("к 1 сентября", SCHOOL_2022, DATE, None, ("2022-09-01",), ()),
    ("до 15 мая", SCHOOL_2022, DATE, None, ("2023-05-15",), ()),
    ("до 25.12", SCHOOL_2022, DATE, None, ("2022-12-25",), ()),
    ("10.10.2022 ‐ 14.10.2022", SCHOOL_2022, DATE, "2022-10-10", ("2022-10-14",), ()),
    ("10.10.2022 — 14.10.2022", SCHOOL_2022, DATE, "2022-10-10", ("2022-10-14",), ()),
    ("10.10.2022 –14.10.2022", SCHOOL_2022, DATE, "2022-10-10", ("2022-10-14",), ()),
    ("15.06.2023г.-20.06.2023г.", SCHOOL_2022, DATE, "2023-06-15", ("2023-06-20",), ()),
    ("с 01.09.2022 по 31.05.2023", SCHOOL_2022, DATE, "2022-09-01", ("2023-05-31",), ()),
    ("10.10-14.10.2022", SCHOOL_2022, DATE, "2022-10-10", ("2022-10-14",), ()),
    ("15.10.22 - 20.10.22", SCHOOL_2022, DATE, "2022-10-15", ("2022-10-20",), ()),
    ("1-15 октября", SCHOOL_2022, DATE, "2022-10-01", ("2022-10-15",), ()),
    ("с 1 по 15 октября 2022 г.", SCHOOL_2022, DATE, "2022-10-01", ("2022-10-15",), ()),
    ("ноябрь", SCHOOL_2022, DATE, "2022-11-01", ("2022-11-30",), ()),
    ("август", SCHOOL_2022, DATE, "2023-08-01", ("2023-08-31",), ()),
    ("в феврале 2023", SCHOOL_2022, DATE, "2023-02-01", ("2023-02-28",), ()),
    ("сент. 2022", SCHOOL_2022, DATE, "2022-09-01", ("2022-09-30",), ()),
    ("янв.-февр. 2023", SCHOOL_2022, DATE, "2023-01-01", ("2023-02-28",), ()),
    ("апр.-май 2023", SCHOOL_2022, DATE, "2023-04-01", ("2023-05-31",), ()),
    ("сентябрь-октябрь 2022 года", SCHOOL_2022, DATE, "2022-09-01", ("2022-10-31",), ()),
    ("Декабрь 2022 г. – январь 2023 г.", SCHOOL_2022, DATE, "2022-12-01", ("2023-01-31",), ()),
    ("сентябрь - октябрь", SCHOOL_2022, DATE, "2022-09-01", ("2022-10-31",), ()),
    ("ноябрь-февраль", SCHOOL_2022, DATE, "2022-11-01", ("2023-02-28",), ()),
    ("с сентября по май", SCHOOL_2022, DATE, "2022-09-01", ("2023-05-31",), ()),
    ("март, 2023", SCHOOL_2022, DATE, "2023-03-01", ("2023-03-31",), ()),
    ("до конца 2022 года", SCHOOL_2022, DATE, None, ("2022-12-31",), ()),
    ("1 квартал 2023 г.", SCHOOL_2022, DATE, "2023-01-01", ("2023-03-31",), ()),
    ("I полугодие 2022-2023 учебного года", SCHOOL_2022, DATE, None, ("2022-12-28",), ()),
    ("ІІ полугодие", SCHOOL_2022, DATE, None, ("2023-05-26",), ()),
    ("III четверть 2022-2023 уч. года", SCHOOL_2022, DATE, None, ("2023-03-22",), ()),
    ("по итогам учебного года", SCHOOL_2022, DATE, None, ("2023-05-26",), ()),
    ("**до 01.10.2022**", SCHOOL_2022, DATE, None, ("2022-10-01",), ()),
    ("<li>до 01.10.2022</li>", SCHOOL_2022, DATE, None, ("2022-10-01",), ()),
    ("до\u00a001.10.2022\u00a0г.", SCHOOL_2022, DATE, None, ("2022-10-01",), ()),
    ("Сентябрь, май", SCHOOL_2022, SERIES, "2022-09-01", ("2022-09-30", "2023-05-31"), ()),
    (
        "декабрь 2022, май 2023", SCHOOL_2022, SERIES, "2022-12-01",
        ("2022-12-31", "2023-05-31"), (),
    ),
    (
        "Сентябрь-октябрь 2022 г., январь 2023 г.", SCHOOL_2022, SERIES, "2022-09-01",
        ("2022-10-31", "2023-01-31"), (),
    ),
    (
        "до 30.09.2022, до 30.12.2022", SCHOOL_2022, SERIES, None,
        ("2022-09-30", "2022-12-30"), (),
    ),
    (
        "2 раза в год (декабрь, май)", SCHOOL_2022, SERIES, "2022-12-01",
        ("2022-12-31", "2023-05-31"), (),
    ),
    (
        "по окончании каждой учебной четверти", SCHOOL_2022, SERIES, "2022-09-01",
        ("2022-10-27", "2022-12-28", "2023-03-22", "2023-05-26"), (),
    ),
    ("1 раз в полугодие", SCHOOL_2022, SERIES, "2022-09-01", ("2022-12-28", "2023-05-26"), ()),
    ("по полугодиям", SCHOOL_2022, SERIES, "2022-09-01", ("2022-12-28", "2023-05-26"), ()),
    (
        "**ежеквартально**", SCHOOL_2022, SERIES, "2022-09-01",
        ("2022-09-30", "2022-12-31", "2023-03-31", "2023-06-30"), (),
    ),
    ("в конце каждого месяца", SCHOOL_2022, SERIES, "2022-09-01", MONTH_ENDS_2022_23, ()),
    ("в течение года (ежемесячно)", SCHOOL_2022, SERIES, "2022-09-01", MONTH_ENDS_2022_23, ()),
    (
        "ежегодно", LYCEUM, SERIES, "2023-09-01",
        ("2024-05-26", "2025-05-26", "2026-05-26", "2027-05-26", "2028-05-26"), (),
    ),
    ("ежегодно в мае", SCHOOL_2022, SERIES, "2023-05-01", ("2023-05-31",), ()),
    (
        "еженедельно", Period(date(2022, 9, 1), date(2022, 9, 30)), SERIES, "2022-09-01",
        ("2022-09-02", "2022-09-09", "2022-09-16", "2022-09-23", "2022-09-30"), (),
    ),
    (
        "по средам", Period(date(2022, 9, 1), date(2022, 9, 30)), SERIES, "2022-09-01",
        ("2022-09-07", "2022-09-14", "2022-09-21", "2022-09-28"), (),
    ),
    ("в течение всего периода", LYCEUM, CONTINUOUS, "2023-09-01", ("2028-08-31",), ()),
    ("постоянно", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",), ()),
    ("весь период", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",), ()),
    (
        "в течение 2022/2023 учебного года", YEAR_2022, CONTINUOUS, "2022-09-01",
        ("2023-08-31",), ("deadline.outside_period",),
    ),
    ("2022/2023 уч.год", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",), ()),
    ("2022-2023 гг.", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",), ()),
    ("с 01.10.2022", SCHOOL_2022, CONTINUOUS, "2022-10-01", ("2023-08-31",), ()),
    (
        "В течение всего срока реализации проекта", SCHOOL_2022, CONTINUOUS, "2022-09-01",
        ("2023-08-31",), (),
    ),
    ("По итогам I полугодия", SCHOOL_2022, DATE, None, ("2022-12-28",), ()),
    ("По окончании I четверти", SCHOOL_2022, DATE, None, ("2022-10-27",), ()),
    ("2022 г. - 2023 г.", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",), ()),
    ("по запросу", SCHOOL_2022, ON_REQUEST, None, (), ()),
    ("согласно плану", SCHOOL_2022, ON_REQUEST, None, (), ()),
    ("Сроки уточняются", SCHOOL_2022, ON_REQUEST, None, (), ()),
    ("в течение учебного года (по плану)", SCHOOL_2022, ON_REQUEST, None, (), ()),
    ("по необходимости", SCHOOL_2022, ON_REQUEST, None, (), ()),
    ("по утвержденному графику", SCHOOL_2022, ON_REQUEST, None, (), ()),
    ("по мере необходимости", SCHOOL_2022, ON_REQUEST, None, (), ()),
    ("<li>по запросу</li>", SCHOOL_2022, ON_REQUEST, None, (), ()),
    # Understood and flagged.
    ("31.02.2023", SCHOOL_2022, UNKNOWN, None, (), ("deadline.invalid_date",)),
    ("29 февраля", SCHOOL_2022, UNKNOWN, None, (), ("deadline.invalid_date",)),
    ("до 01.01.1990", SCHOOL_2022, UNKNOWN, None, (), ("deadline.implausible_date",)),
    (
        "20.06.2023-15.06.2023", SCHOOL_2022, DATE, "2023-06-15", ("2023-06-20",),
        ("deadline.range_reversed",),
    ),
    ("20.01.22", SCHOOL_2022, DATE, None, ("2022-01-20",), ("deadline.outside_period",)),
    (
        "сентябрь 2022 - ", SCHOOL_2022, DATE, "2022-09-01", ("2022-09-30",),
        ("deadline.range_incomplete",),
    ),
    (
        "ежемесячно до 25 числа", SCHOOL_2022, SERIES, "2022-09-01",
        (
            "2022-09-25", "2022-10-25", "2022-11-25", "2022-12-25", "2023-01-25", "2023-02-25",
            "2023-03-25", "2023-04-25", "2023-05-25", "2023-06-25", "2023-07-25", "2023-08-25",
        ),
        (),
    ),
    (
        "до 31-го числа каждого месяца", Period(date(2023, 1, 1), date(2023, 4, 30)), SERIES,
        "2023-01-01", ("2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30"), (),
    ),
    (
        "ежемесячно, кроме июля и августа", SCHOOL_2022, SERIES, "2022-09-01",
        MONTH_ENDS_2022_23[:-2], (),
    ),
    (
        "ежемесячно (за исключением летних каникул)", SCHOOL_2022, SERIES, "2022-09-01",
        MONTH_ENDS_2022_23, ("deadline.unparsed_text",),
    ),
    (
        "в течение года, кроме июля", SCHOOL_2022, CONTINUOUS, "2022-09-01", ("2023-08-31",),
        ("deadline.unparsed_text",),
    ),
    (
        "ежеквартально", Period(date(2022, 10, 1), date(2022, 11, 15)), UNKNOWN, None, (),
        ("deadline.no_dates_in_period",),
    ),
    ("3 раза в год", SCHOOL_2022, UNKNOWN, None, (), ("deadline.unrecognised",)),
    ("--", SCHOOL_2022, UNKNOWN, None, (), ("deadline.empty",)),
]  # fmt: skip

# Text the .txt exports put in the deadline column of section rows, when cells shift.
NOT_DEADLINES = [
    " 1. Организационно-управленческие мероприятия  ",
    "ач проекта",
    "иалистов/партнеров",
    "и поощрения работни",
    "ы и оборудования",
    "uŭ u aktubuoo naabut",
    "і педагогов",
    "алов",
    "Шарик Н.Н., заместитель директора по УВР",
]

ALL_CASES = {
    "effective-school": EFFECTIVE_SCHOOL,
    "lyceum": LYCEUM_CELLS,
    "municipal-order": MUNICIPAL_ORDER,
    "municipal-clusters": MUNICIPAL_CLUSTERS,
    "school-tech": SCHOOL_TECH,
    "kin": KIN,
}


def case_params(groups: Mapping[str, Sequence[tuple[Any, ...]]]) -> list[object]:
    """Each case of each named group as a test parameter, named by its group and text."""
    return [
        pytest.param(*case, id=f"{name}:{case[0]!r}")
        for name, cases in groups.items()
        for case in cases
    ]


@pytest.mark.parametrize(
    ("text", "period", "kind", "start", "due", "codes"), case_params(ALL_CASES)
)
def test_deadline_is_read_as_a_person_reads_it(
    text: str,
    period: Period,
    kind: DeadlineKind,
    start: str | None,
    due: tuple[str, ...],
    codes: tuple[str, ...],
) -> None:
    check_reading(text, period, kind, start, due, codes)


def check_reading(
    text: str,
    period: Period,
    kind: DeadlineKind,
    start: str | None,
    due: tuple[str, ...],
    codes: tuple[str, ...],
) -> None:
    """The deadline a cell gives: its kind, start, due dates (ISO) and warning codes."""
    deadline = parse_deadline(text, period)
    expected = (
        kind,
        None if start is None else date.fromisoformat(start),
        tuple(date.fromisoformat(day) for day in due),
        codes,
    )
    found = (
        deadline.kind,
        deadline.start,
        deadline.due,
        tuple(warning.code for warning in deadline.warnings),
    )
    assert found == expected
    assert deadline.text == text


@pytest.mark.parametrize("text", NOT_DEADLINES)
def test_text_that_is_no_deadline_is_unknown_and_said_so(text: str) -> None:
    deadline = parse_deadline(text, SCHOOL_2022)

    assert (deadline.kind, deadline.start, deadline.due) == (UNKNOWN, None, ())
    assert [warning.code for warning in deadline.warnings] == ["deadline.unrecognised"]
    assert deadline.warnings[0].param_dict()["text"].strip()


def _docx_deadline_cells(path: Path) -> list[str]:
    table = docx.Document(str(path)).tables[0]
    column = next(i for i, cell in enumerate(table.rows[0].cells) if "Срок" in cell.text)
    cells: list[str] = []
    for row in table.rows[1:]:
        texts = [cell.text for cell in row.cells]
        if len(set(texts)) > 1:  # a section row is one cell across the whole width
            cells.append(texts[column])
    return cells


DOCX = sorted((Path(__file__).parents[1] / "data" / "roadmaps" / "docx").glob("*.docx"))


@pytest.mark.parametrize("path", DOCX, ids=[path.stem for path in DOCX])
def test_the_table_covers_every_deadline_cell_of_the_seed_roadmaps(path: Path) -> None:
    covered = {case[0] for cases in ALL_CASES.values() for case in cases}

    assert sorted(set(_docx_deadline_cells(path)) - covered) == []


def test_warnings_carry_what_the_user_needs_to_fix_the_cell() -> None:
    outside = parse_deadline("до 29.12.2023 г.", SCHOOL_2022)
    malformed = parse_deadline("15.-06.2023-20.06.2023", SCHOOL_2022)
    reversed_range = parse_deadline("20.06.2023-15.06.2023", SCHOOL_2022)
    no_year = parse_deadline("Май", LYCEUM)
    impossible = parse_deadline("31.02.2023", SCHOOL_2022)
    leftover = parse_deadline("ежемесячно (за исключением летних каникул)", SCHOOL_2022)

    assert outside.warnings == (ParseWarning.of("deadline.outside_period", date="2023-12-29"),)
    assert malformed.warnings == (
        ParseWarning.of("deadline.malformed_date", fragment="15.-06.2023", date="2023-06-15"),
    )
    assert reversed_range.warnings == (
        ParseWarning.of("deadline.range_reversed", start="2023-06-20", end="2023-06-15"),
    )
    assert no_year.warnings == (ParseWarning.of("deadline.year_missing", fragment="май"),)
    assert impossible.warnings == (
        ParseWarning.of("deadline.invalid_date", fragment="31.02.2023"),
    )
    assert leftover.warnings == (
        ParseWarning.of("deadline.unparsed_text", fragment="летних каникул"),
    )


def test_the_original_text_is_kept_untouched() -> None:
    text = "**до\u00a004.10.2022 г.**  "

    assert parse_deadline(text, SCHOOL_2022).text == text


def test_the_academic_calendar_decides_when_quarters_end() -> None:
    trimesters = AcademicCalendar(
        quarter_ends=((11, 30), (2, 28), (5, 31)), half_year_ends=((12, 25), (5, 31))
    )

    quarters = parse_deadline("по окончании каждой учебной четверти", SCHOOL_2022, trimesters)
    second_half = parse_deadline("II полугодие", SCHOOL_2022, trimesters)
    year_end = parse_deadline("в конце учебного года", SCHOOL_2022, trimesters)

    assert quarters.due == (date(2022, 11, 30), date(2023, 2, 28), date(2023, 5, 31))
    assert second_half.due == (date(2023, 5, 31),)
    assert year_end.due == (date(2023, 5, 31),)


def test_a_month_without_a_year_follows_the_school_year() -> None:
    september = parse_deadline("сентябрь", SCHOOL_2022)
    may = parse_deadline("май", SCHOOL_2022)

    assert (september.start, september.due) == (date(2022, 9, 1), (date(2022, 9, 30),))
    assert (may.start, may.due) == (date(2023, 5, 1), (date(2023, 5, 31),))
