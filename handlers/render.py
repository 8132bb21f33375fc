"""Texts for Telegram: messages cut to its limit, pages of buttons (and the plain texts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

# The messenger-free texts, where the handlers have always found them.
from core.i18n import Translate
from texts.render import day as day
from texts.render import deadline_text as deadline_text
from texts.render import quote as quote
from texts.render import short as short
from texts.render import warning_text as warning_text

TELEGRAM_TEXT_LIMIT = 4096


def telegram_length(text: str) -> int:
    """The length Telegram measures: UTF-16 code units (an emoji such as 🔴 counts two)."""
    return len(text.encode("utf-16-le")) // 2


def fit(lines: Sequence[str], limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """Join lines, cutting whole lines (with a note) so the message fits Telegram's limit.

    Counted in UTF-16 units with the markup included, so what fits here fits there.
    """
    text = "\n".join(lines)
    if telegram_length(text) <= limit:
        return text
    kept: list[str] = []
    used = 0
    budget = limit - 40
    for line in lines:
        used += telegram_length(line) + (1 if kept else 0)
        if used > budget:
            break
        kept.append(line)
    kept.append(_("list.truncated").format(count=len(lines) - len(kept)))
    return "\n".join(kept)


T = TypeVar("T")


def page_of(items: Sequence[T], page: int, size: int) -> tuple[list[T], int, int]:
    """The items on a page (clamped into range), that page, and how many pages there are."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    return list(items[page * size : (page + 1) * size]), page, pages


def finish_paged_keyboard(
    builder: InlineKeyboardBuilder,
    widths: list[int],
    page: int,
    pages: int,
    callback_for_page: Callable[[int], CallbackData],
) -> InlineKeyboardMarkup:
    """Adds ◀ Назад / Дальше ▶ as the last row and lays the keyboard out."""
    navigation = 0
    for target, key in ((page - 1, "roadmap.button.previous"), (page + 1, "roadmap.button.next")):
        if 0 <= target < pages:
            builder.button(text=_(key), callback_data=callback_for_page(target))
            navigation += 1
    if navigation:
        widths = [*widths, navigation]
    if widths:
        builder.adjust(*widths)
    return builder.as_markup()


def translator(i18n: I18n) -> Translate:
    """The reader's language, fixed now: documents are drawn in another thread."""
    locale = i18n.current_locale
    return lambda key: i18n.gettext(key, locale=locale)
