"""«Другая организация» under a preview: where the roadmap goes, picked instead of guessed."""

from __future__ import annotations

from datetime import date

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import ImportCallback, ImportOrganisationCallback
from handlers.render import short
from handlers.roadmap_import.preview import preview_data, preview_view
from handlers.roadmap_import.reading import Source, read_parsed
from roadmap.importer import PeriodMissing
from roadmap.period import Period
from roadmap.readers import RoadmapReadError
from services.access import Actor
from services.roadmaps import RoadmapService

# Organisations offered at once; a district with more schools picks among the first by name.
OFFERED = 30


async def on_choose(
    callback: CallbackQuery,
    callback_data: ImportCallback,
    actor: Actor,
    roadmaps: RoadmapService,
    state: FSMContext,
) -> None:
    """The organisations one may import into, in place of the preview's buttons."""
    data = await preview_data(callback, callback_data.nonce, state)
    if data is None or not isinstance(message := callback.message, Message):
        return
    builder = InlineKeyboardBuilder()
    for organisation in (await roadmaps.importable(actor))[:OFFERED]:
        builder.button(
            text=short(organisation.name, 50),
            callback_data=ImportOrganisationCallback(
                nonce=callback_data.nonce, organisation_id=organisation.id
            ),
        )
    if actor.is_admin and data.get("guessed"):
        builder.button(
            text=_("import.button.new_organisation").format(
                name=short(str(data["guessed_name"]), 40)
            ),
            callback_data=ImportOrganisationCallback(nonce=callback_data.nonce),
        )
    builder.adjust(1)
    await callback.answer()
    await message.edit_reply_markup(reply_markup=builder.as_markup())


async def on_chosen(
    callback: CallbackQuery,
    callback_data: ImportOrganisationCallback,
    bot: Bot,
    actor: Actor,
    roadmaps: RoadmapService,
    state: FSMContext,
) -> None:
    """The preview again, for the organisation picked (checked against those one may)."""
    data = await preview_data(callback, callback_data.nonce, state)
    if data is None or not isinstance(message := callback.message, Message):
        return
    if callback_data.organisation_id:
        allowed = {o.id: o for o in await roadmaps.importable(actor)}
        organisation = allowed.get(callback_data.organisation_id)
        if organisation is None:
            await callback.answer(_("access.denied"), show_alert=True)
            return
        data.update(organisation_id=organisation.id, organisation_name=organisation.name)
    elif actor.is_admin:
        data.update(organisation_id=None, organisation_name=data["guessed_name"])
    else:
        await callback.answer(_("access.denied"), show_alert=True)
        return
    data["guessed"] = False
    await state.set_data(data)
    await callback.answer()
    start, end = (date.fromisoformat(value) for value in data["period"])
    try:
        parsed = await read_parsed(bot, Source.from_state(data), Period(start, end))
    except (RoadmapReadError, PeriodMissing, TelegramAPIError):
        await state.clear()
        await message.edit_text(_("import.source_gone"))
        return
    text, keyboard = await preview_view(roadmaps, parsed, data)
    await message.edit_text(text, reply_markup=keyboard)
