"""One-letter slips in the words a parser knows: "ежемесечно", "сентебря", "постояно".

People type roadmap cells by hand, and a slip in the one word that carries the meaning would
leave the cell unread. A parser names the words it knows as stems of nouns and adjectives, each
with the endings of its kind. A word it does not know is read as a known one when one edit (a
letter added, dropped or changed, or two neighbours swapped) makes it a form of exactly one
known word, and the first letter stays ("лечение" is not "течение"). Short words are left
alone: "июня" and "июля" are one letter apart, and so are many short words. Words of the same
texts that lie one letter from a known one ("ученик" next to "учебник") are named as neighbours:
known, so never read as slips. A known word with a one-letter word glued to it
("соответствиис") is no slip either. The caller says which words it read otherwise, so that
nothing is guessed silently.

Checked against every form of a full Russian dictionary, a few hundred of its 1.2 million words
are one letter from a known one, none of them words of a deadline ("заверенный", "графин").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Shorter words are too close to each other to tell a slip from another word.
MIN_LENGTH = 6

# A stem shorter than this is known, but no slip is read as it: "сред" (среда) is too close to
# "средний".
MIN_STEM = 5

# The endings of each kind of word, so that a known stem's real forms are never taken for slips;
# a form no one writes does no harm, but one too close to another word would, so each kind
# keeps to its own.
NOUN_ENDINGS = (
    "", "а", "я", "у", "ю", "е", "и", "ы", "ь", "ом", "ем", "ой", "ей", "ью", "ам", "ям", "ах",
    "ях", "ами", "ями", "ов", "ев",
)  # fmt: skip
# Nouns in -ие, -ия: "течение", "полугодия".
NOUN_I_ENDINGS = ("е", "я", "ю", "и", "ем", "й", "ям", "ями", "ях")
ADJECTIVE_ENDINGS = (
    "", "о", "е", "и", "ы", "ый", "ий", "ой", "ей", "ая", "яя", "ое", "ее", "ые", "ие", "ого",
    "его", "ому", "ему", "ым", "им", "ом", "ем", "ых", "их", "ыми", "ими", "ую", "юю", "ою", "ею",
)  # fmt: skip

_WORD_RE = re.compile(r"[а-яё]+")
# Prepositions and conjunctions of one letter, often typed without a space ("в соответствиис").
_ONE_LETTER_WORDS = frozenset("авикосуя")


@dataclass(frozen=True)
class Slip:
    word: str  # as written
    reading: str  # the known form it is read as


def _common_ending(first: str, second: str) -> int:
    length = 0
    while length < min(len(first), len(second)) and first[-1 - length] == second[-1 - length]:
        length += 1
    return length


def _deletions(word: str) -> set[str]:
    return {word[:index] + word[index + 1 :] for index in range(len(word))}


def _distance(first: str, second: str) -> int:
    """Edits from one word to the other, a swap of neighbours counting as one."""
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, letter in enumerate(first, 1):
        current = [i]
        for j, other in enumerate(second, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (letter != other))
            if i > 1 and j > 1 and letter == second[j - 2] and first[i - 2] == other:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _forms(stem: str, adjective: bool) -> Iterable[str]:
    endings: tuple[str, ...] = ADJECTIVE_ENDINGS
    if not adjective:
        endings = NOUN_I_ENDINGS if stem.endswith("и") else NOUN_ENDINGS
    return (stem + ending for ending in endings)


class Lexicon:
    """The words a parser knows, by stem: nouns, and adjectives with their adverbs.

    ``neighbours`` are stems of other words one letter from those: known, so never slips.
    """

    def __init__(
        self, nouns: Iterable[str], adjectives: Iterable[str], neighbours: Iterable[str] = ()
    ) -> None:
        self._lemmas = {
            form: stem
            for stems, adjective in ((nouns, False), (adjectives, True))
            for stem in stems
            for form in _forms(stem, adjective)
        }
        # One deletion from each side meets every pair of words one edit apart (and a few two
        # edits apart, which the distance then rules out).
        self._near: dict[str, set[str]] = {}
        for form, stem in self._lemmas.items():
            if len(form) >= MIN_LENGTH and len(stem) >= MIN_STEM:
                for key in {form} | _deletions(form):
                    self._near.setdefault(key, set()).add(form)
        self._longest = max(map(len, self._lemmas), default=0)
        for stem in neighbours:
            for adjective in (False, True):
                for form in _forms(stem, adjective):
                    self._lemmas.setdefault(form, "")

    def reading(self, word: str) -> str | None:
        """The known form an unknown word is a slip of, if exactly one known word fits."""
        if not MIN_LENGTH <= len(word) <= self._longest + 1:
            return None
        if word in self._lemmas or self._glued(word):
            return None
        candidates: set[str] = set()
        for key in {word} | _deletions(word):
            candidates |= self._near.get(key, set())
        # A slip keeps the first letter: "лечение" is another word, not "течение".
        forms = [form for form in candidates if form[0] == word[0] and _distance(word, form) == 1]
        if len({self._lemmas[form] for form in forms}) != 1:
            return None
        # Of the forms one edit away, the one that ends as the word does: "постояно" is
        # "постоянно", not the bare stem "постоянн".
        return max(sorted(forms), key=lambda form: _common_ending(word, form))

    def _glued(self, word: str) -> bool:
        """A known word with a one-letter word stuck to it: "соответствиис" is no slip."""
        return (word[-1] in _ONE_LETTER_WORDS and word[:-1] in self._lemmas) or (
            word[0] in _ONE_LETTER_WORDS and word[1:] in self._lemmas
        )

    def correct(self, text: str) -> tuple[str, list[Slip]]:
        """The text with each slip replaced by its reading, and the slips."""
        slips: list[Slip] = []

        def replace(match: re.Match[str]) -> str:
            reading = self.reading(match.group())
            if reading is None:
                return match.group()
            slips.append(Slip(match.group(), reading))
            return reading

        return _WORD_RE.sub(replace, text), slips
