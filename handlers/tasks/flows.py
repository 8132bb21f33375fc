"""What is typed or picked after a card's question: the evidence, a new date and its reason,
why it cannot be done, and a coordinator's decision on a postponement."""

from __future__ import annotations

import logging
from datetime import date

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from core.clock import Clock
from core.dates import parse_day
from handlers.calendar import CalendarAction, CalendarCallback, chosen_day
from handlers.callbacks import (
    PostponeDecisionCallback,
)
from handlers.render import day, quote, short
from handlers.task_cards import (
    task_title,
)
from handlers.tasks.common import (
    TaskFlow,
    date_keyboard,
    evidence_in,
    show_card,
    typed_reason,
)
from services.access import Actor
from services.tasks import TaskCard, TaskService
from tasks.rules import TaskStatus

logger = logging.getLogger(__name__)


async def on_evidence(
    message: Message,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    state: FSMContext,
) -> None:
    """A link, a file, a photo or a comment, kept as the task's report."""
    data = await state.get_data()
    task_id = int(data["task_id"])
    found = evidence_in(message)
    if found is None:
        await message.answer(_("tasks.evidence_unsupported"))
        return
    await state.clear()
    card = await tasks.add_evidence(actor, task_id, *found, comment=message.caption)
    if data.get("then_done") and card.status is not TaskStatus.DONE:
        outcome = await tasks.mark_done(actor, task_id)
        await show_card(message, outcome.card, actor, clock, edit=False, note=_("tasks.undo_hint"))
        return
    await show_card(message, card, actor, clock, edit=False, note=_("tasks.evidence_saved"))


async def _take_new_date(
    message: Message, card: TaskCard, new_due: date, tasks: TaskService, state: FSMContext
) -> None:
    problem = tasks.check_new_due(card, new_due)
    if problem is not None:
        await message.answer(
            _(f"tasks.postpone.{problem.value}").format(due=day(card.task.due_on))
        )
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
            reply_markup=date_keyboard(card, callback_data.year, callback_data.month)
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
) -> None:
    data = await state.get_data()
    reason = await typed_reason(message)
    if reason is None:
        return
    new_due = date.fromisoformat(data["new_due"])
    outcome = await tasks.request_postponement(actor, int(data["task_id"]), new_due, reason)
    await state.clear()
    await show_card(message, outcome.card, actor, clock, edit=False, note=_("tasks.postpone_sent"))


async def on_cannot_reason(
    message: Message,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    state: FSMContext,
) -> None:
    data = await state.get_data()
    reason = await typed_reason(message)
    if reason is None:
        return
    outcome = await tasks.cannot_do(actor, int(data["task_id"]), reason)
    await state.clear()
    await show_card(message, outcome.card, actor, clock, edit=False, note=_("tasks.cannot_sent"))


async def on_decision(
    callback: CallbackQuery,
    callback_data: PostponeDecisionCallback,
    actor: Actor,
    tasks: TaskService,
    state: FSMContext,
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


async def on_reject_reason(
    message: Message, actor: Actor, tasks: TaskService, state: FSMContext
) -> None:
    data = await state.get_data()
    reason = await typed_reason(message)
    if reason is None:
        return
    outcome = await tasks.decide_postponement(actor, int(data["postponement_id"]), False, reason)
    await state.clear()
    title = quote(short(task_title(outcome.card), 200))
    await message.answer(_("tasks.decided.rejected").format(title=title))
