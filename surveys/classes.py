"""School classes as coordinators type them ("5а, 5 Б; 10 «а»") and as respondents see them.

A class is a number from 1 to 11 and, usually, a Cyrillic letter: "5 «а»", or "5" alone.
Latin letters are accepted only where they look like the Cyrillic letter AND transliterate
to it (a, e, k, m, o, t in either case), so "5a" typed on the wrong keyboard is "5 «а»";
Latin b, c, p, h, x, y are refused, because "10b" could mean either "10 «в»" (the shape)
or "10 «б»" (the transliteration) and a wrong guess would split one class in two.
Й, ъ, ы and ь letter no class: "5-й" is "the fifth" and is refused.
"""

from __future__ import annotations

import re

from surveys.source import DefinitionError, shown

MAX_CLASSES = 80
_LOWEST, _HIGHEST = 1, 11

_SEPARATORS = re.compile(r"[,;\n\r]+|\s+и\s+", re.IGNORECASE)
# "5а 5б 6в" is three classes: a new one starts wherever a number follows a space.
_BEFORE_NUMBER = re.compile(r"\s+(?=\d)")
_CLASS_WORD = re.compile(r"(?<!\w)(?:класс(?:а|ы|ов)?|кл)(?!\w)\.?", re.IGNORECASE)
_QUOTE = "\"'«»“”„"
_CLASS = re.compile(rf"(\d{{1,3}})\s*[-–—]?\s*[{_QUOTE}]?\s*([^\W\d_])?\s*[{_QUOTE}]?")
_LATIN_TWINS = {"a": "а", "e": "е", "k": "к", "m": "м", "o": "о", "t": "т"}
_NOTHING = frozenset({"", "-", "–", "—", "нет"})
_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
# No class is lettered with these; "5-й" is "the fifth", not a class "5 «й»".
_NEVER_CLASS_LETTERS = "йъыь"


def parse_class_list(text: str) -> tuple[str, ...]:
    """Classes in a typed list: normalised ("5 «а»"), without repeats, in school order.

    "-" or "нет" mean no classes. Raises DefinitionError("survey.file.bad_class", value=…)
    for anything that is not a class, and "survey.file.too_many_classes" past MAX_CLASSES.
    """
    if text.strip().casefold() in _NOTHING:
        return ()
    found: set[tuple[int, str]] = set()
    for chunk in _SEPARATORS.split(text):
        for token in _BEFORE_NUMBER.split(chunk.strip()):
            if _CLASS_WORD.sub(" ", token).strip(" .:"):
                found.add(_parse_class(token))
    if len(found) > MAX_CLASSES:
        raise DefinitionError("survey.file.too_many_classes", count=len(found), limit=MAX_CLASSES)
    return tuple(_format(number, letter) for number, letter in sorted(found, key=_school_order))


def _parse_class(token: str) -> tuple[int, str]:
    bare = _CLASS_WORD.sub(" ", token).strip(" .:")
    match = _CLASS.fullmatch(bare)
    if match is None or not _LOWEST <= int(match.group(1)) <= _HIGHEST:
        raise DefinitionError("survey.file.bad_class", value=shown(token))
    letter = (match.group(2) or "").casefold()
    letter = _LATIN_TWINS.get(letter, letter)
    if letter and (letter not in _ALPHABET or letter in _NEVER_CLASS_LETTERS):
        raise DefinitionError("survey.file.bad_class", value=shown(token))
    return int(match.group(1)), letter


def _school_order(item: tuple[int, str]) -> tuple[int, int]:
    number, letter = item
    return number, _ALPHABET.index(letter) if letter else -1


def _format(number: int, letter: str) -> str:
    return f"{number} «{letter}»" if letter else str(number)
