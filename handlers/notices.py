"""The words of notices: what the bot tells someone of another person's action or of a job.

Worded when the outbox sends them, in the recipient's language (the caller sets it), from what
the service put in the notice when the change was made (``services.notices``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers import reminder_messages
from handlers.callbacks import (
    PeopleAction,
    PeopleCallback,
    PostponeDecisionCallback,
    ResultsAction,
    ResultsCallback,
)
from handlers.render import day, quote, short
from handlers.task_cards import task_title
from services.notices import NoticeKind
from services.tasks import TaskCard
from storage.records import Person

Notice = tuple[str, InlineKeyboardMarkup | None]
_Words = Callable[[Mapping[str, Any], str], Notice]


def render(
    kind: NoticeKind, payload: Mapping[str, Any], card: TaskCard | None, person: Person | None
) -> Notice | None:
    """The notice's text and buttons; None when it has nothing left to say (its task is gone,
    or, for a «Напомнить», done meanwhile: ``card`` is then None)."""
    if kind is NoticeKind.TASK_NUDGE:
        return None if card is None else _nudge(card, person)
    if kind in _ABOUT_TASKS:
        return None if card is None else _ABOUT_TASKS[kind](payload, _title(card))
    return _OTHERS[kind](payload)


def _title(card: TaskCard) -> str:
    return quote(short(task_title(card), 200))


def _day(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    return day(date.fromisoformat(value)) if value else "—"


def _nudge(card: TaskCard, person: Person | None) -> Notice:
    """The card again, with the buttons its executor answers from."""
    return reminder_messages.reminder_card(_("tasks.reminder"), card, person)


def _done(payload: Mapping[str, Any], title: str) -> Notice:
    text = _("tasks.notify.done").format(who=quote(payload["who"]), title=title)
    if payload.get("evidence"):
        text += "\n" + _("tasks.notify.evidence").format(
            kind=_(f"tasks.evidence.{payload['evidence_kind']}"),
            value=quote(short(payload["evidence"], 200)),
        )
    if payload.get("comment"):
        text += "\n" + _("tasks.notify.evidence").format(
            kind=_("tasks.evidence.comment"), value=quote(short(payload["comment"], 200))
        )
    return text, None


def _undone(payload: Mapping[str, Any], title: str) -> Notice:
    return _("tasks.notify.undone").format(who=quote(payload["who"]), title=title), None


def _cannot(payload: Mapping[str, Any], title: str) -> Notice:
    text = _("tasks.notify.cannot").format(
        who=quote(payload["who"]), title=title, reason=quote(payload["reason"])
    )
    return text, None


def _postpone_asked(payload: Mapping[str, Any], title: str) -> Notice:
    text = _("tasks.notify.postpone").format(
        who=quote(payload["who"]),
        title=title,
        old=_day(payload, "old"),
        new=_day(payload, "new"),
        reason=quote(payload["reason"]),
    )
    builder = InlineKeyboardBuilder()
    for approve, label in ((True, "tasks.button.approve"), (False, "tasks.button.reject")):
        builder.button(
            text=_(label),
            callback_data=PostponeDecisionCallback(
                postponement_id=payload["postponement_id"], approve=approve
            ),
        )
    return text, builder.as_markup()


def _approved(payload: Mapping[str, Any], title: str) -> Notice:
    return _("tasks.notify.approved").format(title=title, new=_day(payload, "new")), None


def _rejected(payload: Mapping[str, Any], title: str) -> Notice:
    text = _("tasks.notify.rejected").format(title=title, reason=quote(payload["reason"]))
    return text, None


def _invite_linked(payload: Mapping[str, Any]) -> Notice:
    return _("invite.inviter.linked").format(name=quote(payload["name"])), None


def _invite_declined(payload: Mapping[str, Any]) -> Notice:
    text = _("invite.inviter.declined").format(
        name=quote(payload["name"]), who=quote(payload["who"])
    )
    return text, None


def _survey_closed(payload: Mapping[str, Any]) -> Notice:
    text = _("survey.notice.closed_by_date").format(
        title=quote(payload["title"]),
        closes_on=_day(payload, "closes_on"),
        responses=payload["responses"],
    )
    keyboard = InlineKeyboardBuilder()
    keyboard.button(
        text=_("survey.notice.results_button"),
        callback_data=ResultsCallback(
            survey_id=payload["survey_id"], action=ResultsAction.SUMMARY
        ),
    )
    return text, keyboard.as_markup()


def _forget_asked(payload: Mapping[str, Any]) -> Notice:
    text = _("forgetme.notice").format(name=quote(payload["name"]))
    keyboard = InlineKeyboardBuilder()
    keyboard.button(
        text=_("people.button.erase"),
        callback_data=PeopleCallback(
            action=PeopleAction.ERASE_ASK, person_id=payload["person_id"]
        ),
    )
    return text, keyboard.as_markup()


_ABOUT_TASKS: dict[NoticeKind, _Words] = {
    NoticeKind.TASK_DONE: _done,
    NoticeKind.TASK_UNDONE: _undone,
    NoticeKind.TASK_CANNOT: _cannot,
    NoticeKind.POSTPONE_ASKED: _postpone_asked,
    NoticeKind.POSTPONE_APPROVED: _approved,
    NoticeKind.POSTPONE_REJECTED: _rejected,
}
_OTHERS: dict[NoticeKind, Callable[[Mapping[str, Any]], Notice]] = {
    NoticeKind.INVITE_LINKED: _invite_linked,
    NoticeKind.INVITE_DECLINED: _invite_declined,
    NoticeKind.SURVEY_CLOSED: _survey_closed,
    NoticeKind.FORGET_ASKED: _forget_asked,
}
