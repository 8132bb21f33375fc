"""Translations straight from the `.po` catalogs, compiled in memory at start.

A fresh clone therefore needs no `pybabel compile` step, and a `.mo` file can never be
older than the `.po` it came from.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, SimpleI18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LOCALE = "ru"
DOMAIN = "messages"


def compile_catalog(po_path: Path) -> gettext.GNUTranslations:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def _compiled(
    files: tuple[tuple[Path, int], ...],
) -> tuple[tuple[str, gettext.GNUTranslations], ...]:
    """Each set of catalogs (paths and modification times) compiled once per process: every
    bot, CLI command and test that starts reads the same files (60 ms each)."""
    return tuple((path.parent.parent.name, compile_catalog(path)) for path, _stamp in files)


class CatalogI18n(I18n):
    """aiogram's I18n, reading `.po` files instead of compiled `.mo` files."""

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        found = sorted(self.path.glob(f"*/LC_MESSAGES/{self.domain}.po"))
        return dict(_compiled(tuple((path, path.stat().st_mtime_ns) for path in found)))

    @contextmanager
    def context(self) -> Iterator[I18n]:
        # aiogram keeps "the current I18n" in a context variable per class, and its gettext
        # helpers look it up on I18n itself; a subclass must register there, not on its own.
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)

    @contextmanager
    def speaking(self, language_code: str | None) -> Iterator[None]:
        """Texts for a message the bot starts itself: the person's language, else the default."""
        locale = language_code if language_code in self.available_locales else None
        with self.context(), self.use_locale(locale or self.default_locale):
            yield


# Telegram sends a handful of language codes; more than this many distinct ones is noise.
_LANGUAGE_CODES_KEPT = 64


class LanguageMiddleware(SimpleI18nMiddleware):
    """aiogram's choice of language from the user's language code, remembered per code: the
    same few codes arrive on every update, and parsing one takes longer than the lookup."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n)
        self._chosen: dict[str, str] = {}

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        code = user.language_code if user is not None else None
        if code is None:
            return self.i18n.default_locale
        chosen = self._chosen.get(code)
        if chosen is None:
            chosen = await super().get_locale(event, data)
            if len(self._chosen) < _LANGUAGE_CODES_KEPT:
                self._chosen[code] = chosen
        return chosen


def create_i18n() -> CatalogI18n:
    return CatalogI18n(path=LOCALES_DIR, default_locale=DEFAULT_LOCALE, domain=DOMAIN)
