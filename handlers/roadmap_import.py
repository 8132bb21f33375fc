"""A coordinator sends a roadmap (file or pasted table), sees a preview, confirms the import."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.settings import Settings
from core.clock import Clock
from core.dates import parse_day
from handlers.callbacks import ImportAction, ImportCallback
from handlers.filters import DOCUMENT, NOT_A_COMMAND, PHOTO, PRIVATE, TEXT
from handlers.render import day, fit, quote, short, warning_text
from handlers.states import ImportFlow
from roadmap.importer import (
    ParsedRoadmap,
    PeriodMissing,
    find_period,
    guess_organisation_name,
    parse_roadmap,
)
from roadmap.period import Period, parse_period_arg, period_from_title
from roadmap.readers import RawRoadmap, RoadmapReadError, read_roadmap, read_text
from services.access import Actor, Permission
from services.roadmaps import ImportPlan, RoadmapService

logger = logging.getLogger(__name__)

# Telegram lets bots download files up to 20 MB; anything larger is refused before trying.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_PREVIEW_DOUBTS = 15
_PREVIEW_NAMES = 12


@dataclass(frozen=True)
class _Source:
    """Where the roadmap came from, kept in FSM state so confirming re-reads the same thing."""

    file_id: str | None
    file_name: str
    text: str | None

    def as_state(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_name": self.file_name, "text": self.text}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> _Source:
        return cls(file_id=data["file_id"], file_name=data["file_name"], text=data["text"])


async def _read(bot: Bot, source: _Source) -> RawRoadmap:
    if source.text is not None:
        return await asyncio.to_thread(read_text, source.text)
    assert source.file_id is not None
    buffer = io.BytesIO()
    await bot.download(source.file_id, destination=buffer)
    # Word and Excel parsing is CPU work: off the event loop, so other chats keep answering.
    return await asyncio.to_thread(read_roadmap, buffer.getvalue(), source.file_name)


async def _read_parsed(bot: Bot, source: _Source, period: Period) -> ParsedRoadmap:
    """Read and parsed in a worker thread: thousands of deadline and people cells are CPU work."""
    raw = await _read(bot, source)
    return await asyncio.to_thread(parse_roadmap, raw, period)


def _read_error_text(error: RoadmapReadError) -> str:
    return _(f"read_error.{error.code}").format(**error.params)


def _preview_keyboard(nonce: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("import.button.confirm"),
        callback_data=ImportCallback(action=ImportAction.CONFIRM, nonce=nonce),
    )
    builder.button(
        text=_("import.button.cancel"),
        callback_data=ImportCallback(action=ImportAction.CANCEL, nonce=nonce),
    )
    return builder.as_markup()


def _names(names: tuple[str, ...]) -> str:
    shown = ", ".join(quote(name) for name in names[:_PREVIEW_NAMES])
    if len(names) > _PREVIEW_NAMES:
        shown += _("list.and_more").format(count=len(names) - _PREVIEW_NAMES)
    return shown


def preview_text(parsed: ParsedRoadmap, plan: ImportPlan, organisation: str) -> str:
    steps = sum(len(activity.steps) for activity in parsed.activities)
    people = parsed.people()
    lines = [
        _("import.preview.title"),
        quote(short(parsed.title, 200)),
        _("import.preview.period").format(
            start=day(parsed.period.start), end=day(parsed.period.end)
        ),
        _("import.preview.organisation").format(name=quote(organisation)),
        _("import.preview.counts").format(activities=len(parsed.activities), steps=steps),
    ]
    if people:
        lines.append(
            _("import.preview.people").format(
                count=len(people),
                new=len(plan.new_people),
                names=_names(tuple(person.name for person in people)),
            )
        )
    if plan.is_reimport:
        lines.append(
            _("import.preview.reimport").format(
                added=len(plan.added), changed=len(plan.changed), removed=len(plan.removed)
            )
        )
        for label_key, labels in (
            ("import.preview.added_item", plan.added),
            ("import.preview.changed_item", plan.changed),
            ("import.preview.removed_item", plan.removed),
        ):
            for label in labels[:5]:
                lines.append(
                    _(label_key).format(
                        number=quote(label.number or "—"), title=quote(short(label.title, 70))
                    )
                )
    doubts = parsed.rows_with_doubts()
    if doubts or parsed.warnings:
        lines.append("")
        lines.append(_("import.preview.doubts").format(count=len(doubts) + len(parsed.warnings)))
        for warning in parsed.warnings[:_PREVIEW_DOUBTS]:
            lines.append("• " + quote(warning_text(warning)))
        for row in doubts[:_PREVIEW_DOUBTS]:
            reasons = [warning_text(warning) for warning in row.warnings] or [
                _("import.preview.needs_date")
            ]
            lines.append(
                _("import.preview.doubt_item").format(
                    where=quote(row.source_ref),
                    title=quote(short(row.title, 60)),
                    reasons=quote("; ".join(reasons)),
                )
            )
        if len(doubts) > _PREVIEW_DOUBTS:
            lines.append(_("list.and_more_rows").format(count=len(doubts) - _PREVIEW_DOUBTS))
    else:
        lines.append(_("import.preview.no_doubts"))
    lines.append("")
    lines.append(_("import.preview.question"))
    return fit(lines)


async def _organisation_name(service: RoadmapService, actor: Actor, raw: RawRoadmap) -> str:
    if actor.person is not None and actor.person.organisation_id is not None:
        organisation = await service.organisation(actor.person.organisation_id)
        if organisation is not None:
            return organisation.name
    return guess_organisation_name(raw) or _("import.default_organisation")


async def _show_preview(
    message: Message,
    state: FSMContext,
    service: RoadmapService,
    actor: Actor,
    raw: RawRoadmap,
    source: _Source,
    period: Period,
) -> None:
    parsed = await asyncio.to_thread(parse_roadmap, raw, period)
    organisation_name = await _organisation_name(service, actor, raw)
    # The preview writes nothing: a new organisation is created only when the import is confirmed.
    organisation = await service.find_organisation(organisation_name)
    plan = await service.plan(organisation.id if organisation else None, parsed)
    nonce = secrets.token_urlsafe(6)
    await state.set_state(ImportFlow.preview)
    await state.set_data(
        {
            **source.as_state(),
            "nonce": nonce,
            "period": [period.start.isoformat(), period.end.isoformat()],
            "organisation_id": organisation.id if organisation else None,
            "organisation_name": organisation.name if organisation else organisation_name,
        }
    )
    await message.answer(
        preview_text(parsed, plan, organisation.name if organisation else organisation_name),
        reply_markup=_preview_keyboard(nonce),
    )


async def _start_import(
    message: Message,
    bot: Bot,
    state: FSMContext,
    service: RoadmapService,
    actor: Actor,
    source: _Source,
) -> None:
    await state.clear()
    try:
        raw = await _read(bot, source)
    except RoadmapReadError as error:
        await message.answer(_read_error_text(error))
        return
    period = find_period(raw)
    if period is None:
        await state.set_state(ImportFlow.waiting_period)
        await state.set_data(source.as_state())
        await message.answer(_("import.ask_period"))
        return
    await _show_preview(message, state, service, actor, raw, source, period)


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
    source = _Source(file_id=document.file_id, file_name=document.file_name or "", text=None)
    await _start_import(message, bot, state, roadmaps, actor, source)


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
    source = _Source(file_id=None, file_name="", text=message.text or "")
    await _start_import(message, bot, state, roadmaps, actor, source)


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
        period = _typed_period(text, clock.now().astimezone(settings.zone).date())
    if period is None:
        await message.answer(_("import.period_invalid"))
        return
    source = _Source.from_state(await state.get_data())
    try:
        raw = await _read(bot, source)
    except RoadmapReadError as error:
        await state.clear()
        await message.answer(_read_error_text(error))
        return
    await _show_preview(message, state, roadmaps, actor, raw, source, period)


def _typed_period(text: str, today: date) -> Period | None:
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
    data = await state.get_data()
    if data.get("nonce") != callback_data.nonce:
        await callback.answer(_("import.stale"), show_alert=True)
        return
    await callback.answer(_("import.working"))
    source = _Source.from_state(data)
    start, end = (date.fromisoformat(value) for value in data["period"])
    try:
        parsed = await _read_parsed(bot, source, Period(start, end))
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
    data = await state.get_data()
    if data.get("nonce") != callback_data.nonce:
        await callback.answer(_("import.stale"), show_alert=True)
        return
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(_("import.cancelled"))


async def _looks_like_table(message: Message) -> bool:
    text = message.text or ""
    return "\t" in text and text.count("\n") >= 2


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    manage = {"permission": Permission.MANAGE, "refusal": "import.denied"}
    router.message.register(
        on_period,
        StateFilter(ImportFlow.waiting_period),
        TEXT,
        NOT_A_COMMAND,
        flags=manage,
    )
    router.message.register(on_document, DOCUMENT, flags=manage)
    router.message.register(
        on_photo, PHOTO, flags={"permission": Permission.MANAGE, "refusal": "fallback.message"}
    )
    # Someone who may not import gets the fallback's words, as for any text the bot cannot use.
    router.message.register(
        on_pasted_table,
        TEXT,
        _looks_like_table,
        flags={"permission": Permission.MANAGE, "refusal": "fallback.message"},
    )
    router.callback_query.register(
        on_confirm, ImportCallback.filter(F.action == ImportAction.CONFIRM), flags=manage
    )
    router.callback_query.register(
        on_cancel, ImportCallback.filter(F.action == ImportAction.CANCEL), flags=manage
    )
    return router
