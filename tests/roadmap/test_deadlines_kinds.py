"""Kinds of deadline text seen in roadmaps the parser had never met, one table per kind.

The rows are written in the style of school and municipal plans, not copied from any of them:
each kind is a rule, and these rows only show the rule its spellings.
"""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.deadlines import DeadlineKind, parse_deadline
from roadmap.period import Period, normalise
from roadmap.warnings import ParseWarning
from tests.roadmap.test_deadlines import case_params, check_reading

DATE = DeadlineKind.DATE
SERIES = DeadlineKind.SERIES
CONTINUOUS = DeadlineKind.CONTINUOUS
ON_REQUEST = DeadlineKind.ON_REQUEST
UNKNOWN = DeadlineKind.UNKNOWN

SCHOOL_2023 = Period.school_year(2023)
SCHOOL_2024 = Period.school_year(2024)
THREE_YEARS = Period.school_years(2023, 2026)

MONTH_ENDS_2023_24 = (
    "2023-09-30", "2023-10-31", "2023-11-30", "2023-12-31", "2024-01-31", "2024-02-29",
    "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30", "2024-07-31", "2024-08-31",
)  # fmt: skip

Case = tuple[str, Period, DeadlineKind, str | None, tuple[str, ...], tuple[str, ...]]

# text, period, kind, start, due, warning codes

# A range whose first date has no year takes the end's year, or the period's when the end has
# none either; a start after the end means the range crosses New Year.
RANGES_WITHOUT_THE_FIRST_YEAR: list[Case] = [
    ("12.03.-16.03.2024", SCHOOL_2023, DATE, "2024-03-12", ("2024-03-16",), ()),
    ("с 10.11. – 21.11.", SCHOOL_2024, DATE, "2024-11-10", ("2024-11-21",), ()),
    ("С 3.02. – 9.02.25.", SCHOOL_2024, DATE, "2025-02-03", ("2025-02-09",), ()),
    ("01.09-15.09.2023", SCHOOL_2023, DATE, "2023-09-01", ("2023-09-15",), ()),
    ("с 5.10 по 12.10.2023 г.", SCHOOL_2023, DATE, "2023-10-05", ("2023-10-12",), ()),
    ("с 15.04. до 30.04.2024г.", SCHOOL_2023, DATE, "2024-04-15", ("2024-04-30",), ()),
    ("20.11.–24.11.2023 г.", SCHOOL_2023, DATE, "2023-11-20", ("2023-11-24",), ()),
    ("с 01.02.по 28.02.2024", SCHOOL_2023, DATE, "2024-02-01", ("2024-02-28",), ()),
    ("18.09. - 22.09.", SCHOOL_2023, DATE, "2023-09-18", ("2023-09-22",), ()),
    # Winter holidays: the start belongs to the year before the end's.
    ("25.12.-10.01.2024", SCHOOL_2023, DATE, "2023-12-25", ("2024-01-10",), ()),
    ("с 28.12. по 08.01.", SCHOOL_2023, DATE, "2023-12-28", ("2024-01-08",), ()),
    ("с 26.12 по 09.01.25 г.", SCHOOL_2024, DATE, "2024-12-26", ("2025-01-09",), ()),
    # The first day alone: the rest is the end's.
    ("12-16.03.2024", SCHOOL_2023, DATE, "2024-03-12", ("2024-03-16",), ()),
    ("с 12 по 16.03.2024 г.", SCHOOL_2023, DATE, "2024-03-12", ("2024-03-16",), ()),
    ("12-16.03", SCHOOL_2023, DATE, "2024-03-12", ("2024-03-16",), ()),
    ("с 01.09.2023 г. - по 31.05.2024 г.", SCHOOL_2023, DATE, "2023-09-01", ("2024-05-31",), ()),
    # Two ranges in one cell: each takes its own end's year.
    (
        "23.10.-27.10.2023, 18.03.-22.03.2024", SCHOOL_2023, SERIES, "2023-10-23",
        ("2023-10-27", "2024-03-22"), (),
    ),
    # No year anywhere in a plan of three years: every year, and the user is told.
    (
        "20.05.-31.05.", THREE_YEARS, SERIES, "2024-05-20",
        ("2024-05-31", "2025-05-31", "2026-05-31"), ("deadline.year_missing",),
    ),
]  # fmt: skip

# Shortened words of the usual phrases are read as they are; a word one letter off is read as
# the only known word it can be, and said.
TYPOS_AND_SHORT_WORDS: list[Case] = [
    ("в течении учебного года", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",), ()),
    ("в теч. года", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",), ()),
    ("в течение уч. года", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",), ()),
    ("В теч. уч. г.", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",), ()),
    ("в течение учеб. года", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",), ()),
    ("в течение уч.г.", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",), ()),
    (
        "Ежемесечно", SCHOOL_2023, SERIES, "2023-09-01", MONTH_ENDS_2023_24,
        ("deadline.misspelt",),
    ),
    (
        "ежемесячьно", SCHOOL_2023, SERIES, "2023-09-01", MONTH_ENDS_2023_24,
        ("deadline.misspelt",),
    ),
    (
        "ежеквартельно", SCHOOL_2023, SERIES, "2023-09-01",
        ("2023-09-30", "2023-12-31", "2024-03-31", "2024-06-30"), ("deadline.misspelt",),
    ),
    (
        "постояно", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",),
        ("deadline.misspelt",),
    ),
    (
        "в теченние учебного года", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",),
        ("deadline.misspelt",),
    ),
    (
        "в течение учебнго года", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",),
        ("deadline.misspelt",),
    ),
    # A word cut short is read too, and said.
    (
        "в течени года", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",),
        ("deadline.misspelt",),
    ),
    (
        "по окончани каждой четверти", SCHOOL_2023, SERIES, "2023-09-01",
        ("2023-10-27", "2023-12-28", "2024-03-22", "2024-05-26"), ("deadline.misspelt",),
    ),
    ("до 15 сентебря", SCHOOL_2023, DATE, None, ("2023-09-15",), ("deadline.misspelt",)),
    (
        "Ферваль 2024", SCHOOL_2023, DATE, "2024-02-01", ("2024-02-29",),
        ("deadline.misspelt",),
    ),
    (
        "по окончаню каждой четверти", SCHOOL_2023, SERIES, "2023-09-01",
        ("2023-10-27", "2023-12-28", "2024-03-22", "2024-05-26"), ("deadline.misspelt",),
    ),
    ("по окончанию I полугодия", SCHOOL_2023, DATE, None, ("2023-12-28",), ()),
    # Latin letters that look Cyrillic, in a Russian word: no slip, the same word.
    ("в течениe года", SCHOOL_2023, CONTINUOUS, "2023-09-01", ("2024-08-31",), ()),
    ("Cентябрь 2023", SCHOOL_2023, DATE, "2023-09-01", ("2023-09-30",), ()),
    ("дo 15.10.2023", SCHOOL_2023, DATE, None, ("2023-10-15",), ()),
    # No date comes of it, so the row is a doubt anyway: nothing more to say.
    ("по необходимоси", SCHOOL_2023, ON_REQUEST, None, (), ()),
    # A real word next to a known one is no typo: Thursday is not a quarter.
    (
        "по четвергам", Period(date(2023, 9, 1), date(2023, 9, 30)), SERIES, "2023-09-01",
        ("2023-09-07", "2023-09-14", "2023-09-21", "2023-09-28"), (),
    ),
]  # fmt: skip

# Stray dots and two-digit years (20YY, and said when far from the roadmap's period).
DOTS_AND_SHORT_YEARS: list[Case] = [
    ("9.02.25.", SCHOOL_2024, DATE, None, ("2025-02-09",), ()),
    ("15.03.24г.", SCHOOL_2023, DATE, None, ("2024-03-15",), ()),
    ("до 20.12.23", SCHOOL_2023, DATE, None, ("2023-12-20",), ()),
    ("10.10.2023г..", SCHOOL_2023, DATE, None, ("2023-10-10",), ()),
    (".12.05.2024", SCHOOL_2023, DATE, None, ("2024-05-12",), ()),
    ("до .25.05.2024 г.", SCHOOL_2023, DATE, None, ("2024-05-25",), ()),
    ("12.05.2024.", SCHOOL_2023, DATE, None, ("2024-05-12",), ()),
    ("до 01.06.24 г.", SCHOOL_2023, DATE, None, ("2024-06-01",), ()),
    ("до 31.05.2024г", SCHOOL_2023, DATE, None, ("2024-05-31",), ()),
    ("до 20.12. 2023", SCHOOL_2023, DATE, None, ("2023-12-20",), ()),
    ("до 20.12.25", SCHOOL_2023, DATE, None, ("2025-12-20",), ("deadline.outside_period",)),
    ("до 20.12.33", SCHOOL_2023, UNKNOWN, None, (), ("deadline.implausible_date",)),
    (
        "12..05.2024", SCHOOL_2023, DATE, None, ("2024-05-12",),
        ("deadline.malformed_date",),
    ),
]  # fmt: skip

# Several dates in one cell: a list, whatever separates them.
SERIES_OF_DATES: list[Case] = [
    (
        "12.09.2023, 14.11.2023, 20.02.2024", SCHOOL_2023, SERIES, None,
        ("2023-09-12", "2023-11-14", "2024-02-20"), (),
    ),
    (
        "12.09.2023,14.11.2023", SCHOOL_2023, SERIES, None, ("2023-09-12", "2023-11-14"), (),
    ),
    (
        "12.09.2023 г., 14.11.2023 г.", SCHOOL_2023, SERIES, None,
        ("2023-09-12", "2023-11-14"), (),
    ),
    (
        "12.09.2023; 14.11.2023; 20.02.2024", SCHOOL_2023, SERIES, None,
        ("2023-09-12", "2023-11-14", "2024-02-20"), (),
    ),
    ("12.09.2023 и 14.11.2023", SCHOOL_2023, SERIES, None, ("2023-09-12", "2023-11-14"), ()),
    (
        "12.09.2023\n14.11.2023\n20.02.2024", SCHOOL_2023, SERIES, None,
        ("2023-09-12", "2023-11-14", "2024-02-20"), (),
    ),
    ("15.09.2023\n15.12.2023", SCHOOL_2023, SERIES, None, ("2023-09-15", "2023-12-15"), ()),
    # Three dates in a row are no range, whatever the export did to the line breaks.
    (
        "12.09.2023 14.11.2023 20.02.2024", SCHOOL_2023, SERIES, None,
        ("2023-09-12", "2023-11-14", "2024-02-20"), (),
    ),
    (
        "12.09, 14.11, 20.02", SCHOOL_2023, SERIES, None,
        ("2023-09-12", "2023-11-14", "2024-02-20"), (),
    ),
    (
        "до 15.10.2023 г.; до 15.03.2024 г.", SCHOOL_2023, SERIES, None,
        ("2023-10-15", "2024-03-15"), (),
    ),
    (
        "сентябрь, январь, май", SCHOOL_2023, SERIES, "2023-09-01",
        ("2023-09-30", "2024-01-31", "2024-05-31"), (),
    ),
    (
        "сентябрь\nянварь\nмай", SCHOOL_2023, SERIES, "2023-09-01",
        ("2023-09-30", "2024-01-31", "2024-05-31"), (),
    ),
    (
        "октябрь 2023 г., март 2024 г.", SCHOOL_2023, SERIES, "2023-10-01",
        ("2023-10-31", "2024-03-31"), (),
    ),
    # "до" after "до" starts another deadline, on the same line or the next.
    ("до 25.05.\nдо 30.08.", SCHOOL_2023, SERIES, None, ("2024-05-25", "2024-08-30"), ()),
    ("до 25.05 до 30.08", SCHOOL_2023, SERIES, None, ("2024-05-25", "2024-08-30"), ()),
    (
        "28.05.2024 г\n29.05.2024 г", SCHOOL_2023, SERIES, None, ("2024-05-28", "2024-05-29"),
        (),
    ),
    # A dash or "по" still joins across a line break.
    ("10.10.2023-\n14.10.2023", SCHOOL_2023, DATE, "2023-10-10", ("2023-10-14",), ()),
    ("с 01.10.2023\nпо 15.10.2023", SCHOOL_2023, DATE, "2023-10-01", ("2023-10-15",), ()),
]  # fmt: skip

ALL_CASES = {
    "range": RANGES_WITHOUT_THE_FIRST_YEAR,
    "typo": TYPOS_AND_SHORT_WORDS,
    "dots": DOTS_AND_SHORT_YEARS,
    "series": SERIES_OF_DATES,
}


@pytest.mark.parametrize(
    ("text", "period", "kind", "start", "due", "codes"), case_params(ALL_CASES)
)
def test_deadline_kind_is_read_as_a_person_reads_it(
    text: str,
    period: Period,
    kind: DeadlineKind,
    start: str | None,
    due: tuple[str, ...],
    codes: tuple[str, ...],
) -> None:
    check_reading(text, period, kind, start, due, codes)


def test_a_cell_keeps_its_line_breaks_for_the_deadline_reader() -> None:
    cell = " До\u00a012.09.2023 \r\n\r\n\t14.11.2023\u2028 **май** "

    assert normalise(cell, keep_lines=True) == "до 12.09.2023\n14.11.2023\nмай"
    assert normalise(cell) == "до 12.09.2023 14.11.2023 май"


def test_a_misspelt_word_is_named_with_its_reading() -> None:
    deadline = parse_deadline("Ежемесечно", SCHOOL_2023)

    assert deadline.warnings == (
        ParseWarning.of("deadline.misspelt", word="ежемесечно", reading="ежемесячно"),
    )


def test_latin_twins_in_a_russian_word_become_cyrillic_and_latin_words_stay() -> None:
    assert normalise("Cентябрь, в течениe года, Word, uŭ aktubuoo") == (
        "сентябрь, в течение года, word, uŭ aktubuoo"
    )
