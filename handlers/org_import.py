"""A coordinator sends the list of schools and their heads, sees a preview, confirms the load.

The list arrives either after «Загрузить список школ» in /orgs or unasked: any table whose
header names schools and their heads is taken here, anything else is left to the surveys and
roadmap importers after this router (SkipHandler). Nothing is written before «Загрузить».
"""

from __future__ import annotations

import asyncio
import io
import logging
import secrets
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import OrgImportAction, OrgImportCallback
from handlers.filters import DOCUMENT, NOT_A_COMMAND, PRIVATE
from handlers.organisations import kind_label, tree
from handlers.render import fit, quote, short
from schools import ProblemKind, SchoolsReadError, SchoolsTable, is_schools_list, read_schools
from services.access import AccessDenied, Actor, Permission
from services.org_import import OrgImportPlan, OrgImportService
from storage.records import Organisation

logger = logging.getLogger(__name__)

# Telegram lets bots download files up to 20 MB (as the roadmap importer says).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_PREVIEW_PROBLEMS = 15
_MAX_PARENT_BUTTONS = 90
# What a list sent unasked may be called ("" : a phone may drop the extension).
_LIST_SUFFIXES = frozenset({"", ".csv", ".xlsx", ".xlsm", ".txt", ".tsv"})


class SchoolsFlow(StatesGroup):
    waiting_file = State()
    parent = State()
    preview = State()


async def _download(bot: Bot, file_id: str) -> bytes:
    buffer = io.BytesIO()
    await bot.download(file_id, destination=buffer)
    return buffer.getvalue()


async def _read(bot: Bot, data: dict[str, Any]) -> SchoolsTable:
    """The list again from the file kept in FSM state (the state holds ids, not the rows)."""
    content = await _download(bot, data["file_id"])
    return await asyncio.to_thread(read_schools, content, data["file_name"])


def problem_reason(kind: ProblemKind) -> str:
    if kind is ProblemKind.NO_SCHOOL:
        return _("orgs.import.problem.no_school")
    if kind is ProblemKind.LONG_NAME:
        return _("orgs.import.problem.long_name")
    if kind is ProblemKind.DUPLICATE:
        return _("orgs.import.problem.duplicate")
    if kind is ProblemKind.NO_HEAD:
        return _("orgs.import.problem.no_head")
    return _("orgs.import.problem.bad_head")


def preview_text(plan: OrgImportPlan) -> str:
    lines = [
        _("orgs.import.preview.title"),
        _("orgs.import.preview.parent").format(name=quote(plan.parent.name)),
        _("orgs.import.preview.schools").format(
            total=len(plan.schools),
            added=plan.added,
            updated=plan.updated,
            unchanged=plan.unchanged,
        ),
        _("orgs.import.preview.heads").format(
            new=plan.heads_new, changed=plan.heads_changed, people=plan.people_new
        ),
    ]
    if plan.problems:
        lines.append("")
        lines.append(_("orgs.import.preview.problems").format(count=len(plan.problems)))
        for problem in plan.problems[:_PREVIEW_PROBLEMS]:
            lines.append(
                _("orgs.import.preview.problem_item").format(
                    line=problem.line,
                    text=quote(short(problem.text, 80)),
                    reason=problem_reason(problem.kind),
                )
            )
        if len(plan.problems) > _PREVIEW_PROBLEMS:
            lines.append(
                _("list.and_more_rows").format(count=len(plan.problems) - _PREVIEW_PROBLEMS)
            )
    lines.append("")
    if plan.writes_nothing:
        lines.append(_("orgs.import.preview.nothing_new"))
    lines.append(_("orgs.import.preview.question"))
    return fit(lines)


def _preview_keyboard(nonce: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("orgs.import.button.confirm"),
        callback_data=OrgImportCallback(action=OrgImportAction.CONFIRM, nonce=nonce),
    )
    builder.button(
        text=_("orgs.import.button.cancel"),
        callback_data=OrgImportCallback(action=OrgImportAction.CANCEL, nonce=nonce),
    )
    return builder.as_markup()


def _parent_keyboard(parents: Sequence[Organisation], nonce: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    in_tree_order = [row.organisation for row in tree(parents)]
    for organisation in in_tree_order[:_MAX_PARENT_BUTTONS]:
        builder.button(
            text=_("orgs.button.parent").format(
                name=short(organisation.name, 40), kind=kind_label(organisation.kind)
            ),
            callback_data=OrgImportCallback(
                action=OrgImportAction.PARENT, nonce=nonce, parent_id=organisation.id
            ),
        )
    builder.button(
        text=_("orgs.import.button.cancel"),
        callback_data=OrgImportCallback(action=OrgImportAction.CANCEL, nonce=nonce),
    )
    builder.adjust(1)
    return builder.as_markup()


def _read_error(error: SchoolsReadError) -> str:
    return _(f"orgs.import.error.{error.code}").format(**error.params)


async def on_start(
    callback: CallbackQuery, actor: Actor, org_import: OrgImportService, state: FSMContext
) -> None:
    """📥 Загрузить список школ: asks for the file."""
    if not await org_import.parents(actor):
        raise AccessDenied("orgs.import.nowhere")
    await state.set_state(SchoolsFlow.waiting_file)
    await state.set_data({})
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(_("orgs.import.ask_file"))


async def on_document(
    message: Message,
    bot: Bot,
    actor: Actor,
    org_import: OrgImportService,
    state: FSMContext,
) -> None:
    """A file: a schools list is previewed; anything else goes on to the other importers."""
    document = message.document
    assert document is not None
    asked = await state.get_state() == SchoolsFlow.waiting_file.state
    if document.file_size is not None and document.file_size > MAX_UPLOAD_BYTES:
        if not asked:
            raise SkipHandler  # the roadmap importer explains the limit
        await message.answer(_("orgs.import.too_large"))
        return
    file_name = document.file_name or ""
    if not asked and PurePath(file_name).suffix.lower() not in _LIST_SUFFIXES:
        raise SkipHandler  # a Word file, a picture, a survey: not worth downloading here
    content = await _download(bot, document.file_id)
    # Parsing is CPU work: off the event loop, so other chats keep answering.
    if not asked and not await asyncio.to_thread(is_schools_list, content, file_name):
        raise SkipHandler  # a roadmap or a survey: the next routers read it (and download it)
    try:
        table = await asyncio.to_thread(read_schools, content, file_name)
    except SchoolsReadError as error:
        await message.answer(_read_error(error))
        return
    parents = await org_import.parents(actor)
    if not parents:
        await state.clear()
        raise AccessDenied("orgs.import.nowhere")
    source = {"file_id": document.file_id, "file_name": file_name}
    if len(parents) == 1:
        await _preview(message, state, org_import, actor, table, source, parents[0].id)
        return
    nonce = secrets.token_urlsafe(6)
    await state.set_state(SchoolsFlow.parent)
    await state.set_data({**source, "nonce": nonce})
    await message.answer(
        _("orgs.import.ask_parent").format(count=len(table.rows)),
        reply_markup=_parent_keyboard(parents, nonce),
    )


async def _preview(
    message: Message,
    state: FSMContext,
    org_import: OrgImportService,
    actor: Actor,
    table: SchoolsTable,
    source: dict[str, Any],
    parent_id: int,
    *,
    edit: bool = False,
) -> None:
    plan = await org_import.preview(parent_id, table, actor)
    nonce = secrets.token_urlsafe(6)
    await state.set_state(SchoolsFlow.preview)
    await state.set_data(
        {
            "file_id": source["file_id"],
            "file_name": source["file_name"],
            "parent_id": parent_id,
            "nonce": nonce,
        }
    )
    text, keyboard = preview_text(plan), _preview_keyboard(nonce)
    if edit:
        await message.edit_text(text, reply_markup=keyboard)
    else:
        await message.answer(text, reply_markup=keyboard)


async def on_file_expected(message: Message) -> None:
    """Text, a photo or a sticker where the list's file was expected."""
    await message.answer(_("orgs.import.file_expected"))


async def on_parent(
    callback: CallbackQuery,
    callback_data: OrgImportCallback,
    bot: Bot,
    actor: Actor,
    org_import: OrgImportService,
    state: FSMContext,
) -> None:
    """The organisation the schools go under: checked again by the service, then previewed."""
    data = await state.get_data()
    if data.get("nonce") != callback_data.nonce or not isinstance(callback.message, Message):
        await on_stale(callback)
        return
    parents = {organisation.id for organisation in await org_import.parents(actor)}
    if callback_data.parent_id not in parents:
        raise AccessDenied("access.denied")
    await callback.answer()
    table = await _read_again(bot, data, callback, state, actor)
    if table is None:
        return
    await _preview(
        callback.message,
        state,
        org_import,
        actor,
        table,
        data,
        callback_data.parent_id,
        edit=True,
    )


async def on_confirm(
    callback: CallbackQuery,
    callback_data: OrgImportCallback,
    bot: Bot,
    actor: Actor,
    org_import: OrgImportService,
    state: FSMContext,
) -> None:
    """Загрузить: the whole list in one short transaction."""
    data = await state.get_data()
    if data.get("nonce") != callback_data.nonce:
        await on_stale(callback)
        return
    await callback.answer(_("orgs.import.working"))
    table = await _read_again(bot, data, callback, state, actor)
    if table is None:
        return
    result = await org_import.apply(data["parent_id"], table, actor)
    await state.clear()
    plan = result.plan
    text = _("orgs.import.done").format(
        parent=quote(plan.parent.name),
        added=plan.added,
        updated=plan.updated,
        unchanged=plan.unchanged,
        heads_new=plan.heads_new,
        heads_changed=plan.heads_changed,
    )
    if isinstance(callback.message, Message):
        await callback.message.edit_text(text)


async def _read_again(
    bot: Bot, data: dict[str, Any], callback: CallbackQuery, state: FSMContext, actor: Actor
) -> SchoolsTable | None:
    """The list read again for a button press; None (and the person told) if it is gone."""
    try:
        return await _read(bot, data)
    except (SchoolsReadError, TelegramAPIError):
        logger.warning("schools list vanished for user %s", actor.telegram_user_id)
        await state.clear()
        if isinstance(callback.message, Message):
            await callback.message.edit_text(_("orgs.import.source_gone"))
        return None


async def on_cancel(
    callback: CallbackQuery, callback_data: OrgImportCallback, state: FSMContext
) -> None:
    """Отмена: nothing stored."""
    data = await state.get_data()
    if data.get("nonce") != callback_data.nonce:
        await on_stale(callback)
        return
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(_("orgs.import.cancelled"))


async def on_stale(callback: CallbackQuery) -> None:
    """A button of a preview or question that is over (loaded, cancelled or replaced)."""
    await callback.answer(_("orgs.import.stale"), show_alert=True)


async def on_not_a_button(message: Message) -> None:
    """Typing where a button was expected."""
    await message.answer(_("orgs.import.use_buttons"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    manage = {"permission": Permission.MANAGE}
    not_a_command = NOT_A_COMMAND
    # Someone who may not import hears what the roadmap importer would tell them.
    router.message.register(
        on_document,
        DOCUMENT,
        flags={"permission": Permission.MANAGE, "refusal": "import.denied"},
    )
    router.message.register(
        on_file_expected, StateFilter(SchoolsFlow.waiting_file), not_a_command, flags=manage
    )
    router.message.register(
        on_not_a_button,
        StateFilter(SchoolsFlow.parent, SchoolsFlow.preview),
        not_a_command,
        flags=manage,
    )
    router.callback_query.register(
        on_start, OrgImportCallback.filter(F.action == OrgImportAction.START), flags=manage
    )
    router.callback_query.register(
        on_parent,
        StateFilter(SchoolsFlow.parent),
        OrgImportCallback.filter(F.action == OrgImportAction.PARENT),
        flags=manage,
    )
    router.callback_query.register(
        on_confirm,
        StateFilter(SchoolsFlow.preview),
        OrgImportCallback.filter(F.action == OrgImportAction.CONFIRM),
        flags=manage,
    )
    router.callback_query.register(
        on_cancel, OrgImportCallback.filter(F.action == OrgImportAction.CANCEL), flags=manage
    )
    router.callback_query.register(on_stale, OrgImportCallback.filter(), flags=manage)
    return router
