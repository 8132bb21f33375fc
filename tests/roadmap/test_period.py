"""The period a roadmap covers: read from its title or preamble, or given on the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest

from roadmap.calendar import DEFAULT_CALENDAR, AcademicCalendar
from roadmap.period import Period, parse_period_arg, period_from_title

SCHOOL_2022 = Period(date(2022, 9, 1), date(2023, 8, 31))
YEAR_2022 = Period(date(2022, 1, 1), date(2022, 12, 31))
LYCEUM = Period(date(2023, 9, 1), date(2028, 8, 31))
ROADMAPS = Path(__file__).parents[1] / "data" / "roadmaps"

# The title lines before the table, verbatim.
TITLES = [
    pytest.param(
        " ДОРОЖНАЯ КАРТА  \n"
        'краевого проекта "Эффективная школа"\n'
        " по повышению качества образования в общеобразовательных организациях с низкими "
        "образовательными результатами \n"
        "и в общеобразовательных организациях, функционирующих в неблагоприятных социальных "
        "условиях в 2022 году",
        YEAR_2022,
        id="effective-school",
    ),
    pytest.param(
        "ДОРОЖНАЯ КАРТА\n"
        "по организации деятельности технологического кластера\n"
        "в МБОУ «СОШ №2»\n"
        "на 2022-2023 учебный год",
        SCHOOL_2022,
        id="school-tech",
    ),
    pytest.param(
        "**План работы по организации деятельности общеобразовательных организаций - участников "
        "образовательных кластеров  \n"
        "в Пограничном муниципальном округе в 2022-2023 учебном году.**",
        SCHOOL_2022,
        id="municipal-clusters",
    ),
    pytest.param(
        "ДОРОЖНАЯ КАРТА проекта «Дневники будущего» на период с 2023 по 2028 г.г.",
        LYCEUM,
        id="lyceum",
    ),
    pytest.param(
        "ДОРОЖНАЯ КАРТА реализации проекта «Дневники будущего» на 2023 – 2028 г.г.",
        LYCEUM,
        id="lyceum-second-title",
    ),
    pytest.param(
        "**Об утверждении муниципальной дорожной карты по организации работы образовательных "
        "кластеров в общеобразовательных организациях Октябрьского муниципального округа в "
        "2022/2023 учебном году**",
        SCHOOL_2022,
        id="municipal-order-title",
    ),
    pytest.param(
        "**Муниципальная дорожная карта по организации работы образовательных кластеров на "
        "2022-2023 учебный год**",
        SCHOOL_2022,
        id="municipal-order-appendix",
    ),
]

VARIANTS = [
    ("на 2022-2023 учебный год", SCHOOL_2022),
    ("на 2022 – 2023 учебный год", SCHOOL_2022),
    ("на 2022/23 уч. год", SCHOOL_2022),
    ("на 2022/2023 уч.г.", SCHOOL_2022),
    ("2022-2023 гг.", SCHOOL_2022),
    ("в 2022 году", YEAR_2022),
    ("на 2022 год", YEAR_2022),
    ("в 2022 г.", YEAR_2022),
    ("в 2022-м году", YEAR_2022),
    ("на 2022 учебный год", SCHOOL_2022),
    ("с 2023 по 2028 г.г.", LYCEUM),
    ("План мероприятий на 2023-2028 годы", LYCEUM),
    ("на период с 01.09.2022 по 31.05.2023", Period(date(2022, 9, 1), date(2023, 5, 31))),
    ("ДОРОЖНАЯ\u00a0КАРТА на 2022–2023 учебный год", SCHOOL_2022),
]

NO_PERIOD = [
    "",
    "ДОРОЖНАЯ КАРТА",
    "Приказ от 12.10.2022 года № 202-О",
    "в срок до 20 ноября 2022 года",
    "МБОУ «СОШ №2»",
    "2023-2022 учебный год",
]


@pytest.mark.parametrize(("title", "period"), TITLES)
def test_titles_of_the_seed_roadmaps(title: str, period: Period) -> None:
    assert period_from_title(title) == period


@pytest.mark.parametrize(("title", "period"), VARIANTS)
def test_ways_of_naming_a_period(title: str, period: Period) -> None:
    assert period_from_title(title) == period


@pytest.mark.parametrize("title", NO_PERIOD)
def test_no_period_named(title: str) -> None:
    assert period_from_title(title) is None


SEED_PERIODS = {
    "effective-school-district-2022": YEAR_2022,
    "lyceum-diaries-2023-2028": LYCEUM,
    "municipal-clusters-plan-2022": SCHOOL_2022,
    "municipal-order-with-roadmap-2022": SCHOOL_2022,
    "school-tech-cluster-2022": SCHOOL_2022,
}


@pytest.mark.parametrize(("name", "period"), SEED_PERIODS.items())
def test_whole_preamble_of_each_text_export(name: str, period: Period) -> None:
    lines = (ROADMAPS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if "Срок" in line)

    assert period_from_title("\n".join(lines[:header])) == period


@pytest.mark.parametrize(("name", "period"), SEED_PERIODS.items())
def test_whole_preamble_of_each_word_file(name: str, period: Period) -> None:
    document = docx.Document(str(ROADMAPS / "docx" / f"{name}.docx"))
    body = document.element.body
    table = body.index(document.tables[0]._tbl)
    paragraphs = [p.text for p in document.paragraphs if body.index(p._p) < table]

    assert period_from_title("\n".join(paragraphs)) == period


def test_an_order_names_its_roadmap_after_the_laws_it_cites() -> None:
    preamble = (
        "На основании приказа министерства от 23.06.2022 года № 663-а «Об утверждении Концепции "
        "кластерной политики на 2022-2024 годы»\n"
        "ПРИКАЗЫВАЮ:\n"
        "1. Утвердить муниципальную дорожную карту на 2023-2024 учебный год (Приложение 1)."
    )

    assert period_from_title(preamble) == Period.school_year(2023)


def test_school_year() -> None:
    assert Period.school_year(2022) == SCHOOL_2022


def test_contains_is_inclusive_at_both_ends() -> None:
    assert SCHOOL_2022.contains(date(2022, 9, 1))
    assert SCHOOL_2022.contains(date(2023, 8, 31))
    assert not SCHOOL_2022.contains(date(2022, 8, 31))
    assert not SCHOOL_2022.contains(date(2023, 9, 1))


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Period(date(2023, 1, 2), date(2023, 1, 1))


def test_parse_period_arg() -> None:
    assert parse_period_arg("2022-09-01:2023-08-31") == SCHOOL_2022
    assert parse_period_arg(" 2022-01-01 : 2022-12-31 ") == YEAR_2022
    assert parse_period_arg("2022-05-05:2022-05-05") == Period(date(2022, 5, 5), date(2022, 5, 5))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2022-09-01", "must look like"),
        ("2022/09/01:2023/08/31", "must look like"),
        ("01.09.2022:31.08.2023", "must look like"),
        ("", "must look like"),
        ("2022-02-30:2023-08-31", "not a real date"),
        ("2022-09-01:2023-13-01", "not a real date"),
        ("2023-08-31:2022-09-01", "ends before it starts"),
    ],
)
def test_parse_period_arg_explains_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_period_arg(text)


def test_default_quarter_and_half_year_ends_of_a_school_year() -> None:
    assert DEFAULT_CALENDAR.quarter_end_dates(SCHOOL_2022) == [
        date(2022, 10, 27),
        date(2022, 12, 28),
        date(2023, 3, 22),
        date(2023, 5, 26),
    ]
    assert DEFAULT_CALENDAR.half_year_end_dates(SCHOOL_2022) == [
        date(2022, 12, 28),
        date(2023, 5, 26),
    ]


def test_only_ends_inside_the_period_count() -> None:
    autumn = Period(date(2022, 9, 1), date(2022, 12, 27))

    assert DEFAULT_CALENDAR.quarter_end_dates(autumn) == [date(2022, 10, 27)]
    assert DEFAULT_CALENDAR.half_year_end_dates(autumn) == []


def test_a_school_may_set_its_own_calendar() -> None:
    calendar = AcademicCalendar(quarter_ends=((2, 29), (5, 31)), half_year_ends=((5, 31),))

    # 29 February means the end of February in a year without one.
    assert calendar.quarter_end_dates(SCHOOL_2022) == [date(2023, 2, 28), date(2023, 5, 31)]
    assert calendar.school_year_end() == (5, 31)


@pytest.mark.parametrize(
    "ends",
    [((13, 1),), ((0, 5),), ((2, 32),), ()],
)
def test_a_calendar_rejects_days_that_are_not_days(ends: tuple[tuple[int, int], ...]) -> None:
    with pytest.raises(ValueError, match=r"month and day|at least one"):
        AcademicCalendar(quarter_ends=ends)
