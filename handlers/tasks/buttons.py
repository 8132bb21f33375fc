"""The task card's buttons: one handler per action; the services re-check who may press."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.clock import Clock
from core.messengers import Messenger, messenger_of, messenger_of_file
from handlers.callbacks import (
    TaskAction,
    TaskCallback,
)
from handlers.render import quote, short
from handlers.task_cards import (
    card_text,
    history_text,
    task_title,
)
from handlers.tasks.common import (
    TaskFlow,
    cancel_keyboard,
    date_keyboard,
    list_page,
    mark_done,
    show_card,
)
from services.access import Actor
from services.tasks import TaskCard, TaskService
from tasks.rules import evidence_expected

logger = logging.getLogger(__name__)


def _card_message(callback: CallbackQuery) -> Message | None:
    """The card the button sits on; None for a message too old to reach (nothing to edit)."""
    return callback.message if isinstance(callback.message, Message) else None


async def on_list(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    state: FSMContext,
) -> None:
    """A page of the executor's open tasks, in place of the card."""
    await state.clear()
    await callback.answer()
    if (message := _card_message(callback)) is not None:
        text, keyboard = await list_page(tasks, actor, callback_data.page)
        await message.edit_text(text, reply_markup=keyboard)


async def on_history(
    callback: CallbackQuery, callback_data: TaskCallback, actor: Actor, tasks: TaskService
) -> None:
    """What happened to the task, with a way back to its card."""
    card = await tasks.card(actor, callback_data.task_id)
    await callback.answer()
    if (message := _card_message(callback)) is not None:
        builder = InlineKeyboardBuilder()
        builder.button(
            text=_("tasks.button.back"),
            callback_data=TaskCallback(action=TaskAction.OPEN, task_id=callback_data.task_id),
        )
        await message.edit_text(history_text(card), reply_markup=builder.as_markup())


async def on_open(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    state: FSMContext,
) -> None:
    """The task's card (from the list, or back from a question)."""
    await state.clear()
    card = await tasks.card(actor, callback_data.task_id)
    await callback.answer()
    if (message := _card_message(callback)) is not None:
        await show_card(message, card, actor, clock, edit=True)


async def on_show_evidence(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    bot: Bot,
    messengers: Mapping[Messenger, Bot] | None = None,
) -> None:
    """The files and photos sent as evidence, each with the task's title; one sent in the
    other messenger (an executor in MAX, a coordinator in Telegram) is fetched from there."""
    card = await tasks.card(actor, callback_data.task_id)
    await callback.answer()
    if (message := _card_message(callback)) is None:
        return
    caption = _("tasks.evidence.caption").format(title=quote(short(task_title(card), 200)))
    own = messenger_of((await bot.me()).id)
    for item in card.evidence:
        if item.kind not in ("document", "photo"):
            continue
        file: str | BufferedInputFile = item.value
        source = messenger_of_file(item.value)
        if source is not own:
            if messengers is None or source not in messengers:
                await message.answer(
                    _("tasks.evidence.elsewhere").format(name=quote(item.file_name or "—"))
                )
                continue
            fetched = await messengers[source].download(item.value)
            assert fetched is not None
            file = BufferedInputFile(fetched.read(), filename=item.file_name or "file")
        if item.kind == "document":
            await message.answer_document(file, caption=caption)
        else:
            await message.answer_photo(file, caption=caption)


async def on_remind(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
) -> None:
    """A coordinator's nudge: the executors get the card again (the service checks who asks)."""
    outcome = await tasks.remind(actor, callback_data.task_id)
    await callback.answer(_("tasks.reminded") if outcome.notify else _("tasks.nobody_to_remind"))


async def _own_card(
    callback: CallbackQuery, actor: Actor, tasks: TaskService, task_id: int
) -> tuple[Message, TaskCard] | None:
    """The card for a button only its executors may press; None (answered) otherwise."""
    message = _card_message(callback)
    if message is None:
        await callback.answer()
        return None
    card = await tasks.card(actor, task_id)
    if not card.is_executor(actor):
        await callback.answer(_("tasks.not_yours"), show_alert=True)
        return None
    return message, card


async def _ask(
    callback: CallbackQuery,
    state: FSMContext,
    message: Message,
    text: str,
    keyboard: InlineKeyboardMarkup,
    flow: State,
    data: dict[str, object],
) -> None:
    """The card turns into a question; the answer is typed (or picked) next."""
    await state.set_state(flow)
    await state.set_data(data)
    await callback.answer()
    await message.edit_text(text, reply_markup=keyboard)


async def on_done(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    state: FSMContext,
) -> None:
    """«Выполнено»: done at once, or first a request for the report the result names."""
    task_id = callback_data.task_id
    if (found := await _own_card(callback, actor, tasks, task_id)) is None:
        return
    message, card = found
    if evidence_expected(card.activity.fields.result) and not card.evidence:
        text = card_text(card, note=_("tasks.ask_evidence_first"))
        data: dict[str, object] = {"task_id": task_id, "then_done": True}
        keyboard = cancel_keyboard(task_id, skip=True)
        await _ask(callback, state, message, text, keyboard, TaskFlow.evidence, data)
        return
    await mark_done(callback, message, actor, tasks, clock, task_id)


async def on_no_evidence(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    state: FSMContext,
) -> None:
    """«Без отчёта»: done without the report that was asked for."""
    if (found := await _own_card(callback, actor, tasks, callback_data.task_id)) is None:
        return
    await state.clear()
    await mark_done(callback, found[0], actor, tasks, clock, callback_data.task_id)


async def on_attach(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    state: FSMContext,
) -> None:
    """«Приложить»: the next file or photo is the task's evidence."""
    task_id = callback_data.task_id
    if (found := await _own_card(callback, actor, tasks, task_id)) is None:
        return
    message, card = found
    text = card_text(card, note=_("tasks.ask_evidence"))
    data: dict[str, object] = {"task_id": task_id, "then_done": False}
    await _ask(callback, state, message, text, cancel_keyboard(task_id), TaskFlow.evidence, data)


async def on_progress(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
) -> None:
    """«В работе»."""
    if (found := await _own_card(callback, actor, tasks, callback_data.task_id)) is None:
        return
    outcome = await tasks.mark_in_progress(actor, callback_data.task_id)
    await callback.answer(_("tasks.saved"))
    await show_card(found[0], outcome.card, actor, clock, edit=True)


async def on_undo(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
) -> None:
    """A mistaken «Выполнено» taken back, within the undo window."""
    if (found := await _own_card(callback, actor, tasks, callback_data.task_id)) is None:
        return
    outcome = await tasks.undo_done(actor, callback_data.task_id)
    await callback.answer(_("tasks.undone"))
    await show_card(found[0], outcome.card, actor, clock, edit=True)


async def on_postpone(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    state: FSMContext,
) -> None:
    """«Перенести срок»: a calendar for the new date."""
    task_id = callback_data.task_id
    if (found := await _own_card(callback, actor, tasks, task_id)) is None:
        return
    message, card = found
    text = card_text(card, note=_("tasks.ask_new_date"))
    keyboard = date_keyboard(card, card.today.year, card.today.month)
    await _ask(
        callback, state, message, text, keyboard, TaskFlow.postpone_date, {"task_id": task_id}
    )


async def on_cannot(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    state: FSMContext,
) -> None:
    """«Не могу выполнить»: the reason is asked for."""
    task_id = callback_data.task_id
    if (found := await _own_card(callback, actor, tasks, task_id)) is None:
        return
    message, card = found
    text = card_text(card, note=_("tasks.ask_cannot_reason"))
    await _ask(
        callback,
        state,
        message,
        text,
        cancel_keyboard(task_id),
        TaskFlow.cannot_reason,
        {"task_id": task_id},
    )
