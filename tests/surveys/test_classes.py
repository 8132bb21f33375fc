"""Class lists as coordinators type them."""

from __future__ import annotations

import pytest

from surveys.classes import MAX_CLASSES
from surveys.loading import DefinitionError, parse_class_list


@pytest.mark.parametrize(
    ("typed", "classes"),
    [
        ("5а, 5 Б; 10 «а»\n11-в", ("5 «а»", "5 «б»", "10 «а»", "11 «в»")),
        ("5а 5б 6в", ("5 «а»", "5 «б»", "6 «в»")),
        ("5", ("5",)),
        ("9, 5, 1", ("1", "5", "9")),
        ("5а, 5А, 5 «а», 5-а", ("5 «а»",)),
        ("5, 5а", ("5", "5 «а»")),
        ("6ж, 6ё, 6е", ("6 «е»", "6 «ё»", "6 «ж»")),
        ("11б, 2а, 10в", ("2 «а»", "10 «в»", "11 «б»")),
        ('10 "б", 10 “в”, 10 „г“', ("10 «б»", "10 «в»", "10 «г»")),
        ("7а класс, 8 кл., классы 9б", ("7 «а»", "8", "9 «б»")),
        ("5а и 5б", ("5 «а»", "5 «б»")),
        # Latin letters that look like and transliterate to the Cyrillic one.
        (
            "5a, 6A, 7e, 8K, 9m, 10T, 11o",
            ("5 «а»", "6 «а»", "7 «е»", "8 «к»", "9 «м»", "10 «т»", "11 «о»"),
        ),
        ("", ()),
        ("  ", ()),
        ("-", ()),
        ("Нет", ()),
    ],
)
def test_class_lists_are_normalised(typed: str, classes: tuple[str, ...]) -> None:
    assert parse_class_list(typed) == classes


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("абв", "абв"),
        ("25а", "25а"),
        ("0", "0"),
        ("12б", "12б"),
        ("5аб", "5аб"),
        ("5а, б", "б"),
        ("10b", "10b"),  # в by its shape, б by transliteration: refused, not guessed
        ("10c", "10c"),
        ("5а, 5-й", "5-й"),
        ("5 <b>", "5 &lt;b&gt;"),
    ],
)
def test_garbage_is_refused_by_name(typed: str, value: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_class_list(typed)
    assert caught.value.key == "survey.file.bad_class"
    assert caught.value.params == {"value": value}


def test_too_many_classes_are_refused() -> None:
    letters = "абвгдежзиклмнопрст"
    typed = ", ".join(f"{number}{letter}" for number in range(1, 12) for letter in letters)
    with pytest.raises(DefinitionError) as caught:
        parse_class_list(typed)
    assert caught.value.key == "survey.file.too_many_classes"
    assert caught.value.params == {"count": 11 * len(letters), "limit": MAX_CLASSES}


def test_a_normalised_list_reads_back_as_itself() -> None:
    classes = parse_class_list("11в, 5а, 5, 10 «б»")
    assert parse_class_list(", ".join(classes)) == classes
