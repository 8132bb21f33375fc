"""An organisation's name: its spacing tidied, its length bounded.

One rule for a name typed in the chat, given to `python -m bot org add` and read from a
schools list, so a name one of them accepts the others accept too.
"""

from __future__ import annotations

import re

from core.models import OrganisationKind

NAME_MIN_LENGTH = 3
NAME_MAX_LENGTH = 300


def clean_name(text: str) -> str:
    """The name on one line, single-spaced."""
    return " ".join(text.split())


def name_fits(name: str) -> bool:
    return NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH


# Words that name a body above schools, by the level it works at. A school's name may contain a
# place too («СОШ №2 г. Артёма»), so only the kind of body decides, never a place alone.
_REGIONAL = re.compile(
    r"министерств|департамент|институт\w*\s+развития\s+образовани|\bиро\b", re.IGNORECASE
)
_MUNICIPAL = re.compile(
    r"управлени[еяю]\s+образовани|отдел\w*\s+образовани|комитет\w*\s+(?:по\s+)?образовани"
    r"|администраци\w*\s+(?:\w+\s+){0,2}(?:район|округ|город|муниципальн)"
    r"|\bмку\b|методическ\w*\s+(?:кабинет|центр)",
    re.IGNORECASE,
)


def guess_kind(name: str) -> OrganisationKind:
    """The kind an organisation named so most likely is: an education department or a
    municipal body is a municipality, a ministry a region, anything else a school."""
    folded = name.replace("ё", "е").replace("Ё", "Е")
    if _REGIONAL.search(folded):
        return OrganisationKind.REGION
    if _MUNICIPAL.search(folded):
        return OrganisationKind.MUNICIPALITY
    return OrganisationKind.SCHOOL
