"""Translations straight from the `.po` catalogs, for any messenger and for the terminal.

The catalogs are compiled in memory, so a fresh clone needs no `pybabel compile` step and a
`.mo` file can never be older than the `.po` it came from. Text helpers call `gettext` (`_`),
which asks the translator of the current context: the bot's aiogram I18n sets it for every
update, the command line sets one for the terminal's language.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

Translate = Callable[[str], str]

_current: ContextVar[Translate] = ContextVar("current_translator")


class Translators(Protocol):
    """Hands out a translator per language: `Catalogs`, or the bot's aiogram I18n."""

    def translator(self, locale: str) -> Translate: ...


def compile_catalog(po_path: Path) -> stdlib_gettext.GNUTranslations:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return stdlib_gettext.GNUTranslations(buffer)


@cache
def _compiled(
    files: tuple[tuple[Path, int], ...],
) -> tuple[tuple[str, stdlib_gettext.GNUTranslations], ...]:
    """Each set of catalogs (paths and modification times) compiled once per process: every
    bot, CLI command and test that starts reads the same files (60 ms each)."""
    return tuple((path.parent.parent.name, compile_catalog(path)) for path, _stamp in files)


def compiled_catalogs(directory: Path, domain: str) -> dict[str, stdlib_gettext.GNUTranslations]:
    """`<directory>/<locale>/LC_MESSAGES/<domain>.po`, compiled, by locale."""
    found = sorted(directory.glob(f"*/LC_MESSAGES/{domain}.po"))
    return dict(_compiled(tuple((path, path.stat().st_mtime_ns) for path in found)))


class Catalogs:
    """The compiled catalogs of every locale; a key missing from them is returned as it is."""

    def __init__(self, directory: Path, domain: str) -> None:
        self.locales = compiled_catalogs(directory, domain)

    def gettext(self, key: str, locale: str) -> str:
        translations = self.locales.get(locale)
        return key if translations is None else translations.gettext(key)

    def translator(self, locale: str) -> Translate:
        return lambda key: self.gettext(key, locale)


def gettext(key: str) -> str:
    """The text for `key` in the current context's language."""
    try:
        translate = _current.get()
    except LookupError:
        raise LookupError("No translator is set: use translating(...) first") from None
    return translate(key)


@contextmanager
def translating(translate: Translate) -> Iterator[None]:
    """`gettext` answers through `translate` inside the block."""
    token = _current.set(translate)
    try:
        yield
    finally:
        _current.reset(token)
