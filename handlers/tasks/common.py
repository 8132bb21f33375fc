"""What the task card's buttons and the typed answers share: the states, the card shown again,
the keyboards, «Выполнено» itself. (The others involved are told by the services' notices.)"""

from __future__ import annotations

import logging
import re

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.clock import Clock
from handlers.calendar import calendar_keyboard
from handlers.callbacks import (
    TaskAction,
    TaskCallback,
)
from handlers.task_cards import PAGE_SIZE as LIST_PAGE_SIZE
from handlers.task_cards import (
    card_keyboard,
    card_text,
    list_view,
)
from services.access import Actor
from services.tasks import EVIDENCE_COMMENT_LIMIT, TaskCard, TaskService
from tasks.rules import MAX_POSTPONEMENT, earliest_postponement, may_undo

logger = logging.getLogger(__name__)
URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)


class TaskFlow(StatesGroup):
    evidence = State()
    evidence_for = State()  # a file sent unasked waits for the task it reports on
    postpone_date = State()
    postpone_reason = State()
    cannot_reason = State()
    reject_reason = State()


def cancel_keyboard(task_id: int, *, skip: bool = False) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if skip:
        builder.button(
            text=_("tasks.button.no_evidence"),
            callback_data=TaskCallback(action=TaskAction.NO_EVIDENCE, task_id=task_id),
        )
    builder.button(
        text=_("tasks.button.back"),
        callback_data=TaskCallback(action=TaskAction.OPEN, task_id=task_id),
    )
    builder.adjust(1)
    return builder.as_markup()


async def show_card(
    target: Message,
    card: TaskCard,
    actor: Actor,
    clock: Clock,
    *,
    edit: bool,
    note: str | None = None,
) -> None:
    text = card_text(card, note=note)
    keyboard = card_keyboard(card, actor, may_undo(card.status, card.task.done_at, clock.now()))
    if edit:
        await target.edit_text(text, reply_markup=keyboard)
    else:
        await target.answer(text, reply_markup=keyboard)


def evidence_in(message: Message) -> tuple[str, str, str | None] | None:
    """A report as a message carries it: (kind, value, file name); None for anything else."""
    text = (message.text or "").strip()
    if message.document is not None:
        return "document", message.document.file_id, message.document.file_name
    if message.photo:
        return "photo", message.photo[-1].file_id, None
    if text and URL.match(text):
        return "link", text, None
    if text:
        return "comment", text[:EVIDENCE_COMMENT_LIMIT], None
    return None


async def typed_reason(message: Message) -> str | None:
    """The reason typed, or None after asking again for an empty one."""
    reason = (message.text or "").strip()
    if not reason:
        await message.answer(_("tasks.reason_empty"))
        return None
    return reason


async def list_page(
    tasks: TaskService, actor: Actor, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the executor's open tasks, read with the page alone."""
    return list_view(await tasks.open_tasks(actor, page=page, size=LIST_PAGE_SIZE))


async def mark_done(
    callback: CallbackQuery,
    message: Message,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    task_id: int,
) -> None:
    """Done; the coordinators and the other executors are told by the service's notice."""
    outcome = await tasks.mark_done(actor, task_id)
    await callback.answer(_("tasks.done_thanks"))
    await show_card(message, outcome.card, actor, clock, edit=True, note=_("tasks.undo_hint"))


def date_keyboard(card: TaskCard, year: int, month: int) -> InlineKeyboardMarkup:
    back = InlineKeyboardButton(
        text=_("tasks.button.back"),
        callback_data=TaskCallback(action=TaskAction.OPEN, task_id=card.task.id).pack(),
    )
    return calendar_keyboard(
        year,
        month,
        today=card.today,
        earliest=earliest_postponement(card.task.due_on, card.today),
        latest=card.today + MAX_POSTPONEMENT,
        marked=card.task.due_on,
        extra_rows=[[back]],
    )
