"""The locale catalogs as tests read them, to check that an error's words exist and fit."""

from __future__ import annotations

from functools import cache

from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR
from surveys.loading import DefinitionError


@cache
def catalog(locale: str) -> dict[str, str]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return {str(message.id): str(message.string) for message in read_po(po_file) if message.id}


def rendered(error: DefinitionError, locale: str = "ru") -> str:
    """The message a person reads; fails if the key is missing or a field is not given."""
    return catalog(locale)[error.key].format(**error.params)
