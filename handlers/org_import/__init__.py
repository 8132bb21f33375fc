"""A coordinator sends the list of schools and their heads, sees a preview, confirms the load.

The list arrives either after «Загрузить список школ» in /orgs or unasked: any table whose
header names schools and their heads is taken here, anything else is left to the surveys and
roadmap importers after this router (SkipHandler). Nothing is written before «Загрузить».
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter

from handlers.callbacks import OrgImportAction, OrgImportCallback
from handlers.filters import DOCUMENT, NOT_A_COMMAND, PRIVATE, STRAY
from handlers.org_import.buttons import on_cancel, on_confirm, on_not_a_button, on_parent, on_stale
from handlers.org_import.common import SchoolsFlow
from handlers.org_import.receiving import on_document, on_file_expected, on_start
from services.access import Permission


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    manage = {"permission": Permission.MANAGE}
    not_a_command = NOT_A_COMMAND
    # Someone who may not import hears what the roadmap importer would tell them.
    router.message.register(
        on_document,
        DOCUMENT,
        flags={"permission": Permission.MANAGE, "refusal": "import.denied"},
    )
    router.message.register(
        on_file_expected, StateFilter(SchoolsFlow.waiting_file), not_a_command, flags=manage
    )
    router.message.register(
        on_not_a_button,
        StateFilter(SchoolsFlow.parent, SchoolsFlow.preview),
        STRAY,
        flags=manage,
    )
    router.callback_query.register(
        on_start, OrgImportCallback.filter(F.action == OrgImportAction.START), flags=manage
    )
    router.callback_query.register(
        on_parent,
        StateFilter(SchoolsFlow.parent),
        OrgImportCallback.filter(F.action == OrgImportAction.PARENT),
        flags=manage,
    )
    router.callback_query.register(
        on_confirm,
        StateFilter(SchoolsFlow.preview),
        OrgImportCallback.filter(F.action == OrgImportAction.CONFIRM),
        flags=manage,
    )
    router.callback_query.register(
        on_cancel, OrgImportCallback.filter(F.action == OrgImportAction.CANCEL), flags=manage
    )
    router.callback_query.register(on_stale, OrgImportCallback.filter(), flags=manage)
    return router
