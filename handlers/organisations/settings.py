"""An organisation's own settings from /orgs: its reminder days and time, its name.

Both begin the same way: which organisation (when the person looks after several), then a
typed answer.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import OrgAction, OrgCallback, OrgChoiceCallback
from handlers.organisations.common import OrganisationFlow
from handlers.render import quote, short
from reminders.schedule import parse_schedule
from services.access import Actor
from services.people import PeopleService
from services.reports import ReportCadence, cadence_of
from storage.records import Organisation

_MAX_CHOICES = 20


async def _choose(
    callback: CallbackQuery, action: OrgAction, actor: Actor, people: PeopleService
) -> Organisation | None:
    """The one organisation this person looks after; with several, a picker is shown and
    None returned (the choice comes back as an OrgChoiceCallback)."""
    organisations = await people.organisations(actor)
    await callback.answer()
    if not isinstance(callback.message, Message) or not organisations:
        return None
    if len(organisations) == 1:
        return organisations[0]
    builder = InlineKeyboardBuilder()
    for organisation in organisations[:_MAX_CHOICES]:
        builder.button(
            text=short(organisation.name, 50),
            callback_data=OrgChoiceCallback(action=action, organisation_id=organisation.id),
        )
    builder.adjust(1)
    await callback.message.answer(_("orgs.which"), reply_markup=builder.as_markup())
    return None


async def _chosen(
    callback: CallbackQuery, callback_data: OrgChoiceCallback, actor: Actor, people: PeopleService
) -> Organisation | None:
    organisations = {o.id: o for o in await people.organisations(actor)}
    organisation = organisations.get(callback_data.organisation_id)
    if organisation is None or not isinstance(callback.message, Message):
        await callback.answer(_("fallback.stale_button"), show_alert=True)
        return None
    await callback.answer()
    return organisation


def _schedule_question(organisation: Organisation) -> str:
    return _("orgs.reminders.ask").format(
        name=quote(organisation.name),
        offsets=quote(organisation.reminder_offsets or _("orgs.reminders.instance")),
        time=quote(organisation.reminder_time or _("orgs.reminders.instance")),
    )


def _cadence_word(organisation: Organisation) -> str:
    return _(f"orgs.reports.{cadence_of(organisation).value}")


def _reports_question(organisation: Organisation) -> str:
    return _("orgs.reports.ask").format(
        name=quote(organisation.name), now=_cadence_word(organisation)
    )


# «каждый квартал», «по полугодиям», «не присылать»: what a coordinator types for each.
_CADENCE_WORDS = (
    (ReportCadence.HALF_YEAR, ("полугод", "полгод", "half")),
    (ReportCadence.QUARTER, ("квартал", "ежекварт", "quarter")),
    (ReportCadence.OFF, ("нет", "не", "выкл", "off", "no", "never")),
)


def _cadence(text: str) -> ReportCadence | None:
    words = text.strip().casefold().replace("-", " ").split()
    for cadence, stems in _CADENCE_WORDS:
        if any(word.startswith(stem) for word in words for stem in stems if len(stem) > 3):
            return cadence
        if any(word in stems for word in words):
            return cadence
    return None


async def on_report_cadence(
    message: Message, actor: Actor, people: PeopleService, state: FSMContext
) -> None:
    """«каждый квартал», «по полугодиям», «не присылать»: saved; anything else asked again."""
    cadence = _cadence(message.text or "")
    if cadence is None:
        await message.answer(_("orgs.reports.invalid"))
        return
    organisation_id = int((await state.get_data())["organisation_id"])
    await state.clear()
    updated = await people.set_report_cadence(actor, organisation_id, cadence.value)
    await message.answer(
        _("orgs.reports.saved").format(name=quote(updated.name), now=_cadence_word(updated))
    )


def _name_question(organisation: Organisation) -> str:
    return _("orgs.rename.ask").format(name=quote(organisation.name))


# Each setting: the state its typed answer is awaited in, and the question that asks for it.
_SETTINGS: dict[OrgAction, tuple[State, Callable[[Organisation], str]]] = {
    OrgAction.REMINDERS: (OrganisationFlow.reminders, _schedule_question),
    OrgAction.RENAME: (OrganisationFlow.rename, _name_question),
    OrgAction.REPORTS: (OrganisationFlow.reports, _reports_question),
}


async def on_setting(
    callback: CallbackQuery,
    callback_data: OrgCallback,
    actor: Actor,
    people: PeopleService,
    state: FSMContext,
) -> None:
    """«Дни и время напоминаний», «Переименовать»: which organisation, then the question."""
    found = await _choose(callback, callback_data.action, actor, people)
    await _ask_about(callback, state, callback_data.action, found)


async def on_setting_for(
    callback: CallbackQuery,
    callback_data: OrgChoiceCallback,
    actor: Actor,
    people: PeopleService,
    state: FSMContext,
) -> None:
    """The organisation picked for a setting: its question."""
    found = await _chosen(callback, callback_data, actor, people)
    await _ask_about(callback, state, callback_data.action, found)


async def _ask_about(
    callback: CallbackQuery, state: FSMContext, action: OrgAction, found: Organisation | None
) -> None:
    if found is None or not isinstance(callback.message, Message):
        return
    flow, question = _SETTINGS[action]
    await state.set_state(flow)
    await state.set_data({"organisation_id": found.id})
    await callback.message.answer(question(found))


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


async def on_new_name(
    message: Message, actor: Actor, people: PeopleService, state: FSMContext
) -> None:
    """The new name typed: saved (the service refuses a bad or taken one, in words)."""
    organisation_id = int((await state.get_data())["organisation_id"])
    renamed = await people.rename_organisation(actor, organisation_id, message.text or "")
    await state.clear()
    await message.answer(_("orgs.rename.saved").format(name=quote(renamed.name)))
