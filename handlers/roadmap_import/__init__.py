"""A coordinator sends a roadmap (file or pasted table), sees a preview, confirms the import."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter

from handlers.callbacks import ImportAction, ImportCallback, ImportOrganisationCallback
from handlers.filters import DOCUMENT, PHOTO, PRIVATE, TABLE, TYPED_ANSWER
from handlers.roadmap_import.flow import (
    on_cancel,
    on_confirm,
    on_document,
    on_pasted_table,
    on_period,
    on_photo,
)
from handlers.roadmap_import.organisation import on_choose, on_chosen
from handlers.states import ImportFlow
from services.access import Permission


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    manage = {"permission": Permission.MANAGE, "refusal": "import.denied"}
    router.message.register(
        on_period,
        StateFilter(ImportFlow.waiting_period),
        TYPED_ANSWER,
        flags=manage,
    )
    router.message.register(on_document, DOCUMENT, flags=manage)
    router.message.register(
        on_photo, PHOTO, flags={"permission": Permission.MANAGE, "refusal": "fallback.message"}
    )
    # Someone who may not import gets the fallback's words, as for any text the bot cannot use.
    router.message.register(
        on_pasted_table,
        TABLE,
        flags={"permission": Permission.MANAGE, "refusal": "fallback.message"},
    )
    router.callback_query.register(
        on_confirm, ImportCallback.filter(F.action == ImportAction.CONFIRM), flags=manage
    )
    router.callback_query.register(
        on_cancel, ImportCallback.filter(F.action == ImportAction.CANCEL), flags=manage
    )
    router.callback_query.register(
        on_choose, ImportCallback.filter(F.action == ImportAction.ORGANISATION), flags=manage
    )
    router.callback_query.register(on_chosen, ImportOrganisationCallback.filter(), flags=manage)
    return router
