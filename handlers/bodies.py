"""«Кто отвечает за «РМК»?»: a coordinator picks the people a body or group of a roadmap
stands for; every roadmap of the organisation that names it then reaches them. The same
picker chooses the people of one row of /roadmap instead of whom the file names."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import BodyAction, BodyCallback, SetPeopleCallback
from handlers.render import quote, short
from handlers.states import BodyFlow
from services.access import Actor, Permission
from services.roadmaps import RoadmapService
from storage.records import Person
from tasks.reach import Gap, Reach

# Questions offered under a roadmap page, and people offered in one picker.
ASKED = 6
OFFERED = 40


def bodies(found: Reach) -> list[str]:
    """The bodies and groups nobody answers for, the most named first (buttons use the
    place in this list, so a name of any length fits a button's data)."""
    return [name for gap, name, _rows in found.missing() if gap is Gap.BODY]


def add_questions(builder: InlineKeyboardBuilder, roadmap_id: int, found: Reach) -> int:
    """«Кто отвечает за …?» buttons under a roadmap; how many rows they take."""
    names = bodies(found)[:ASKED]
    for index, name in enumerate(names):
        builder.button(
            text=_("roadmap.body.button").format(name=short(name, 40)),
            callback_data=BodyCallback(action=BodyAction.ASK, roadmap_id=roadmap_id, index=index),
        )
    return len(names)


def _picker(people: list[Person], chosen: list[int]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for person in people[:OFFERED]:
        mark = "✅ " if person.id in chosen else ""
        builder.button(
            text=mark + short(person.full_name, 40),
            callback_data=BodyCallback(action=BodyAction.TOGGLE, person_id=person.id),
        )
    builder.button(text=_("roadmap.body.done"), callback_data=BodyCallback(action=BodyAction.DONE))
    builder.button(
        text=_("roadmap.body.cancel"), callback_data=BodyCallback(action=BodyAction.CANCEL)
    )
    builder.adjust(*([1] * min(len(people), OFFERED)), 2)
    return builder.as_markup()


async def on_ask(
    callback: CallbackQuery,
    callback_data: BodyCallback,
    actor: Actor,
    roadmaps: RoadmapService,
    state: FSMContext,
) -> None:
    """The question, with the organisation's people to tick."""
    names = bodies(await roadmaps.reach(actor, callback_data.roadmap_id))
    if callback_data.index >= len(names):
        await callback.answer(_("roadmap.body.gone"), show_alert=True)
        return
    name = names[callback_data.index]
    people = await roadmaps.candidates(actor, callback_data.roadmap_id)
    if not people:
        await callback.answer(_("roadmap.body.nobody"), show_alert=True)
        return
    await state.set_state(BodyFlow.picking)
    await state.set_data({"roadmap_id": callback_data.roadmap_id, "name": name, "chosen": []})
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("roadmap.body.ask").format(name=quote(name)), reply_markup=_picker(people, [])
        )


async def on_row(
    callback: CallbackQuery,
    callback_data: SetPeopleCallback,
    actor: Actor,
    roadmaps: RoadmapService,
    state: FSMContext,
) -> None:
    """«Кто» under a row of /roadmap: its people ticked, the organisation's to tick."""
    activity, current = await roadmaps.row_people(actor, callback_data.activity_id)
    people = await roadmaps.candidates(actor, activity.roadmap_id)
    if not people:
        await callback.answer(_("roadmap.body.nobody"), show_alert=True)
        return
    offered = {p.id for p in people}
    chosen = [i for i in current if i in offered]
    title = activity.fields.title
    await state.set_state(BodyFlow.picking)
    await state.set_data(
        {
            "roadmap_id": activity.roadmap_id,
            "name": title,
            "chosen": chosen,
            "activity_id": activity.id,
        }
    )
    await callback.answer()
    if isinstance(callback.message, Message):
        named = " ".join(activity.fields.responsible_text.split()) or "—"
        await callback.message.answer(
            _("roadmap.people.ask").format(
                title=quote(short(title, 120)), named=quote(short(named, 120))
            ),
            reply_markup=_picker(people, chosen),
        )


@dataclass(frozen=True)
class _Question:
    roadmap_id: int
    name: str
    chosen: list[int]
    activity_id: int | None  # a row of /roadmap; None: a body the roadmap names


async def _picking(callback: CallbackQuery, state: FSMContext) -> _Question | None:
    """The question under way; None (answered as outdated) when there is none."""
    data = await state.get_data()
    if await state.get_state() != BodyFlow.picking.state or "name" not in data:
        await callback.answer(_("roadmap.body.gone"), show_alert=True)
        return None
    row = data.get("activity_id")
    return _Question(
        int(data["roadmap_id"]),
        str(data["name"]),
        [int(i) for i in data["chosen"]],
        None if row is None else int(row),
    )


async def on_toggle(
    callback: CallbackQuery,
    callback_data: BodyCallback,
    actor: Actor,
    roadmaps: RoadmapService,
    state: FSMContext,
) -> None:
    """A person ticked or unticked."""
    if (question := await _picking(callback, state)) is None:
        return
    person_id, chosen = callback_data.person_id, question.chosen
    chosen = [i for i in chosen if i != person_id] if person_id in chosen else [*chosen, person_id]
    await state.update_data(chosen=chosen)
    people = await roadmaps.candidates(actor, question.roadmap_id)
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_reply_markup(reply_markup=_picker(people, chosen))


async def on_done(
    callback: CallbackQuery,
    actor: Actor,
    roadmaps: RoadmapService,
    state: FSMContext,
) -> None:
    """«Готово»: the people answer for the body from now on; its rows get their tasks."""
    if (question := await _picking(callback, state)) is None:
        return
    if not question.chosen:
        await callback.answer(_("roadmap.body.none_chosen"), show_alert=True)
        return
    if question.activity_id is not None:
        chosen = await roadmaps.set_people(actor, question.activity_id, question.chosen)
        text = _("roadmap.people.saved").format(
            title=quote(short(question.name, 120)),
            people=", ".join(quote(p.full_name) for p in chosen),
        )
    else:
        people = {p.id: p for p in await roadmaps.candidates(actor, question.roadmap_id)}
        result = await roadmaps.answer_for(
            actor, question.roadmap_id, question.name, question.chosen
        )
        names = ", ".join(quote(people[i].full_name) for i in question.chosen if i in people)
        text = _("roadmap.body.saved").format(
            name=quote(question.name), people=names, tasks=result.created
        )
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(text)


async def on_cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(_("roadmap.body.cancelled"))


def create_router() -> Router:
    router = Router(name=__name__)
    manage = {"permission": Permission.MANAGE}
    for action, handler in (
        (BodyAction.ASK, on_ask),
        (BodyAction.TOGGLE, on_toggle),
        (BodyAction.DONE, on_done),
        (BodyAction.CANCEL, on_cancel),
    ):
        router.callback_query.register(
            handler, BodyCallback.filter(F.action == action), flags=manage
        )
    router.callback_query.register(on_row, SetPeopleCallback.filter(), flags=manage)
    return router
