"""/surveys: a coordinator creates a survey (template or file), opens, extends and closes it.

Every button carries a survey id only; the service checks, at each press, that this person
may manage that survey (AccessDenied otherwise). A definition being created lives in FSM state
until the class list is given; nothing is stored before that.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter

from handlers.callbacks import SurveyCallback, SurveyClosingCallback, SurveyTemplateCallback
from handlers.filters import DOCUMENT, NOT_A_COMMAND, PRIVATE, STRAY, TYPED_ANSWER
from handlers.states import SurveyFlow
from handlers.survey_manage.creating import (
    is_xlsx,
    is_yaml,
    on_classes,
    on_classes_not_text,
    on_definition_file,
    on_excel_file,
    on_file_expected,
    on_template,
)
from handlers.survey_manage.manage import (
    on_closing_date_text,
    on_closing_day,
    on_survey_button,
    surveys_command,
)
from services.access import Permission


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    manage = {"permission": Permission.MANAGE}
    not_a_command = NOT_A_COMMAND
    router.message.register(surveys_command, Command("surveys"), flags=manage)
    router.message.register(
        on_definition_file, StateFilter(SurveyFlow.definition_file), DOCUMENT, flags=manage
    )
    router.message.register(on_definition_file, DOCUMENT, is_yaml, flags=manage)
    router.message.register(on_excel_file, DOCUMENT, is_xlsx, flags=manage)
    router.message.register(
        on_file_expected, StateFilter(SurveyFlow.definition_file), not_a_command, flags=manage
    )
    router.message.register(
        on_classes, StateFilter(SurveyFlow.classes), TYPED_ANSWER, flags=manage
    )
    router.message.register(
        on_classes_not_text, StateFilter(SurveyFlow.classes), STRAY, flags=manage
    )
    router.message.register(
        on_closing_date_text,
        StateFilter(SurveyFlow.closing_date),
        TYPED_ANSWER,
        flags=manage,
    )
    router.callback_query.register(on_survey_button, SurveyCallback.filter(), flags=manage)
    router.callback_query.register(on_template, SurveyTemplateCallback.filter(), flags=manage)
    router.callback_query.register(on_closing_day, SurveyClosingCallback.filter(), flags=manage)
    return router
