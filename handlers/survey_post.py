"""A survey's link, QR code and ready post; `/survey` in a group posts it there.

The post is written for a class parents' chat: a coordinator forwards it from the private chat,
or adds the bot to the group and sends `/survey` there. In a group only the coordinator who
asked may pick the survey: the picker's buttons name them, and rights are checked again on press.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.deeplinks import DeepLink, DeepLinkKind
from handlers.callbacks import SurveyPostCallback
from handlers.filters import Magic
from handlers.links import deep_link
from handlers.render import day, quote, short
from services.access import Actor, Permission
from services.surveys import SurveyService
from storage.records import Survey
from surveys.answering import estimated_minutes
from surveys.model import Audience, SurveyStatus

# Telegram shows at most 100 buttons under a message; a school has far fewer open surveys.
_MAX_PICKER_BUTTONS = 30

GROUP_CHATS = frozenset({"group", "supergroup"})


async def survey_link(bot: Bot, survey: Survey) -> str:
    """The deep link respondents open: https://t.me/<bot>?start=s_<code> (or max.ru)."""
    return await deep_link(bot, DeepLink(DeepLinkKind.SURVEY, survey.code).payload())


def _greeting(audience: Audience) -> str:
    if audience is Audience.PARENTS:
        return _("survey.manage.post.greeting_parents")
    if audience is Audience.STUDENTS:
        return _("survey.manage.post.greeting_students")
    return _("survey.manage.post.greeting_both")


def post_text(survey: Survey) -> str:
    """The post as a parent reads it in the class chat; a survey without a date says so."""
    closes = (
        _("survey.manage.post.until").format(date=day(survey.closes_on))
        if survey.closes_on is not None
        else ""
    )
    return _("survey.manage.post.text").format(
        greeting=_greeting(survey.definition.audience),
        title=quote(survey.title),
        minutes=estimated_minutes(survey.definition),
        until=closes,
    )


def post_keyboard(link: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("survey.manage.post.button"), url=link)
    return builder.as_markup()


def _picker_keyboard(surveys: list[Survey], user_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for survey in surveys[:_MAX_PICKER_BUTTONS]:
        builder.button(
            text=short(survey.title, 60),
            callback_data=SurveyPostCallback(survey_id=survey.id, user_id=user_id),
        )
    builder.adjust(1)
    return builder.as_markup()


async def group_survey_command(message: Message, actor: Actor, surveys: SurveyService) -> None:
    """/survey in a group: this coordinator's open surveys to choose from."""
    found = [
        overview.survey
        for overview in await surveys.list_for(actor)
        if overview.survey.status is SurveyStatus.OPEN
    ]
    if not found:
        await message.reply(_("survey.manage.group.none"))
        return
    await message.reply(
        _("survey.manage.group.pick"),
        reply_markup=_picker_keyboard(found, actor.telegram_user_id),
    )


async def on_group_pick(
    callback: CallbackQuery,
    callback_data: SurveyPostCallback,
    actor: Actor,
    surveys: SurveyService,
    bot: Bot,
) -> None:
    """The survey picked: the picker becomes the post, if the one who asked still may."""
    if callback.from_user.id != callback_data.user_id:
        await callback.answer(_("survey.manage.group.not_yours"), show_alert=True)
        return
    survey = (await surveys.get_for_manager(actor, callback_data.survey_id)).survey
    if survey.status is not SurveyStatus.OPEN:
        await callback.answer(_("survey.manage.not_open"), show_alert=True)
        return
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(
            post_text(survey), reply_markup=post_keyboard(await survey_link(bot, survey))
        )


def create_router() -> Router:
    router = Router(name=__name__)
    manage = {"permission": Permission.MANAGE, "refusal": "survey.manage.group.refused"}
    router.message.register(
        group_survey_command, Magic(F.chat.type.in_(GROUP_CHATS)), Command("survey"), flags=manage
    )
    router.callback_query.register(on_group_pick, SurveyPostCallback.filter(), flags=manage)
    return router
