"""What /orgs shows: an organisation's line, the tree, the keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.models import OrganisationKind
from handlers.callbacks import (
    OrgAction,
    OrgCallback,
    OrgImportAction,
    OrgImportCallback,
    OrgKindCallback,
    OrgParentCallback,
)
from handlers.render import fit, quote, short
from services.organisations import tree
from storage.records import Organisation
from texts.organisations import indent, kind_label

# Telegram shows at most 100 buttons under a message; regions and municipalities stay far below.
_MAX_PARENT_BUTTONS = 90


def _kind_button(kind: OrganisationKind) -> str:
    if kind is OrganisationKind.REGION:
        return _("orgs.button.region")
    if kind is OrganisationKind.MUNICIPALITY:
        return _("orgs.button.municipality")
    return _("orgs.button.school")


def line(organisation: Organisation) -> str:
    return _("orgs.line").format(
        name=quote(organisation.name),
        kind=kind_label(organisation.kind),
        timezone=quote(organisation.timezone),
    )


def tree_text(organisations: Sequence[Organisation]) -> str:
    lines = [_("orgs.title"), ""]
    rows = tree(organisations)
    if not rows:
        lines.append(_("orgs.empty"))
    lines.extend(indent(row.depth) + line(row.organisation) for row in rows)
    return fit(lines)


def tree_keyboard(can_add: bool, can_import: bool = False) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if can_add:
        builder.button(text=_("orgs.button.add"), callback_data=OrgCallback(action=OrgAction.ADD))
    if can_import:
        builder.button(
            text=_("orgs.button.import_schools"),
            callback_data=OrgImportCallback(action=OrgImportAction.START),
        )
    builder.button(
        text=_("orgs.button.reminders"), callback_data=OrgCallback(action=OrgAction.REMINDERS)
    )
    builder.button(
        text=_("orgs.button.reports"), callback_data=OrgCallback(action=OrgAction.REPORTS)
    )
    builder.button(
        text=_("orgs.button.rename"), callback_data=OrgCallback(action=OrgAction.RENAME)
    )
    builder.adjust(1)
    return builder.as_markup()


def kind_keyboard(kinds: Sequence[OrganisationKind]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in kinds:
        builder.button(text=_kind_button(kind), callback_data=OrgKindCallback(kind=kind))
    builder.adjust(len(kinds))
    return builder.as_markup()


def parent_keyboard(choices: Sequence[Organisation], top_level: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for organisation in choices[:_MAX_PARENT_BUTTONS]:
        builder.button(
            text=_("orgs.button.parent").format(
                name=short(organisation.name, 40), kind=kind_label(organisation.kind)
            ),
            callback_data=OrgParentCallback(parent_id=organisation.id),
        )
    if top_level:
        builder.button(text=_("orgs.button.top_level"), callback_data=OrgParentCallback())
    builder.adjust(1)
    return builder.as_markup()
