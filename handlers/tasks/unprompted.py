"""A file or photo an executor sends with no question asked: «Это отчёт к какой задаче?».

A coordinator's file is a roadmap (the importer takes it); anyone else's is most likely a report,
so it waits in the conversation while they pick the task it belongs to.
"""

from __future__ import annotations

from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.clock import Clock
from handlers.callbacks import TaskAction, TaskCallback
from handlers.task_cards import task_label
from handlers.tasks.common import TaskFlow, evidence_in, show_card
from services.access import Actor, Permission, allows, may_import
from services.tasks import TaskService

# The tasks offered: the nearest deadlines first, as /tasks lists them.
OFFERED = 8


async def on_unprompted_file(
    message: Message, actor: Actor, tasks: TaskService, state: FSMContext
) -> None:
    """Asks which open task the file reports on. A coordinator's file goes on to the importer,
    and a stranger's to whatever refuses it as before."""
    found = evidence_in(message)
    if found is None or may_import(actor) or not allows(Permission.STAFF, actor):
        raise SkipHandler
    page = await tasks.open_tasks(actor, page=0, size=OFFERED)
    if not page.total:
        await message.answer(_("tasks.unprompted.no_tasks"))
        return
    kind, value, name = found
    await state.set_state(TaskFlow.evidence_for)
    await state.set_data({"kind": kind, "value": value, "name": name, "comment": message.caption})
    builder = InlineKeyboardBuilder()
    for index, card in enumerate(page.cards, start=1):
        builder.button(
            text=f"{index}. {task_label(card, 40)}",
            callback_data=TaskCallback(action=TaskAction.EVIDENCE_FOR, task_id=card.task.id),
        )
    builder.adjust(1)
    await message.answer(_("tasks.unprompted.which"), reply_markup=builder.as_markup())


async def on_evidence_for(
    callback: CallbackQuery,
    callback_data: TaskCallback,
    actor: Actor,
    tasks: TaskService,
    clock: Clock,
    state: FSMContext,
) -> None:
    """The task picked: the waiting file becomes its report, and its card is shown."""
    data = await state.get_data()
    if await state.get_state() != TaskFlow.evidence_for.state or "value" not in data:
        await callback.answer(_("tasks.unprompted.gone"), show_alert=True)
        return
    card = await tasks.add_evidence(
        actor,
        callback_data.task_id,
        data["kind"],
        data["value"],
        data["name"],
        comment=data.get("comment"),
    )
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        await show_card(
            callback.message, card, actor, clock, edit=True, note=_("tasks.evidence_saved")
        )
