"""Every text the bot shows lives in both catalogs, with the same {fields}."""

from __future__ import annotations

import ast
import contextvars
import re
from pathlib import Path

import pytest
from aiogram.utils.i18n import gettext
from babel.messages.pofile import read_po

from bot.catalogs import load_catalogs
from bot.i18n import LOCALES_DIR, create_i18n
from core.i18n import gettext as plain_gettext
from core.i18n import translating

PROJECT = Path(__file__).resolve().parents[2]
SOURCE_PACKAGES = ("bot", "handlers", "scheduler", "services", "texts")
_FIELD_RE = re.compile(r"\{(\w+)\}")
# Calls whose first string argument is a catalog key.
_KEY_CALLS = {"_", "gettext", "lazy_gettext", "__", "_say", "UserFacingError"}


def _catalog(locale: str) -> dict[str, str]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        # A malformed entry (a line break typed into a string) is an error, not a warning.
        catalog = read_po(po_file, abort_invalid=True)
    return {str(message.id): str(message.string) for message in catalog if message.id}


def _keys_used_in_code() -> set[str]:
    keys: set[str] = set()
    for package in SOURCE_PACKAGES:
        for path in (PROJECT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                first = node.args[0]
                if (
                    name in _KEY_CALLS
                    and isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                ):
                    keys.add(first.value)
    return keys


def test_both_catalogs_have_the_same_keys() -> None:
    assert set(_catalog("ru")) == set(_catalog("en"))


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_key_in_code_is_translated(locale: str) -> None:
    catalog = _catalog(locale)
    missing = sorted(key for key in _keys_used_in_code() if not catalog.get(key))
    assert missing == []


def test_fields_agree_between_languages() -> None:
    russian, english = _catalog("ru"), _catalog("en")
    for key, text in russian.items():
        assert set(_FIELD_RE.findall(text)) == set(_FIELD_RE.findall(english[key])), key


def test_russian_texts_are_russian() -> None:
    for key, text in _catalog("ru").items():
        words = re.sub(r"\{\w+\}|<[^>]+>|/\w+|@\w+|[A-Z_]+=\S*|\.\w+|\w+://\S+", "", text)
        if re.search("[a-zа-яё]", words, re.IGNORECASE):
            assert re.search("[а-яё]", words, re.IGNORECASE), key


def _codes_in_roadmap(pattern: str) -> set[str]:
    codes: set[str] = set()
    for path in (PROJECT / "roadmap").rglob("*.py"):
        codes |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return codes


def test_every_parser_warning_has_words() -> None:
    codes = _codes_in_roadmap(r"\"((?:deadline|responsible|table)\.[a-z_]+)\"")
    assert len(codes) >= 15  # the pattern still finds the codes
    for locale in ("ru", "en"):
        catalog = _catalog(locale)
        assert sorted(code for code in codes if f"warning.{code}" not in catalog) == []


def test_every_read_error_has_words() -> None:
    codes = _codes_in_roadmap(r"RoadmapReadError\(\s*\"([a-z_]+)\"")
    assert {"empty", "corrupt", "encrypted", "not_a_table", "no_deadline_column"} <= codes
    for locale in ("ru", "en"):
        catalog = _catalog(locale)
        assert sorted(code for code in codes if f"read_error.{code}" not in catalog) == []


def test_messages_the_bot_starts_speak_the_persons_language_or_russian() -> None:
    i18n = create_i18n()
    spoken = {}
    for language in ("en", "ru", "de", None):
        with i18n.speaking(language):
            spoken[language] = gettext("command.help")
    assert spoken["en"] == "What the bot can do"
    assert spoken["ru"] == spoken["de"] == spoken[None] == "Что умеет бот"


def test_plain_texts_speak_the_language_the_bot_chose() -> None:
    """Helpers written against core.i18n (the terminal's texts) say what aiogram's `_` says."""
    i18n = create_i18n()
    with i18n.speaking("en"):
        assert plain_gettext("command.help") == gettext("command.help") == "What the bot can do"
    with i18n.context(), i18n.use_locale("ru"):
        assert plain_gettext("command.help") == "Что умеет бот"


def test_the_terminal_reads_the_same_catalogs_without_the_messenger() -> None:
    catalogs = load_catalogs()
    with translating(catalogs.translator("en")):
        assert plain_gettext("command.help") == "What the bot can do"
    assert catalogs.gettext("command.help", "ru") == "Что умеет бот"
    assert catalogs.gettext("command.help", "de") == "command.help"  # as aiogram's I18n does
    with pytest.raises(LookupError):
        contextvars.Context().run(plain_gettext, "command.help")
