"""/status: how each roadmap is going, by section and by executor, and who is overdue."""

from __future__ import annotations

from collections import Counter

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import TaskAction, TaskCallback
from handlers.render import day, fit, quote, short
from handlers.task_cards import task_title
from services.access import Actor, Permission
from services.tasks import TaskCard, TaskService
from tasks.rules import TaskStatus

_OVERDUE_SHOWN = 10
_RECENT_SHOWN = 5


def _kind(card: TaskCard) -> str:
    if card.status is TaskStatus.DONE:
        return "done"
    if card.task.due_on < card.today:
        return "overdue"
    if card.status is TaskStatus.CANNOT_DO:
        return "cannot"
    if card.status is TaskStatus.IN_PROGRESS:
        return "in_progress"
    return "upcoming"


def counts_line(cards: list[TaskCard]) -> str:
    counted = Counter(_kind(card) for card in cards)
    return _("status.counts").format(
        done=counted["done"],
        in_progress=counted["in_progress"],
        overdue=counted["overdue"],
        upcoming=counted["upcoming"],
        cannot=counted["cannot"],
    )


async def status_command(message: Message, actor: Actor, tasks: TaskService) -> None:
    """Counts per roadmap, by section and executor; overdue tasks with a Напомнить button."""
    overview = await tasks.overview(actor)
    if not overview:
        await message.answer(_("roadmap.none"))
        return
    lines: list[str] = []
    overdue: list[TaskCard] = []
    for roadmap, cards in overview:
        lines.append(f"<b>{quote(short(roadmap.title, 120))}</b>")
        lines.append(counts_line(cards))
        sections: dict[str, list[TaskCard]] = {}
        people: dict[str, list[TaskCard]] = {}
        for card in cards:
            section = card.activity.fields.section
            if section:
                sections.setdefault(section, []).append(card)
            for person in card.executors[:1]:
                people.setdefault(person.full_name, []).append(card)
        if sections:
            lines.append(_("status.by_section"))
            lines.extend(
                f"• {quote(short(name, 60))}: {counts_line(group)}"
                for name, group in sections.items()
            )
        if people:
            lines.append(_("status.by_executor"))
            lines.extend(
                f"• {quote(name)}: {counts_line(group)}" for name, group in sorted(people.items())
            )
        overdue.extend(card for card in cards if _kind(card) == "overdue")
        lines.append("")
    undelivered = await tasks.undelivered([roadmap.id for roadmap, _cards in overview])
    if undelivered:
        lines.append(_("status.undelivered").format(count=undelivered))
        lines.append("")
    builder = InlineKeyboardBuilder()
    recent = sorted(
        (card for _roadmap, cards in overview for card in cards if card.task.done_at),
        key=lambda card: card.task.done_at or card.task.created_at,
        reverse=True,
    )[:_RECENT_SHOWN]
    if recent:
        lines.append(_("status.recent_title"))
        for index, card in enumerate(recent, start=1):
            lines.append(f"✅{index}. {quote(short(task_title(card), 70))}")
            builder.button(
                text=_("status.button.open_done").format(number=index),
                callback_data=TaskCallback(action=TaskAction.OPEN, task_id=card.task.id),
            )
        lines.append("")
    if overdue:
        lines.append(_("status.overdue_title").format(count=len(overdue)))
        for index, card in enumerate(overdue[:_OVERDUE_SHOWN], start=1):
            names = ", ".join(person.full_name for person in card.executors) or "—"
            lines.append(
                f"{index}. {quote(short(task_title(card), 70))} — {quote(names)}, "
                + _("status.due").format(due=day(card.task.due_on))
            )
            builder.button(
                text=_("status.button.remind").format(number=index),
                callback_data=TaskCallback(action=TaskAction.REMIND, task_id=card.task.id),
            )
    builder.adjust(3)
    markup = builder.as_markup() if recent or overdue else None
    await message.answer(fit(lines), reply_markup=markup)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(
        status_command, Command("status"), flags={"permission": Permission.VIEW}
    )
    return router
