"""What the task card's buttons and the typed answers share: the states, the card shown again,
the keyboards, «Выполнено» itself, messages to the others involved."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
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
from handlers.render import quote, short
from handlers.task_cards import PAGE_SIZE as LIST_PAGE_SIZE
from handlers.task_cards import (
    card_keyboard,
    card_text,
    list_view,
    task_title,
)
from services.access import Actor
from services.tasks import Outcome, TaskCard, TaskService
from tasks.rules import MAX_POSTPONEMENT, may_undo

logger = logging.getLogger(__name__)
URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)


class TaskFlow(StatesGroup):
    evidence = State()
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


async def tell(bot: Bot, chat_ids: tuple[int, ...], text: str, **kwargs: object) -> None:
    for chat_id in chat_ids:
        try:
            await bot.send_message(chat_id, text, **kwargs)  # type: ignore[arg-type]
        except TelegramAPIError as error:
            logger.warning("could not notify %s: %s", chat_id, error)


async def typed_reason(message: Message) -> str | None:
    """The reason typed, or None after asking again for an empty one."""
    reason = (message.text or "").strip()
    if not reason:
        await message.answer(_("tasks.reason_empty"))
        return None
    return reason


def who(actor: Actor) -> str:
    return quote(actor.person.full_name if actor.person else str(actor.telegram_user_id))


async def list_page(
    tasks: TaskService, actor: Actor, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the executor's open tasks, read with the page alone."""
    return list_view(await tasks.open_tasks(actor, page=page, size=LIST_PAGE_SIZE))


def executor_view(outcome: Outcome) -> Actor:
    """The card as its lead executor sees it (a nudge carries their buttons)."""
    lead = outcome.card.executors[0] if outcome.card.executors else None
    return Actor(lead.telegram_user_id or 0 if lead else 0, lead, is_admin=False)


async def mark_done(
    callback: CallbackQuery,
    message: Message,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    bot: Bot,
    task_id: int,
) -> None:
    outcome = await tasks.mark_done(actor, task_id)
    await callback.answer(_("tasks.done_thanks"))
    await show_card(message, outcome.card, actor, clock, edit=True, note=_("tasks.undo_hint"))
    await announce_done(bot, actor, outcome)


async def announce_done(bot: Bot, actor: Actor, outcome: Outcome) -> None:
    evidence = ""
    if outcome.card.evidence:
        item = outcome.card.evidence[-1]
        evidence = "\n" + _("tasks.notify.evidence").format(
            kind=_(f"tasks.evidence.{item.kind}"),
            value=quote(short(item.file_name or item.value, 200)),
        )
    await tell(
        bot,
        outcome.notify,
        _("tasks.notify.done").format(
            who=who(actor), title=quote(short(task_title(outcome.card), 200))
        )
        + evidence,
    )


def date_keyboard(card: TaskCard, year: int, month: int) -> InlineKeyboardMarkup:
    back = InlineKeyboardButton(
        text=_("tasks.button.back"),
        callback_data=TaskCallback(action=TaskAction.OPEN, task_id=card.task.id).pack(),
    )
    return calendar_keyboard(
        year,
        month,
        today=card.today,
        earliest=card.today + timedelta(days=1),
        latest=card.today + MAX_POSTPONEMENT,
        extra_rows=[[back]],
    )
