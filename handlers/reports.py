"""/report: the roadmap's execution report (DOCX and XLSX, and a heat map of the schools for a
municipal roadmap) for today, this or last quarter, the half-year, the school year or typed
days; also behind the «Отчёт» button of /status."""

from __future__ import annotations

from datetime import date

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.dates import parse_days
from handlers.callbacks import ReportCallback, ReportPeriod
from handlers.filters import PRIVATE, TYPED_ANSWER
from handlers.render import day, quote, short, translator
from handlers.states import ReportFlow
from reports import ExecutionReport, Period, PeriodKind, period_of
from reports.labels import percent_text
from services.access import Actor, Permission
from services.reports import ReportService, report_stem

LISTED = 50  # roadmaps offered by /report

_PERIODS = {
    ReportPeriod.QUARTER: (PeriodKind.QUARTER, 0),
    ReportPeriod.LAST_QUARTER: (PeriodKind.QUARTER, -1),
    ReportPeriod.HALF_YEAR: (PeriodKind.HALF_YEAR, 0),
    ReportPeriod.SCHOOL_YEAR: (PeriodKind.SCHOOL_YEAR, 0),
}


def report_button() -> tuple[str, ReportCallback]:
    """«Отчёт» under /status: the same choice as /report."""
    return _("report.button"), ReportCallback()


def more_keyboard(roadmap_id: int) -> InlineKeyboardMarkup:
    """Under a report sent by itself: the XLSX and other periods are a tap away."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("report.button.more"), callback_data=ReportCallback(roadmap_id=roadmap_id)
    )
    return builder.as_markup()


def _list_keyboard(found: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for roadmap_id, label in found[:LISTED]:
        builder.button(text=label, callback_data=ReportCallback(roadmap_id=roadmap_id))
    builder.adjust(1)
    return builder.as_markup()


def _periods_keyboard(roadmap_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for period in ReportPeriod:
        if period is ReportPeriod.ASK:
            continue
        builder.button(
            text=_(f"report.period.{period.name.lower()}"),
            callback_data=ReportCallback(roadmap_id=roadmap_id, period=period),
        )
    builder.adjust(1, 2, 2, 1)
    return builder.as_markup()


async def _ask(message: Message, actor: Actor, reports: ReportService, edit: bool) -> None:
    """Which roadmap (when there are several), or which period of the only one."""
    found = await reports.roadmaps(actor)
    if not found:
        await message.answer(_("roadmap.none"))
        return
    if len(found) == 1:
        roadmap = found[0][0]
        text = _("report.ask_period").format(title=quote(short(roadmap.title, 150)))
        keyboard = _periods_keyboard(roadmap.id)
    else:
        text = _("report.ask_roadmap").format(count=len(found))
        keyboard = _list_keyboard(
            [
                (roadmap.id, f"{short(org.name, 24)}: {short(roadmap.title, 36)}")
                for roadmap, org in found
            ]
        )
    if edit:
        await message.edit_text(text, reply_markup=keyboard)
    else:
        await message.answer(text, reply_markup=keyboard)


async def report_command(message: Message, actor: Actor, reports: ReportService) -> None:
    await _ask(message, actor, reports, edit=False)


def report_caption(report: ExecutionReport) -> str:
    """The report's totals in words, under its DOCX."""
    summary = report.summary
    when = (
        _("report.caption.period").format(
            start=day(report.period.start), end=day(report.period.end)
        )
        if report.period
        else _("report.caption.at").format(date=day(report.at))
    )
    return _("report.caption").format(
        title=quote(short(report.roadmap_title, 200)),
        when=when,
        total=summary.total,
        done=summary.done,
        on_time=summary.done_on_time,
        late=summary.done_late,
        overdue=summary.overdue,
        upcoming=summary.upcoming + summary.in_progress,
        cannot=summary.cannot,
        share=percent_text(summary.share_on_time, lambda key: _(key)),
    )


async def send_report(
    message: Message,
    actor: Actor,
    reports: ReportService,
    i18n: I18n,
    roadmap_id: int,
    period: Period | None,
) -> None:
    """The report's files, in the reader's language, with the totals as the caption."""
    report = await reports.execution_report(actor, roadmap_id, period=period)
    files = await reports.files(report, translator(i18n), report_stem(roadmap_id, report.at))
    await message.answer_document(
        BufferedInputFile(files.docx, filename=f"{files.stem}.docx"),
        caption=report_caption(report),
    )
    await message.answer_document(BufferedInputFile(files.xlsx, filename=f"{files.stem}.xlsx"))
    if files.matrix_png is not None:
        await message.answer_photo(
            BufferedInputFile(files.matrix_png, filename=f"{files.stem}.png"),
            caption=_("report.matrix_caption"),
        )


def _period(choice: ReportPeriod, today: date) -> Period | None:
    if choice is ReportPeriod.TODAY:
        return None
    kind, offset = _PERIODS[choice]
    return period_of(kind, today, offset)


async def on_report(
    callback: CallbackQuery,
    callback_data: ReportCallback,
    actor: Actor,
    reports: ReportService,
    i18n: I18n,
    state: FSMContext,
) -> None:
    """A roadmap or a period chosen; the files once both are."""
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer()
        return
    if callback_data.roadmap_id == 0:
        await callback.answer()
        await _ask(message, actor, reports, edit=False)
        return
    today = await reports.today(actor, callback_data.roadmap_id)  # access checked here
    if callback_data.period is ReportPeriod.ASK:
        await callback.answer()
        await message.edit_text(
            _("report.ask_period_short"), reply_markup=_periods_keyboard(callback_data.roadmap_id)
        )
        return
    if callback_data.period is ReportPeriod.CUSTOM:
        await state.set_state(ReportFlow.waiting_period)
        await state.set_data({"roadmap_id": callback_data.roadmap_id})
        await callback.answer()
        await message.answer(_("report.ask_days"))
        return
    await callback.answer(_("report.preparing"))
    period = _period(callback_data.period, today)
    await send_report(message, actor, reports, i18n, callback_data.roadmap_id, period)


async def on_days(
    message: Message,
    actor: Actor,
    reports: ReportService,
    i18n: I18n,
    state: FSMContext,
) -> None:
    """«с 01.09.2022 по 31.12.2022»: the report for those days, or the question again."""
    roadmap_id = int((await state.get_data())["roadmap_id"])
    today = await reports.today(actor, roadmap_id)
    days = parse_days(message.text or "", today)
    if days is None:
        await message.answer(_("report.days_invalid"))
        return
    await state.clear()
    await send_report(message, actor, reports, i18n, roadmap_id, Period(*days))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    view = {"permission": Permission.VIEW}
    router.message.register(report_command, Command("report"), flags=view)
    router.message.register(
        on_days, StateFilter(ReportFlow.waiting_period), TYPED_ANSWER, flags=view
    )
    router.callback_query.register(on_report, ReportCallback.filter(), flags=view)
    return router
