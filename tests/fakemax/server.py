"""A fake MAX Bot API server for tests, in the style of :mod:`fakes.telegram`.

Every request it receives and every answer it gives is validated against the pinned OpenAPI
document ``tests/data/max/openapi-0.0.32-2026-07-01.json`` (see :mod:`tests.fakemax.schema`)::

    async with FakeMaxAPI() as server:
        alice = FakeUser(1, "Alice")
        server.start(alice, "invite-42")              # bot_started with the deep-link payload
        ...  the bot polls  GET {server.base_url}/updates  with  Authorization: <token>
        reply = await server.next_message(alice)
        update, callback_id = server.press(alice, reply, reply.button("Yes"))
        await server.wait_answered(callback_id)
        assert not server.invalid_requests

Paths served (as the document gives them): ``GET /me``; ``GET /updates`` (long polling:
``marker``, ``timeout``, ``limit``, ``types``); ``POST/PUT/DELETE /messages``; ``POST /answers``;
``POST /uploads`` (``type`` file|image) and the upload URL it returns; ``GET /chats/{chatId}``;
``GET/POST/DELETE /subscriptions`` (webhook delivery).  Any other path answers 404.

Authentication: the token in the ``Authorization`` header (as the document's examples do) or
in the ``access_token`` query parameter (as its security scheme says); the ``v`` query
parameter, which the document does not mention, is accepted and ignored.  A missing or wrong
token answers 401 ``{"code": "verify.token", "message": "Invalid access_token"}`` (the
document's example of an error).

A request the document rejects is answered 400 ``{"code": "proto.payload", ...}`` and kept in
``server.invalid_requests``; an answer of the fake the document rejects raises SchemaViolation
(also kept in ``server.fake_bugs`` and raised again when the server closes).

Choices where the document is silent (each marked "chosen" below):

* error codes other than ``verify.token`` and ``attachment.not.ready`` (see ``ERRORS``);
* ``attachment.not.ready`` is answered with HTTP 400;
* a user who blocked the bot: 403 ``chat.denied``;
* over the rate limit: 429 ``too.many.requests``; the limit is off unless ``rate_limit()``
  (MAX's documented limit is 30 requests a second: ``MAX_RPS``);
* a dialog's chat_id is ``DIALOG_BASE + user_id``; ``recipient.chat_type`` is ``"chat"``
  everywhere, since the document's ChatType enum has no other value;
* the long-polling marker: each update gets the next number; a request's ``marker`` confirms
  (drops) every update up to it; the answer's ``marker`` is the last update's number (or the
  request's marker, or the last confirmed one, when there is none);
* while a webhook subscription exists ``GET /updates`` answers 405 (MAX: "both methods cannot
  be used simultaneously"; 405 is one of the statuses the path declares);
* webhook delivery: updates go one at a time, in order; anything but 200 is a failed delivery,
  tried again after ``webhook_retry_delay`` seconds (MAX: 30-60 s);
* answering a callback with a ``message`` replaces the pressed message's body in place;
  answering the same callback again is allowed (every answer is kept in ``callback_answers``);
* an edit's ``text: null`` leaves the text; ``attachments: null`` leaves them, ``[]`` removes
  them (the latter two as the document says);
* a file or photo a user sends (``push_document``/``push_photo``) is kept like an upload: its
  ``payload.url`` downloads the bytes and its ``payload.token`` can be attached again (the
  document: "use ``token`` to reuse the same attachment in another message");
* ``fail(..., retry_after=N)`` adds a ``Retry-After: N`` header (the document does not say
  whether MAX sends one; the client reads it if it does);
* ``SentMessage.plain_text`` of an ``html`` message drops every tag (the document: "all others
  will be stripped") and unescapes entities; of ``markdown`` or plain text it is the text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from aiohttp import web

from fakes.watch import ChatWaits
from tests.fakemax.schema import (
    SchemaViolation,
    check_component,
    check_response,
    request_errors,
)

if TYPE_CHECKING:
    from types import TracebackType

__all__ = [
    "DEFAULT_TOKEN",
    "DIALOG_BASE",
    "MAX_RPS",
    "ApiCall",
    "FakeChat",
    "FakeMaxAPI",
    "FakeUser",
    "InvalidRequest",
    "SchemaViolation",
    "SentMessage",
    "UploadedFile",
]

JSON = dict[str, Any]

DEFAULT_TOKEN = "fake-max-token"
BOT_ID = 900500
DIALOG_BASE = 1_000_000_000  # chosen: a dialog's chat_id is DIALOG_BASE + user_id
MAX_RPS = 30  # the document: "максимальное количество запросов в секунду ... — 30 rps"
WAIT_CEILING = 60.0
MAX_UPLOAD = 50 * 1024 * 1024

# Error bodies: (code, message).  Only verify.token and attachment.not.ready are in the
# document; the others are chosen.
ERRORS: dict[str, tuple[str, str]] = {
    "unauthorized": ("verify.token", "Invalid access_token"),
    "not_ready": ("attachment.not.ready", "Key: errors.process.attachment.file.not.processed"),
    "invalid": ("proto.payload", "Invalid request"),
    "blocked": ("chat.denied", "Bot was blocked by the user"),
    "rate": ("too.many.requests", "Too many requests"),
    "not_found": ("not.found", "Not found"),
    "not_allowed": ("method.not.allowed", "Long polling is off while a webhook is set"),
    "unsupported": ("fakemax.unsupported", "Not supported by the fake"),
}
DEFAULT_CODES = {
    400: "proto.payload",
    401: "verify.token",
    403: "access.denied",
    404: "not.found",
    405: "method.not.allowed",
    429: "too.many.requests",
    500: "internal.error",
    502: "bad.gateway",
    503: "service.unavailable",
}


class MaxApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    @classmethod
    def of(cls, status: int, kind: str, message: str | None = None) -> MaxApiError:
        code, default = ERRORS[kind]
        return cls(status, code, message or default)

    def body(self) -> JSON:
        return {"code": self.code, "message": self.message}


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class FakeUser:
    """A MAX user who writes to the bot; their dialog with the bot is ``chat_id``."""

    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    locale: str | None = "ru"

    @property
    def chat_id(self) -> int:
        return DIALOG_BASE + self.user_id

    def to_api(self, last_activity_ms: int = 0) -> JSON:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return {
            "user_id": self.user_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "is_bot": False,
            "last_activity_time": last_activity_ms,
            "name": name,
        }


@dataclass(frozen=True)
class FakeChat:
    """A group chat the bot can be added to (chat ids of group chats are negative in MAX)."""

    chat_id: int
    title: str
    owner: FakeUser = field(default_factory=lambda: FakeUser(777, "Owner"))
    participants_count: int = 2


@dataclass
class UploadedFile:
    """A file the bot uploaded: ``token`` is what it attaches to a message."""

    upload_id: str
    type: str
    token: str | None = None
    content: bytes | None = None
    filename: str | None = None
    content_type: str | None = None
    not_ready_left: int = 0  # attach attempts still answered attachment.not.ready


@dataclass
class ApiCall:
    """One HTTP request to the API (not the control or upload endpoints)."""

    method: str  # "POST /messages"
    query: dict[str, str]
    body: Any
    time: float
    status: int | None = None
    response: JSON | None = field(default=None, repr=False)


@dataclass
class InvalidRequest:
    """A request the pinned document rejects: answered 400 and kept here."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    errors: list[str]


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent; edits (PUT /messages, an answer's message) apply in place.

    ``attachments`` are as the bot sent them (AttachmentRequest objects); ``history`` keeps
    the (text, attachments) before each edit.
    """

    mid: str
    seq: int
    chat_id: int
    user_id: int | None
    text: str | None
    format: str | None
    attachments: list[JSON]
    timestamp: int
    notify: bool = True
    deleted: bool = False
    edits: int = 0
    seen_edits: int = field(default=0, repr=False)
    history: list[tuple[str | None, list[JSON]]] = field(default_factory=list, repr=False)
    files: list[UploadedFile] = field(default_factory=list, repr=False)

    @property
    def plain_text(self) -> str | None:
        """The text as a MAX user sees it: for ``html`` the tags stripped and the entities
        unescaped; otherwise (``markdown``, plain) the text itself."""
        if self.text is None or self.format != "html":
            return self.text
        return html_text(self.text)

    @property
    def kind(self) -> str:
        """``"document"`` with a file attached, ``"photo"`` with an image, else ``"text"``
        (the names the Telegram fake's SentMessage uses)."""
        for attachment in self.attachments:
            kind = attachment.get("type")
            if kind == "file":
                return "document"
            if kind == "image":
                return "photo"
        return "text"

    @property
    def file_name(self) -> str | None:
        """The name of the first file (or image) attached, as uploaded."""
        return self.files[0].filename if self.files else None

    @property
    def content(self) -> bytes | None:
        """The bytes of the first file (or image) attached."""
        return self.files[0].content if self.files else None

    def keyboard(self) -> list[list[JSON]]:
        for attachment in self.attachments:
            if attachment.get("type") == "inline_keyboard":
                return list(attachment.get("payload", {}).get("buttons") or [])
        return []

    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Keyboard rows as (text, payload or url)."""
        return [
            [(str(b.get("text", "")), b.get("payload") or b.get("url")) for b in row]
            for row in self.keyboard()
        ]

    def button(self, text_substring: str) -> str:
        """The payload (or url) of the first button whose text contains the substring."""
        for row in self.buttons():
            for text, value in row:
                if text_substring in text and value is not None:
                    return value
        raise AssertionError(
            f"no button containing {text_substring!r} in {self.mid}: {self.buttons()}"
        )

    def summary(self) -> JSON:
        return {
            "mid": self.mid,
            "kind": self.kind,
            "text": self.text,
            "format": self.format,
            "buttons": self.buttons(),
            "files": [f.filename for f in self.files],
            "edits": self.edits,
            "deleted": self.deleted,
        }


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(source: str) -> str:
    """``source`` (format ``html``) as shown: every tag dropped, entities unescaped."""
    parser = _TextOf()
    parser.feed(source)
    parser.close()
    return "".join(parser.parts)


@dataclass
class _Fault:
    status: int
    remaining: int
    code: str
    message: str
    retry_after: int | None = None


# --------------------------------------------------------------------------- the server

_Handler = Callable[[web.Request, "_Call"], Awaitable[JSON]]


@dataclass
class _Call:
    query: dict[str, str]
    body: Any
    record: ApiCall


class FakeMaxAPI(ChatWaits["SentMessage"]):
    """The fake MAX Bot API server.  Use ``async with FakeMaxAPI() as server``."""

    name = "fakemax"

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        rate_clock: Callable[[], float] = time.monotonic,
        wait_ceiling: float = WAIT_CEILING,
        webhook_retry_delay: float = 0.2,
        bot_name: str = "Roadmap",
        bot_username: str = "roadmap_test_bot",
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.clock = clock
        self.rate_clock = rate_clock
        self.wait_ceiling = wait_ceiling
        self.webhook_retry_delay = webhook_retry_delay
        self.bot_user: JSON = {
            "user_id": BOT_ID,
            "first_name": bot_name,
            "last_name": None,
            "username": bot_username,
            "is_bot": True,
            "last_activity_time": 0,
            "name": bot_name,
        }

        self.chats: dict[int, list[SentMessage]] = defaultdict(list)
        self.group_chats: dict[int, FakeChat] = {}
        self.users: dict[int, FakeUser] = {}
        self.calls: list[ApiCall] = []
        self.invalid_requests: list[InvalidRequest] = []
        self.fake_bugs: list[SchemaViolation] = []
        self.updates: list[JSON] = []  # every update ever pushed
        self.answered_callbacks: dict[str, JSON] = {}  # callback_id -> the first answer
        self.callback_answers: list[tuple[str, JSON]] = []  # every answer, in order
        self.uploads: dict[str, UploadedFile] = {}  # upload_id -> file
        self.blocked: set[int] = set()  # user ids
        self.subscriptions: dict[str, JSON] = {}  # url -> {url, time, update_types, secret}
        self.webhook_deliveries: list[tuple[int, str, int]] = []  # (number, url, status or 0)
        self.rejected_429 = 0
        self.not_ready_answers = 0

        self._pending: list[tuple[int, JSON]] = []  # (number, update), not yet confirmed
        self._confirmed = 0
        self._next_update = 0
        self._next_seq = 0
        self._next_upload = 0
        self._next_callback = 0
        self._not_ready_times = 0
        self._messages: dict[str, SentMessage] = {}
        self._callbacks: dict[str, tuple[FakeUser, SentMessage]] = {}
        self._cursors: dict[int, int] = defaultdict(int)
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._rate_limit: int | None = None
        self._rate_methods: frozenset[str] | None = None
        self._rate_window: deque[float] = deque()
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("the fake MAX API server is not started")
        return f"http://{self.host}:{self.port}"

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        routes: list[tuple[str, str, _Handler]] = [
            ("GET", "/me", self._get_me),
            ("GET", "/updates", self._get_updates),
            ("POST", "/messages", self._send_message),
            ("PUT", "/messages", self._edit_message),
            ("DELETE", "/messages", self._delete_message),
            ("POST", "/answers", self._answer),
            ("POST", "/uploads", self._get_upload_url),
            ("GET", "/chats/{chatId}", self._get_chat),
            ("GET", "/subscriptions", self._get_subscriptions),
            ("POST", "/subscriptions", self._subscribe),
            ("DELETE", "/subscriptions", self._unsubscribe),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, self._api(method, path, handler))
        app.router.add_post("/_upload/{upload_id}", self._handle_upload)
        app.router.add_get("/_files/{upload_id}", self._handle_download)
        app.router.add_post("/_control/push_text", self._control_push_text)
        app.router.add_post("/_control/press", self._control_press)
        app.router.add_post("/_control/start", self._control_start)
        app.router.add_post("/_control/fail", self._control_fail)
        app.router.add_get("/_control/chats", self._control_chats)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        return app

    async def start_server(self) -> None:
        if self._runner is not None:
            return
        self.port = await self._serve(self.build_app(), self.host, self.port)

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing.set()
        self._notify()
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await runner.cleanup()

    async def __aenter__(self) -> FakeMaxAPI:
        await self.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
        if exc is None and self.fake_bugs:
            raise self.fake_bugs[0]

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    # ----------------------------------------------------------------- faults

    def fail(
        self,
        method_path: str,
        status: int,
        *,
        code: str | None = None,
        message: str | None = None,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method_path`` (e.g. ``"POST /messages"``) answer
        ``status`` with ``{"code", "message"}`` (and a ``Retry-After`` header if
        ``retry_after``) and do nothing else."""
        if status < 400 or times < 1:
            raise ValueError("status must be an HTTP error (>= 400) and times >= 1")
        method, _, path = method_path.partition(" ")
        key = f"{method.upper()} {path}"
        self._faults[key].append(
            _Fault(
                status,
                times,
                code or DEFAULT_CODES.get(status, "error"),
                message or f"injected {status}",
                retry_after,
            )
        )

    def rate_limit(
        self, per_second: int | None = MAX_RPS, methods: Iterable[str] | None = None
    ) -> None:
        """Over ``per_second`` API calls (of ``methods``, e.g. ``["POST /messages"]``, or of all)
        in any rolling second answer 429.  ``None`` turns the limit off."""
        if per_second is not None and per_second < 1:
            raise ValueError("per_second must be at least 1 (or None)")
        self._rate_limit = per_second
        self._rate_methods = None if methods is None else frozenset(methods)
        self._rate_window.clear()

    def block(self, user: FakeUser | int) -> None:
        """Sends to this user (a FakeUser or a user_id; sent to by user_id or their dialog's
        chat_id) answer 403 chat.denied."""
        self.blocked.add(user.user_id if isinstance(user, FakeUser) else user)

    def unblock(self, user: FakeUser | int) -> None:
        self.blocked.discard(user.user_id if isinstance(user, FakeUser) else user)

    def not_ready(self, times: int) -> None:
        """Files uploaded from now on answer attachment.not.ready to their first ``times``
        attach attempts."""
        if times < 0:
            raise ValueError("times must be >= 0")
        self._not_ready_times = times

    def clear_faults(self) -> None:
        self._faults.clear()
        self.rate_limit(None)
        self._not_ready_times = 0

    # ----------------------------------------------------------------- pushing updates

    def _queue_update(self, update: JSON) -> JSON:
        check_component(update, "Update")
        self._next_update += 1
        self.updates.append(update)
        self._pending.append((self._next_update, update))
        self._notify()
        return update

    def _new_mid(self) -> tuple[str, int]:
        self._next_seq += 1
        return f"mid.{self._next_seq:016x}", self._next_seq

    def push_text(self, user: FakeUser, text: str, chat: FakeChat | None = None) -> JSON:
        """Queue ``message_created``: ``user`` writes ``text`` to the bot (or to ``chat``)."""
        return self._push_message(user, text, None, chat)

    def push_document(
        self,
        user: FakeUser,
        file_name: str,
        content: bytes,
        caption: str | None = None,
        chat: FakeChat | None = None,
        *,
        content_type: str = "application/octet-stream",
    ) -> JSON:
        """Queue ``message_created`` with a ``file`` attachment (and ``caption`` as its text):
        its ``payload.url`` downloads ``content``, its ``payload.token`` can be sent again."""
        received = self._store_received("file", content, file_name, content_type)
        return self._push_message(user, caption, [self._uploaded_api(received)], chat)

    def push_photo(
        self,
        user: FakeUser,
        content: bytes,
        caption: str | None = None,
        chat: FakeChat | None = None,
    ) -> JSON:
        """Queue ``message_created`` with an ``image`` attachment (and ``caption`` as its
        text); its ``payload.url`` downloads ``content``, its ``payload.token`` can be sent
        again."""
        received = self._store_received("image", content, None, "image/jpeg")
        return self._push_message(user, caption, [self._uploaded_api(received)], chat)

    def _store_received(
        self, kind: str, content: bytes, filename: str | None, content_type: str
    ) -> UploadedFile:
        """A file a user sent, kept like an upload (so its url and token work)."""
        self._next_upload += 1
        upload_id = str(self._next_upload)
        received = UploadedFile(
            upload_id,
            kind,
            token=f"tok-{kind}-{upload_id}",
            content=content,
            filename=filename,
            content_type=content_type,
        )
        self.uploads[upload_id] = received
        return received

    def _push_message(
        self,
        user: FakeUser,
        text: str | None,
        attachments: list[JSON] | None,
        chat: FakeChat | None,
    ) -> JSON:
        self.users[user.user_id] = user
        mid, seq = self._new_mid()
        message: JSON = {
            "sender": user.to_api(self.now_ms()),
            "recipient": {
                "chat_id": user.chat_id if chat is None else chat.chat_id,
                "chat_type": "chat",  # chosen: ChatType's only value in the document
                "user_id": BOT_ID if chat is None else None,
            },
            "timestamp": self.now_ms(),
            "body": {
                "mid": mid,
                "seq": seq,
                "text": text,
                "attachments": attachments,
                "link": None,
            },
        }
        return self._queue_update(
            {
                "update_type": "message_created",
                "timestamp": self.now_ms(),
                "message": message,
                "user_locale": user.locale,
            }
        )

    def press(self, user: FakeUser, message: SentMessage, payload: str) -> tuple[JSON, str]:
        """Queue ``message_callback``: ``user`` presses a button of ``message`` whose payload
        is ``payload`` (not checked against the keyboard).  Returns the update and the
        callback id."""
        self.users.setdefault(user.user_id, user)
        self._next_callback += 1
        callback_id = f"cb.{self._next_callback:012d}"
        self._callbacks[callback_id] = (user, message)
        update = self._queue_update(
            {
                "update_type": "message_callback",
                "timestamp": self.now_ms(),
                "callback": {
                    "timestamp": self.now_ms(),
                    "callback_id": callback_id,
                    "payload": payload,
                    "user": user.to_api(self.now_ms()),
                },
                "message": None if message.deleted else self.message_api(message),
                "user_locale": user.locale,
            }
        )
        return update, callback_id

    def start(self, user: FakeUser, payload: str | None = None) -> JSON:
        """Queue ``bot_started``: ``user`` opens the bot, by a deep link if ``payload``."""
        self.users[user.user_id] = user
        return self._queue_update(
            {
                "update_type": "bot_started",
                "timestamp": self.now_ms(),
                "chat_id": user.chat_id,
                "user": user.to_api(self.now_ms()),
                "payload": payload,
                "user_locale": user.locale or "ru",
            }
        )

    def add_to_chat(self, chat: FakeChat, by: FakeUser | None = None) -> JSON:
        """Queue ``bot_added``: the bot is added to a group chat (by its owner)."""
        self.group_chats[chat.chat_id] = chat
        adder = by or chat.owner
        return self._queue_update(
            {
                "update_type": "bot_added",
                "timestamp": self.now_ms(),
                "chat_id": chat.chat_id,
                "user": adder.to_api(self.now_ms()),
                "is_channel": False,
            }
        )

    @property
    def pending_updates(self) -> list[JSON]:
        return [update for _, update in self._pending]

    # ----------------------------------------------------------------- waiting

    answer_name = "POST /answers"

    def _label(self, message: SentMessage) -> str:
        return message.mid

    def _chat_of(self, target: FakeUser | FakeChat | int) -> int:
        return self._chat_id(target)

    @staticmethod
    def _chat_id(target: FakeUser | FakeChat | int) -> int:
        if isinstance(target, FakeUser):
            return target.chat_id
        if isinstance(target, FakeChat):
            return target.chat_id
        return target

    def calls_to(self, method_path: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method_path]

    def dump(self, last: int = 25) -> str:
        lines = ["recent API calls:"]
        for call in [c for c in self.calls if c.method != "GET /updates"][-last:]:
            body = json.dumps(call.body, ensure_ascii=False, default=str)
            lines.append(f"  {call.method} {call.query} -> {call.status}  {body[:160]}")
        lines.append("chats:")
        for chat_id, messages in self.chats.items():
            for msg in messages[-5:]:
                lines.append(f"  [{chat_id}] {json.dumps(msg.summary(), ensure_ascii=False)}")
        lines.append(f"pending updates: {[n for n, _ in self._pending]}")
        lines.append(f"invalid requests: {self.invalid_requests}")
        return "\n".join(lines)

    # ----------------------------------------------------------------- API plumbing

    def _token_of(self, request: web.Request) -> str:
        header = request.headers.get("Authorization")
        if header is not None:
            return header.strip()
        return request.query.get("access_token", "")

    def _rate_limited(self, method: str) -> bool:
        if self._rate_limit is None:
            return False
        if self._rate_methods is not None and method not in self._rate_methods:
            return False
        now = self.rate_clock()
        while self._rate_window and self._rate_window[0] <= now - 1.0:
            self._rate_window.popleft()
        if len(self._rate_window) >= self._rate_limit:
            return True
        self._rate_window.append(now)
        return False

    def _api(self, method: str, path: str, handler: _Handler) -> Callable[..., Any]:
        key = f"{method} {path}"

        async def handle(request: web.Request) -> web.Response:
            raw = await request.read()
            query = {k: v for k, v in request.query.items() if k != "access_token"}
            body: Any = None
            bad_json = False
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    bad_json = True
            record = ApiCall(key, query, body, time.monotonic())
            self.calls.append(record)
            self._notify()  # a test may wait for the call itself (the bot started polling)
            try:
                result = await self._run(
                    request, key, path, handler, raw, body, bad_json, _Call(query, body, record)
                )
                status, answer, headers = 200, result, {}
            except MaxApiError as error:
                status, answer, headers = error.status, error.body(), error.headers
            try:
                check_response(
                    method, path, request.path, dict(request.match_info), status, answer
                )
            except SchemaViolation as violation:
                self.fake_bugs.append(violation)
                record.status = 500
                self._notify()
                raise
            record.status, record.response = status, answer
            self._notify()
            return web.json_response(answer, status=status, headers=headers)

        return handle

    async def _run(
        self,
        request: web.Request,
        key: str,
        path: str,
        handler: _Handler,
        raw: bytes,
        body: Any,
        bad_json: bool,
        call: _Call,
    ) -> JSON:
        token = self._token_of(request)
        if token != self.token:
            raise MaxApiError.of(401, "unauthorized")
        if self._rate_limited(key):
            self.rejected_429 += 1
            raise MaxApiError.of(429, "rate")
        errors = (
            ["the body is not JSON"]
            if bad_json
            else request_errors(
                request.method,
                path,
                request.path,
                [(k, v) for k, v in request.query.items() if k != "access_token"],
                dict(request.match_info),
                token,
                raw or None,
                body,
            )
        )
        if errors:
            self.invalid_requests.append(
                InvalidRequest(key, request.path, call.query, body, errors)
            )
            raise MaxApiError.of(400, "invalid", "; ".join(errors)[:1000])
        faults = self._faults.get(key)
        if faults:
            fault = faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.popleft()
            headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            raise MaxApiError(fault.status, fault.code, fault.message, headers)
        return await handler(request, call)

    async def _not_found(self, request: web.Request) -> web.Response:
        code, message = ERRORS["not_found"]
        return web.json_response(
            {"code": code, "message": f"{message}: {request.method} {request.path}"}, status=404
        )

    # ----------------------------------------------------------------- messages

    def message_api(self, message: SentMessage) -> JSON:
        """``message`` as the document's Message object."""
        return {
            "sender": dict(self.bot_user),
            "recipient": {
                "chat_id": message.chat_id,
                "chat_type": "chat",  # chosen: ChatType's only value in the document
                "user_id": message.user_id,
            },
            "timestamp": message.timestamp,
            "body": {
                "mid": message.mid,
                "seq": message.seq,
                "text": message.text,
                "attachments": [self._attachment_api(a, message) for a in message.attachments]
                or None,
                "link": None,  # required by MessageBody, which does not define it
            },
        }

    def _attachment_api(self, attachment: JSON, message: SentMessage) -> JSON:
        kind = attachment["type"]
        payload = attachment.get("payload") or {}
        if kind == "inline_keyboard":
            return {"type": kind, "payload": {"buttons": payload.get("buttons") or []}}
        uploaded = self._uploaded_by_token(payload)
        if uploaded is not None:
            return self._uploaded_api(uploaded)
        # An image by URL (nothing else passes _check_attachments without a known token).
        url = str(payload.get("url", ""))
        return {"type": "image", "payload": {"photo_id": 0, "url": url, "token": url}}

    def _uploaded_api(self, uploaded: UploadedFile) -> JSON:
        """An uploaded (or received) file as the document's FileAttachment or
        PhotoAttachment."""
        url = f"{self.base_url}/_files/{uploaded.upload_id}"
        token = uploaded.token or ""
        if uploaded.type == "file":
            return {
                "type": "file",
                "payload": {"url": url, "token": token},
                "filename": uploaded.filename or "file",
                "size": len(uploaded.content or b""),
            }
        return {
            "type": "image",
            "payload": {"photo_id": int(uploaded.upload_id), "url": url, "token": token},
        }

    def _uploaded_by_token(self, payload: JSON) -> UploadedFile | None:
        """The file (uploaded by the bot, or sent by a user) whose token the payload names."""
        tokens = [payload.get("token")]
        tokens += [p.get("token") for p in (payload.get("photos") or {}).values()]
        for upload in self.uploads.values():
            if upload.token is not None and upload.token in tokens:
                return upload
        return None

    def _check_attachments(self, attachments: list[JSON]) -> list[UploadedFile]:
        """The uploaded files the attachments name; unknown tokens and not-ready files raise."""
        files: list[UploadedFile] = []
        for attachment in attachments:
            kind = attachment["type"]
            if kind == "inline_keyboard":
                continue
            if kind not in ("file", "image"):
                raise MaxApiError.of(400, "unsupported", f"attachment type {kind!r}")
            payload = attachment.get("payload") or {}
            if kind == "image" and payload.get("url") and not payload.get("token"):
                continue  # an image by URL: MAX fetches it; the fake takes it as is
            uploaded = self._uploaded_by_token(payload)
            if uploaded is None or uploaded.type != kind:
                raise MaxApiError.of(400, "invalid", f"unknown {kind} token")  # chosen
            files.append(uploaded)
        for uploaded in files:
            if uploaded.not_ready_left > 0:
                uploaded.not_ready_left -= 1
                self.not_ready_answers += 1
                raise MaxApiError.of(400, "not_ready")  # status chosen
        return files

    def _target(self, query: dict[str, str]) -> tuple[int, int | None]:
        """(chat_id, user_id) of POST /messages; 403 for a user who blocked the bot."""
        user_id: int | None
        if "user_id" in query:
            user_id = int(query["user_id"])
            chat_id = DIALOG_BASE + user_id
        elif "chat_id" in query:
            chat_id = int(query["chat_id"])
            user_id = chat_id - DIALOG_BASE if chat_id > DIALOG_BASE else None
            if user_id is None and chat_id not in self.group_chats:
                raise MaxApiError.of(404, "not_found", f"chat {chat_id} not found")  # chosen
        else:
            # The document marks both optional; one of them is needed (chosen: 400).
            raise MaxApiError.of(400, "invalid", "user_id or chat_id is required")
        if user_id is not None and user_id in self.blocked:
            raise MaxApiError.of(403, "blocked")
        return chat_id, user_id

    async def _send_message(self, request: web.Request, call: _Call) -> JSON:
        body = call.body
        chat_id, user_id = self._target(call.query)
        attachments = list(body.get("attachments") or [])
        files = self._check_attachments(attachments)
        mid, seq = self._new_mid()
        message = SentMessage(
            mid=mid,
            seq=seq,
            chat_id=chat_id,
            user_id=user_id,
            text=body.get("text"),
            format=body.get("format"),
            attachments=attachments,
            timestamp=self.now_ms(),
            notify=bool(body.get("notify", True)),
            files=files,
        )
        self._messages[mid] = message
        self.chats[chat_id].append(message)
        return {"message": self.message_api(message)}

    def _find(self, mid: str) -> SentMessage:
        message = self._messages.get(mid)
        if message is None or message.deleted:
            raise MaxApiError.of(404, "not_found", f"message {mid} not found")  # chosen
        return message

    def _apply_edit(self, message: SentMessage, body: JSON) -> None:
        attachments = body.get("attachments")
        files = self._check_attachments(list(attachments)) if attachments else []
        message.history.append((message.text, list(message.attachments)))
        if body.get("text") is not None:
            message.text = body["text"]
        if "format" in body:
            message.format = body["format"]
        if attachments is not None:
            message.attachments = list(attachments)
            message.files = files
        message.edits += 1

    async def _edit_message(self, request: web.Request, call: _Call) -> JSON:
        message = self._find(call.query["message_id"])
        self._apply_edit(message, call.body)
        return {"success": True}

    async def _delete_message(self, request: web.Request, call: _Call) -> JSON:
        message = self._find(call.query["message_id"])
        message.deleted = True
        return {"success": True}

    async def _answer(self, request: web.Request, call: _Call) -> JSON:
        callback_id = call.query["callback_id"]
        body = call.body or {}
        if body.get("message") is None and body.get("notification") is None:
            # MAX refuses an answer with neither; the document's schema allows it.
            raise MaxApiError.of(400, "invalid", "message or notification is required")
        pressed = self._callbacks.get(callback_id)
        if pressed is None:
            raise MaxApiError.of(404, "not_found", f"callback {callback_id} not found")  # chosen
        if body.get("message") is not None:
            self._apply_edit(pressed[1], body["message"])
        self.answered_callbacks.setdefault(callback_id, body)
        self.callback_answers.append((callback_id, body))
        return {"success": True}

    # ----------------------------------------------------------------- uploads

    async def _get_upload_url(self, request: web.Request, call: _Call) -> JSON:
        kind = call.query["type"]
        if kind not in ("file", "image"):
            raise MaxApiError.of(400, "unsupported", f"upload type {kind!r}")
        self._next_upload += 1
        upload_id = str(self._next_upload)
        self.uploads[upload_id] = UploadedFile(
            upload_id, kind, not_ready_left=self._not_ready_times
        )
        return {"url": f"{self.base_url}/_upload/{upload_id}"}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """The upload URL: multipart (any file part, ``data`` as in the document's example) or
        the raw bytes; one file per URL.  Answers UploadedInfo (file) or PhotoTokens (image)."""
        upload = self.uploads.get(request.match_info["upload_id"])
        if upload is None or upload.content is not None:
            code, message = ERRORS["not_found"]
            return web.json_response({"code": code, "message": message}, status=404)
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            part = await reader.next()
            while part is not None and getattr(part, "filename", None) is None:
                part = await reader.next()
            if part is None:
                code, _ = ERRORS["invalid"]
                return web.json_response({"code": code, "message": "no file"}, status=400)
            upload.content = await part.read()  # type: ignore[union-attr]
            upload.filename = getattr(part, "filename", None)
            upload.content_type = part.headers.get("Content-Type")
        else:
            upload.content = await request.read()
            upload.content_type = request.content_type
            disposition = request.headers.get("Content-Disposition", "")
            if "filename=" in disposition:
                upload.filename = disposition.split("filename=", 1)[1].strip('"; ')
        upload.token = f"tok-{upload.type}-{upload.upload_id}"
        answer: JSON
        if upload.type == "image":
            answer = {"photos": {upload.upload_id: {"token": upload.token}}}
            check_component(answer, "PhotoTokens")
        else:
            answer = {"token": upload.token}
            check_component(answer, "UploadedInfo")
        self._notify()
        return web.json_response(answer)

    async def _handle_download(self, request: web.Request) -> web.Response:
        """An attachment's ``payload.url``: the uploaded bytes."""
        upload = self.uploads.get(request.match_info["upload_id"])
        if upload is None or upload.content is None:
            code, message = ERRORS["not_found"]
            return web.json_response({"code": code, "message": message}, status=404)
        return web.Response(
            body=upload.content, content_type=upload.content_type or "application/octet-stream"
        )

    # ----------------------------------------------------------------- other paths

    async def _get_me(self, request: web.Request, call: _Call) -> JSON:
        return {**self.bot_user, "description": None, "commands": None}

    async def _get_chat(self, request: web.Request, call: _Call) -> JSON:
        chat_id = int(request.match_info["chatId"])
        chat = self.group_chats.get(chat_id)
        if chat is None:
            raise MaxApiError.of(404, "not_found", f"chat {chat_id} not found")  # chosen
        return {
            "chat_id": chat.chat_id,
            "type": "chat",
            "status": "active",
            "title": chat.title,
            "icon": None,
            "last_event_time": self.now_ms(),
            "participants_count": chat.participants_count,
            "owner_id": chat.owner.user_id,
            "is_public": False,
            "description": None,  # required by Chat, which does not define it
        }

    async def _get_updates(self, request: web.Request, call: _Call) -> JSON:
        if self.subscriptions:
            raise MaxApiError.of(405, "not_allowed")
        query = call.query
        limit = int(query.get("limit", 100))
        timeout = int(query.get("timeout", 30))
        marker = int(query["marker"]) if query.get("marker") not in (None, "") else None
        types = {t for t in query.get("types", "").split(",") if t} or None
        if marker is not None:
            self._pending = [(n, u) for n, u in self._pending if n > marker]
            self._confirmed = max(self._confirmed, marker)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            found = [
                (n, u) for n, u in self._pending if types is None or u["update_type"] in types
            ][:limit]
            if found or self._closing.is_set() or loop.time() >= deadline:
                break
            await self._wait_change(event, deadline)
        if found:
            next_marker: int | None = found[-1][0]
        else:
            next_marker = marker if marker is not None else self._confirmed
        return {"updates": [u for _, u in found], "marker": next_marker}

    # ----------------------------------------------------------------- webhook

    async def _get_subscriptions(self, request: web.Request, call: _Call) -> JSON:
        return {
            "subscriptions": [
                {"url": s["url"], "time": s["time"], "update_types": s["update_types"]}
                for s in self.subscriptions.values()
            ]
        }

    async def _subscribe(self, request: web.Request, call: _Call) -> JSON:
        body = call.body
        self.subscriptions[body["url"]] = {
            "url": body["url"],
            "time": self.now_ms(),
            "update_types": body.get("update_types"),
            "secret": body.get("secret"),
        }
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver())
        return {"success": True}

    async def _unsubscribe(self, request: web.Request, call: _Call) -> JSON:
        if self.subscriptions.pop(call.query["url"], None) is None:
            return {"success": False, "message": "no such subscription"}  # chosen
        return {"success": True}

    async def _deliver(self) -> None:
        """POST pending updates, one at a time, to every subscription that wants them."""
        import aiohttp

        async with aiohttp.ClientSession() as session:
            while self.subscriptions and not self._closing.is_set():
                event = self._changed
                if not self._pending:
                    await self._wait_change(event, asyncio.get_running_loop().time() + 0.5)
                    continue
                number, update = self._pending[0]
                for sub in list(self.subscriptions.values()):
                    types = sub["update_types"]
                    if types and update["update_type"] not in types:
                        continue
                    while sub["url"] in self.subscriptions and not self._closing.is_set():
                        if await self._post(session, sub, number, update) == 200:
                            break
                        await self._sleep(self.webhook_retry_delay)
                self._pending = [(n, u) for n, u in self._pending if n != number]
                self._confirmed = max(self._confirmed, number)
                self._notify()

    async def _post(self, session: Any, sub: JSON, number: int, update: JSON) -> int:
        import aiohttp

        headers = {"X-Max-Bot-Api-Secret": sub["secret"]} if sub["secret"] else {}
        try:
            async with session.post(
                sub["url"], json=update, headers=headers, timeout=aiohttp.ClientTimeout(30)
            ) as response:
                await response.read()
                status = int(response.status)
        except (aiohttp.ClientError, TimeoutError, OSError):
            status = 0
        self.webhook_deliveries.append((number, sub["url"], status))
        self._notify()
        return status

    # ----------------------------------------------------------------- HTTP control

    @staticmethod
    async def _control_body(request: web.Request) -> JSON:
        body = await request.json()
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="a JSON object is expected")
        return body

    def _control_user(self, body: JSON) -> FakeUser:
        user_id = int(body["user_id"])
        known = self.users.get(user_id)
        if known is not None and "first_name" not in body:
            return known
        return FakeUser(user_id, str(body.get("first_name") or f"User{user_id}"))

    async def _control_push_text(self, request: web.Request) -> web.Response:
        """{"user_id": 1, "text": "hi", "first_name"?: "Ann"}"""
        body = await self._control_body(request)
        return web.json_response(self.push_text(self._control_user(body), str(body["text"])))

    async def _control_start(self, request: web.Request) -> web.Response:
        """{"user_id": 1, "payload"?: "invite-42"}"""
        body = await self._control_body(request)
        return web.json_response(self.start(self._control_user(body), body.get("payload")))

    async def _control_press(self, request: web.Request) -> web.Response:
        """{"user_id": 1, "mid": "mid.…", "payload": "yes"} -> {"update", "callback_id"}"""
        body = await self._control_body(request)
        message = self._messages.get(str(body["mid"]))
        if message is None:
            raise web.HTTPNotFound(text="no such message")
        update, callback_id = self.press(self._control_user(body), message, str(body["payload"]))
        return web.json_response({"update": update, "callback_id": callback_id})

    async def _control_fail(self, request: web.Request) -> web.Response:
        """{"method": "POST /messages", "status": 503, "code"?, "message"?, "times"?: 1,
        "retry_after"?: 2}"""
        body = await self._control_body(request)
        self.fail(
            str(body["method"]),
            int(body["status"]),
            code=body.get("code"),
            message=body.get("message"),
            times=int(body.get("times", 1)),
            retry_after=body.get("retry_after"),
        )
        return web.json_response({"ok": True})

    async def _control_chats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                str(chat_id): [m.summary() for m in messages]
                for chat_id, messages in self.chats.items()
            }
        )
