"""/roadmap: the imported activities, a page at a time; a coordinator sets missing dates."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.bodies import add_questions
from handlers.calendar import CalendarAction, CalendarCallback, calendar_keyboard, chosen_day
from handlers.callbacks import RoadmapPageCallback, SetDeadlineCallback, SetPeopleCallback
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
from services.views import ActivityRow, RoadmapPage, RowView
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


def _who(row: ActivityRow, chosen: dict[int, tuple[str, ...]], indent: str) -> list[str]:
    """Who answers for the row: the people chosen in the chat, or as the file names them
    (none said: nothing shown)."""
    people = chosen.get(row.activity.id)
    if people:
        text = _("roadmap.people_chosen").format(people=quote(short(", ".join(people), 90)))
        return [f"{indent}{text}"]
    named = " ".join(row.activity.fields.responsible_text.split())
    return [f"{indent}👤 {quote(short(named, 70))}"] if named else []


def _keys(rows: Sequence[ActivityRow]) -> dict[int, str]:
    """What tells a page's editable rows apart on their buttons: «#1», «#2»… in page order,
    also written before each such row, since titles often start alike."""
    editable = [row for row in rows if _datable(row)]
    return {row.activity.id: f"#{index}" for index, row in enumerate(editable, 1)}


def _row_lines(
    row: ActivityRow, chosen: dict[int, tuple[str, ...]], flat: bool, key: str | None
) -> list[str]:
    """A row as /roadmap shows it; `flat` lists steps without their parent above them; `key`
    names the row's buttons."""
    fields = row.activity.fields
    when = quote(deadline_text(fields.deadline_kind, fields.deadline_start, fields.deadline_due))
    flag = " ⚠️" if _settable(row) else ""
    marker = f"{key} " if key else ""
    if row.step_number is None:
        number = f"{marker}{quote(fields.number)}. " if fields.number else marker
        title = f"<b>{number}{quote(short(fields.title, 80))}</b>"
        if row.has_steps:
            return [title]
        return [title, f"🗓 {when}{flag}", *_who(row, chosen, "")]
    # Steps usually repeat their activity's title; what tells them apart is the result.
    own = fields.title if fields.title != row.parent_title else (fields.result or fields.title)
    step = _("roadmap.step").format(number=row.step_number)
    parent = [f"<b>{quote(short(row.parent_title or '', 60))}</b>"] if flat else []
    return [
        *parent,
        f"   ↳ {marker}{step} {quote(short(own, 70))}",
        f"      🗓 {when}{flag}",
        *_who(row, chosen, "      "),
    ]


def _page_text(roadmap: Roadmap, found: RoadmapPage, view: RowView, can_edit: bool) -> str:
    lines = [
        _("roadmap.header").format(
            title=quote(short(roadmap.title, 150)),
            start=day(roadmap.period_start),
            end=day(roadmap.period_end),
            page=found.page + 1,
            pages=found.pages,
        ),
    ]
    if view is not RowView.TABLE:
        lines.append(_(f"roadmap.view.{view.name.lower()}.title").format(count=found.total))
    lines.append("")
    if not found.rows:
        lines.append(_(f"roadmap.view.{view.name.lower()}.empty"))
    section: str | None = None
    keys = _keys(found.rows) if can_edit else {}
    for row in found.rows:
        if (
            view is RowView.TABLE
            and row.activity.fields.section
            and (row.activity.fields.section != section)
        ):
            section = row.activity.fields.section
            lines.append(f"📂 <i>{quote(short(section, 100))}</i>")
        lines.extend(
            _row_lines(row, found.chosen, view is not RowView.TABLE, keys.get(row.activity.id))
        )
    return fit(lines)


def _add_views(builder: InlineKeyboardBuilder, roadmap_id: int, current: RowView) -> list[int]:
    """The ways to list the rows, the current one marked; the keyboard rows they take."""
    for view in RowView:
        mark = "• " if view is current else ""
        builder.button(
            text=mark + _(f"roadmap.view.{view.name.lower()}.button"),
            callback_data=RoadmapPageCallback(roadmap_id=roadmap_id, page=0, view=view),
        )
    return [2, 3]


def _add_row_buttons(builder: InlineKeyboardBuilder, rows: Sequence[ActivityRow]) -> list[int]:
    """«Срок» and «Кто» for every row that carries its own tasks, by the row's key."""
    keys = _keys(rows)
    for row in rows:
        if row.activity.id not in keys:
            continue
        key = "roadmap.button.set_date" if _settable(row) else "roadmap.button.change_date"
        builder.button(
            text=_(key).format(title=keys[row.activity.id]),
            callback_data=SetDeadlineCallback(activity_id=row.activity.id),
        )
        builder.button(
            text=_("roadmap.button.people").format(title=keys[row.activity.id]),
            callback_data=SetPeopleCallback(activity_id=row.activity.id),
        )
    return [2] * len(keys)


def _page_keyboard(
    roadmap_id: int,
    found: RoadmapPage,
    view: RowView,
    can_edit: bool,
    reach: Reach | None,
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    widths = _add_views(builder, roadmap_id, view)
    if can_edit and reach is not None:
        widths += [1] * add_questions(builder, roadmap_id, reach)
    if can_edit:
        widths += _add_row_buttons(builder, found.rows)
    return finish_paged_keyboard(
        builder,
        widths,
        found.page,
        found.pages,
        lambda target: RoadmapPageCallback(roadmap_id=roadmap_id, page=target, view=view),
    )


async def page_view(
    actor: Actor,
    roadmaps: RoadmapService,
    roadmap: Roadmap,
    page: int,
    view: RowView = RowView.TABLE,
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of the roadmap; the first of the table (and of the rows reaching nobody) says
    which rows reach nobody, and asks who answers for each body nobody does."""
    found = await roadmaps.page(actor, roadmap, page, PAGE_SIZE, view)
    text = _page_text(roadmap, found, view, may_import(actor))
    reach = None
    if found.page == 0 and view in (RowView.TABLE, RowView.UNASSIGNED):
        reach = await roadmaps.reach(actor, roadmap.id)
        if not reach.is_complete:
            text = fit([text, *gap_lines(reach)])
    keyboard = _page_keyboard(roadmap.id, found, view, may_import(actor), reach)
    return text, keyboard


async def roadmap_command(message: Message, actor: Actor, roadmaps: RoadmapService) -> None:
    """Every roadmap this person may see, by organisation; the only one opened at once."""
    found = await roadmaps.visible(actor)
    if not found:
        await message.answer(_("roadmap.none"))
        return
    if len(found) == 1:
        text, keyboard = await page_view(actor, roadmaps, found[0][0], 0)
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
    text, keyboard = await page_view(
        actor, roadmaps, roadmap, callback_data.page, callback_data.view
    )
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(text, reply_markup=keyboard)


async def _date_keyboard(
    actor: Actor,
    database: Database,
    roadmaps: RoadmapService,
    activity: Activity,
    month: tuple[int, int] | None = None,
) -> InlineKeyboardMarkup:
    """The roadmap's period as a calendar: today dotted, the row's next deadline bracketed,
    opened at that deadline's month (or today's) unless a month is asked for."""
    roadmap = await require_roadmap_access(database, actor, activity.roadmap_id)
    today = await roadmaps.today_for(roadmap)
    due = activity.fields.deadline_due
    marked = next((day for day in due if day >= today), due[-1] if due else None)
    shown = marked or today
    year, number = month or (shown.year, shown.month)
    return calendar_keyboard(
        year,
        number,
        today=today,
        earliest=roadmap.period_start,
        latest=roadmap.period_end,
        marked=marked,
    )


async def on_set_deadline(
    callback: CallbackQuery,
    callback_data: SetDeadlineCallback,
    actor: Actor,
    database: Database,
    roadmaps: RoadmapService,
    state: FSMContext,
) -> None:
    """Указать срок: asks for the date in words or digits, or picked on the calendar."""
    activity = await roadmaps.activity_to_edit(actor, callback_data.activity_id)
    keyboard = await _date_keyboard(actor, database, roadmaps, activity)
    await state.set_state(DeadlineFlow.waiting_date)
    await state.set_data({"activity_id": activity.id})
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("roadmap.ask_date").format(title=quote(short(activity.fields.title, 120))),
            reply_markup=keyboard,
        )


async def on_date_picked(
    callback: CallbackQuery,
    callback_data: CalendarCallback,
    actor: Actor,
    database: Database,
    roadmaps: RoadmapService,
    state: FSMContext,
) -> None:
    """A day picked on the calendar (stored as that one date), or another month shown."""
    data = await state.get_data()
    activity = await roadmaps.activity_to_edit(actor, int(data["activity_id"]))
    message = callback.message
    await callback.answer()
    if not isinstance(message, Message):
        return
    if callback_data.action is CalendarAction.MONTH:
        keyboard = await _date_keyboard(
            actor, database, roadmaps, activity, (callback_data.year, callback_data.month)
        )
        await message.edit_reply_markup(reply_markup=keyboard)
        return
    chosen = chosen_day(callback_data)
    updated = await roadmaps.set_deadline(actor, activity.id, chosen) if chosen else None
    if updated is None:
        return
    await state.clear()
    await message.edit_text(_date_set(updated))


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
    await message.answer(_date_set(updated))


def _date_set(updated: Activity) -> str:
    fields = updated.fields
    return _("roadmap.date_set").format(
        title=quote(short(fields.title, 120)),
        when=quote(
            deadline_text(fields.deadline_kind, fields.deadline_start, fields.deadline_due)
        ),
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
    router.callback_query.register(
        on_date_picked,
        StateFilter(DeadlineFlow.waiting_date),
        CalendarCallback.filter(F.action != CalendarAction.IGNORE),
        flags=manage,
    )
    return router
