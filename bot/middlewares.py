"""Per-update dependencies and checks: who is acting, and whether they may do this."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.i18n import gettext as _

from handlers.privacy import ask_consent
from handlers.states import SurveyAnswering
from services.access import ActorDirectory, Permission, allows
from services.privacy import needs_consent

logger = logging.getLogger(__name__)
CANCEL = "cancel"
# A survey in progress is kept through commands (its answers live in the state).
_KEPT_FLOW = SurveyAnswering.__full_group_name__ + ":"


class AccessMiddleware(BaseMiddleware):
    """Finds who is acting and checks the permission a handler declares (flag "permission")
    before it runs; the handler gets `actor` (services.access.Actor).

    Fails closed: a handler that declares none is refused for everyone and logged, so a new
    handler cannot slip out unguarded. Object-level checks (this roadmap, this person) stay
    in the services, which every handler calls at press time.

    Inner, so the permission is known before anyone is looked up: a survey respondent
    (Permission.RESPONDENT) is not looked up at all. Everyone else is resolved through the
    directory's short-lived memory, not a database round trip per update.
    """

    def __init__(self, actors: ActorDirectory) -> None:
        self._actors = actors

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        permission = get_flag(data, "permission")
        if permission is Permission.RESPONDENT:
            return await handler(event, data)
        user: User | None = data.get("event_from_user")
        actor = None if user is None else await self._actors.resolve(user.id)
        data["actor"] = actor
        if not isinstance(permission, Permission):
            logger.error("handler %s declares no permission; refused", _handler_name(data))
        elif actor is not None and allows(permission, actor):
            if (
                permission is not Permission.ANYONE
                and needs_consent(actor)
                and isinstance(event, Message | CallbackQuery)
            ):
                # 152-ФЗ: nothing a person does as staff before their consent is on record.
                await ask_consent(event, data["settings"])
                return None
            return await handler(event, data)
        logger.info(
            "refused user %s: %s needs %s",
            actor.telegram_user_id if actor else None,
            _handler_name(data),
            permission,
        )
        text = _(get_flag(data, "refusal", default="access.denied"))
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            await event.answer(text)
        return None


def _handler_name(data: dict[str, Any]) -> str:
    handler = data.get("handler")
    callback = getattr(handler, "callback", None)
    return getattr(callback, "__qualname__", repr(handler))


class CommandsLeaveWaits(BaseMiddleware):
    """A command ends any wait for a typed answer (a reason, a date, a period, a name): the
    person has moved on, and the next words they type are not that answer. /cancel is the
    exception that says what it left; so is a survey being answered, whose answers so far a
    stray /help must not throw away.

    Outer, on messages: one look at the conversation's state per command, none otherwise.
    """

    def __init__(self, keep: Collection[str] = (CANCEL,)) -> None:
        self._keep = frozenset(keep)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        text = event.text if isinstance(event, Message) else None
        state: FSMContext | None = data.get("state")
        if text and text.startswith("/") and state is not None:
            command = text[1:].split(maxsplit=1)[0].split("@", 1)[0] if len(text) > 1 else ""
            current = await state.get_state() if command not in self._keep else None
            if current is not None and not current.startswith(_KEPT_FLOW):
                await state.clear()
        return await handler(event, data)
