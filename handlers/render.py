"""Turning domain values into the words and dates a person reads (through the catalogs)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiogram.utils.text_decorations import html_decoration

from core.dates import format_day
from core.warnings import ParseWarning
from roadmap.deadlines import DeadlineKind

TELEGRAM_TEXT_LIMIT = 4096


def quote(text: str) -> str:
    return html_decoration.quote(text)


def short(text: str, limit: int = 90) -> str:
    """One line, at most `limit` characters, for lists on a phone screen."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def day(value: date) -> str:
    """Dates as people in Russia write them: 04.10.2022."""
    return format_day(value)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _readable(value: str) -> str:
    return day(date.fromisoformat(value)) if _ISO_DAY.match(value) else value


def warning_text(warning: ParseWarning) -> str:
    params = {key: _readable(value) for key, value in warning.params}
    return _(f"warning.{warning.code}").format(**params)


def deadline_text(kind: str, start: date | None, due: Sequence[date]) -> str:
    if kind in (DeadlineKind.UNKNOWN, DeadlineKind.ON_REQUEST) or not due:
        return _("deadline.not_set")
    if kind == DeadlineKind.CONTINUOUS:
        return _("deadline.continuous").format(start=day(start or due[0]), end=day(due[-1]))
    if kind == DeadlineKind.SERIES:
        return _("deadline.series").format(count=len(due), first=day(due[0]), last=day(due[-1]))
    if start is not None and start != due[-1]:
        return _("deadline.range").format(start=day(start), end=day(due[-1]))
    return _("deadline.by").format(due=day(due[-1]))


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
