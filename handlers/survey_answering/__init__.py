"""Answering a survey in a private chat: `/start s_<code>`, then one message edited in place.

The answers in progress live only in FSM state (a `surveys.answering.Draft`); the service
stores them in one anonymous transaction on «Отправить», and an abandoned attempt leaves
nothing behind. Nothing here logs an answer, or a user id next to a survey.

The attempt's state is small: the survey id, its definition's fingerprint, where the respondent
is and the answers so far. The definition itself comes from `SurveyDefinitions`, in memory (a
definition never changes once written), so a tap costs no database round trip, and Redis
carries a few hundred bytes per tap rather than the whole survey. Whether the survey still
takes answers is the service's call at «Начать» and «Отправить».
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandStart, StateFilter

from core.deeplinks import DeepLinkKind
from handlers.callbacks import AnswerAction, AnswerCallback
from handlers.filters import NOT_A_COMMAND, PRIVATE, TEXT, StartLink
from handlers.states import SurveyAnswering
from handlers.survey_answering.answers import on_button, on_cancel, on_submit, on_text, open_survey
from services.access import Permission


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    respondent = {"permission": Permission.RESPONDENT}
    router.message.register(
        open_survey, CommandStart(deep_link=True), StartLink(DeepLinkKind.SURVEY), flags=respondent
    )
    router.message.register(
        on_text,
        StateFilter(SurveyAnswering.answering),
        TEXT,
        NOT_A_COMMAND,
        flags=respondent,
    )
    # The buttons pressed most go first: a tap's data is read once, not once per handler.
    endings = (AnswerAction.SUBMIT, AnswerAction.CANCEL)
    router.callback_query.register(
        on_button, AnswerCallback.filter(~F.action.in_(endings)), flags=respondent
    )
    router.callback_query.register(
        on_submit, AnswerCallback.filter(F.action == AnswerAction.SUBMIT), flags=respondent
    )
    router.callback_query.register(
        on_cancel, AnswerCallback.filter(F.action == AnswerAction.CANCEL), flags=respondent
    )
    return router
