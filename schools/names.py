"""When two spellings of a school's name are the same school.

A list typed again next year writes «МБОУ «СОШ №2»» as «МБОУ СОШ № 2», or the school became
autonomous (МБОУ → МАОУ); neither is a new school. The number stays: «СОШ №2» and «СОШ №12»
are two schools, and so are «СОШ №2» and «Гимназия №2».
"""

from __future__ import annotations

import re

_QUOTES = dict.fromkeys(map(ord, "«»\"'“”„‟‘’`´"), " ")
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
# МБОУ, МАОУ, МКОУ, МОУ, ГБОУ, ГОУ, ЧОУ, НОУ, АНОО; МБУ, МАУ, МКУ: the legal form, not the
# school.
_FORM = re.compile(r"^(?:(?:[мгч][бак]?|ано|н)о[уо]|[мг][бак]?у)$")
_FORM_SPELT = re.compile(
    r"^(?:муниципальн|государственн|негосударственн|частн)\w*\s+"
    r"(?:(?:бюджетн|автономн|казенн)\w*\s+)?"
    r"(?:обще)?образовательн\w*\s+(?:учреждени|организаци)\w*\s*"
)
_NUMBER_SIGN = re.compile(r"(?:№+|(?<![a-zа-я])no?\.?)\s*(?=\d)")
_SPACES = re.compile(r"\s+")
_AROUND_DASH = re.compile(r"\s*-\s*")


def school_key(name: str) -> str:
    """A matching key: equal for spellings of one school's name, different for two schools."""
    text = name.casefold().replace("ё", "е").translate(_QUOTES).translate(_DASHES)
    text = _SPACES.sub(" ", text).strip(" .,;:")
    full = text
    text = _FORM_SPELT.sub("", text)
    words = text.split(" ")
    while len(words) > 1 and _FORM.match(words[0]):
        words.pop(0)
    text = " ".join(words)
    text = _NUMBER_SIGN.sub("№", text)
    text = _AROUND_DASH.sub("-", text).strip(" .,;:")
    return text or full
