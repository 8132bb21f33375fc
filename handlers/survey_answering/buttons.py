"""Buttons of the survey message: each carries the step it belongs to."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import AnswerAction, AnswerCallback


def button(text: str, step: int, action: AnswerAction, value: int = 0) -> InlineKeyboardButton:
    data = AnswerCallback(step=step, action=action, value=value)
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def in_rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[start : start + width] for start in range(0, len(buttons), width)]


def ticked(text: str, ticked: bool) -> str:
    return f"✓ {text}" if ticked else text


def navigation(step: int, *, skip: bool = False, keep: bool = False) -> list[InlineKeyboardButton]:
    row = []
    if step > 1:
        row.append(button(_("survey.answer.button.back"), step, AnswerAction.BACK))
    if skip:
        row.append(button(_("survey.answer.button.skip"), step, AnswerAction.SKIP))
    if keep:
        row.append(button(_("survey.answer.button.keep"), step, AnswerAction.KEEP))
    return row


def keyboard(rows: Iterable[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])
