"""Whatever a user types into a deadline cell, the parser answers and never crashes."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap.deadlines import DeadlineKind, parse_deadline
from roadmap.period import Period, add_years, period_from_title

# Pieces real cells are made of, so that random text often looks like a deadline.
_WORDS = [
    "до", "с", "по", "г.", "г.г.", "гг", "года", "году", "уч. год", "учебного года", "в течение",
    "постоянно", "ежемесячно", "ежеквартально", "еженедельно", "ежегодно", "каждого", "кроме",
    "по окончании", "четверти", "полугодия", "по полугодиям", "квартал", "I", "II", "IV", "числа",
    "январь", "января", "февр.", "март", "мая", "май", "сентябрь", "сент.", "декабря",
    "по отдельному графику", "по запросу", "в начале", "в конце", "раз в", "2 раза в год",
    "2022", "2023", "2022-2023", "2022/23", "31.02.2023", "15.-06.2023", "01.05.2023", "20.01.22",
    "1", "15", "31", "-", "–", "—", ".", ",", " ", "  ", "\u00a0", "\n", "**", "<li>", "(", ")",
]  # fmt: skip
_SOUP = st.text(alphabet="0123456789.-–—/, гг", max_size=40)
_CYRILLIC = st.text(
    alphabet=st.characters(min_codepoint=0x0400, max_codepoint=0x04FF), max_size=40
)
_PHRASES = st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join)
_TEXTS = st.one_of(st.text(max_size=60), _SOUP, _CYRILLIC, _PHRASES)


@st.composite
def _periods(draw: st.DrawFn, earliest: date, latest: date) -> Period:
    start = draw(st.dates(min_value=earliest, max_value=latest))
    length = draw(
        st.integers(min_value=0, max_value=min(6 * 366, latest.toordinal() - start.toordinal()))
    )
    return Period(start, date.fromordinal(start.toordinal() + length))


# Ordinary roadmaps, and periods at the very ends of the calendar, where date arithmetic breaks.
_ANY_PERIOD = st.one_of(
    st.just(Period.school_year(2022)),
    _periods(date(1995, 1, 1), date(2090, 12, 31)),
    _periods(date.min, date.max),
    _periods(date(9990, 1, 1), date.max),
)


@settings(max_examples=400, deadline=None)
@given(text=_TEXTS, period=_ANY_PERIOD)
def test_parse_deadline_never_raises_and_keeps_its_promises(text: str, period: Period) -> None:
    deadline = parse_deadline(text, period)

    assert deadline.text == text
    assert list(deadline.due) == sorted(set(deadline.due))
    earliest, latest = add_years(period.start, -5), add_years(period.end, 5)
    assert all(earliest <= day <= latest for day in deadline.due)
    no_dates = not deadline.due and deadline.start is None
    assert (deadline.kind is DeadlineKind.UNKNOWN) == (no_dates and bool(deadline.warnings)), (
        deadline
    )
    if deadline.kind is DeadlineKind.ON_REQUEST:
        assert not deadline.warnings
    if deadline.start is not None and deadline.due:
        assert deadline.start <= deadline.due[-1]


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(_TEXTS, st.lists(_TEXTS, max_size=5).map("\n".join)))
def test_period_from_title_never_raises(text: str) -> None:
    period = period_from_title(text)

    assert period is None or period.start <= period.end
