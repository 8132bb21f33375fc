"""/status: how each roadmap is going, by section and by executor, and who is overdue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import (
    PostponeDecisionCallback,
    SetDeadlineCallback,
    SetPeopleCallback,
    TaskAction,
    TaskCallback,
)
from handlers.filters import PRIVATE
from handlers.render import TELEGRAM_TEXT_LIMIT, day, fit, quote, short
from handlers.reports import report_button
from handlers.task_cards import task_title
from services.access import Actor, Permission, may_import
from services.tasks import Overview, ProgressCounts, RoadmapProgress, TaskCard, TaskService

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


def _names(card: TaskCard) -> str:
    return quote(short(", ".join(person.full_name for person in card.executors) or "—", 120))


def _said(card: TaskCard, event: str) -> str:
    """What the executor wrote with the latest such event («не могу»: why)."""
    said = [e.details.get("reason") for e in card.events if e.event == event]
    return str(said[-1]) if said and said[-1] else ""


def _chunks(buttons: list[InlineKeyboardButton], size: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[start : start + size] for start in range(0, len(buttons), size)]


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


@dataclass
class _Part:
    """A section under the counts: its lines and its rows of buttons."""

    lines: list[str] = field(default_factory=list)
    rows: list[list[InlineKeyboardButton]] = field(default_factory=list)


def _numbered(
    title: str,
    cards: Sequence[TaskCard],
    line: Callable[[int, TaskCard], str],
    button_key: str,
    action: TaskAction,
) -> _Part:
    """Tasks numbered under a title, a button per task (three to a row) naming its number."""
    part = _Part([title])
    buttons = []
    for index, card in enumerate(cards, start=1):
        part.lines.append(line(index, card))
        buttons.append(
            _button(
                _(button_key).format(number=index),
                TaskCallback(action=action, task_id=card.task.id),
            )
        )
    part.rows = _chunks(buttons, 3)
    return part


def _recent(overview: Overview) -> _Part:
    return _numbered(
        _("status.recent_title"),
        overview.recent,
        lambda index, card: f"✅{index}. {quote(short(task_title(card), 70))}",
        "status.button.open_done",
        TaskAction.OPEN,
    )


def _overdue(overview: Overview) -> _Part:
    return _numbered(
        _("status.overdue_title").format(count=overview.overdue_total),
        overview.overdue,
        lambda index, card: (
            f"{index}. {quote(short(task_title(card), 70))} — {_names(card)}, "
            + _("status.due").format(due=day(card.task.due_on))
        ),
        "status.button.remind",
        TaskAction.REMIND,
    )


def _asked(overview: Overview, can_manage: bool) -> _Part:
    """Requests to move a date, each with «Одобрить» and «Отклонить»."""
    part = _Part([_("status.postponements_title").format(count=overview.postponements_total)])
    for index, (asked, card) in enumerate(overview.postponements, start=1):
        part.lines.append(
            _("status.postponement_line").format(
                number=index,
                title=quote(short(task_title(card), 70)),
                names=_names(card),
                old=day(asked.from_due_on),
                new=day(asked.new_due_on),
                reason=quote(short(asked.reason, 120)),
            )
        )
        if can_manage:
            part.rows.append(
                [
                    _button(
                        _("status.button.approve").format(number=index),
                        PostponeDecisionCallback(postponement_id=asked.id, approve=True),
                    ),
                    _button(
                        _("status.button.reject").format(number=index),
                        PostponeDecisionCallback(postponement_id=asked.id, approve=False),
                    ),
                ]
            )
    return part


def _cannot(overview: Overview, can_manage: bool) -> _Part:
    """«Не может быть выполнено»: the card, and for a coordinator a new date or new people."""
    part = _Part([_("status.cannot_title").format(count=len(overview.cannot))])
    for index, card in enumerate(overview.cannot, start=1):
        part.lines.append(
            _("status.cannot_line").format(
                number=index,
                title=quote(short(task_title(card), 70)),
                names=_names(card),
                reason=quote(short(_said(card, "cannot_do"), 120)),
            )
        )
        row = [
            _button(
                _("status.button.open_cannot").format(number=index),
                TaskCallback(action=TaskAction.OPEN, task_id=card.task.id),
            )
        ]
        if can_manage:
            row.append(
                _button(
                    _("status.button.new_date").format(number=index),
                    SetDeadlineCallback(activity_id=card.activity.id),
                )
            )
            row.append(
                _button(
                    _("status.button.new_people").format(number=index),
                    SetPeopleCallback(activity_id=card.activity.id),
                )
            )
        part.rows.append(row)
    return part


def status_view(
    overview: Overview, undelivered: int, can_manage: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """Counts per roadmap with a legend; then what waits for a decision, what cannot be done,
    what was done lately and what is overdue, with buttons; the report button last."""
    tail: list[str] = []
    if undelivered:
        tail += [_("status.undelivered").format(count=undelivered), ""]
    parts: list[_Part] = []
    if overview.postponements:
        parts.append(_asked(overview, can_manage))
    if overview.cannot:
        parts.append(_cannot(overview, can_manage))
    if overview.recent:
        parts.append(_recent(overview))
    if overview.overdue:
        parts.append(_overdue(overview))
    builder = InlineKeyboardBuilder()
    for part in parts:
        tail += [*part.lines, ""]
        for row in part.rows:
            builder.row(*row)
    text, data = report_button()
    builder.row(_button(text, data))
    markup = builder.as_markup()
    head = [_("status.legend"), ""]
    head += [line for item in overview.roadmaps for line in _roadmap_lines(item)]
    # The numbered lines match the buttons, so they stay whole; many roadmaps give way.
    if not tail:
        return fit(head), markup
    tail_text = "\n".join(tail).rstrip()
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
    text, markup = status_view(overview, undelivered, may_import(actor))
    await message.answer(text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    router.message.register(
        status_command, Command("status"), flags={"permission": Permission.VIEW}
    )
    return router
