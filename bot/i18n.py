"""aiogram's I18n over the `.po` catalogs, and the bot's choice of language per update."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, SimpleI18nMiddleware

from bot.catalogs import DEFAULT_LOCALE, DOMAIN, LOCALES_DIR
from core.i18n import Translate, compiled_catalogs, translating

__all__ = [
    "DEFAULT_LOCALE",
    "DOMAIN",
    "LOCALES_DIR",
    "CatalogI18n",
    "LanguageMiddleware",
    "create_i18n",
]


class CatalogI18n(I18n):
    """aiogram's I18n, reading `.po` files instead of compiled `.mo` files."""

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        return compiled_catalogs(self.path, self.domain)

    @contextmanager
    def context(self) -> Iterator[I18n]:
        # aiogram keeps "the current I18n" in a context variable per class, and its gettext
        # helpers look it up on I18n itself; a subclass must register there, not on its own.
        # The messenger-free texts (core.i18n) answer through the same I18n and its locale.
        token = I18n.set_current(self)
        try:
            with translating(self.gettext):
                yield self
        finally:
            I18n.reset_current(token)

    def translator(self, locale: str) -> Translate:
        """The texts of one language, for a caller that needs no current locale (the CLI)."""
        return lambda key: self.gettext(key, locale=locale)

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
