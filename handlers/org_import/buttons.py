"""The buttons under the parent question and the preview: where to, Загрузить, Отмена, stale."""

from __future__ import annotations

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import OrgImportCallback
from handlers.org_import.common import preview, read_again
from handlers.render import quote
from services.access import AccessDenied, Actor
from services.org_import import OrgImportService


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
    table = await read_again(bot, data, callback, state, actor)
    if table is None:
        return
    await preview(
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
    table = await read_again(bot, data, callback, state, actor)
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
