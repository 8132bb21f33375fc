"""Properties of the responsible parser over generated text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from roadmap.responsible import (
    ResponsibleKind,
    normalise_person_name,
    parse_responsible,
    person_key,
)

# The brief's pattern, with one correction: each part of a double surname is capitalised
# ("Петрова-Водкина"), as Russian spelling requires.
PERSON_NAME = re.compile(r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)* [А-ЯЁ]\.(?:[А-ЯЁ]\.)?$")
KNOWN_CODES = {"responsible.unrecognised", "responsible.position_without_person"}

UPPER = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
LOWER = UPPER.lower()
PUNCTUATION = " .,;:-–—()[]«»\"'\n\t*<>/№_!?"
CYRILLIC_SOUP = st.text(alphabet=UPPER + LOWER + PUNCTUATION + "0123456789abcXYZ", max_size=200)

OFFICIALESE_TOKENS = [
    "Иванова",
    "Петров",
    "Шарик",
    "А.",
    "Б.",
    "А.Б.",
    "АБ",
    "МП",
    "ОО",
    "МО",
    "ПК",
    "РМК",
    "руководители",
    "Руководители",
    "педагоги",
    "родители",
    "заместитель",
    "Заместитель",
    "директора",
    "по",
    "УВР",
    "Комитет",
    "Управление",
    "образования",
    "МКУ",
    "МБОУ",
    "«СОШ",
    "№2»",
    "«",
    "»",
    '"',
    "(",
    ")",
    "и",
    "И",
    ",",
    ";",
    ".",
    "-",
    "—",
    "\n",
    "им.",
    "далее",
    "**",
    "<li>",
    "</li>",
    "[mail](mailto:a@b.ru)",
    "Мария",
    "Петровна",
    "Зам.",
    "группа",
    "рабочая",
    "служба",
    "социально-",
    "участникипроекта",
    "руководительИБЦ",
    "И.о.",
    "до",
    "2022",
    "г.",
    "ИВАНОВА",
    "Петрова-Водкина",
    "ё",
    "Ё",
]
OFFICIALESE_SOUP = st.lists(
    st.tuples(st.sampled_from(OFFICIALESE_TOKENS), st.sampled_from(["", " ", "  ", "\n"])),
    max_size=30,
).map(lambda parts: "".join(token + gap for token, gap in parts))

ANY_TEXT = st.one_of(st.text(max_size=200), CYRILLIC_SOUP, OFFICIALESE_SOUP)

SURNAME_SUFFIXES = ["ова", "ев", "ина", "ский", "ская", "енко", "ук", "ян", "их"]
SURNAME = st.builds(
    lambda first, stem, suffix: first + stem + suffix,
    st.sampled_from(UPPER),
    st.text(alphabet=LOWER, min_size=1, max_size=6),
    st.sampled_from(SURNAME_SUFFIXES),
)
DOUBLE_SURNAME = st.one_of(SURNAME, st.builds(lambda a, b: f"{a}-{b}", SURNAME, SURNAME))
INITIAL = st.sampled_from(UPPER)


def _check_parse(text: str) -> None:
    parsed = parse_responsible(text)
    for item in parsed.items:
        assert item.name == item.name.strip() and item.name
        if item.kind is ResponsibleKind.PERSON:
            assert PERSON_NAME.match(item.name), item.name
            assert normalise_person_name(item.name) == item.name
            assert item.position is None or (item.position and item.position.strip())
        else:
            assert item.position is None
        if item.kind is ResponsibleKind.GROUP:
            assert not item.name[0].islower()
    for warning in parsed.warnings:
        assert warning.code in KNOWN_CODES
        assert warning.param_dict()["fragment"].strip()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_parse_never_raises_and_keeps_its_promises(text: str) -> None:
    _check_parse(text)


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
def test_normalise_never_raises_and_returns_a_clean_name(text: str) -> None:
    name = normalise_person_name(text)
    if name is not None:
        assert PERSON_NAME.match(name), name
        assert normalise_person_name(name) == name
    assert isinstance(person_key(text), str)


def _spellings(surname: str, first: str, second: str) -> list[str]:
    return [
        f"{surname} {first}.{second}.",
        f"{surname} {first}. {second}.",
        f"{surname}   {first}.{second}",
        f"{first}.{second}. {surname}",
        f"{first}. {second}. {surname}",
        f"{first}.{second}.{surname}",
        f"  {surname}\t{first}.{second}.  ",
        f"{surname.upper()} {first}.{second}.",
    ]


@settings(deadline=None)
@given(DOUBLE_SURNAME, INITIAL, INITIAL)
def test_person_key_ignores_order_spacing_and_case(surname: str, first: str, second: str) -> None:
    canonical = f"{surname} {first}.{second}."
    assert normalise_person_name(canonical) == canonical
    keys = {person_key(spelling) for spelling in _spellings(surname, first, second)}
    dotless = f"{surname} {first}{second}"
    if normalise_person_name(dotless) is not None:
        keys.add(person_key(dotless))
    assert keys == {person_key(canonical)}
    assert person_key(canonical.replace("ё", "е").replace("Ё", "Е")) == person_key(canonical)


@settings(deadline=None)
@given(DOUBLE_SURNAME, INITIAL, INITIAL, INITIAL)
def test_person_key_tells_initials_apart(
    surname: str, first: str, second: str, other: str
) -> None:
    assume(other.replace("Ё", "Е") != second.replace("Ё", "Е"))
    assert person_key(f"{surname} {first}.{second}.") != person_key(f"{surname} {first}.{other}.")


NAME_SPELLING = st.tuples(
    DOUBLE_SURNAME, INITIAL, INITIAL, st.integers(min_value=0, max_value=4)
).map(lambda t: (f"{t[0]} {t[1]}.{t[2]}.", _spellings(t[0], t[1], t[2])[t[3]].strip()))
SEPARATOR = st.sampled_from([", ", "; ", "\n", " и ", " ", ",\n", ",  "])


@settings(deadline=None)
@given(st.lists(st.tuples(NAME_SPELLING, SEPARATOR), min_size=1, max_size=6))
def test_a_list_of_names_yields_each_person_once_in_order(
    parts: list[tuple[tuple[str, str], str]],
) -> None:
    cell = "".join(spelling + separator for (_, spelling), separator in parts)
    expected: list[str] = []
    for (canonical, _), _ in parts:
        if person_key(canonical) not in {person_key(name) for name in expected}:
            expected.append(canonical)
    parsed = parse_responsible(cell)
    assert [item.name for item in parsed.items] == expected
    assert all(item.kind is ResponsibleKind.PERSON for item in parsed.items)
    assert parsed.warnings == ()


PHONE = st.sampled_from(
    [
        "8-914-123-45-67",
        "89241234567",
        "+7 (4232) 12-34-56",
        "тел. 2-15-48",
        "т. 8 (42135) 5-12-34",
        "8 999 123 45 67",
    ]
)


@settings(deadline=None)
@given(st.lists(st.tuples(NAME_SPELLING, PHONE), min_size=1, max_size=4))
def test_a_phone_after_a_name_is_dropped(parts: list[tuple[tuple[str, str], str]]) -> None:
    with_phones = "; ".join(f"{spelling}, {phone}" for (_, spelling), phone in parts)
    without = "; ".join(spelling for (_, spelling), _ in parts)
    assert parse_responsible(with_phones) == parse_responsible(without)
