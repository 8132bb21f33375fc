"""Per-update dependencies: the acting person, resolved before any handler runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from services.access import resolve_actor
from storage.database import Database


class ActorMiddleware(BaseMiddleware):
    """Puts `actor` (services.access.Actor) into handler data; None for updates without a user."""

    def __init__(self, database: Database, admin_ids: Collection[int]) -> None:
        self._database = database
        self._admin_ids = admin_ids

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        data["actor"] = (
            None if user is None else await resolve_actor(self._database, self._admin_ids, user.id)
        )
        return await handler(event, data)
