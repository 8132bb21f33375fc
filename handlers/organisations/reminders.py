"""«Дни и время напоминаний»: a coordinator sets their organisation's own in the chat."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import OrgReminderCallback
from handlers.organisations.common import OrganisationFlow
from handlers.render import quote, short
from reminders.schedule import parse_schedule
from services.access import Actor
from services.people import PeopleService
from storage.records import Organisation

_MAX_CHOICES = 20


async def on_reminders(
    callback: CallbackQuery, actor: Actor, people: PeopleService, state: FSMContext
) -> None:
    """Which organisation (when there are several), then the days and time, typed."""
    organisations = await people.organisations(actor)
    await callback.answer()
    if not isinstance(callback.message, Message) or not organisations:
        return
    if len(organisations) == 1:
        await _ask(callback.message, state, organisations[0])
        return
    builder = InlineKeyboardBuilder()
    for organisation in organisations[:_MAX_CHOICES]:
        builder.button(
            text=short(organisation.name, 50),
            callback_data=OrgReminderCallback(organisation_id=organisation.id),
        )
    builder.adjust(1)
    await callback.message.answer(_("orgs.reminders.which"), reply_markup=builder.as_markup())


async def on_organisation(
    callback: CallbackQuery,
    callback_data: OrgReminderCallback,
    actor: Actor,
    people: PeopleService,
    state: FSMContext,
) -> None:
    organisations = {o.id: o for o in await people.organisations(actor)}
    organisation = organisations.get(callback_data.organisation_id)
    if organisation is None:
        await callback.answer(_("fallback.stale_button"), show_alert=True)
        return
    await callback.answer()
    if isinstance(callback.message, Message):
        await _ask(callback.message, state, organisation)


async def _ask(message: Message, state: FSMContext, organisation: Organisation) -> None:
    await state.set_state(OrganisationFlow.reminders)
    await state.set_data({"organisation_id": organisation.id})
    await message.answer(
        _("orgs.reminders.ask").format(
            name=quote(organisation.name),
            offsets=quote(organisation.reminder_offsets or _("orgs.reminders.instance")),
            time=quote(organisation.reminder_time or _("orgs.reminders.instance")),
        )
    )


async def on_schedule(
    message: Message, actor: Actor, people: PeopleService, state: FSMContext
) -> None:
    """«7, 3, 1, 0 в 08:30»: saved and the reminders re-planned; anything else asked again."""
    schedule = parse_schedule(message.text or "")
    if schedule is None:
        await message.answer(_("orgs.reminders.invalid"))
        return
    organisation_id = int((await state.get_data())["organisation_id"])
    organisations = {o.id: o for o in await people.organisations(actor)}
    await state.clear()
    current = organisations.get(organisation_id)
    offsets, morning = schedule.applied_to(
        current.reminder_offsets if current else None, current.reminder_time if current else None
    )
    updated = await people.set_reminders(actor, organisation_id, offsets, morning)
    await message.answer(
        _("orgs.reminders.saved").format(
            name=quote(updated.name),
            offsets=quote(updated.reminder_offsets or _("orgs.reminders.instance")),
            time=quote(updated.reminder_time or _("orgs.reminders.instance")),
        )
    )
