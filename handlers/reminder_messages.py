"""The words of reminders, escalations and catch-up summaries (sent by the scheduler)."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import TaskAction, TaskCallback
from handlers.render import day, fit, quote, short
from handlers.status import counts_line, more_line
from handlers.task_cards import brief_keyboard, brief_text, due_in_words, task_title
from services.access import Actor
from services.tasks import Overview, TaskCard, TaskPage, executor_names
from storage.records import Person

_HEADLINES = {
    "countdown": "reminders.countdown",
    "due_today": "reminders.due_today",
    "overdue": "reminders.overdue",
    "check_in": "reminders.check_in",
}


def reminder(kind: str, card: TaskCard, person: Person | None) -> tuple[str, InlineKeyboardMarkup]:
    """A reminder carries the card's buttons, so it can be answered from the reminder."""
    return reminder_card(_(_HEADLINES.get(kind, "reminders.countdown")), card, person)


def reminder_card(
    headline: str, card: TaskCard, person: Person | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The headline over the card in brief (deadline first), with its executor's buttons."""
    viewer = Actor(person.account or 0 if person else 0, person, is_admin=False)
    return headline + "\n\n" + brief_text(card), brief_keyboard(card, viewer)


def escalation(card: TaskCard) -> tuple[str, InlineKeyboardMarkup]:
    names = ", ".join(person.full_name for person in card.executors) or "—"
    overdue_days = (card.today - card.task.due_on).days
    text = _("reminders.escalation").format(
        title=quote(short(task_title(card), 200)),
        names=quote(names),
        due=day(card.task.due_on),
        days=overdue_days,
    )
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("tasks.button.remind"),
        callback_data=TaskCallback(action=TaskAction.REMIND, task_id=card.task.id),
    )
    builder.button(
        text=_("status.button.open"),
        callback_data=TaskCallback(action=TaskAction.OPEN, task_id=card.task.id),
    )
    return text, builder.as_markup()


def missed(cards: list[TaskCard]) -> str:
    lines = [_("reminders.missed")]
    for card in cards:
        lines.append(
            f"• {quote(short(task_title(card), 90))} — "
            + _("status.due").format(due=day(card.task.due_on))
        )
    lines.append(_("reminders.missed_hint"))
    return fit(lines)


# A morning message stays short: the rest is one tap away in /tasks or /status.
DIGEST_SHOWN = 25
_SUMMARY_ROADMAPS = 20


def digest(page: TaskPage) -> str:
    """Monday morning: what is due this week, and what is already late."""
    lines = [_("reminders.digest")]
    for card in sorted(page.cards, key=lambda c: c.task.due_on):
        when = due_in_words(card.task.due_on, card.today)
        lines.append(f"• {quote(short(task_title(card), 90))} — {quote(when)}")
    if page.total > len(page.cards):
        lines.append(more_line(page.total - len(page.cards)))
    lines.append(_("reminders.missed_hint"))
    return fit(lines)


def summary(overview: Overview) -> str:
    """The coordinator's morning summary, one line of counts per roadmap."""
    lines = [_("reminders.summary")]
    for item in overview.roadmaps[:_SUMMARY_ROADMAPS]:
        lines.append(f"<b>{quote(short(item.roadmap.title, 100))}</b>")
        lines.append(counts_line(item.counts))
    if len(overview.roadmaps) > _SUMMARY_ROADMAPS:
        lines.append(more_line(len(overview.roadmaps) - _SUMMARY_ROADMAPS))
    lines.append(_("reminders.summary_hint"))
    return fit(lines)


def unreachable(person: Person) -> str:
    return _("reminders.unreachable").format(name=quote(person.full_name))


# Lines (and buttons) of a grouped message; the rest are counted, and /tasks has them all.
GROUP_SHOWN = 20


def grouped_reminders(cards: list[TaskCard]) -> tuple[str, InlineKeyboardMarkup]:
    """One person's morning of many reminders: one list, a button to open each card."""

    def line(number: int, card: TaskCard) -> str:
        overdue = card.task.due_on < card.today
        key = "reminders.grouped_overdue_line" if overdue else "reminders.grouped_line"
        return _(key).format(
            number=number, title=quote(short(task_title(card), 90)), due=day(card.task.due_on)
        )

    return _grouped(cards, "reminders.grouped", line, "reminders.grouped_hint")


def grouped_escalations(cards: list[TaskCard]) -> tuple[str, InlineKeyboardMarkup]:
    """A coordinator's day of many overdue tasks: one list, a button to open each."""

    def line(number: int, card: TaskCard) -> str:
        names = executor_names(card.executors) or "—"
        return _("reminders.grouped_escalation_line").format(
            number=number,
            title=quote(short(task_title(card), 70)),
            names=quote(short(names, 60)),
            due=day(card.task.due_on),
            days=(card.today - card.task.due_on).days,
        )

    return _grouped(
        cards, "reminders.grouped_escalations", line, "reminders.grouped_escalations_hint"
    )


def _grouped(
    cards: list[TaskCard],
    title_key: str,
    line: Callable[[int, TaskCard], str],
    hint_key: str,
) -> tuple[str, InlineKeyboardMarkup]:
    """The first GROUP_SHOWN tasks by date, numbered, each with its button; then how many more."""
    ordered = sorted(cards, key=lambda c: (c.task.due_on, c.task.id))
    lines = [_(title_key).format(count=len(ordered))]
    builder = InlineKeyboardBuilder()
    for number, card in enumerate(ordered[:GROUP_SHOWN], start=1):
        lines.append(line(number, card))
        _open_button(builder, number, card)
    if len(ordered) > GROUP_SHOWN:
        lines.append(_("reminders.grouped_more").format(count=len(ordered) - GROUP_SHOWN))
    lines.append(_(hint_key))
    builder.adjust(5)
    return fit(lines), builder.as_markup()


def _open_button(builder: InlineKeyboardBuilder, number: int, card: TaskCard) -> None:
    builder.button(
        text=_("reminders.button.open_numbered").format(number=number),
        callback_data=TaskCallback(action=TaskAction.OPEN, task_id=card.task.id),
    )
