"""A Telegram-shaped test driver over the fake MAX server, so one journey runs on either fake.

The end-to-end journeys drive :class:`tests.fakebot.FakeBotAPI` (``bot.api.next_message(
USER.id)``, ``bot.api.press(user, msg, data)``, ...).  :class:`MaxFrontend` answers the same
calls over a :class:`~tests.fakemax.server.FakeMaxAPI`; it only maps, the fake does the rest::

    async with FakeMaxAPI() as server:
        api = MaxFrontend(server)
        api.push_text(ALICE, "/start")                 # ALICE: a tests.fakebot.FakeUser
        reply = await api.next_message(ALICE.id)       # a tests.fakemax SentMessage
        _, callback_id = api.press(ALICE, reply, reply.button("Да"))
        answer = await api.wait_answered(callback_id)  # {"text", "show_alert", "message", ...}

Identity: the harness user ``FakeUser(id=N, ...)`` is the MAX user with ``user_id`` N (same
first name, last name and username; ``locale`` is its ``language_code``).  A Telegram-style
chat id N > 0 is that user's dialog with the bot (MAX chat id ``DIALOG_BASE + N``, whatever
the size of N); a negative chat id C is the MAX group chat C (a FakeChat made on first use).

Telegram method names map to MAX paths (``METHOD_PATHS``) for ``fail``, ``rate_limit`` and
``calls_to``; a MAX path (``"POST /messages"``) passes through.  Several names share a path:
``calls_to("sendMessage")`` also lists the sends of files, ``fail("sendDocument", ...)`` also
fails the next text.  The calls are the MAX fake's :class:`~tests.fakemax.server.ApiCall`
(``query`` and ``body``, not Telegram's ``params``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from tests.fakemax.server import (
    DIALOG_BASE,
    ApiCall,
    FakeChat,
    FakeMaxAPI,
    FakeUser,
    InvalidRequest,
    SentMessage,
)

if TYPE_CHECKING:
    from tests.fakebot import FakeUser as TelegramUser

__all__ = ["METHOD_PATHS", "MaxFrontend"]

JSON = dict[str, Any]
T = TypeVar("T")

# Telegram Bot API method -> the MAX path that does its job.
METHOD_PATHS: dict[str, str] = {
    "getme": "GET /me",
    "getupdates": "GET /updates",
    "sendmessage": "POST /messages",
    "senddocument": "POST /messages",
    "sendphoto": "POST /messages",
    "sendmediagroup": "POST /messages",
    "editmessagetext": "PUT /messages",
    "editmessagereplymarkup": "PUT /messages",
    "editmessagecaption": "PUT /messages",
    "deletemessage": "DELETE /messages",
    "answercallbackquery": "POST /answers",
    "getchat": "GET /chats/{chatId}",
    "setwebhook": "POST /subscriptions",
    "deletewebhook": "DELETE /subscriptions",
    "getwebhookinfo": "GET /subscriptions",
}


def max_path(method: str) -> str:
    """The MAX path of a Telegram method name (any case); a MAX path passes through."""
    if " " in method:
        verb, _, path = method.partition(" ")
        return f"{verb.upper()} {path}"
    try:
        return METHOD_PATHS[method.lower()]
    except KeyError:
        raise ValueError(f"no MAX path for the Telegram method {method!r}") from None


class _Chats(Mapping[int, list[SentMessage]]):
    """The fake's chats keyed by Telegram-style ids; a missing chat reads as empty (as the
    Telegram fake's defaultdict does)."""

    def __init__(self, frontend: MaxFrontend) -> None:
        self._frontend = frontend

    def __getitem__(self, chat_id: int) -> list[SentMessage]:
        return self._frontend.server.chats[self._frontend.max_chat_id(chat_id)]

    def __iter__(self) -> Iterator[int]:
        for chat_id in list(self._frontend.server.chats):
            yield chat_id - DIALOG_BASE if chat_id > DIALOG_BASE else chat_id

    def __len__(self) -> int:
        return len(self._frontend.server.chats)


class MaxFrontend:
    """The FakeBotAPI's test-facing calls, over a started (or to be started) FakeMaxAPI."""

    def __init__(self, server: FakeMaxAPI) -> None:
        self.server = server
        self.chats: Mapping[int, list[SentMessage]] = _Chats(self)

    # ----------------------------------------------------------------- identities

    @staticmethod
    def user(user: TelegramUser) -> FakeUser:
        """The MAX user a harness (Telegram) user is."""
        return FakeUser(
            user.id,
            user.first_name,
            last_name=user.last_name,
            username=user.username,
            locale=user.language_code,
        )

    def max_chat_id(self, chat_id: int) -> int:
        """The MAX chat id of a Telegram-style chat id (a user id, or a negative group id)."""
        if chat_id < 0:
            return chat_id
        if chat_id > 0:
            return DIALOG_BASE + chat_id
        return chat_id

    def _group(self, user: TelegramUser, chat_id: int | None) -> FakeChat | None:
        """None for the user's dialog; the group chat of a negative id (made on first use)."""
        if chat_id is None or chat_id == user.id:
            return None
        if chat_id > 0:
            raise ValueError(f"{user.id} cannot write in the dialog of {chat_id}")
        chat = self.server.group_chats.get(chat_id)
        if chat is None:
            chat = FakeChat(chat_id, f"Chat {chat_id}")
            self.server.group_chats[chat_id] = chat
        return chat

    # ----------------------------------------------------------------- pushing updates

    def push_text(self, user: TelegramUser, text: str, chat_id: int | None = None) -> JSON:
        """``message_created``: the user writes (in their dialog unless ``chat_id``)."""
        return self.server.push_text(self.user(user), text, self._group(user, chat_id))

    def push_document(
        self,
        user: TelegramUser,
        file_name: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """``message_created`` with a file (its type served when the bot downloads it)."""
        return self.server.push_document(
            self.user(user),
            file_name,
            content,
            caption,
            self._group(user, chat_id),
            content_type=mime_type,
        )

    def push_photo(
        self,
        user: TelegramUser,
        content: bytes,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """``message_created`` with an image."""
        return self.server.push_photo(
            self.user(user), content, caption, self._group(user, chat_id)
        )

    def start(self, user: TelegramUser, payload: str | None = None) -> JSON:
        """``bot_started`` (by a deep link if ``payload``): MAX's counterpart of /start."""
        return self.server.start(self.user(user), payload)

    def press(self, user: TelegramUser, message: SentMessage, data: str) -> tuple[JSON, str]:
        """``message_callback``: the user presses the button with payload ``data``; returns
        the update and the callback id."""
        return self.server.press(self.user(user), message, data)

    # ----------------------------------------------------------------- waiting

    async def wait_answered(self, callback_id: str, timeout: float | None = None) -> JSON:  # noqa: ASYNC109
        """The bot's answer to the press, Telegram-shaped: ``text`` is the notification,
        ``message`` the new body of the pressed message (NewMessageBody) or None.  MAX has no
        alerts: ``show_alert`` is always False."""
        answer = await self.server.wait_answered(callback_id, timeout)
        return {
            "callback_query_id": callback_id,
            "text": answer.get("notification"),
            "show_alert": False,
            "message": answer.get("message"),
        }

    async def next_message(self, chat_id: int, timeout: float | None = None) -> SentMessage:  # noqa: ASYNC109
        return await self.server.next_message(self.max_chat_id(chat_id), timeout)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        return await self.server.wait_for_messages(self.max_chat_id(chat_id), count, timeout)

    def skip_unread(self, chat_id: int) -> list[SentMessage]:
        return self.server.skip_unread(self.max_chat_id(chat_id))

    async def wait_edit(self, message: SentMessage, timeout: float | None = None) -> SentMessage:  # noqa: ASYNC109
        return await self.server.wait_edit(message, timeout)

    async def wait_deleted(
        self,
        message: SentMessage,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> SentMessage:
        return await self.server.wait_deleted(message, timeout)

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float | None = None,  # noqa: ASYNC109
        *,
        what: str | None = None,
    ) -> T:
        return await self.server.wait_for(predicate, timeout, what=what)

    # ----------------------------------------------------------------- faults

    def block(self, chat_id: int) -> None:
        """The user ``chat_id`` (a user id) blocks the bot: sends to them answer 403."""
        if chat_id < 0:
            raise ValueError("the MAX fake blocks users, not group chats")
        self.server.block(self.max_chat_id(chat_id) - DIALOG_BASE)

    def unblock(self, chat_id: int) -> None:
        self.server.unblock(self.max_chat_id(chat_id) - DIALOG_BASE)

    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        after_effect: bool = False,
        code: str | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (a Telegram name or a MAX path) answer
        ``status``; ``description`` is the error's ``message``, ``code`` its code (default by
        status), ``retry_after`` a Retry-After header.  ``after_effect`` (a lost answer) is
        not supported by the MAX fake."""
        if after_effect:
            raise NotImplementedError("the MAX fake has no after_effect faults")
        self.server.fail(
            max_path(method),
            status,
            code=code,
            message=description,
            times=times,
            retry_after=retry_after,
        )

    def rate_limit(
        self,
        per_second: int | None,
        *,
        methods: Iterable[str] = ("sendMessage",),
        per_chat_per_second: int | None = None,
    ) -> None:
        """Over ``per_second`` calls of ``methods`` (together) in a rolling second answer 429.
        ``per_chat_per_second`` is not supported by the MAX fake."""
        if per_chat_per_second is not None:
            raise NotImplementedError("the MAX fake has no per-chat rate limit")
        self.server.rate_limit(per_second, [max_path(m) for m in methods])

    def clear_faults(self) -> None:
        self.server.clear_faults()

    # ----------------------------------------------------------------- what happened

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls of ``method`` (a Telegram name or a MAX path), in order."""
        return self.server.calls_to(max_path(method))

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def invalid_requests(self) -> list[InvalidRequest]:
        return self.server.invalid_requests

    @property
    def rejected_429(self) -> int:
        return self.server.rejected_429

    def dump(self, last: int = 25) -> str:
        return self.server.dump(last)
