"""What /surveys shows: the list, a survey's card, the templates, the closing-date question."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.dates import add_months
from core.errors import UserFacingError
from handlers.callbacks import (
    ResultsAction,
    ResultsCallback,
    SurveyAction,
    SurveyCallback,
    SurveyClosingCallback,
    SurveyTemplateCallback,
)
from handlers.render import day, finish_paged_keyboard, fit, page_of, quote, short
from services.surveys import SurveyOverview
from storage.records import Survey
from surveys import loading
from surveys.model import (
    Audience,
    SurveyStatus,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 8
# A survey definition is a few kilobytes; anything this large is not one.
CARD_QUESTIONS = 40

STATUS_ICON = {SurveyStatus.DRAFT: "📝", SurveyStatus.OPEN: "🟢", SurveyStatus.CLOSED: "⏹"}


def status_text(status: SurveyStatus) -> str:
    return STATUS_ICON[status] + " " + _(f"survey.manage.status.{status.value}")


def audience_text(audience: Audience) -> str:
    return _(f"survey.manage.audience.{audience.value}")


def closing_text(survey: Survey) -> str:
    if survey.status is SurveyStatus.CLOSED and survey.closed_on is not None:
        return _("survey.manage.closed_on").format(date=day(survey.closed_on))
    if survey.closes_on is None:
        return _("survey.manage.no_date")
    return _("survey.manage.until").format(date=day(survey.closes_on))


# ----------------------------------------------------------------------------- views


def list_view(overviews: list[SurveyOverview], page: int) -> tuple[str, InlineKeyboardMarkup]:
    shown, page, pages = page_of(overviews, page, PAGE_SIZE)
    lines = [_("survey.manage.list.title").format(page=page + 1, pages=pages), ""]
    builder = InlineKeyboardBuilder()
    for overview in shown:
        survey = overview.survey
        lines.append(
            _("survey.manage.list.line").format(
                icon=STATUS_ICON[survey.status],
                title=quote(short(survey.title, 80)),
                status=_(f"survey.manage.status.{survey.status.value}"),
                count=overview.responses,
                closes=closing_text(survey),
            )
        )
        builder.button(
            text=f"{STATUS_ICON[survey.status]} {short(survey.title, 30)}",
            callback_data=SurveyCallback(action=SurveyAction.CARD, survey_id=survey.id, page=page),
        )
    if not overviews:
        lines.append(_("survey.manage.list.empty"))
    builder.button(
        text=_("survey.manage.button.new"),
        callback_data=SurveyCallback(action=SurveyAction.NEW, page=page),
    )
    keyboard = finish_paged_keyboard(
        builder,
        [1] * (len(shown) + 1),
        page,
        pages,
        lambda target: SurveyCallback(action=SurveyAction.LIST, page=target),
    )
    return fit(lines), keyboard


def card_text(overview: SurveyOverview, note: str | None = None) -> str:
    survey = overview.survey
    definition = survey.definition
    classes = definition.segments.classes
    lines = [
        f"<b>{quote(survey.title)}</b>",
        _("survey.manage.card.status").format(status=status_text(survey.status)),
        _("survey.manage.card.audience").format(audience=audience_text(definition.audience)),
        _("survey.manage.card.classes").format(classes=quote(", ".join(classes)))
        if classes
        else _("survey.manage.card.no_classes"),
    ]
    if survey.opened_on is not None:
        lines.append(_("survey.manage.card.opened").format(date=day(survey.opened_on)))
    if survey.status is SurveyStatus.CLOSED and survey.closed_on is not None:
        lines.append(_("survey.manage.card.closed").format(date=day(survey.closed_on)))
    elif survey.closes_on is not None:
        lines.append(_("survey.manage.card.closes").format(date=day(survey.closes_on)))
    lines.append(_("survey.manage.card.responses").format(count=overview.responses))
    lines.append("")
    lines.append(_("survey.manage.card.questions").format(count=len(definition.questions)))
    for number, question in enumerate(definition.questions[:CARD_QUESTIONS], start=1):
        lines.append(f"{number}. {quote(short(question.text, 80))}")
    if note:
        lines += ["", note]
    return fit(lines)


def card_keyboard(survey: Survey, page: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()

    def button(key: str, action: SurveyAction) -> None:
        builder.button(
            text=_(key),
            callback_data=SurveyCallback(action=action, survey_id=survey.id, page=page),
        )

    if survey.status is SurveyStatus.DRAFT:
        button("survey.manage.button.open", SurveyAction.OPEN)
    if survey.status is SurveyStatus.OPEN:
        button("survey.manage.button.link", SurveyAction.LINK)
        button("survey.manage.button.post", SurveyAction.POST)
        button("survey.manage.button.extend", SurveyAction.EXTEND)
        button("survey.manage.button.close", SurveyAction.CLOSE)
    if survey.status is not SurveyStatus.DRAFT:
        builder.button(
            text=_("survey.manage.button.results"),
            callback_data=ResultsCallback(survey_id=survey.id, action=ResultsAction.SUMMARY),
        )
    button("survey.manage.button.refresh", SurveyAction.REFRESH)
    button("survey.manage.button.back", SurveyAction.LIST)
    builder.adjust(1)
    return builder.as_markup()


def templates_view(page: int) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("survey.manage.new.title"), ""]
    builder = InlineKeyboardBuilder()
    for template in loading.builtin_templates():
        lines.append(
            _("survey.manage.new.template_line").format(
                title=quote(template.title),
                season=_(f"survey.manage.season.{template.season}"),
                questions=len(template.definition.questions),
            )
        )
        builder.button(
            text=short(template.title, 60), callback_data=SurveyTemplateCallback(key=template.key)
        )
    lines += ["", _("survey.manage.new.file_hint")]
    builder.button(
        text=_("survey.manage.button.from_file"),
        callback_data=SurveyCallback(action=SurveyAction.FROM_FILE, page=page),
    )
    builder.button(
        text=_("survey.manage.button.back"),
        callback_data=SurveyCallback(action=SurveyAction.LIST, page=page),
    )
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


def classes_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("survey.manage.button.no_classes"),
        callback_data=SurveyCallback(action=SurveyAction.NO_CLASSES),
    )
    return builder.as_markup()


@dataclass(frozen=True)
class QuickDay:
    key: str
    day: date


def quick_closing_days(today: date, base: date) -> list[QuickDay]:
    """The offered closing dates: a week, two weeks and a month after `base` (not before today).

    Opening counts from today; extending counts from the current closing date, so "ещё неделя"
    never shortens a survey.
    """
    start = max(today, base)
    return [
        QuickDay("week", start + timedelta(days=7)),
        QuickDay("two_weeks", start + timedelta(days=14)),
        QuickDay("month", add_months(start, 1)),
    ]


def date_question(
    survey: Survey, today: date, page: int, extending: bool
) -> tuple[str, InlineKeyboardMarkup]:
    base = survey.closes_on if extending and survey.closes_on is not None else today
    prefix = "survey.manage.extend" if extending else "survey.manage.open"
    builder = InlineKeyboardBuilder()
    for option in quick_closing_days(today, base):
        builder.button(
            text=_(f"{prefix}.quick_{option.key}").format(date=day(option.day)),
            callback_data=SurveyClosingCallback(
                survey_id=survey.id, closes_on=option.day.isoformat(), page=page
            ),
        )
    builder.button(
        text=_("survey.manage.button.cancel"),
        callback_data=SurveyCallback(action=SurveyAction.CARD, survey_id=survey.id, page=page),
    )
    builder.adjust(1)
    text = _(f"{prefix}.ask_date").format(
        title=quote(survey.title),
        current=day(survey.closes_on) if survey.closes_on is not None else "—",
    )
    return text, builder.as_markup()


def close_question(survey: Survey, page: int) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("survey.manage.button.close_confirm"),
        callback_data=SurveyCallback(
            action=SurveyAction.CLOSE_CONFIRM, survey_id=survey.id, page=page
        ),
    )
    builder.button(
        text=_("survey.manage.button.close_keep"),
        callback_data=SurveyCallback(action=SurveyAction.CARD, survey_id=survey.id, page=page),
    )
    builder.adjust(1)
    return _("survey.manage.close.question").format(title=quote(survey.title)), (
        builder.as_markup()
    )


async def edit(callback: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup) -> None:
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text, reply_markup=keyboard)
        except TelegramBadRequest as error:
            # «Обновить» with nothing new: the card already shows the latest.
            if "message is not modified" not in error.message:
                raise


def error_text(error: UserFacingError) -> str:
    return _(error.key).format(**error.params)


async def drop_keyboard(bot: Bot, chat_id: int, message_id: object) -> None:
    """Best effort: the date question's buttons go once a typed date has been taken."""
    if not isinstance(message_id, int):
        return
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
    except TelegramAPIError:
        logger.debug("could not clear a keyboard in chat %s", chat_id)
