"""/tasks and the task card: done (with evidence), in progress, postpone, can't do, undo."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.clock import Clock
from core.dates import parse_day
from handlers.calendar import CalendarAction, CalendarCallback, calendar_keyboard, chosen_day
from handlers.callbacks import (
    PostponeDecisionCallback,
    TaskAction,
    TaskCallback,
)
from handlers.filters import NOT_A_COMMAND, PRIVATE, TEXT
from handlers.render import day, quote, short
from handlers.task_cards import PAGE_SIZE as LIST_PAGE_SIZE
from handlers.task_cards import (
    card_keyboard,
    card_text,
    history_text,
    list_view,
    task_title,
)
from services.access import Actor, Permission
from services.tasks import Outcome, TaskCard, TaskService
from tasks.rules import MAX_POSTPONEMENT, TaskStatus, evidence_expected, may_undo

logger = logging.getLogger(__name__)
_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)


class TaskFlow(StatesGroup):
    evidence = State()
    postpone_date = State()
    postpone_reason = State()
    cannot_reason = State()
    reject_reason = State()


def _cancel_keyboard(task_id: int, *, skip: bool = False) -> InlineKeyboardMarkup:
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


async def _show(
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


async def _tell(bot: Bot, chat_ids: tuple[int, ...], text: str, **kwargs: object) -> None:
    for chat_id in chat_ids:
        try:
            await bot.send_message(chat_id, text, **kwargs)  # type: ignore[arg-type]
        except TelegramAPIError as error:
            logger.warning("could not notify %s: %s", chat_id, error)


async def _reason(message: Message) -> str | None:
    """The reason typed, or None after asking again for an empty one."""
    reason = (message.text or "").strip()
    if not reason:
        await message.answer(_("tasks.reason_empty"))
        return None
    return reason


def _who(actor: Actor) -> str:
    return quote(actor.person.full_name if actor.person else str(actor.telegram_user_id))


async def list_page(
    tasks: TaskService, actor: Actor, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the executor's open tasks, read with the page alone."""
    return list_view(await tasks.open_tasks(actor, page=page, size=LIST_PAGE_SIZE))


async def tasks_command(message: Message, actor: Actor, tasks: TaskService) -> None:
    """The executor's open tasks."""
    text, keyboard = await list_page(tasks, actor, 0)
    await message.answer(text, reply_markup=keyboard)


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
        await _show(message, card, actor, clock, edit=True)


async def on_show_evidence(
    callback: CallbackQuery, callback_data: TaskCallback, actor: Actor, tasks: TaskService
) -> None:
    """The files and photos sent as evidence, each with the task's title."""
    card = await tasks.card(actor, callback_data.task_id)
    await callback.answer()
    if (message := _card_message(callback)) is None:
        return
    caption = _("tasks.evidence.caption").format(title=quote(short(task_title(card), 200)))
    for item in card.evidence:
        if item.kind == "document":
            await message.answer_document(item.value, caption=caption)
        elif item.kind == "photo":
            await message.answer_photo(item.value, caption=caption)


async def on_remind(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    bot: Bot,
) -> None:
    """A coordinator's nudge: the executors get the card again (the service checks who asks)."""
    outcome = await tasks.remind(actor, callback_data.task_id)
    for chat_id in outcome.notify:
        try:
            await bot.send_message(
                chat_id,
                _("tasks.reminder") + "\n\n" + card_text(outcome.card),
                reply_markup=card_keyboard(outcome.card, _executor_view(outcome), False),
            )
        except TelegramAPIError as error:
            logger.warning("could not remind %s: %s", chat_id, error)
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
    bot: Bot,
) -> None:
    """«Выполнено»: done at once, or first a request for the report the result names."""
    task_id = callback_data.task_id
    if (found := await _own_card(callback, actor, tasks, task_id)) is None:
        return
    message, card = found
    if evidence_expected(card.activity.fields.result) and not card.evidence:
        text = card_text(card, note=_("tasks.ask_evidence_first"))
        data: dict[str, object] = {"task_id": task_id, "then_done": True}
        keyboard = _cancel_keyboard(task_id, skip=True)
        await _ask(callback, state, message, text, keyboard, TaskFlow.evidence, data)
        return
    await _done(callback, message, actor, tasks, clock, bot, task_id)


async def on_no_evidence(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    state: FSMContext,
    bot: Bot,
) -> None:
    """«Без отчёта»: done without the report that was asked for."""
    if (found := await _own_card(callback, actor, tasks, callback_data.task_id)) is None:
        return
    await state.clear()
    await _done(callback, found[0], actor, tasks, clock, bot, callback_data.task_id)


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
    await _ask(callback, state, message, text, _cancel_keyboard(task_id), TaskFlow.evidence, data)


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
    await _show(found[0], outcome.card, actor, clock, edit=True)


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
    await _show(found[0], outcome.card, actor, clock, edit=True)


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
    keyboard = _date_keyboard(card, card.today.year, card.today.month)
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
        _cancel_keyboard(task_id),
        TaskFlow.cannot_reason,
        {"task_id": task_id},
    )


def _executor_view(outcome: Outcome) -> Actor:
    """The card as its lead executor sees it (a nudge carries their buttons)."""
    lead = outcome.card.executors[0] if outcome.card.executors else None
    return Actor(lead.telegram_user_id or 0 if lead else 0, lead, is_admin=False)


async def _done(
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
    await _show(message, outcome.card, actor, clock, edit=True, note=_("tasks.undo_hint"))
    await _announce_done(bot, actor, outcome)


async def _announce_done(bot: Bot, actor: Actor, outcome: Outcome) -> None:
    evidence = ""
    if outcome.card.evidence:
        item = outcome.card.evidence[-1]
        evidence = "\n" + _("tasks.notify.evidence").format(
            kind=_(f"tasks.evidence.{item.kind}"),
            value=quote(short(item.file_name or item.value, 200)),
        )
    await _tell(
        bot,
        outcome.notify,
        _("tasks.notify.done").format(
            who=_who(actor), title=quote(short(task_title(outcome.card), 200))
        )
        + evidence,
    )


async def on_evidence(
    message: Message,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    state: FSMContext,
    bot: Bot,
) -> None:
    """A link, a file, a photo or a comment, kept as the task's report."""
    data = await state.get_data()
    task_id = int(data["task_id"])
    if message.document is not None:
        kind, value, name = "document", message.document.file_id, message.document.file_name
    elif message.photo:
        kind, value, name = "photo", message.photo[-1].file_id, None
    elif message.text and _URL.match(message.text.strip()):
        kind, value, name = "link", message.text.strip(), None
    elif message.text and message.text.strip():
        kind, value, name = "comment", message.text.strip()[:2000], None
    else:
        await message.answer(_("tasks.evidence_unsupported"))
        return
    await state.clear()
    card = await tasks.add_evidence(actor, task_id, kind, value, name)
    if data.get("then_done") and card.status is not TaskStatus.DONE:
        outcome = await tasks.mark_done(actor, task_id)
        await _show(message, outcome.card, actor, clock, edit=False, note=_("tasks.undo_hint"))
        await _announce_done(bot, actor, outcome)
        return
    await _show(message, card, actor, clock, edit=False, note=_("tasks.evidence_saved"))


def _date_keyboard(card: TaskCard, year: int, month: int) -> InlineKeyboardMarkup:
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


async def _take_new_date(
    message: Message, card: TaskCard, new_due: date, tasks: TaskService, state: FSMContext
) -> None:
    problem = tasks.check_new_due(card, new_due)
    if problem is not None:
        await message.answer(_(f"tasks.postpone.{problem.value}"))
        return
    await state.set_state(TaskFlow.postpone_reason)
    await state.update_data(new_due=new_due.isoformat())
    await message.answer(_("tasks.ask_postpone_reason").format(date=day(new_due)))


async def on_postpone_date(
    message: Message, actor: Actor, tasks: TaskService, state: FSMContext
) -> None:
    """The new date, typed: "15.11", "через неделю", "в пятницу"."""
    data = await state.get_data()
    card = await tasks.card(actor, int(data["task_id"]))
    new_due = parse_day(message.text or "", card.today)
    if new_due is None:
        await message.answer(_("tasks.date_invalid"))
        return
    await _take_new_date(message, card, new_due, tasks, state)


async def on_calendar(
    callback: CallbackQuery,
    callback_data: CalendarCallback,
    actor: Actor,
    tasks: TaskService,
    state: FSMContext,
) -> None:
    """A day picked on the calendar, or another month shown."""
    data = await state.get_data()
    card = await tasks.card(actor, int(data["task_id"]))
    message = callback.message
    await callback.answer()
    if not isinstance(message, Message):
        return
    if callback_data.action is CalendarAction.MONTH:
        await message.edit_reply_markup(
            reply_markup=_date_keyboard(card, callback_data.year, callback_data.month)
        )
        return
    chosen = chosen_day(callback_data)
    if chosen is not None:
        await _take_new_date(message, card, chosen, tasks, state)


async def on_postpone_reason(
    message: Message,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    state: FSMContext,
    bot: Bot,
) -> None:
    data = await state.get_data()
    reason = await _reason(message)
    if reason is None:
        return
    new_due = date.fromisoformat(data["new_due"])
    outcome = await tasks.request_postponement(actor, int(data["task_id"]), new_due, reason)
    await state.clear()
    postponement = outcome.postponement
    assert postponement is not None
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("tasks.button.approve"),
        callback_data=PostponeDecisionCallback(postponement_id=postponement.id, approve=True),
    )
    builder.button(
        text=_("tasks.button.reject"),
        callback_data=PostponeDecisionCallback(postponement_id=postponement.id, approve=False),
    )
    await _tell(
        bot,
        outcome.notify,
        _("tasks.notify.postpone").format(
            who=_who(actor),
            title=quote(short(task_title(outcome.card), 200)),
            old=day(postponement.from_due_on),
            new=day(postponement.new_due_on),
            reason=quote(reason),
        ),
        reply_markup=builder.as_markup(),
    )
    await _show(message, outcome.card, actor, clock, edit=False, note=_("tasks.postpone_sent"))


async def on_cannot_reason(
    message: Message,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    state: FSMContext,
    bot: Bot,
) -> None:
    data = await state.get_data()
    reason = await _reason(message)
    if reason is None:
        return
    outcome = await tasks.cannot_do(actor, int(data["task_id"]), reason)
    await state.clear()
    await _tell(
        bot,
        outcome.notify,
        _("tasks.notify.cannot").format(
            who=_who(actor),
            title=quote(short(task_title(outcome.card), 200)),
            reason=quote(reason),
        ),
    )
    await _show(message, outcome.card, actor, clock, edit=False, note=_("tasks.cannot_sent"))


async def on_decision(
    callback: CallbackQuery,
    callback_data: PostponeDecisionCallback,
    actor: Actor,
    tasks: TaskService,
    state: FSMContext,
    bot: Bot,
) -> None:
    """Одобрить at once; Отклонить asks why first."""
    message = callback.message
    if not callback_data.approve:
        # Checked now too, so a stranger's press is refused before any question is asked.
        await tasks.check_can_decide(actor, callback_data.postponement_id)
        await state.set_state(TaskFlow.reject_reason)
        await state.set_data(
            {
                "postponement_id": callback_data.postponement_id,
                "message_id": message.message_id if isinstance(message, Message) else None,
            }
        )
        await callback.answer()
        if isinstance(message, Message):
            await message.answer(_("tasks.ask_reject_reason"))
        return
    outcome = await tasks.decide_postponement(actor, callback_data.postponement_id, True)
    await callback.answer(_("tasks.saved"))
    postponement = outcome.postponement
    assert postponement is not None
    title = quote(short(task_title(outcome.card), 200))
    if isinstance(message, Message):
        await message.edit_text(
            _("tasks.decided.approved").format(title=title, new=day(postponement.new_due_on))
        )
    await _tell(
        bot,
        outcome.notify,
        _("tasks.notify.approved").format(title=title, new=day(postponement.new_due_on)),
    )


async def on_reject_reason(
    message: Message, actor: Actor, tasks: TaskService, state: FSMContext, bot: Bot
) -> None:
    data = await state.get_data()
    reason = await _reason(message)
    if reason is None:
        return
    outcome = await tasks.decide_postponement(actor, int(data["postponement_id"]), False, reason)
    await state.clear()
    title = quote(short(task_title(outcome.card), 200))
    await message.answer(_("tasks.decided.rejected").format(title=title))
    await _tell(
        bot, outcome.notify, _("tasks.notify.rejected").format(title=title, reason=quote(reason))
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    staff = {"permission": Permission.STAFF}
    manage = {"permission": Permission.MANAGE}
    typed = (TEXT, NOT_A_COMMAND)
    router.message.register(tasks_command, Command("tasks"), flags=staff)
    router.message.register(
        on_evidence,
        StateFilter(TaskFlow.evidence),
        NOT_A_COMMAND,
        flags=staff,
    )
    router.message.register(
        on_postpone_date, StateFilter(TaskFlow.postpone_date), *typed, flags=staff
    )
    router.message.register(
        on_postpone_reason, StateFilter(TaskFlow.postpone_reason), *typed, flags=staff
    )
    router.message.register(
        on_cannot_reason, StateFilter(TaskFlow.cannot_reason), *typed, flags=staff
    )
    router.message.register(
        on_reject_reason, StateFilter(TaskFlow.reject_reason), *typed, flags=manage
    )
    # One registration per button of a task card; the services re-check who may press it.
    for action, handler in (
        (TaskAction.LIST, on_list),
        (TaskAction.HISTORY, on_history),
        (TaskAction.OPEN, on_open),
        (TaskAction.SHOW_EVIDENCE, on_show_evidence),
        (TaskAction.REMIND, on_remind),
        (TaskAction.DONE, on_done),
        (TaskAction.NO_EVIDENCE, on_no_evidence),
        (TaskAction.ATTACH, on_attach),
        (TaskAction.PROGRESS, on_progress),
        (TaskAction.UNDO, on_undo),
        (TaskAction.POSTPONE, on_postpone),
        (TaskAction.CANNOT, on_cannot),
    ):
        router.callback_query.register(
            handler, TaskCallback.filter(F.action == action), flags=staff
        )
    router.callback_query.register(
        on_calendar,
        StateFilter(TaskFlow.postpone_date),
        CalendarCallback.filter(F.action != CalendarAction.IGNORE),
        flags=staff,
    )
    router.callback_query.register(on_decision, PostponeDecisionCallback.filter(), flags=manage)
    return router
