"""From a file or a pasted table to a confirmed import: the period, the preview, «Загрузить»."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import date

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.settings import Settings
from core.clock import Clock
from core.dates import parse_day
from handlers.callbacks import ImportCallback
from handlers.render import quote, short
from handlers.roadmap_import.preview import preview_data, preview_view
from handlers.roadmap_import.reading import (
    MAX_UPLOAD_BYTES,
    Source,
    parse,
    read,
    read_error_text,
    read_parsed,
)
from handlers.states import ImportFlow
from roadmap.importer import (
    PeriodMissing,
    find_period,
    guess_organisation_name,
)
from roadmap.period import Period, parse_period_arg, period_from_title
from roadmap.readers import RawRoadmap, RoadmapReadError
from services.access import Actor
from services.roadmaps import RoadmapService

logger = logging.getLogger(__name__)


async def organisation_name_for(
    service: RoadmapService, actor: Actor, raw: RawRoadmap
) -> tuple[str, bool]:
    """Where the roadmap goes unless the person picks another: their own organisation, or
    the one the file's title names (a guess, and said to be one)."""
    if actor.person is not None and actor.person.organisation_id is not None:
        organisation = await service.organisation(actor.person.organisation_id)
        if organisation is not None:
            return organisation.name, False
    return guess_organisation_name(raw) or _("import.default_organisation"), True


async def show_preview(
    message: Message,
    state: FSMContext,
    service: RoadmapService,
    actor: Actor,
    raw: RawRoadmap,
    source: Source,
    period: Period,
) -> None:
    parsed = await parse(raw, period)
    if not parsed.activities:
        # A header and no rows: importing it would empty a roadmap of the same title.
        await state.clear()
        await message.answer(_("import.no_rows"))
        return
    organisation_name, guessed = await organisation_name_for(service, actor, raw)
    # The preview writes nothing: a new organisation is created only when the import is confirmed.
    organisation = await service.find_organisation(organisation_name)
    nonce = secrets.token_urlsafe(6)
    data = {
        **source.as_state(),
        "nonce": nonce,
        "period": [period.start.isoformat(), period.end.isoformat()],
        "organisation_id": organisation.id if organisation else None,
        "organisation_name": organisation.name if organisation else organisation_name,
        "guessed_name": organisation_name,
        "guessed": guessed,
    }
    await state.set_state(ImportFlow.preview)
    await state.set_data(data)
    text, keyboard = await preview_view(service, parsed, data)
    await message.answer(text, reply_markup=keyboard)


async def start_import(
    message: Message,
    bot: Bot,
    state: FSMContext,
    service: RoadmapService,
    actor: Actor,
    source: Source,
) -> None:
    await state.clear()
    try:
        raw = await read(bot, source)
    except RoadmapReadError as error:
        await message.answer(read_error_text(error))
        return
    period = find_period(raw)
    if period is None:
        await state.set_state(ImportFlow.waiting_period)
        await state.set_data(source.as_state())
        await message.answer(_("import.ask_period"))
        return
    await show_preview(message, state, service, actor, raw, source, period)


async def on_document(
    message: Message,
    bot: Bot,
    state: FSMContext,
    roadmaps: RoadmapService,
    actor: Actor,
) -> None:
    """A file: refused early when it cannot be a roadmap we may read, else previewed."""
    document = message.document
    assert document is not None
    if document.file_size is not None and document.file_size > MAX_UPLOAD_BYTES:
        await message.answer(_("import.too_large"))
        return
    source = Source(file_id=document.file_id, file_name=document.file_name or "", text=None)
    await start_import(message, bot, state, roadmaps, actor, source)


async def on_photo(message: Message) -> None:
    """A photo of a table is not a table we can read."""
    await message.answer(_("read_error.photo"))


async def on_pasted_table(
    message: Message,
    bot: Bot,
    state: FSMContext,
    roadmaps: RoadmapService,
    actor: Actor,
) -> None:
    """A table pasted into the chat (tab-separated lines, as Word and Excel copy them)."""
    source = Source(file_id=None, file_name="", text=message.text or "")
    await start_import(message, bot, state, roadmaps, actor, source)


async def on_period(
    message: Message,
    bot: Bot,
    state: FSMContext,
    roadmaps: RoadmapService,
    actor: Actor,
    settings: Settings,
    clock: Clock,
) -> None:
    """The period the title did not name: "2022-2023" or "01.09.2022-31.08.2023"."""
    text = message.text or ""
    period = period_from_title(f"на {text} учебный год") if text.strip() else None
    if period is None:
        period = typed_period(text, clock.now().astimezone(settings.zone).date())
    if period is None:
        await message.answer(_("import.period_invalid"))
        return
    source = Source.from_state(await state.get_data())
    try:
        raw = await read(bot, source)
    except RoadmapReadError as error:
        await state.clear()
        await message.answer(read_error_text(error))
        return
    await show_preview(message, state, roadmaps, actor, raw, source, period)


def typed_period(text: str, today: date) -> Period | None:
    """Two days joined by a dash, as people type them: "01.09.2022 - 31.08.2023"."""
    try:
        return parse_period_arg(text.strip())  # the CLI's form, 2022-09-01:2023-08-31
    except ValueError:
        pass
    parts = re.split(r"\s*[-–—]\s*(?=\d)", text.strip(), maxsplit=1)
    if len(parts) != 2:
        return None
    start, end = (parse_day(part, today) for part in parts)
    if start is None or end is None or end < start:
        return None
    return Period(start, end)


async def on_confirm(
    callback: CallbackQuery,
    callback_data: ImportCallback,
    bot: Bot,
    state: FSMContext,
    roadmaps: RoadmapService,
    actor: Actor,
    settings: Settings,
) -> None:
    """Импортировать: the roadmap stored, its tasks and reminders planned."""
    if (data := await preview_data(callback, callback_data.nonce, state)) is None:
        return
    await callback.answer(_("import.working"))
    source = Source.from_state(data)
    start, end = (date.fromisoformat(value) for value in data["period"])
    try:
        parsed = await read_parsed(bot, source, Period(start, end))
    except (RoadmapReadError, PeriodMissing, TelegramAPIError):
        logger.warning("import source vanished for user %s", actor.telegram_user_id)
        await state.clear()
        if isinstance(callback.message, Message):
            await callback.message.edit_text(_("import.source_gone"))
        return
    organisation_id = data.get("organisation_id")
    if organisation_id is None:
        organisation = await roadmaps.organisation_named(
            data["organisation_name"], settings.timezone
        )
        organisation_id = organisation.id
    result = await roadmaps.apply(
        organisation_id,
        parsed,
        source_name=source.file_name or _("import.pasted_source"),
        actor_telegram_id=actor.telegram_user_id,
    )
    await state.clear()
    needing = sum(1 for row in parsed.leaves() if row.needs_date)
    text = _("import.done").format(
        activities=len(parsed.activities),
        steps=sum(len(activity.steps) for activity in parsed.activities),
        title=quote(short(result.roadmap.title, 120)),
    )
    if needing:
        text += "\n" + _("import.done_needs_dates").format(count=needing)
    if isinstance(callback.message, Message):
        await callback.message.edit_text(text)


async def on_cancel(
    callback: CallbackQuery, callback_data: ImportCallback, state: FSMContext
) -> None:
    """Отмена: nothing stored."""
    if await preview_data(callback, callback_data.nonce, state) is None:
        return
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(_("import.cancelled"))
