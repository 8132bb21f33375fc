"""/roadmap: the imported activities, a page at a time; a coordinator sets missing dates."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.bodies import add_questions
from handlers.callbacks import RoadmapPageCallback, SetDeadlineCallback
from handlers.filters import PRIVATE, TYPED_ANSWER
from handlers.render import (
    day,
    deadline_text,
    finish_paged_keyboard,
    fit,
    quote,
    short,
)
from handlers.roadmap_import.preview import gap_lines
from handlers.states import DeadlineFlow
from services.access import (
    AccessDenied,
    Actor,
    Permission,
    may_import,
    require_roadmap_access,
)
from services.roadmaps import RoadmapService
from services.views import ActivityRow, roadmap_page
from storage.database import Database
from storage.records import Activity, Roadmap
from tasks.reach import Reach

PAGE_SIZE = 8
LISTED = 50  # roadmaps listed by /roadmap (a district's schools' and its own)


def _needs_date(activity: Activity) -> bool:
    return not activity.fields.deadline_due


def _settable(row: ActivityRow) -> bool:
    """Rows that carry their own deadline and have none."""
    return not row.has_steps and _needs_date(row.activity)


def _datable(row: ActivityRow) -> bool:
    """Rows that carry their own deadline: a coordinator may set or change it."""
    return not row.has_steps


def _who(responsible: str, indent: str) -> list[str]:
    """Who answers for the row, as the file names them (none said: nothing shown)."""
    named = " ".join(responsible.split())
    return [f"{indent}👤 {quote(short(named, 70))}"] if named else []


def _row_lines(row: ActivityRow) -> list[str]:
    fields = row.activity.fields
    when = quote(deadline_text(fields.deadline_kind, fields.deadline_start, fields.deadline_due))
    flag = " ⚠️" if _settable(row) else ""
    if row.step_number is None:
        number = f"{quote(fields.number)}. " if fields.number else ""
        title = f"<b>{number}{quote(short(fields.title, 80))}</b>"
        if row.has_steps:
            return [title]
        return [title, f"🗓 {when}{flag}", *_who(fields.responsible_text, "")]
    # Steps usually repeat their activity's title; what tells them apart is the result.
    own = fields.title if fields.title != row.parent_title else (fields.result or fields.title)
    step = _("roadmap.step").format(number=row.step_number)
    return [
        f"   ↳ {step} {quote(short(own, 70))}",
        f"      🗓 {when}{flag}",
        *_who(fields.responsible_text, "      "),
    ]


def _page_text(roadmap: Roadmap, rows: Sequence[ActivityRow], page: int, pages: int) -> str:
    lines = [
        _("roadmap.header").format(
            title=quote(short(roadmap.title, 150)),
            start=day(roadmap.period_start),
            end=day(roadmap.period_end),
            page=page + 1,
            pages=pages,
        ),
        "",
    ]
    for row in rows:
        lines.extend(_row_lines(row))
    return fit(lines)


def _page_keyboard(
    roadmap_id: int,
    page: int,
    pages: int,
    rows: Sequence[ActivityRow],
    can_edit: bool,
    found: Reach,
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    widths: list[int] = []
    if can_edit and page == 0:
        widths += [1] * add_questions(builder, roadmap_id, found)
    if can_edit:
        for row in rows:
            if _datable(row):
                fields = row.activity.fields
                label = fields.number or fields.title
                if row.step_number is not None:
                    label = f"{label} ({_('roadmap.step').format(number=row.step_number)})"
                key = "roadmap.button.set_date" if _settable(row) else "roadmap.button.change_date"
                builder.button(
                    text=_(key).format(title=short(label, 28)),
                    callback_data=SetDeadlineCallback(activity_id=row.activity.id),
                )
                widths.append(1)
    return finish_paged_keyboard(
        builder,
        widths,
        page,
        pages,
        lambda target: RoadmapPageCallback(roadmap_id=roadmap_id, page=target),
    )


async def page_view(
    database: Database, actor: Actor, roadmaps: RoadmapService, roadmap: Roadmap, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of the roadmap; the first says which rows reach nobody, and asks who answers
    for each body nobody does, until every row reaches someone."""
    found = await roadmap_page(database, roadmap.id, page, PAGE_SIZE)
    reach = await roadmaps.reach(actor, roadmap.id)
    text = _page_text(roadmap, found.rows, found.page, found.pages)
    if found.page == 0 and not reach.is_complete:
        text = fit([text, *gap_lines(reach)])
    keyboard = _page_keyboard(
        roadmap.id, found.page, found.pages, found.rows, may_import(actor), reach
    )
    return text, keyboard


async def roadmap_command(
    message: Message, actor: Actor, database: Database, roadmaps: RoadmapService
) -> None:
    """Every roadmap this person may see, by organisation; the only one opened at once."""
    found = await roadmaps.visible(actor)
    if not found:
        await message.answer(_("roadmap.none"))
        return
    if len(found) == 1:
        text, keyboard = await page_view(database, actor, roadmaps, found[0][0], 0)
        await message.answer(text, reply_markup=keyboard)
        return
    builder = InlineKeyboardBuilder()
    for roadmap, organisation in found[:LISTED]:
        builder.button(
            text=f"{short(organisation.name, 24)}: {short(roadmap.title, 36)}",
            callback_data=RoadmapPageCallback(roadmap_id=roadmap.id, page=0),
        )
    builder.adjust(1)
    await message.answer(
        _("roadmap.list").format(count=len(found)), reply_markup=builder.as_markup()
    )


async def on_page(
    callback: CallbackQuery,
    callback_data: RoadmapPageCallback,
    actor: Actor,
    database: Database,
    roadmaps: RoadmapService,
) -> None:
    """Листать: checked again at press time, the card edited in place."""
    roadmap = await require_roadmap_access(database, actor, callback_data.roadmap_id)
    text, keyboard = await page_view(database, actor, roadmaps, roadmap, callback_data.page)
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(text, reply_markup=keyboard)


async def on_set_deadline(
    callback: CallbackQuery,
    callback_data: SetDeadlineCallback,
    actor: Actor,
    roadmaps: RoadmapService,
    state: FSMContext,
) -> None:
    """Указать срок: asks for the date in words or digits."""
    activity = await roadmaps.activity_to_date(actor, callback_data.activity_id)
    await state.set_state(DeadlineFlow.waiting_date)
    await state.set_data({"activity_id": activity.id})
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("roadmap.ask_date").format(title=quote(short(activity.fields.title, 120)))
        )


async def on_date_text(
    message: Message,
    actor: Actor,
    roadmaps: RoadmapService,
    state: FSMContext,
) -> None:
    """The date typed for an activity: understood and stored, or asked again."""
    data = await state.get_data()
    try:
        updated = await roadmaps.set_deadline(actor, int(data["activity_id"]), message.text or "")
    except AccessDenied:
        await state.clear()
        raise
    if updated is None:
        await message.answer(_("roadmap.date_invalid"))
        return
    await state.clear()
    fields = updated.fields
    await message.answer(
        _("roadmap.date_set").format(
            title=quote(short(fields.title, 120)),
            when=quote(
                deadline_text(fields.deadline_kind, fields.deadline_start, fields.deadline_due)
            ),
        )
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    view = {"permission": Permission.VIEW}
    manage = {"permission": Permission.MANAGE}
    router.message.register(roadmap_command, Command("roadmap"), flags=view)
    router.message.register(
        on_date_text,
        StateFilter(DeadlineFlow.waiting_date),
        TYPED_ANSWER,
        flags=manage,
    )
    router.callback_query.register(on_page, RoadmapPageCallback.filter(), flags=view)
    router.callback_query.register(on_set_deadline, SetDeadlineCallback.filter(), flags=manage)
    return router
