"""/status: how each roadmap is going, by section and by executor, and who is overdue."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import TaskAction, TaskCallback
from handlers.filters import PRIVATE
from handlers.render import TELEGRAM_TEXT_LIMIT, day, fit, quote, short
from handlers.reports import report_button
from handlers.task_cards import task_title
from services.access import Actor, Permission
from services.tasks import Overview, ProgressCounts, RoadmapProgress, TaskService

_OVERDUE_SHOWN = 10
_RECENT_SHOWN = 5
# Sections or executors listed per roadmap: a municipal roadmap has fifty school heads.
_GROUP_SHOWN = 12


def counts_line(counts: ProgressCounts) -> str:
    return _("status.counts").format(
        done=counts.done,
        in_progress=counts.in_progress,
        overdue=counts.overdue,
        upcoming=counts.upcoming,
        cannot=counts.cannot,
    )


def more_line(count: int) -> str:
    return _("status.more").format(count=count)


def _group_lines(groups: tuple[tuple[str, ProgressCounts], ...], width: int | None) -> list[str]:
    """One line per group; past the cap, those with most overdue first and «и ещё N»."""
    shown = list(groups)
    if len(shown) > _GROUP_SHOWN:
        shown = sorted(shown, key=lambda group: -group[1].overdue)[:_GROUP_SHOWN]
    lines = [
        f"• {quote(short(name, width) if width else name)}: {counts_line(counts)}"
        for name, counts in shown
    ]
    if len(groups) > len(shown):
        lines.append(more_line(len(groups) - len(shown)))
    return lines


def _roadmap_lines(item: RoadmapProgress) -> list[str]:
    lines = [f"<b>{quote(short(item.roadmap.title, 120))}</b>", counts_line(item.counts)]
    if item.unreached:
        lines.append(_("status.unreached").format(count=item.unreached))
    if item.sections:
        lines.append(_("status.by_section"))
        lines.extend(_group_lines(item.sections, 60))
    if item.executors:
        lines.append(_("status.by_executor"))
        lines.extend(_group_lines(item.executors, None))
    lines.append("")
    return lines


def status_view(overview: Overview, undelivered: int) -> tuple[str, InlineKeyboardMarkup]:
    """Counts per roadmap, then what was done lately and what is overdue, with buttons."""
    tail: list[str] = []
    if undelivered:
        tail.append(_("status.undelivered").format(count=undelivered))
        tail.append("")
    builder = InlineKeyboardBuilder()
    if overview.recent:
        tail.append(_("status.recent_title"))
        for index, card in enumerate(overview.recent, start=1):
            tail.append(f"✅{index}. {quote(short(task_title(card), 70))}")
            builder.button(
                text=_("status.button.open_done").format(number=index),
                callback_data=TaskCallback(action=TaskAction.OPEN, task_id=card.task.id),
            )
        tail.append("")
    if overview.overdue:
        tail.append(_("status.overdue_title").format(count=overview.overdue_total))
        for index, card in enumerate(overview.overdue, start=1):
            names = ", ".join(person.full_name for person in card.executors) or "—"
            tail.append(
                f"{index}. {quote(short(task_title(card), 70))} — {quote(short(names, 120))}, "
                + _("status.due").format(due=day(card.task.due_on))
            )
            builder.button(
                text=_("status.button.remind").format(number=index),
                callback_data=TaskCallback(action=TaskAction.REMIND, task_id=card.task.id),
            )
    builder.adjust(3)
    text, data = report_button()
    builder.row(InlineKeyboardButton(text=text, callback_data=data.pack()))
    markup = builder.as_markup()
    head = [_("status.legend"), ""]
    head += [line for item in overview.roadmaps for line in _roadmap_lines(item)]
    # The numbered lines match the buttons, so they stay whole; many roadmaps give way.
    if not tail:
        return fit(head), markup
    tail_text = "\n".join(tail)
    return fit(head, TELEGRAM_TEXT_LIMIT - len(tail_text) - 1) + "\n" + tail_text, markup


async def status_command(message: Message, actor: Actor, tasks: TaskService) -> None:
    """Counts per roadmap, by section and executor; overdue tasks with a Напомнить button."""
    overview = await tasks.overview(
        actor, overdue_shown=_OVERDUE_SHOWN, recent_shown=_RECENT_SHOWN
    )
    if not overview.roadmaps:
        await message.answer(_("roadmap.none"))
        return
    undelivered = await tasks.undelivered([item.roadmap.id for item in overview.roadmaps])
    text, markup = status_view(overview, undelivered)
    await message.answer(text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    router.message.register(
        status_command, Command("status"), flags={"permission": Permission.VIEW}
    )
    return router
