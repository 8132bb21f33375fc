"""One-letter slips in the words of deadline cells, and the real words that are no slips."""

from __future__ import annotations

import pytest

from roadmap.deadlines import _lexicon
from roadmap.spelling import Lexicon, Slip

# word as typed, the known form it is read as
SLIPS = [
    ("ежемесечно", "ежемесячно"),  # a letter changed
    ("ежемесячьно", "ежемесячно"),  # a letter added
    ("постояно", "постоянно"),  # a letter dropped
    ("ферваль", "февраль"),  # two neighbours swapped
    ("сентебря", "сентября"),
    ("ежеквартольно", "ежеквартально"),
    ("теченние", "течение"),
    ("полугодя", "полугодия"),
    ("четверьти", "четверти"),
    ("регулярнно", "регулярно"),
    ("окончаню", "окончанию"),
]

# Real words one letter from a known one, short words, and known words with a glued preposition.
NO_SLIPS = [
    "ученик", "ученики", "лечение", "четверг", "четвертый", "среднее", "текущей", "июня",
    "завершен", "утвержденному", "соответствиис", "вмае", "отчета", "учебника", "графику",
    "постановление", "календарь", "ежедневники", "проведения", "мероприятия",
]  # fmt: skip


@pytest.mark.parametrize(("word", "reading"), SLIPS)
def test_a_slip_in_a_known_word_is_read_as_it(word: str, reading: str) -> None:
    assert _lexicon().reading(word) == reading


@pytest.mark.parametrize("word", NO_SLIPS)
def test_a_real_word_is_no_slip(word: str) -> None:
    assert _lexicon().reading(word) is None


def test_a_slip_that_fits_two_known_words_is_left_alone() -> None:
    words = Lexicon(nouns=("мостик", "мастик"), adjectives=())

    assert words.reading("мустик") is None
    assert words.reading("мостак") == "мостик"


def test_the_text_comes_back_with_each_slip_read_and_named() -> None:
    text, slips = _lexicon().correct("ежемесечно, до 5 числа (кроме июля)\nпостояно")

    assert text == "ежемесячно, до 5 числа (кроме июля)\nпостоянно"
    assert slips == [Slip("ежемесечно", "ежемесячно"), Slip("постояно", "постоянно")]
