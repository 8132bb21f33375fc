"""/tasks and the task card: done (with evidence), in progress, postpone, can't do, undo."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import Message

from handlers.calendar import CalendarAction, CalendarCallback
from handlers.callbacks import PostponeDecisionCallback, TaskAction, TaskCallback
from handlers.filters import DOCUMENT, NOT_A_COMMAND, PHOTO, PRIVATE, TYPED_ANSWER
from handlers.tasks.buttons import (
    on_attach,
    on_cannot,
    on_done,
    on_history,
    on_list,
    on_no_evidence,
    on_open,
    on_postpone,
    on_progress,
    on_remind,
    on_show_evidence,
    on_undo,
)
from handlers.tasks.common import TaskFlow, list_page
from handlers.tasks.flows import (
    on_calendar,
    on_cannot_reason,
    on_decision,
    on_evidence,
    on_postpone_date,
    on_postpone_reason,
    on_reject_reason,
)
from handlers.tasks.unprompted import on_evidence_for, on_unprompted_file
from services.access import Actor, Permission
from services.tasks import TaskService


async def tasks_command(message: Message, actor: Actor, tasks: TaskService) -> None:
    """The executor's open tasks."""
    text, keyboard = await list_page(tasks, actor, 0)
    await message.answer(text, reply_markup=keyboard)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    staff = {"permission": Permission.STAFF}
    manage = {"permission": Permission.MANAGE}
    typed = (TYPED_ANSWER,)
    router.message.register(tasks_command, Command("tasks"), flags=staff)
    router.message.register(
        on_evidence,
        StateFilter(TaskFlow.evidence),
        NOT_A_COMMAND,
        flags=staff,
    )
    # After the prompted report: a file or photo sent unasked. Anyone may reach it, as any
    # file reaches the features after this one: it passes on whatever is not an executor's.
    unasked = {"permission": Permission.ANYONE}
    router.message.register(on_unprompted_file, DOCUMENT, flags=unasked)
    router.message.register(on_unprompted_file, PHOTO, flags=unasked)
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
        (TaskAction.EVIDENCE_FOR, on_evidence_for),
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
