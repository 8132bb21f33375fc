"""What loading a schools list shows: the preview and the keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import OrgImportAction, OrgImportCallback
from handlers.render import fit, quote, short
from services.org_import import OrgImportPlan
from services.organisations import tree
from storage.records import Organisation
from texts.organisations import kind_label, problem_reason

_PREVIEW_PROBLEMS = 15
_MAX_PARENT_BUTTONS = 90


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


def preview_keyboard(nonce: str) -> InlineKeyboardMarkup:
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


def parent_keyboard(parents: Sequence[Organisation], nonce: str) -> InlineKeyboardMarkup:
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
