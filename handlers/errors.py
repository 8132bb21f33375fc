"""One place that turns failures into a short, polite answer and a log line."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

from core.errors import UserFacingError

logger = logging.getLogger(__name__)


async def _tell(event: ErrorEvent, text: str) -> None:
    update = event.update
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.message is not None:
            await update.message.answer(text)
    except TelegramAPIError:
        logger.warning("could not tell user %s about an error", _user_id(event))


def _is_not_modified(error: Exception) -> bool:
    return isinstance(error, TelegramBadRequest) and "message is not modified" in error.message


async def _answer_quietly(event: ErrorEvent) -> None:
    query = event.update.callback_query
    if query is None:
        return
    # Already answered before the edit failed, or too old to answer: nothing to add.
    with contextlib.suppress(TelegramAPIError):
        await query.answer()


def _user_id(event: ErrorEvent) -> int | None:
    update = event.update
    source = update.message or update.callback_query
    user = source.from_user if source is not None else None
    return user.id if user is not None else None


async def on_error(event: ErrorEvent) -> None:
    """Expected refusals get their own words; anything else an apology and a log entry."""
    error = event.exception
    if _is_not_modified(error):
        # A double tap: the second edit would change nothing. The press is simply done.
        logger.debug("update %s pressed twice: nothing to change", event.update.update_id)
        await _answer_quietly(event)
        return
    if isinstance(error, UserFacingError):
        logger.info("refused update %s: %s", event.update.update_id, error.key)
        await _tell(event, _(error.key).format(**error.params))
        return
    # No Telegram id here: the update may be a survey answer, and the id next to it would say who
    # took part in an anonymous survey. The update id and the traceback are enough to debug.
    logger.exception("update %s failed", event.update.update_id, exc_info=error)
    await _tell(event, _("error.unexpected"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router
