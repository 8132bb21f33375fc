"""The preview before an import: what was understood, what is in doubt, whom it reaches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import ImportAction, ImportCallback
from handlers.render import day, fit, quote, short, warning_text
from roadmap.importer import ParsedActivity, ParsedRoadmap
from services.roadmaps import ImportPlan, RoadmapService
from tasks.reach import Gap, Reach

PREVIEW_DOUBTS = 15
PREVIEW_NAMES = 12


def preview_keyboard(nonce: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("import.button.confirm"),
        callback_data=ImportCallback(action=ImportAction.CONFIRM, nonce=nonce),
    )
    builder.button(
        text=_("import.button.cancel"),
        callback_data=ImportCallback(action=ImportAction.CANCEL, nonce=nonce),
    )
    builder.button(
        text=_("import.button.organisation"),
        callback_data=ImportCallback(action=ImportAction.ORGANISATION, nonce=nonce),
    )
    builder.adjust(2, 1)
    return builder.as_markup()


async def preview_data(
    callback: CallbackQuery, nonce: str, state: FSMContext
) -> dict[str, Any] | None:
    """The import this preview's button belongs to; None (answered as stale) for a button of
    an older preview or of none."""
    data = await state.get_data()
    if data.get("nonce") != nonce or not isinstance(callback.message, Message):
        await callback.answer(_("import.stale"), show_alert=True)
        return None
    return data


async def preview_view(
    service: RoadmapService, parsed: ParsedRoadmap, data: Mapping[str, Any]
) -> tuple[str, InlineKeyboardMarkup]:
    """The preview for the organisation the conversation holds (``data``: the import's state:
    organisation id or the name of one to create, whether it was guessed, the nonce)."""
    organisation_id = data.get("organisation_id")
    plan = await service.plan(organisation_id, parsed)
    name = str(data["organisation_name"])
    if data.get("guessed"):
        name = _("import.preview.guessed").format(name=name)
    return preview_text(parsed, plan, name), preview_keyboard(str(data["nonce"]))


def names(names: tuple[str, ...]) -> str:
    shown = ", ".join(quote(name) for name in names[:PREVIEW_NAMES])
    if len(names) > PREVIEW_NAMES:
        shown += _("list.and_more").format(count=len(names) - PREVIEW_NAMES)
    return shown


def reach_lines(plan: ImportPlan) -> list[str]:
    """Who gets how many tasks: the named people, the most first, and each school's head."""
    lines = []
    if plan.tasks_by_person:
        shown = ", ".join(
            f"{quote(name)} — {count}" for name, count in plan.tasks_by_person[:PREVIEW_NAMES]
        )
        if len(plan.tasks_by_person) > PREVIEW_NAMES:
            shown += _("list.and_more").format(count=len(plan.tasks_by_person) - PREVIEW_NAMES)
        lines.append(_("import.preview.tasks_by_person").format(names=shown))
    if plan.heads and plan.tasks_per_head:
        lines.append(
            _("import.preview.tasks_per_head").format(heads=plan.heads, tasks=plan.tasks_per_head)
        )
    return lines


def gap_lines(found: Reach) -> list[str]:
    """The rows that reach nobody, and each name nobody answers for, with what to do."""
    lines = [""]
    if found.unreached:
        lines.append(_("import.preview.unreached").format(count=len(found.unreached)))
    if found.headless:
        names = ", ".join(quote(short(name, 60)) for name in found.headless[:PREVIEW_NAMES])
        if len(found.headless) > PREVIEW_NAMES:
            names += _("list.and_more").format(count=len(found.headless) - PREVIEW_NAMES)
        lines.append(_("import.preview.gap.headless").format(names=names))
    missing = found.missing()
    for gap in Gap:
        named = [(name, rows) for kind, name, rows in missing if kind is gap]
        if not named:
            continue
        if gap is Gap.EMPTY:
            lines.append(_("import.preview.gap.empty").format(rows=named[0][1]))
            continue
        lines.append(_(f"import.preview.gap.{gap.value}"))
        lines.extend(
            _("import.preview.gap.item").format(name=quote(short(name, 80)), rows=rows)
            for name, rows in named[:PREVIEW_DOUBTS]
        )
        if len(named) > PREVIEW_DOUBTS:
            lines.append(_("list.and_more_rows").format(count=len(named) - PREVIEW_DOUBTS))
    return lines


def preview_text(parsed: ParsedRoadmap, plan: ImportPlan, organisation: str) -> str:
    lines = _summary_lines(parsed, plan, organisation)
    lines.extend(reach_lines(plan))
    if plan.is_reimport:
        lines.extend(_reimport_lines(plan))
    if not plan.reach.is_complete:
        lines.extend(gap_lines(plan.reach))
    doubts = parsed.rows_with_doubts()
    if doubts or parsed.warnings:
        lines.extend(_doubt_lines(parsed, doubts))
    elif plan.reach.is_complete:
        lines.append(_("import.preview.no_doubts"))
    lines.append("")
    lines.append(_("import.preview.question"))
    return fit(lines)


def _summary_lines(parsed: ParsedRoadmap, plan: ImportPlan, organisation: str) -> list[str]:
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
                names=names(tuple(person.name for person in people)),
            )
        )
    return lines


def _reimport_lines(plan: ImportPlan) -> list[str]:
    """What a new version of the file changes, and the deadlines and people set by hand it
    leaves."""
    lines = [
        _("import.preview.reimport").format(
            added=len(plan.added), changed=len(plan.changed), removed=len(plan.removed)
        )
    ]
    lines.extend(
        _("import.preview.kept_deadline").format(
            number=quote(kept.label.number or "—"),
            title=quote(short(kept.label.title, 60)),
            kept=", ".join(day(due) for due in kept.kept) or "—",
            file=quote(short(kept.file_text, 60)),
        )
        for kept in plan.kept_deadlines[:PREVIEW_DOUBTS]
    )
    lines.extend(
        _("import.preview.kept_people").format(
            number=quote(kept.label.number or "—"),
            title=quote(short(kept.label.title, 60)),
            kept=quote(short(", ".join(kept.kept), 80)) or "—",
            file=quote(short(kept.file_text, 60)),
        )
        for kept in plan.kept_people[:PREVIEW_DOUBTS]
    )
    for label_key, labels in (
        ("import.preview.added_item", plan.added),
        ("import.preview.changed_item", plan.changed),
        ("import.preview.removed_item", plan.removed),
    ):
        lines.extend(
            _(label_key).format(
                number=quote(label.number or "—"), title=quote(short(label.title, 70))
            )
            for label in labels[:5]
        )
    return lines


def _doubt_lines(parsed: ParsedRoadmap, doubts: list[ParsedActivity]) -> list[str]:
    lines = ["", _("import.preview.doubts").format(count=len(doubts) + len(parsed.warnings))]
    lines.extend(
        "• " + quote(warning_text(warning)) for warning in parsed.warnings[:PREVIEW_DOUBTS]
    )
    for row in doubts[:PREVIEW_DOUBTS]:
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
    if len(doubts) > PREVIEW_DOUBTS:
        lines.append(_("list.and_more_rows").format(count=len(doubts) - PREVIEW_DOUBTS))
    return lines
