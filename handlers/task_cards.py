"""How a task reads on a phone: the card, its buttons, dates in words, the list."""

from __future__ import annotations

from datetime import date

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import format_date

from handlers.callbacks import TaskAction, TaskCallback
from handlers.render import day, finish_paged_keyboard, fit, quote, short
from services.access import Actor
from services.tasks import TaskCard, TaskPage
from tasks.rules import Bucket, TaskStatus, bucket

STATUS_ICON = {
    TaskStatus.PENDING: "⚪",
    TaskStatus.IN_PROGRESS: "⏳",
    TaskStatus.DONE: "✅",
    TaskStatus.CANNOT_DO: "✖",
}


def due_in_words(due: date, today: date) -> str:
    """ "до 4 октября, вт — через 3 дня", "сегодня", "просрочено на 2 дня"."""
    locale = get_i18n().current_locale
    when = format_date(due, "d MMMM", locale=locale)
    weekday = format_date(due, "EEE", locale=locale).rstrip(".")
    days = (due - today).days
    if days == 0:
        relative = _("due.today")
    elif days == 1:
        relative = _("due.tomorrow")
    elif days > 1:
        relative = ngettext("due.in_days", "due.in_days", days).format(count=days)
    else:
        relative = ngettext("due.overdue", "due.overdue", -days).format(count=-days)
    if due.year != today.year:
        when += f" {due.year}"
    return _("due.phrase").format(date=when, weekday=weekday, relative=relative)


def _is_step(card: TaskCard) -> bool:
    """A step repeats its activity's title; its own result tells it apart."""
    return card.parent is not None and card.parent.fields.title == card.activity.fields.title


def task_title(card: TaskCard) -> str:
    fields = card.activity.fields
    number = f"{fields.number}. " if fields.number else ""
    if _is_step(card):
        return f"{number}{fields.title} — {fields.result or ''}".rstrip(" —")
    return f"{number}{fields.title}"


def task_label(card: TaskCard, limit: int) -> str:
    """The title in ``limit`` characters; a step keeps its own result in view, so the steps of
    one activity do not all read as the same cut title."""
    fields = card.activity.fields
    if not (_is_step(card) and fields.result):
        return short(task_title(card), limit)
    number = f"{fields.number}. " if fields.number else ""
    head = short(f"{number}{fields.title}", max(limit // 3, 8))
    return f"{head} — {short(fields.result, max(limit - len(head) - 3, 8))}"


def card_text(card: TaskCard, *, note: str | None = None) -> str:
    fields = card.activity.fields
    executors = ", ".join(
        person.full_name + (_("tasks.card.lead") if index == 0 and len(card.executors) > 1 else "")
        for index, person in enumerate(card.executors)
    )
    lines = [f"<b>{quote(short(task_title(card), 300))}</b>"]
    if fields.result:
        lines.append(_("tasks.card.result").format(result=quote(short(fields.result, 400))))
    if card.status is TaskStatus.DONE:
        lines.append(_("tasks.card.due_plain").format(due=day(card.task.due_on)))
    else:
        lines.append("🗓 " + quote(due_in_words(card.task.due_on, card.today)))
    if card.task.due_on != card.task.planned_due_on:
        lines.append(_("tasks.card.moved").format(planned=day(card.task.planned_due_on)))
    lines.append(_("tasks.card.executors").format(names=quote(executors)))
    lines.append(
        _("tasks.card.status").format(
            status=STATUS_ICON[card.status] + " " + _(f"tasks.status.{card.status.value}")
        )
    )
    if card.evidence:
        lines.append(_("tasks.card.evidence"))
        for item in card.evidence[-5:]:
            value = item.file_name or item.value
            lines.append(f"  • {_(f'tasks.evidence.{item.kind}')}: {quote(short(value, 120))}")
    if note:
        lines.extend(["", note])
    return fit(lines)


# A reminder's expected result: one line on a phone; «Подробнее» opens the whole card.
BRIEF_RESULT = 80


def brief_text(card: TaskCard) -> str:
    """A reminder: the title, the deadline first, the expected result cut to one line."""
    fields = card.activity.fields
    lines = [
        f"<b>{quote(short(task_title(card), 200))}</b>",
        "🗓 " + quote(due_in_words(card.task.due_on, card.today)),
    ]
    if card.task.due_on != card.task.planned_due_on:
        lines.append(_("tasks.card.moved").format(planned=day(card.task.planned_due_on)))
    if fields.result:
        result = short(" ".join(fields.result.split()), BRIEF_RESULT)
        lines.append(_("tasks.card.result").format(result=quote(result)))
    return fit(lines)


def brief_keyboard(card: TaskCard, actor: Actor) -> InlineKeyboardMarkup:
    """The card's buttons, and «Подробнее» for the whole card."""
    builder = InlineKeyboardBuilder.from_markup(card_keyboard(card, actor, now_allows_undo=False))
    more = TaskCallback(action=TaskAction.OPEN, task_id=card.task.id)
    builder.row(InlineKeyboardButton(text=_("tasks.button.more"), callback_data=more.pack()))
    return builder.as_markup()


def card_keyboard(card: TaskCard, actor: Actor, now_allows_undo: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    widths: list[int] = []

    def button(key: str, action: TaskAction) -> None:
        builder.button(
            text=_(key), callback_data=TaskCallback(action=action, task_id=card.task.id)
        )

    if card.is_executor(actor):
        if card.status is TaskStatus.DONE:
            if now_allows_undo:
                button("tasks.button.undo", TaskAction.UNDO)
                widths.append(1)
            button("tasks.button.attach", TaskAction.ATTACH)
            widths.append(1)
        else:
            button("tasks.button.done", TaskAction.DONE)
            if card.status is not TaskStatus.IN_PROGRESS:
                button("tasks.button.progress", TaskAction.PROGRESS)
                widths.append(2)
            else:
                widths.append(1)
            button("tasks.button.postpone", TaskAction.POSTPONE)
            button("tasks.button.cannot", TaskAction.CANNOT)
            widths.append(2)
    elif card.status is not TaskStatus.DONE:
        button("tasks.button.remind", TaskAction.REMIND)
        widths.append(1)
    if any(item.kind in ("document", "photo") for item in card.evidence):
        button("tasks.button.show_evidence", TaskAction.SHOW_EVIDENCE)
        widths.append(1)
    button("tasks.button.history", TaskAction.HISTORY)
    button("tasks.button.list", TaskAction.LIST)
    widths.append(2)
    builder.adjust(*widths)
    return builder.as_markup()


PAGE_SIZE = 8
_BUCKET_KEYS = {
    Bucket.OVERDUE: "tasks.list.overdue",
    Bucket.THIS_WEEK: "tasks.list.this_week",
    Bucket.LATER: "tasks.list.later",
}


def list_view(found: TaskPage) -> tuple[str, InlineKeyboardMarkup]:
    """Open tasks grouped Просрочено / На этой неделе / Позже, by due date, a page at a time."""
    page, pages = found.page, found.pages
    lines = [_("tasks.list.title").format(count=found.total, page=page + 1, pages=pages)]
    builder = InlineKeyboardBuilder()
    current: Bucket | None = None
    for index, card in enumerate(found.cards, start=page * PAGE_SIZE + 1):
        group = bucket(card.task.due_on, card.today)
        if group is not current:
            current = group
            lines.extend(["", f"<b>{_(_BUCKET_KEYS[group])}</b>"])
        lines.append(
            f"{index}. {STATUS_ICON[card.status]} {quote(task_label(card, 90))}\n"
            f"    🗓 {quote(due_in_words(card.task.due_on, card.today))}"
        )
        builder.button(
            text=f"{index}. {task_label(card, 32)}",
            callback_data=TaskCallback(action=TaskAction.OPEN, task_id=card.task.id, page=page),
        )
    if not found.total:
        lines.append(_("tasks.list.none"))
    keyboard = finish_paged_keyboard(
        builder,
        [1] * len(found.cards),
        page,
        pages,
        lambda target: TaskCallback(action=TaskAction.LIST, page=target),
    )
    return fit(lines), keyboard


def history_text(card: TaskCard) -> str:
    lines = [f"<b>{quote(short(task_title(card), 200))}</b>", _("tasks.history.title")]
    for event in card.events:
        when = event.happened_at.astimezone(card.zone).strftime("%d.%m.%Y %H:%M")
        details = event.details
        extra = ""
        if details.get("to"):
            extra += " → " + day(date.fromisoformat(str(details["to"])))
        if details.get("reason"):
            extra += f" ({quote(short(str(details['reason']), 100))})"
        lines.append(f"{when} — {_(f'tasks.event.{event.event}')}{extra}")
    if not card.events:
        lines.append(_("tasks.history.empty"))
    return fit(lines)
