"""MAX's updates as aiogram's, for the same Dispatcher and handlers as Telegram's.

- ``message_created`` → a Message (text, or a document/photo with its caption) in the user's
  private chat or in a group chat;
- ``message_callback`` → a CallbackQuery on the pressed message;
- ``bot_started`` → the message ``/start <payload>`` (a deep link opened, as on Telegram);
- anything else (``bot_added``, edits, removals ...) is logged and left.

Users and chats become account ids (core.messengers), message ids numbers (bot.maxbot.ids).
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update as TelegramUpdate
from aiohttp import web

from bot.maxbot.ids import MessageNumbers, PendingCallbacks
from bot.maxbot.session import MaxSession, chat_account, encode_file_id, telegram_chat
from core.messengers import max_user_account
from maxapi_client import MaxApiError, MaxClient, MaxNetworkError
from maxapi_client import Message as MaxMessage
from maxapi_client import Update as MaxUpdate
from services.instances import Lease

logger = logging.getLogger(__name__)

__all__ = ["MAX_WEBHOOK_PATH", "USED_UPDATE_TYPES", "MaxFeeder", "MaxPoller", "webhook_route"]

USED_UPDATE_TYPES = ("message_created", "message_callback", "bot_started", "bot_added")
_POLL_TIMEOUT = 30
_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)


def _user(raw: dict[str, Any], locale: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": max_user_account(int(raw["user_id"])),
        "is_bot": bool(raw.get("is_bot")),
        "first_name": raw.get("first_name") or raw.get("name") or "—",
    }
    if raw.get("last_name"):
        user["last_name"] = raw["last_name"]
    if raw.get("username"):
        user["username"] = raw["username"]
    if locale:
        user["language_code"] = locale
    return user


def _media(message: MaxMessage, text: str | None) -> dict[str, Any]:
    """The message's file or photo (the first), with the text as its caption."""
    for attachment in message.attachments:
        kind = attachment.get("type")
        payload = attachment.get("payload") or {}
        token = payload.get("token")
        if kind not in ("file", "image") or not token:
            continue
        file_id = encode_file_id(kind, str(token), payload.get("url"))
        media: dict[str, Any]
        if kind == "file":
            document: dict[str, Any] = {"file_id": file_id, "file_unique_id": str(token)[:64]}
            if attachment.get("filename"):
                document["file_name"] = attachment["filename"]
            if attachment.get("size") is not None:
                document["file_size"] = int(attachment["size"])
            media = {"document": document}
        else:
            size = {"file_id": file_id, "file_unique_id": str(token)[:64], "width": 0, "height": 0}
            media = {"photo": [size]}
        if text:
            media["caption"] = text
        return media
    return {"text": text} if text is not None else {"text": ""}


class MaxFeeder:
    """Turns MAX updates into aiogram's and feeds them to the dispatcher with the MAX bot."""

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        numbers: MessageNumbers,
        pending: PendingCallbacks,
    ) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.numbers = numbers
        self.pending = pending
        self._ids = itertools.count(1)

    async def convert(self, update: MaxUpdate) -> TelegramUpdate | None:
        raw = update.raw
        locale = raw.get("user_locale")
        data: dict[str, Any] = {"update_id": next(self._ids)}
        if update.type == "message_created" and update.message is not None:
            data["message"] = await self._message(update.message, locale)
        elif update.type == "message_callback" and update.callback_id is not None:
            callback = raw.get("callback") or {}
            query: dict[str, Any] = {
                "id": update.callback_id,
                "from": _user(callback.get("user") or {}, locale),
                "chat_instance": "max",
                "data": update.callback_payload,
            }
            if update.message is not None:
                query["message"] = await self._message(update.message, None)
            data["callback_query"] = query
        elif update.type == "bot_started" and raw.get("user"):
            user = _user(raw["user"], locale)
            payload = raw.get("payload")
            data["message"] = {
                "message_id": 0,  # no message of the user's: nothing refers to it
                "date": int(raw.get("timestamp") or 0) // 1000,
                "chat": telegram_chat(user["id"]),
                "from": user,
                "text": f"/start {payload}" if payload else "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }
        else:
            logger.info("MAX update %s left unhandled", update.type)
            return None
        return TelegramUpdate.model_validate(data, context={"bot": self.bot})

    async def _message(self, message: MaxMessage, locale: str | None) -> dict[str, Any]:
        (number,) = (await self.numbers.numbers([message.mid])).values()
        sender = message.raw.get("sender") or {}
        text = message.text
        data: dict[str, Any] = {
            "message_id": number,
            "date": int(message.raw.get("timestamp") or 0) // 1000,
            "chat": telegram_chat(chat_account(message)),
            **_media(message, text),
        }
        if sender.get("user_id") is not None:
            data["from"] = _user(sender, locale)
        if text and text.startswith("/") and "caption" not in data:
            command = text.split(maxsplit=1)[0]
            data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return data

    async def feed(self, update: MaxUpdate) -> None:
        """One update, handled to the end; a press the handlers left unanswered is answered
        with its message unchanged (MAX wants every press answered)."""
        try:
            converted = await self.convert(update)
        except Exception:
            logger.exception("could not read a MAX update of type %s", update.type)
            return
        if converted is None:
            return
        mid = update.message.mid if update.message is not None else None
        callback_id = update.callback_id if update.type == "message_callback" else None
        if mid is not None and callback_id is not None:
            self.pending.start(mid, callback_id)
        try:
            await self.dispatcher.feed_update(self.bot, converted)
        finally:
            if (
                mid is not None
                and callback_id is not None
                and self.pending.finish(mid, callback_id)
            ):
                await self._answer_unchanged(callback_id, mid)

    async def _answer_unchanged(self, callback_id: str, mid: str) -> None:
        """A press the handler neither edited for nor answered with words (it sent a file, or
        nothing): MAX wants an answer, so the pressed message itself, unchanged."""
        session = self.bot.session
        assert isinstance(session, MaxSession)
        try:
            await session.client.answer_callback(callback_id, message=session.unchanged(mid))
        except (MaxApiError, MaxNetworkError) as error:
            logger.warning("could not answer a MAX press: %s", error)


def _turn_key(update: MaxUpdate) -> int | None:
    """Whose update this is: the user who pressed, wrote or opened the bot."""
    raw = update.raw
    callback = raw.get("callback") or {}
    message = raw.get("message") or {}
    sender = message.get("sender") if update.type == "message_created" else None
    for user in (callback.get("user"), sender, raw.get("user")):
        if isinstance(user, dict) and user.get("user_id") is not None:
            return int(user["user_id"])
    return None


class MaxPoller:
    """Long polling of ``GET /updates``; MAX's errors and outages waited out with a growing
    pause. Updates are handled each in its own task, as aiogram's polling does, but one
    person's in the order they came: a press right after «/start» finds what «/start» left."""

    def __init__(
        self,
        client: MaxClient,
        feeder: MaxFeeder,
        lease: Lease | None = None,
        *,
        lease_retry: float = 10.0,
    ) -> None:
        self._client = client
        self._feeder = feeder
        # Several instances: only the lease's holder polls (MAX would split the updates
        # between pollers); the others wait to take over if it stops renewing.
        self._lease = lease
        self._lease_retry = lease_retry
        self._tasks: set[asyncio.Task[None]] = set()
        # A lock per person with updates in hand, and how many of theirs wait for it.
        self._turns: dict[int, tuple[asyncio.Lock, int]] = {}

    async def _in_turn(self, update: MaxUpdate) -> None:
        key = _turn_key(update)
        if key is None:
            await self._feeder.feed(update)
            return
        lock, users = self._turns.get(key, (asyncio.Lock(), 0))
        self._turns[key] = (lock, users + 1)
        try:
            async with lock:  # FIFO: tasks start in the order the updates came
                await self._feeder.feed(update)
        finally:
            lock, users = self._turns[key]
            if users == 1:
                del self._turns[key]
            else:
                self._turns[key] = (lock, users - 1)

    async def run(self) -> None:
        """Until cancelled (the application's stop)."""
        marker: int | None = None
        failures = 0
        while True:
            if self._lease is not None and not await self._lease.take():
                await asyncio.sleep(self._lease_retry)
                continue
            try:
                updates, next_marker = await self._client.get_updates(
                    marker, timeout=_POLL_TIMEOUT, types=USED_UPDATE_TYPES
                )
            except (MaxNetworkError, MaxApiError) as error:
                delay = _BACKOFF[min(failures, len(_BACKOFF) - 1)]
                failures += 1
                logger.warning("MAX polling failed (%s); retrying in %s s", error, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if next_marker is not None:
                marker = next_marker
            for update in updates:
                task = asyncio.create_task(self._in_turn(update))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Waits for the updates being handled and gives the lease up (at a stop)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._lease is not None:
            try:
                await self._lease.release()
            except Exception:  # the database gone at a stop: the lease lapses on its own
                logger.warning("could not release the MAX polling lease", exc_info=True)


SECRET_HEADER = "X-Max-Bot-Api-Secret"


# MAX's webhook is answered once its update is handled (a killed instance never answered, so
# MAX delivers the update again), or after this long, the handling going on behind: MAX would
# otherwise take a long import for a failed delivery and send it again.
ANSWER_WITHIN = 20.0


def webhook_route(feeder: MaxFeeder, secret: str) -> web.RouteDef:
    """``POST`` handler for MAX's webhook: a request without the secret is refused (401) and
    not handled; an update is answered 200 once handled (or after ANSWER_WITHIN seconds)."""
    running: set[asyncio.Task[None]] = set()

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=401)
        try:
            raw = await request.json()
        except ValueError:
            return web.Response(status=400)
        if not isinstance(raw, dict):
            return web.Response(status=400)
        task = asyncio.create_task(feeder.feed(MaxUpdate.from_api(raw)))
        running.add(task)
        task.add_done_callback(running.discard)
        await asyncio.wait({task}, timeout=ANSWER_WITHIN)
        return web.json_response({"ok": True})

    return web.post(MAX_WEBHOOK_PATH, handle)


MAX_WEBHOOK_PATH = "/max"
