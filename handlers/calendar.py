"""An inline month calendar for choosing a day: keyboards as pure functions, one callback type.

The flow that shows the calendar handles its `CalendarCallback`s: DAY is the choice
(`chosen_day`), MONTH redraws the keyboard for the month it names (with the same bounds), and
IGNORE (headers, blanks, days out of range) only needs an answer, which this module's router
gives, whatever the state.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Sequence
from datetime import MAXYEAR, MINYEAR, date
from enum import StrEnum
from typing import Annotated

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import Field

from services.access import Permission

PREVIOUS = "‹"
NEXT = "›"
BLANK = " "
OUT_OF_RANGE = "·"
TODAY_MARK = "•"
MARKED = "[{}]"  # the day the choice is about (a task's current deadline)
DAYS_IN_WEEK = 7


class CalendarAction(StrEnum):
    DAY = "d"
    MONTH = "m"
    IGNORE = "x"


class CalendarCallback(CallbackData, prefix="cal1"):
    action: CalendarAction
    # Forged data outside these bounds fails to unpack: answered as a stale button.
    year: Annotated[int, Field(ge=MINYEAR, le=MAXYEAR)]
    month: Annotated[int, Field(ge=1, le=12)]
    day: Annotated[int, Field(ge=0, le=31)] = 0


def _months_shown(
    year: int, month: int, earliest: date | None, latest: date | None
) -> tuple[int, int, int]:
    """The first and last month a keyboard may show and the one it shows, as month indexes."""
    if not 1 <= month <= 12 or not MINYEAR <= year <= MAXYEAR:
        raise ValueError("no such month")
    if earliest is not None and latest is not None and earliest > latest:
        raise ValueError("earliest is after latest")
    low = _month_index(earliest.year, earliest.month) if earliest else _month_index(MINYEAR, 1)
    high = _month_index(latest.year, latest.month) if latest else _month_index(MAXYEAR, 12)
    return low, high, min(max(_month_index(year, month), low), high)


def calendar_keyboard(
    year: int,
    month: int,
    *,
    today: date,
    earliest: date | None = None,
    latest: date | None = None,
    marked: date | None = None,
    extra_rows: Sequence[Sequence[InlineKeyboardButton]] = (),
) -> InlineKeyboardMarkup:
    """The month as a keyboard: a title with arrows, weekday captions, Monday-first weeks.

    Today carries a dot, ``marked`` (a current deadline) brackets, even where it may not be
    chosen.

    A month outside `earliest`..`latest` (a stale button after the bounds moved) is shown as the
    nearest month inside them.
    """
    low, high, shown = _months_shown(year, month, earliest, latest)
    year, month = divmod(shown, 12)
    month += 1

    def ignore(text: str) -> InlineKeyboardButton:
        data = CalendarCallback(action=CalendarAction.IGNORE, year=year, month=month)
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    def arrow(text: str, target: int) -> InlineKeyboardButton:
        if not low <= target <= high:
            return ignore(BLANK)
        target_year, target_month = divmod(target, 12)
        data = CalendarCallback(
            action=CalendarAction.MONTH, year=target_year, month=target_month + 1
        )
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    builder = InlineKeyboardBuilder()
    # "Ноябрь 2022" and "November 2022": the same order in both languages.
    title = f"{_(f'calendar.month.{month}')} {year}"
    builder.row(arrow(PREVIOUS, shown - 1), ignore(title), arrow(NEXT, shown + 1))
    builder.row(*(ignore(_(f"calendar.weekday.{number}")) for number in range(DAYS_IN_WEEK)))

    first_weekday, days = monthrange(year, month)
    cells: list[InlineKeyboardButton] = [ignore(BLANK)] * first_weekday
    for number in range(1, days + 1):
        day = date(year, month, number)
        text = f"{TODAY_MARK}{number}" if day == today else str(number)
        if day == marked:
            text = MARKED.format(number)
        if (earliest is not None and day < earliest) or (latest is not None and day > latest):
            cells.append(ignore(text if day == marked else OUT_OF_RANGE))
            continue
        data = CalendarCallback(action=CalendarAction.DAY, year=year, month=month, day=number)
        cells.append(InlineKeyboardButton(text=text, callback_data=data.pack()))
    cells += [ignore(BLANK)] * (-len(cells) % DAYS_IN_WEEK)
    for start in range(0, len(cells), DAYS_IN_WEEK):
        builder.row(*cells[start : start + DAYS_IN_WEEK])

    for row in extra_rows:
        builder.row(*row)
    return builder.as_markup()


def chosen_day(data: CalendarCallback) -> date | None:
    """The day a DAY button names; None for the other buttons or a day no month has."""
    if data.action is not CalendarAction.DAY:
        return None
    try:
        return date(data.year, data.month, data.day)
    except ValueError:
        return None


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


async def ignored_button(callback: CallbackQuery) -> None:
    """A title, weekday, blank or out-of-range day: answered, so the client stops waiting."""
    await callback.answer()


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(
        ignored_button,
        CalendarCallback.filter(F.action == CalendarAction.IGNORE),
        flags={"permission": Permission.ANYONE},
    )
    return router
