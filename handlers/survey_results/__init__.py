"""/results: a survey's results in the chat, its charts, the XLSX, CSV, DOCX and PDF reports,
and the review of free-text answers before publishing (`texts`).

Every press fetches the responses again through the service, which checks at that moment that
this person may see this survey (AccessDenied otherwise). Small counts are hidden by
`surveys.results` before anything here sees them; charts and files are drawn in a worker
thread, so a big report never stalls other people's updates.
"""

from __future__ import annotations

import asyncio

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InputMediaPhoto,
    Message,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import ResultsAction, ResultsCallback, TextReviewCallback
from handlers.filters import PRIVATE
from handlers.render import quote, short, translator
from handlers.survey_results.texts import on_texts
from handlers.survey_results.views import (
    LIST_LIMIT,
    album_sizes,
    file_name,
    results_keyboard,
    summary_text,
)
from services.access import Actor, Permission
from services.surveys import SurveyService
from storage.records import Survey
from surveys.report import (
    PAGE,
    ReportMeta,
    Translate,
    build_csv,
    build_docx,
    build_pdf,
    build_xlsx,
    charts_for,
)
from surveys.results import SurveyResults, summarise


async def results_command(message: Message, actor: Actor, surveys: SurveyService) -> None:
    """The person's surveys with their response counts, a button each."""
    overviews = await surveys.list_for(actor)
    if not overviews:
        await message.answer(_("survey.results.none"))
        return
    builder = InlineKeyboardBuilder()
    for overview in overviews[:LIST_LIMIT]:
        builder.button(
            text=_("survey.results.button.survey").format(
                title=short(overview.survey.title, 40), count=overview.responses
            ),
            callback_data=ResultsCallback(
                survey_id=overview.survey.id, action=ResultsAction.SUMMARY
            ),
        )
    builder.adjust(1)
    text = _("survey.results.choose")
    if len(overviews) > LIST_LIMIT:
        text += "\n" + _("survey.results.list_truncated").format(count=LIST_LIMIT)
    await message.answer(text, reply_markup=builder.as_markup())


async def _send_charts(
    message: Message, survey: Survey, results: SurveyResults, translate: Translate
) -> None:
    charts = await asyncio.to_thread(charts_for, results, translate)
    if not charts:
        await message.answer(_("survey.results.no_charts"))
        return
    headings = {
        result.question.id: f"{result.number}. {result.question.text}"
        for result in results.questions
    }
    photos = [
        InputMediaPhoto(
            media=BufferedInputFile(png, filename=f"opros-{survey.code}-{question_id}.png"),
            caption=quote(short(headings[question_id], 300)),
        )
        for question_id, png in charts.items()
    ]
    start = 0
    for size in album_sizes(len(photos)):
        album = photos[start : start + size]
        start += size
        if size == 1:
            await message.answer_photo(album[0].media, caption=album[0].caption)
        else:
            await message.answer_media_group(album)  # type: ignore[arg-type]


_BUILDERS: dict[ResultsAction, tuple[str, str]] = {
    ResultsAction.XLSX: ("xlsx", "survey.results.caption.xlsx"),
    ResultsAction.CSV: ("csv", "survey.results.caption.csv"),
    ResultsAction.DOCX: ("docx", "survey.results.caption.docx"),
    ResultsAction.PDF: ("pdf", "survey.results.caption.pdf"),
}


def _build(
    action: ResultsAction, results: SurveyResults, meta: ReportMeta, translate: Translate
) -> bytes:
    """Runs in a worker thread: the DOCX and the PDF draw their charts too."""
    if action is ResultsAction.XLSX:
        return build_xlsx(results, meta, translate)
    if action is ResultsAction.CSV:
        return build_csv(results, meta, translate)
    charts = charts_for(results, translate, PAGE)
    if action is ResultsAction.PDF:
        return build_pdf(results, meta, charts, translate)
    return build_docx(results, meta, charts, translate)


async def on_results(
    callback: CallbackQuery,
    callback_data: ResultsCallback,
    actor: Actor,
    surveys: SurveyService,
    i18n: I18n,
) -> None:
    """Итоги, Диаграммы, XLSX, CSV, DOCX, PDF: access is checked again on every press."""
    survey, responses = await surveys.responses_for(actor, callback_data.survey_id)
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer()
        return
    if not responses:
        await callback.answer()
        await message.answer(
            _("survey.results.no_responses").format(title=quote(short(survey.title, 200)))
        )
        return
    translate = translator(i18n)
    # A few thousand responses take a noticeable fraction of a second: off the event loop.
    results = await asyncio.to_thread(summarise, survey.definition, responses)
    action = callback_data.action
    if action is ResultsAction.SUMMARY or results.withheld:
        await callback.answer()
        keyboard = None if results.withheld else results_keyboard(survey)
        await message.answer(summary_text(survey, results, translate), reply_markup=keyboard)
        return
    await callback.answer(_("survey.results.preparing"))
    if action is ResultsAction.CHARTS:
        await _send_charts(message, survey, results, translate)
        return
    extension, caption = _BUILDERS[action]
    meta = await surveys.report_meta(survey)
    data = await asyncio.to_thread(_build, action, results, meta, translate)
    await message.answer_document(
        BufferedInputFile(data, filename=file_name(survey, meta.generated_on, extension)),
        caption=_(caption).format(title=quote(short(survey.title, 200))),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    manage = {"permission": Permission.MANAGE}
    router.message.register(results_command, Command("results"), flags=manage)
    router.callback_query.register(on_results, ResultsCallback.filter(), flags=manage)
    # Refused like a stale button, whoever presses: the answer says nothing of the survey.
    router.callback_query.register(
        on_texts,
        TextReviewCallback.filter(),
        flags={**manage, "refusal": "fallback.stale_button"},
    )
    return router
