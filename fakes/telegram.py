"""A fake Telegram Bot API server: for tests, for running the real bot by hand, and for the
browser demo (``roadmap-bot demo``, which plays three users through its control side).

A real aiogram ``Bot`` talks to it over HTTP exactly as it talks to api.telegram.org::

    async with FakeBotAPI() as server:
        bot = server.make_bot()                      # or Bot(token, session=AiohttpSession(
        alice = FakeUser(1, "Alice")                 #   api=TelegramAPIServer.from_base(url)))
        async with server.polling(dp, bot):          # dp.start_polling in a task
            server.push_text(alice, "/start")
            reply = await server.next_message(alice.id)
            update, query_id = server.press(alice, reply, reply.button("Yes"))
            await server.wait_answered(query_id)

Methods served (names are case-insensitive, as on Telegram): getMe, getUpdates (long polling,
``offset``/``limit``/``timeout``; a newer getUpdates ends an older waiting one with 409 as
Telegram does), deleteWebhook, getWebhookInfo, setMyCommands, getMyCommands,
deleteMyCommands, sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
sendDocument, sendPhoto, sendMediaGroup (photo albums), getFile, deleteMessage; file downloads at
``/file/bot{token}/{file_path}``.  Anything else answers 404 "Not Found: method not found".

Realism checks that answer 400 the way Telegram does: HTML in ``parse_mode=HTML`` text is parsed
(bad tags, unescaped ``<``, unclosed tags -> "can't parse entities: ..."), the returned
``Message`` carries the plain text plus entities; empty / over-long text and captions;
``callback_data`` over 64 bytes; editing to identical content ("message is not modified");
editing or deleting a missing message; answering an unknown or already answered callback query;
invalid bot command names.  MarkdownV2/Markdown are not parsed (text is passed through).

In-process (no HTTP, the same method handling): ``tests.fakebot.session.InProcessSession(server)``
is an aiogram session whose requests go straight to ``server.call_method`` and whose downloads to
``server.download``; updates are taken with ``server.take_updates()`` and fed to the dispatcher.

Standalone (a human runs the real bot against it)::

    python -m fakes.telegram --port 8081           # prints http://127.0.0.1:8081
    TELEGRAM_API_BASE=http://127.0.0.1:8081 BOT_TOKEN=100500:FAKE <run the bot>   # any token

Every message the bot sends, edits or deletes is printed.  Stdin lines (unless ``--no-stdin``):

    <user_id> <text>                       push a text (e.g. ``1 /start``) from that user
    press <chat_id> <message_id> <data>    press a button (the presser is the chat's user)
    chats                                  dump the recorded chats

HTTP control (JSON bodies; not recorded in ``server.calls``):

    POST /_control/push_text      {"user_id": 1, "text": "/start", "first_name"?: "Ann",
                                   "chat_id"?: -100, "language_code"?: "ru", "username"?: "ann"}
    POST /_control/push_document  {"user_id": 1, "file_name": "plan.docx",
                                   "content_base64" | "content_text": ..., "mime_type"?: ...,
                                   "caption"?: ...}
    POST /_control/press          {"user_id": 1, "message_id": 5, "data": "yes", "chat_id"?: 1}
    POST /_control/fail           {"method": "sendMessage", "status": 429, "times"?: 1,
                                   "retry_after"?: 3, "description"?: ...}
    POST /_control/rate_limit     {"per_second": 30 | null, "per_chat_per_second"?: 1 | null,
                                   "methods"?: ["sendMessage"]}
    GET  /_control/chats          -> {"<chat_id>": [message summaries ...]}
    GET  /_control/calls?limit=50 -> the last recorded API calls
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import functools
import json
import mimetypes
import re
import signal
import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import web
from aiohttp.web_request import FileField

from fakes.watch import ChatWaits

if TYPE_CHECKING:
    from types import TracebackType

    from aiogram import Bot, Dispatcher

__all__ = [
    "BOT_USER",
    "DEFAULT_TOKEN",
    "ApiCall",
    "FakeBotAPI",
    "FakeUser",
    "HtmlParseError",
    "SentMessage",
    "StoredFile",
    "UploadedFile",
    "form_params",
    "parse_html",
    "utf16_len",
]

JSON = dict[str, Any]
MessageKind = Literal["text", "document", "photo"]

BOT_USER: JSON = {
    "id": 100500,
    "is_bot": True,
    "first_name": "Roadmap",
    "username": "roadmap_test_bot",
}
DEFAULT_TOKEN = "100500:FAKE-token"

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_GETFILE_SIZE = 20 * 1024 * 1024
MAX_UPLOAD = 50 * 1024 * 1024
SUPERGROUP_BELOW = -1_000_000_000_000
# How long a test waits for the bot by default: a ceiling that only catches a hang, never a
# slow machine (a wait returns as soon as its condition holds).
WAIT_CEILING = 60.0

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
BAD_QUERY = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected fault",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: CONFLICT,
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
CLIENT_GONE = 499  # ApiCall.status when the client hung up before the answer


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram's offsets and limits count."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- HTML parse mode


class HtmlParseError(ValueError):
    """Text that Telegram would refuse with "can't parse entities: ..."."""


_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]+")


@dataclass
class _OpenTag:
    name: str
    offset: int
    attrs: dict[str, str]
    language: str | None = None


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _parse_attrs(source: str, pos: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Attributes of a start tag from ``pos``; returns them and the index of the closing '>'."""
    attrs: dict[str, str] = {}
    n = len(source)
    while True:
        while pos < n and source[pos].isspace():
            pos += 1
        if pos >= n:
            raise HtmlParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        if source[pos] == ">":
            return attrs, pos
        match = _ATTR_NAME_RE.match(source, pos)
        if match is None:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
        name = match.group().lower()
        pos = match.end()
        while pos < n and source[pos].isspace():
            pos += 1
        value = ""
        if pos < n and source[pos] == "=":
            pos += 1
            while pos < n and source[pos].isspace():
                pos += 1
            if pos < n and source[pos] in "\"'":
                end = source.find(source[pos], pos + 1)
                if end < 0:
                    raise HtmlParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                    )
                value = source[pos + 1 : end]
                pos = end + 1
            else:
                start = pos
                while pos < n and not source[pos].isspace() and source[pos] != ">":
                    pos += 1
                value = source[start:pos]
        attrs[name] = _unescape(value)


def _unescape(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        body = match.group(1)
        if body.startswith(("#x", "#X")):
            code = int(body[2:], 16)
        elif body.startswith("#"):
            code = int(body[1:])
        else:
            return _NAMED_ENTITIES.get(body.lower(), match.group())
        return chr(code) if 0 < code < 0x110000 else match.group()

    return _ENTITY_RE.sub(repl, text)


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into (plain text, entities), like the Bot API does.

    Raises :class:`HtmlParseError` with Telegram's wording on unsupported or unbalanced tags and
    on a bare ``<``.  Offsets and lengths are in UTF-16 code units.
    """
    out: list[str] = []
    out_len = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            match = _ENTITY_RE.match(source, i)
            piece = _unescape(match.group()) if match else "&"
            out.append(piece)
            out_len += utf16_len(piece)
            i = match.end() if match else i + 1
            continue
        if ch != "<":
            out.append(ch)
            out_len += utf16_len(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and source[i] == "/":
            i += 1
            start = i
            while i < n and not source[i].isspace() and source[i] != ">":
                i += 1
            name = source[start:i].lower()
            while i < n and source[i].isspace():
                i += 1
            at = _byte_offset(source, begin)
            if i >= n or source[i] != ">":
                raise HtmlParseError(f"Unclosed end tag at byte offset {at}")
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {at}")
            top = stack.pop()
            if name != top.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {at}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            _close_tag(top, stack, out_len, entities)
            i += 1
            continue
        start = i
        while i < n and not source[i].isspace() and source[i] not in ">/":
            i += 1
        if i >= n:
            raise HtmlParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        name = source[start:i].lower()
        if name not in _HTML_ENTITY_TYPES:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, begin)}'
            )
        attrs, i = _parse_attrs(source, i, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
        stack.append(_OpenTag(name, out_len, attrs))
        i += 1
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_tag(tag: _OpenTag, stack: list[_OpenTag], end: int, entities: list[JSON]) -> None:
    length = end - tag.offset
    kind = _HTML_ENTITY_TYPES[tag.name]
    language = tag.attrs.get("class", "")
    if kind == "code" and stack and stack[-1].name == "pre" and language.startswith("language-"):
        stack[-1].language = language.removeprefix("language-")
        return
    if length <= 0:
        return
    entity: JSON = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        href = tag.attrs.get("href")
        if not href:
            return
        entity["url"] = href
    elif kind == "custom_emoji":
        emoji_id = tag.attrs.get("emoji-id")
        if not emoji_id:
            return
        entity["custom_emoji_id"] = emoji_id
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    entities.append(entity)


# --------------------------------------------------------------------------- recorded objects


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user who writes to the bot; their private chat id is their user id."""

    id: int
    first_name: str
    language_code: str | None = "ru"
    username: str | None = None
    last_name: str | None = None

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part of a request."""

    filename: str
    content: bytes
    content_type: str


@dataclass
class StoredFile:
    """A file the server knows: uploaded by the bot or pushed by a user."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def to_api(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass
class ApiCall:
    """One HTTP request to the API, recorded on arrival; ``status`` is set when answered."""

    method: str
    params: JSON
    time: float
    status: int | None = None  # None while in flight, 499 if the client hung up first
    files: dict[str, UploadedFile] = field(default_factory=dict, repr=False)
    response: JSON | None = field(default=None, repr=False)
    token: str = field(default="", repr=False)
    finished: float | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent to a chat; edits and deletion are applied in place.

    ``text`` is the text (or caption) exactly as the bot sent it, markup included;
    ``plain_text``/``entities`` are what a user sees after parse_mode is applied.
    """

    message_id: int
    chat_id: int
    kind: MessageKind
    text: str | None
    reply_markup: JSON | None = None
    parse_mode: str | None = None
    file_name: str | None = None
    content: bytes | None = None
    deleted: bool = False
    edits: int = 0
    date: int = 0
    edit_date: int | None = None
    plain_text: str | None = None
    entities: list[JSON] = field(default_factory=list, repr=False)
    file_id: str | None = None
    mime_type: str | None = None
    reply_to_message_id: int | None = None
    history: list[tuple[str | None, JSON | None]] = field(default_factory=list, repr=False)
    chat: JSON = field(default_factory=dict, repr=False)
    media: Any = field(default=None, repr=False)
    seen_edits: int = field(default=0, repr=False)

    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Keyboard rows as (text, callback_data); url and reply-keyboard buttons give None."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        result: list[list[tuple[str, str | None]]] = []
        for row in rows:
            line: list[tuple[str, str | None]] = []
            for button in row:
                if isinstance(button, str):
                    line.append((button, None))
                else:
                    line.append((str(button.get("text", "")), button.get("callback_data")))
            result.append(line)
        return result

    def button(self, text_substring: str) -> str:
        """callback_data (or url) of the first inline button whose text contains the substring."""
        markup = self.reply_markup or {}
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                if text_substring in str(button.get("text", "")):
                    for key in ("callback_data", "url"):
                        if isinstance(button.get(key), str):
                            return str(button[key])
        raise AssertionError(
            f"no inline button containing {text_substring!r} in message {self.message_id}: "
            f"{self.buttons()}"
        )

    def to_api(self, bot_user: JSON | None = None) -> JSON:
        """This message as the Bot API's ``Message`` object."""
        data: JSON = {
            "message_id": self.message_id,
            "from": dict(bot_user or BOT_USER),
            "chat": dict(self.chat),
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        shown = self.plain_text if self.plain_text is not None else self.text
        if self.kind == "text":
            data["text"] = shown or ""
            if self.entities:
                data["entities"] = self.entities
        else:
            data[self.kind] = self.media
            if shown:
                data["caption"] = shown
                if self.entities:
                    data["caption_entities"] = self.entities
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data

    def summary(self) -> JSON:
        return {
            "message_id": self.message_id,
            "kind": self.kind,
            "text": self.text,
            "buttons": self.buttons(),
            "file_name": self.file_name,
            "size": None if self.content is None else len(self.content),
            "edits": self.edits,
            "deleted": self.deleted,
        }


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: int | None
    description: str | None
    after_effect: bool


@dataclass
class _Delay:
    seconds: float
    remaining: int
    after_effect: bool


class _ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def _error_body(status: int, description: str | None, retry_after: int | None) -> JSON:
    if status == 429 and retry_after is None:
        retry_after = 1
    if description is None:
        if status == 429:
            description = f"Too Many Requests: retry after {retry_after}"
        else:
            description = DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
    body: JSON = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


# Form fields that are strings even when they look like JSON; all others are JSON-decoded.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "file_id",
        "language_code",
        "url",
        "document",
        "photo",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "title",
        "description",
        "short_description",
        "name",
        "emoji",
        "file_name",
        "secret_token",
    }
)


def _coerce(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def form_params(fields: Iterable[tuple[str, str]]) -> JSON:
    """Parameters as the server reads them from a query string or a form: strings, JSON-decoded
    where the field is not a string field (so ``"42"`` is 42 and ``"{...}"`` a dict)."""
    return {key: _coerce(key, value) for key, value in fields}


_Handler = Callable[[JSON, dict[str, UploadedFile]], Awaitable[Any]]


# --------------------------------------------------------------------------- the server


class FakeBotAPI(ChatWaits["SentMessage"]):
    """The fake Bot API server.  Use ``async with FakeBotAPI() as server``."""

    name = "fakebot"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        strict_chats: bool = False,
        bot_user: JSON | None = None,
        rate_clock: Callable[[], float] = time.monotonic,
        wait_ceiling: float = WAIT_CEILING,
    ) -> None:
        self.host = host
        # How long wait_* wait by default. 0 for a bot driven in-process (see
        # tests.fakebot.session): what the bot did is there by the time its handler returned.
        self.wait_ceiling = wait_ceiling
        self.rate_clock = rate_clock  # what the rate limits' rolling seconds are measured on
        self.port = port
        self.clock = clock
        self.strict_chats = strict_chats
        self.bot_user: JSON = dict(bot_user or BOT_USER)

        self.chats: dict[int, list[SentMessage]] = defaultdict(list)
        self.calls: list[ApiCall] = []
        self.answered_callbacks: dict[str, JSON] = {}
        self.updates: list[JSON] = []  # every update ever pushed
        self.users: dict[int, FakeUser] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.blocked: set[int] = set()
        self.rejected_429 = 0
        self.rejected_429_chat = 0  # of those, answered for one chat's own limit

        self._pending: list[JSON] = []  # not yet confirmed by a getUpdates offset
        self._messages: dict[tuple[int, int], SentMessage] = {}
        self._incoming: dict[tuple[int, int], JSON] = {}
        self._callbacks: dict[str, JSON] = {}
        self._cursors: dict[int, int] = defaultdict(int)
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._delays: dict[str, deque[_Delay]] = defaultdict(deque)
        self._rate_limit: int | None = None
        self._rate_methods: frozenset[str] = frozenset({"sendmessage"})
        self._rate_window: deque[float] = deque()
        self._chat_limit: int | None = None
        self._chat_windows: dict[str, deque[float]] = defaultdict(deque)
        self._next_update_id = 0
        self._next_message_id = 0
        self._next_file = 0
        self._next_query = 0
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        # Webhook mode (setWebhook): pushed updates are POSTed to the URL instead of waiting for
        # getUpdates; at most one update of a chat on its way at a time, as Telegram keeps a
        # chat's order; a refused or failed delivery is tried again.
        self.webhook: JSON | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status or 0)
        self._webhook_task: asyncio.Task[None] | None = None

        self._methods: dict[str, tuple[str, _Handler]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("setWebhook", self._set_webhook),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("sendMessage", self._send_message),
            ("editMessageText", self._edit_message_text),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendDocument", self._send_document),
            ("sendPhoto", self._send_photo),
            ("sendMediaGroup", self._send_media_group),
            ("getFile", self._get_file),
            ("deleteMessage", self._delete_message),
        ):
            self._methods[name.lower()] = (name, handler)

    # ----------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("the fake Bot API server is not started")
        return f"http://{self.host}:{self.port}"

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_post("/_control/push_text", self._control_push_text)
        app.router.add_post("/_control/push_document", self._control_push_document)
        app.router.add_post("/_control/press", self._control_press)
        app.router.add_post("/_control/fail", self._control_fail)
        app.router.add_post("/_control/rate_limit", self._control_rate_limit)
        app.router.add_get("/_control/chats", self._control_chats)
        app.router.add_get("/_control/calls", self._control_calls)
        return app

    async def start(self) -> None:
        if self._runner is not None:
            return
        self.port = await self._serve(self.build_app(), self.host, self.port)

    async def close(self) -> None:
        """Stop serving; waiting getUpdates and injected delays end at once."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing.set()
        self._notify()
        await self._stop_webhook()
        await runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def make_bot(self, token: str = DEFAULT_TOKEN, **kwargs: Any) -> Bot:
        """A real aiogram Bot pointed at this server (extra kwargs go to ``Bot``).

        Its session is an AiohttpSession whose close() skips aiogram's 250 ms SSL grace sleep.
        (aiogram is imported lazily so that the standalone server starts fast.)
        """
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        class LocalAiohttpSession(AiohttpSession):
            async def close(self) -> None:
                if self._session is not None and not self._session.closed:
                    await self._session.close()

        session = LocalAiohttpSession(api=TelegramAPIServer.from_base(self.base_url))
        return Bot(token=token, session=session, **kwargs)

    @contextlib.asynccontextmanager
    async def polling(
        self, dp: Dispatcher, *bots: Bot, **kwargs: Any
    ) -> AsyncIterator[asyncio.Task[None]]:
        """Run ``dp.start_polling(*bots)`` in a task for the block; stop it (and re-raise its
        crash, if any) on exit.  Defaults: no signal handlers, sessions left open."""
        kwargs.setdefault("handle_signals", False)
        kwargs.setdefault("close_bot_session", False)
        task = asyncio.create_task(dp.start_polling(*bots, **kwargs))
        try:
            yield task
        finally:
            if not task.done():
                try:
                    await asyncio.sleep(0)
                    await asyncio.wait_for(dp.stop_polling(), 5)
                except (RuntimeError, TimeoutError):
                    task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # ----------------------------------------------------------------- faults

    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        after_effect: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` answer ``status`` in Telegram's error format.

        Without ``after_effect`` nothing happens (no message is recorded); with it the call is
        carried out and then the error is answered (a lost response).  ``retry_after`` (default
        1 for 429) goes into ``parameters``.  Faults queue up per method and are used in order.
        ``method`` "file" targets file downloads.
        """
        if status < 400 or times < 1:
            raise ValueError("status must be an HTTP error (>= 400) and times >= 1")
        self._faults[method.lower()].append(
            _Fault(status, times, retry_after, description, after_effect)
        )

    def delay(
        self, method: str, seconds: float, *, times: int = 1, after_effect: bool = False
    ) -> None:
        """The next ``times`` calls of ``method`` wait ``seconds`` before being carried out
        (or, with ``after_effect``, are carried out at once and answered after the wait)."""
        if seconds < 0 or times < 1:
            raise ValueError("seconds must be >= 0 and times >= 1")
        self._delays[method.lower()].append(_Delay(seconds, times, after_effect))

    def rate_limit(
        self,
        per_second: int | None,
        *,
        methods: Iterable[str] = ("sendMessage",),
        per_chat_per_second: int | None = None,
    ) -> None:
        """Over ``per_second`` successful calls of ``methods`` (together) in any rolling second
        answer 429 with retry_after 1.  ``None`` turns the limit off.

        ``per_chat_per_second`` limits each chat on its own as well (Telegram: about one
        message a second to one private chat): a call to a chat that already had that many
        successful calls of ``methods`` in the last rolling second answers 429 with
        retry_after 1 and counts in ``rejected_429_chat`` as well as ``rejected_429``.
        """
        if (per_second is not None and per_second < 1) or (
            per_chat_per_second is not None and per_chat_per_second < 1
        ):
            raise ValueError("limits must be at least 1 call per second (or None)")
        self._rate_limit = per_second
        self._rate_methods = frozenset(m.lower() for m in methods)
        self._rate_window.clear()
        self._chat_limit = per_chat_per_second
        self._chat_windows.clear()

    def clear_faults(self) -> None:
        self._faults.clear()
        self._delays.clear()
        self.rate_limit(None)

    def block(self, chat_id: int) -> None:
        """Sends to this chat answer 403 "bot was blocked by the user" until unblock()."""
        self.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    @staticmethod
    def _take(queue: deque[Any]) -> Any:
        if not queue:
            return None
        item = queue[0]
        item.remaining -= 1
        if item.remaining <= 0:
            queue.popleft()
        return item

    # ----------------------------------------------------------------- pushing updates

    def now(self) -> int:
        return int(self.clock())

    def _queue_update(self, kind: str, payload: JSON) -> JSON:
        self._next_update_id += 1
        update: JSON = {"update_id": self._next_update_id, kind: payload}
        self.updates.append(update)
        self._pending.append(update)
        self._notify()
        return update

    def _new_message_id(self) -> int:
        self._next_message_id += 1
        return self._next_message_id

    def _incoming_message(self, user: FakeUser, chat_id: int | None) -> JSON:
        self.users[user.id] = user
        chat_id = user.id if chat_id is None else chat_id
        message: JSON = {
            "message_id": self._new_message_id(),
            "from": user.to_api(),
            "chat": self._chat(chat_id, strict=False),
            "date": self.now(),
        }
        self._incoming[(chat_id, message["message_id"])] = message
        return message

    def push_text(self, user: FakeUser, text: str, chat_id: int | None = None) -> JSON:
        """Queue a text message from ``user`` (private chat unless ``chat_id``)."""
        message = self._incoming_message(user, chat_id)
        message["text"] = text
        command = re.match(r"/\S+", text)
        if command:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        return self._queue_update("message", message)

    def push_document(
        self,
        user: FakeUser,
        file_name: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """Queue a document from ``user``; the bytes can be fetched with getFile + download."""
        stored = self._store_file(content, "documents", file_name, mime_type)
        message = self._incoming_message(user, chat_id)
        message["document"] = self._document_api(stored)
        if caption is not None:
            message["caption"] = caption
        return self._queue_update("message", message)

    def push_photo(
        self,
        user: FakeUser,
        content: bytes,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """Queue a photo (one size) from ``user``."""
        stored = self._store_file(content, "photos", None, "image/jpeg")
        message = self._incoming_message(user, chat_id)
        message["photo"] = self._photo_api(stored)
        if caption is not None:
            message["caption"] = caption
        return self._queue_update("message", message)

    def press(self, user: FakeUser, message: SentMessage, callback_data: str) -> tuple[JSON, str]:
        """Queue a callback_query: ``user`` (anyone) presses a button of ``message``.

        Returns the update and the callback query id.  ``callback_data`` is not checked against
        the keyboard, so forged data can be tested too.  A deleted message arrives as an
        InaccessibleMessage (date 0).
        """
        self.users.setdefault(user.id, user)
        self._next_query += 1
        query_id = str(4_000_000_000_000_000 + self._next_query)
        if message.deleted:
            shown: JSON = {"chat": dict(message.chat), "message_id": message.message_id, "date": 0}
        else:
            shown = message.to_api(self.bot_user)
        query: JSON = {
            "id": query_id,
            "from": user.to_api(),
            "message": shown,
            "chat_instance": str(message.chat_id),
            "data": callback_data,
        }
        self._callbacks[query_id] = query
        return self._queue_update("callback_query", query), query_id

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._pending)

    def take_updates(self) -> list[JSON]:
        """The pending updates, now confirmed: what getUpdates and the next offset do, for a
        bot that is fed its updates in-process instead of polling."""
        taken, self._pending = self._pending, []
        return taken

    # ----------------------------------------------------------------- waiting

    answer_name = "answerCallbackQuery"

    def _label(self, message: SentMessage) -> str:
        return f"message {message.message_id} in chat {message.chat_id}"

    def calls_to(self, method: str) -> list[ApiCall]:
        wanted = method.lower()
        return [call for call in self.calls if call.method.lower() == wanted]

    def dump(self, last: int = 25) -> str:
        """Recent calls, the tail of every chat and the pending updates, for failure messages."""
        polls = [c for c in self.calls if c.method == "getUpdates"]
        others = [c for c in self.calls if c.method != "getUpdates"]
        lines = [f"recent API calls (plus {len(polls)} getUpdates):"]
        for call in others[-last:]:
            params = {k: v for k, v in call.params.items() if k != "reply_markup"}
            text = json.dumps(params, ensure_ascii=False, default=str)
            lines.append(f"  {call.method} -> {call.status}  {text[:160]}")
            if call.response and not call.response.get("ok"):
                lines.append(f"      {call.response.get('description')}")
        lines.append("chats:")
        for chat_id, messages in self.chats.items():
            for msg in messages[-5:]:
                flags = " (deleted)" if msg.deleted else ""
                flags += f" (edits={msg.edits})" if msg.edits else ""
                lines.append(
                    f"  [{chat_id}] #{msg.message_id} {msg.kind}{flags}: "
                    f"{(msg.text or '')[:120]!r} {msg.buttons() or ''}"
                )
        lines.append(f"pending updates: {[u['update_id'] for u in self._pending]}")
        return "\n".join(lines)

    # ----------------------------------------------------------------- HTTP plumbing

    async def _read_params(self, request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
        params = form_params(request.query.items())
        files: dict[str, UploadedFile] = {}
        if request.method != "POST" or not request.can_read_body:
            return params, files
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, FileField):
                files[key] = UploadedFile(
                    filename=value.filename,
                    content=value.file.read(),
                    content_type=value.content_type,
                )
            elif isinstance(value, str):
                params[key] = _coerce(key, value)
            else:
                params[key] = _coerce(key, value.decode("utf-8", "replace"))
        return params, files

    def _record_call(self, method: str, params: JSON, token: str) -> ApiCall:
        call = ApiCall(method=method, params=params, time=time.monotonic(), token=token)
        self.calls.append(call)
        self._notify()
        return call

    def _finish(self, call: ApiCall, status: int, body: JSON) -> tuple[int, JSON]:
        call.status = status
        call.response = body
        call.finished = time.monotonic()
        if status == 429:
            self.rejected_429 += 1
        self._notify()
        return status, body

    @staticmethod
    def _over(window: deque[float], limit: int, now: float) -> bool:
        while window and now - window[0] >= 1.0:
            window.popleft()
        return len(window) >= limit

    def _rate_limited(self, key: str) -> bool:
        if self._rate_limit is None or key not in self._rate_methods:
            return False
        return self._over(self._rate_window, self._rate_limit, self.rate_clock())

    @staticmethod
    def _chat_key(params: JSON) -> str | None:
        chat_id = params.get("chat_id")
        return None if chat_id is None else str(chat_id)

    def _chat_limited(self, key: str, params: JSON) -> bool:
        chat = self._chat_key(params)
        if self._chat_limit is None or key not in self._rate_methods or chat is None:
            return False
        return self._over(self._chat_windows[chat], self._chat_limit, self.rate_clock())

    def _count_rated(self, key: str, params: JSON) -> None:
        if key not in self._rate_methods:
            return
        now = self.rate_clock()
        self._rate_window.append(now)
        chat = self._chat_key(params)
        if self._chat_limit is not None and chat is not None:
            self._chat_windows[chat].append(now)

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            params, files = await self._read_params(request)
        except ValueError:
            call = self._record_call(self._canonical(method), {}, token)
            status, body = self._finish(
                call, 400, _error_body(400, "Bad Request: can't parse JSON", None)
            )
        else:
            status, body = await self.call_method(method, params, files, token=token)
        return web.json_response(body, status=status)

    def _canonical(self, method: str) -> str:
        return self._methods.get(method.lower(), (method, None))[0]

    async def call_method(
        self,
        method: str,
        params: JSON,
        files: dict[str, UploadedFile] | None = None,
        *,
        token: str = "",
    ) -> tuple[int, JSON]:
        """One Bot API call as the server carries it out, whatever brought it: recorded in
        ``calls``, injected delays, faults and rate limits, the realism checks; returns the HTTP
        status and Telegram's JSON answer.  The HTTP handler and the in-process session
        (:mod:`tests.fakebot.session`) both come here.  ``params`` are as :func:`form_params`
        reads them."""
        key = method.lower()
        canonical, handler = self._methods.get(key, (method, None))
        call = self._record_call(canonical, params, token)
        call.files = dict(files or {})
        try:
            return await self._dispatch(call, key, handler, params, call.files)
        finally:
            if call.status is None:  # cancelled: the client went away before the answer
                call.status = CLIENT_GONE
                call.finished = time.monotonic()
                self._notify()

    async def _dispatch(
        self,
        call: ApiCall,
        key: str,
        handler: _Handler | None,
        params: JSON,
        files: dict[str, UploadedFile],
    ) -> tuple[int, JSON]:
        if handler is None:
            body = _error_body(404, "Not Found: method not found", None)
            return self._finish(call, 404, body)
        delay: _Delay | None = self._take(self._delays[key])
        if delay is not None and not delay.after_effect:
            await self._sleep(delay.seconds)
        fault: _Fault | None = self._take(self._faults[key])
        if fault is not None and not fault.after_effect:
            body = _error_body(fault.status, fault.description, fault.retry_after)
            return self._finish(call, fault.status, body)
        if self._rate_limited(key):
            return self._finish(call, 429, _error_body(429, None, 1))
        if self._chat_limited(key, params):
            self.rejected_429_chat += 1
            return self._finish(call, 429, _error_body(429, None, 1))
        try:
            result = await handler(params, files)
        except _ApiError as error:
            body = _error_body(error.status, error.description, error.retry_after)
            status = error.status
        else:
            self._count_rated(key, params)
            body, status = {"ok": True, "result": result}, 200
        if fault is not None:
            body = _error_body(fault.status, fault.description, fault.retry_after)
            status = fault.status
        if delay is not None and delay.after_effect:
            await self._sleep(delay.seconds)
        return self._finish(call, status, body)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        status, answer = await self.download(
            request.match_info["path"], token=request.match_info["token"]
        )
        if isinstance(answer, StoredFile):
            return web.Response(
                body=answer.content, content_type=answer.mime_type or "application/octet-stream"
            )
        return web.json_response(answer, status=status)

    async def download(self, path: str, *, token: str = "") -> tuple[int, StoredFile | JSON]:
        """A file download (``/file/bot{token}/{path}``) as the server answers it, recorded as
        a "file" call: 200 and the file, or an error status and its JSON body.  Shared by the
        HTTP handler and the in-process session."""
        call = self._record_call("file", {"file_path": path}, token)
        try:
            delay: _Delay | None = self._take(self._delays["file"])
            if delay is not None:
                await self._sleep(delay.seconds)
            fault: _Fault | None = self._take(self._faults["file"])
            if fault is not None:
                body = _error_body(fault.status, fault.description, fault.retry_after)
                return self._finish(call, fault.status, body)
            stored = next((f for f in self.files.values() if f.file_path == path), None)
            if stored is None:
                return self._finish(call, 404, _error_body(404, "Not Found", None))
            call.status, call.finished = 200, time.monotonic()
            call.response = {"ok": True, "size": len(stored.content)}
            self._notify()
            return 200, stored
        finally:
            if call.status is None:
                call.status = CLIENT_GONE
                self._notify()

    # ----------------------------------------------------------------- helpers for methods

    @staticmethod
    def _int(params: JSON, key: str) -> int:
        value = params.get(key)
        if value is None or value == "":
            raise _ApiError(400, f"Bad Request: {key} is empty")
        if isinstance(value, bool) or not isinstance(value, int):
            if key == "chat_id":
                raise _ApiError(400, "Bad Request: chat not found")
            raise _ApiError(400, f"Bad Request: invalid {key} specified")
        return value

    def _chat(self, chat_id: int, *, strict: bool | None = None) -> JSON:
        strict = self.strict_chats if strict is None else strict
        if chat_id < 0:
            kind = "supergroup" if chat_id <= SUPERGROUP_BELOW else "group"
            return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
        user = self.users.get(chat_id)
        if user is None:
            if strict:
                raise _ApiError(400, "Bad Request: chat not found")
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        chat: JSON = {"id": chat_id, "type": "private", "first_name": user.first_name}
        if user.last_name is not None:
            chat["last_name"] = user.last_name
        if user.username is not None:
            chat["username"] = user.username
        return chat

    def _target_chat(self, params: JSON) -> tuple[int, JSON]:
        chat_id = self._int(params, "chat_id")
        chat = self._chat(chat_id)
        if chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id, chat

    @staticmethod
    def _render(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[JSON]]:
        mode = str(parse_mode or "").lower()
        if mode == "":
            return text, list(entities) if isinstance(entities, list) else []
        if mode == "html":
            try:
                return parse_html(text)
            except HtmlParseError as error:
                raise _ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        if mode in ("markdown", "markdownv2"):
            return text, []
        raise _ApiError(400, "Bad Request: unsupported parse_mode")

    @staticmethod
    def _markup(params: JSON) -> JSON | None:
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return markup
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _ApiError(400, "Bad Request: can't parse inline keyboard markup")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _ApiError(400, "Bad Request: can't parse inline keyboard button")
                actions = [k for k in button if k != "text"]
                if not actions:
                    raise _ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard",
                    )
                data = button.get("callback_data")
                if "callback_data" in button and (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
                ):
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    @staticmethod
    def _reply_to(params: JSON) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and isinstance(reply.get("message_id"), int):
            return int(reply["message_id"])
        value = params.get("reply_to_message_id")
        return value if isinstance(value, int) else None

    def _record_message(self, message: SentMessage) -> SentMessage:
        self.chats[message.chat_id].append(message)
        self._messages[(message.chat_id, message.message_id)] = message
        self._notify()
        return message

    def _find_message(self, params: JSON, missing: str) -> SentMessage:
        if params.get("inline_message_id"):
            raise _ApiError(400, f"Bad Request: {missing}")
        chat_id = self._int(params, "chat_id")
        message_id = self._int(params, "message_id")
        message = self._messages.get((chat_id, message_id))
        if message is None or message.deleted:
            raise _ApiError(400, f"Bad Request: {missing}")
        return message

    def _store_file(
        self, content: bytes, folder: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        self._next_file += 1
        number = self._next_file
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        elif folder == "photos":
            suffix = ".jpg"
        stored = StoredFile(
            file_id=f"FAKE-{folder[:3]}-{number:06d}-{'x' * 8}",
            file_unique_id=f"U{number:08d}",
            file_path=f"{folder}/file_{number}{suffix}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def _document_api(stored: StoredFile) -> JSON:
        data: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.file_name is not None:
            data["file_name"] = stored.file_name
        if stored.mime_type is not None:
            data["mime_type"] = stored.mime_type
        return data

    @staticmethod
    def _photo_api(stored: StoredFile) -> list[JSON]:
        width, height = 800, 600
        content = stored.content
        if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
            width = int.from_bytes(content[16:20], "big")
            height = int.from_bytes(content[20:24], "big")
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(content),
            }
        ]

    def _input_file(
        self, field_name: str, params: JSON, files: dict[str, UploadedFile]
    ) -> StoredFile | None:
        """The file a send* call refers to: an upload, a known file_id, or a URL (None)."""
        ref = params.get(field_name)
        upload: UploadedFile | None = None
        if isinstance(ref, str) and ref.startswith("attach://"):
            upload = files.get(ref.removeprefix("attach://"))
            if upload is None:
                raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        elif ref is None and field_name in files:
            upload = files[field_name]
        if upload is not None:
            if not upload.content:
                raise _ApiError(400, "Bad Request: file must be non-empty")
            mime = mimetypes.guess_type(upload.filename)[0] or upload.content_type
            folder = "photos" if field_name == "photo" else "documents"
            name = upload.filename if field_name == "document" else None
            return self._store_file(upload.content, folder, name, mime)
        if not ref:
            raise _ApiError(400, f"Bad Request: there is no {field_name} in the request")
        if isinstance(ref, str) and ref in self.files:
            return self.files[ref]
        if isinstance(ref, str) and ref.startswith(("http://", "https://")):
            return None
        raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _caption(self, params: JSON) -> tuple[str | None, str | None, list[JSON]]:
        caption = params.get("caption")
        if caption is None or caption == "":
            return None, None, []
        caption = str(caption)
        plain, entities = self._render(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if utf16_len(plain) > MAX_CAPTION:
            raise _ApiError(400, "Bad Request: message caption is too long")
        return caption, plain, entities

    # ----------------------------------------------------------------- API methods

    async def _true(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        return True

    async def _get_me(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _get_webhook_info(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    async def _set_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        url = params.get("url")
        if not isinstance(url, str) or not url:
            raise _ApiError(400, "Bad Request: bad webhook: URL is empty")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = {
            "url": url,
            "secret_token": params.get("secret_token") or "",
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": int(params.get("max_connections") or 40),
        }
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook())
        self._notify()
        return True

    async def _delete_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        if params.get("drop_pending_updates"):
            self._pending.clear()
        await self._stop_webhook()
        return True

    async def _stop_webhook(self) -> None:
        self.webhook = None
        task, self._webhook_task = self._webhook_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @staticmethod
    def _update_chat(update: JSON) -> int:
        for kind, payload in update.items():
            if kind == "update_id" or not isinstance(payload, dict):
                continue
            sender = payload.get("from") or payload.get("chat") or {}
            return int(sender.get("id", 0))
        return 0

    async def _deliver_to_webhook(self) -> None:
        """POSTs pending updates to the webhook until it is deleted; a chat's next update goes
        once its previous one was taken (2xx); others meanwhile, up to max_connections."""
        import aiohttp

        in_flight: dict[int, asyncio.Task[None]] = {}  # chat -> its delivery
        sent: set[int] = set()
        async with aiohttp.ClientSession() as session:
            while self.webhook is not None and not self._closing.is_set():
                webhook = self.webhook
                event = self._changed
                for update in list(self._pending):
                    chat = self._update_chat(update)
                    if update["update_id"] in sent or chat in in_flight:
                        continue
                    if len(in_flight) >= webhook["max_connections"]:
                        break
                    sent.add(update["update_id"])
                    task = asyncio.create_task(self._post_update(session, webhook, update, sent))
                    in_flight[chat] = task
                    task.add_done_callback(functools.partial(self._delivered, in_flight, chat))
                await self._wait_change(event, asyncio.get_running_loop().time() + 0.2)
            for task in in_flight.values():
                task.cancel()

    def _delivered(
        self, in_flight: dict[int, asyncio.Task[None]], chat: int, _task: asyncio.Task[None]
    ) -> None:
        """A chat's delivery ended: its next update may go."""
        in_flight.pop(chat, None)
        self._notify()

    async def _post_update(
        self, session: Any, webhook: JSON, update: JSON, sent: set[int]
    ) -> None:
        import aiohttp

        headers = {}
        if webhook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
        status = 0
        try:
            async with session.post(
                webhook["url"], json=update, headers=headers, timeout=aiohttp.ClientTimeout(60)
            ) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError):
            status = 0
        self.webhook_deliveries.append((update["update_id"], status))
        if 200 <= status < 300:
            self._pending = [u for u in self._pending if u is not update]
        else:
            # Telegram tries again later; here, after a short pause.
            await self._sleep(0.2)
            sent.discard(update["update_id"])

    async def _get_updates(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        offset = params.get("offset")
        limit = params.get("limit")
        timeout = params.get("timeout")
        offset = offset if isinstance(offset, int) else 0
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = max(float(timeout), 0.0) if isinstance(timeout, (int, float)) else 0.0
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older waiting getUpdates ends with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            if self._closing.is_set():
                return []
            if generation != self._poll_generation:
                raise _ApiError(409, CONFLICT)
            if self._pending or loop.time() >= deadline:
                return self._pending[:limit]
            await self._wait_change(event, deadline)

    async def _set_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise _ApiError(400, "Bad Request: can't parse commands JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        self._notify()
        return True

    async def _get_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        return list(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        self._notify()
        return True

    @staticmethod
    def scope_key(scope: JSON | None) -> str:
        """ "default", "all_private_chats", "chat:<id>", "chat_member:<chat>:<user>", ..."""
        if not scope:
            return "default"
        kind = str(scope.get("type", "default"))
        if kind in ("chat", "chat_administrators"):
            return f"{kind}:{scope.get('chat_id')}"
        if kind == "chat_member":
            return f"{kind}:{scope.get('chat_id')}:{scope.get('user_id')}"
        return kind

    def _commands_key(self, params: JSON) -> tuple[str, str]:
        scope = params.get("scope")
        language = params.get("language_code")
        return self.scope_key(scope if isinstance(scope, dict) else None), str(language or "")

    def commands_for(self, scope: str = "default", language_code: str = "") -> list[JSON]:
        """Commands set for a scope key (see scope_key) and language ("" = all languages)."""
        return self.commands.get((scope, language_code), [])

    async def _send_message(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat_id, chat = self._target_chat(params)
        text = params.get("text")
        if text is None or text == "":
            raise _ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        plain, entities = self._render(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise _ApiError(400, "Bad Request: message is too long")
        markup = self._markup(params)
        message = SentMessage(
            message_id=self._new_message_id(),
            chat_id=chat_id,
            kind="text",
            text=text,
            reply_markup=markup,
            parse_mode=params.get("parse_mode") or None,
            date=self.now(),
            plain_text=plain,
            entities=entities,
            reply_to_message_id=self._reply_to(params),
            chat=chat,
        )
        return self._record_message(message).to_api(self.bot_user)

    async def _send_file(
        self, kind: Literal["document", "photo"], params: JSON, files: dict[str, UploadedFile]
    ) -> JSON:
        chat_id, chat = self._target_chat(params)
        stored = self._input_file(kind, params, files)
        caption, plain, entities = self._caption(params)
        markup = self._markup(params)
        if stored is None:  # sent by URL: the server cannot fetch it, so there are no bytes
            url = str(params.get(kind))
            stored = StoredFile(
                file_id=f"FAKE-url-{self._new_message_id():06d}",
                file_unique_id=f"URL{len(self.files):06d}",
                file_path="",
                content=b"",
                file_name=url.rsplit("/", 1)[-1] or None,
            )
            content: bytes | None = None
        else:
            content = stored.content
        media: Any = self._document_api(stored) if kind == "document" else self._photo_api(stored)
        message = SentMessage(
            message_id=self._new_message_id(),
            chat_id=chat_id,
            kind=kind,
            text=caption,
            reply_markup=markup,
            parse_mode=params.get("parse_mode") or None,
            file_name=stored.file_name,
            content=content,
            date=self.now(),
            plain_text=plain,
            entities=entities,
            file_id=stored.file_id,
            mime_type=stored.mime_type,
            reply_to_message_id=self._reply_to(params),
            chat=chat,
            media=media,
        )
        return self._record_message(message).to_api(self.bot_user)

    async def _send_document(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return await self._send_file("document", params, files)

    async def _send_photo(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return await self._send_file("photo", params, files)

    async def _send_media_group(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        """An album of 2-10 photos: one message per photo, as Telegram returns them."""
        chat_id, chat = self._target_chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _ApiError(400, "Bad Request: media must include 2-10 items")
        sent = []
        for item in media:
            if item.get("type") != "photo":
                raise _ApiError(400, "Bad Request: only photo albums are faked")
            stored = self._input_file("photo", {"photo": item.get("media")}, files)
            if stored is None:
                raise _ApiError(400, "Bad Request: there is no photo in the request")
            caption, plain, entities = self._caption(
                {"caption": item.get("caption"), "parse_mode": item.get("parse_mode")}
            )
            message = SentMessage(
                message_id=self._new_message_id(),
                chat_id=chat_id,
                kind="photo",
                text=caption,
                parse_mode=item.get("parse_mode") or None,
                content=stored.content,
                date=self.now(),
                plain_text=plain,
                entities=entities,
                file_id=stored.file_id,
                mime_type=stored.mime_type,
                chat=chat,
                media=self._photo_api(stored),
            )
            sent.append(self._record_message(message).to_api(self.bot_user))
        return sent

    def _apply_edit(
        self,
        message: SentMessage,
        text: str | None,
        plain: str | None,
        entities: list[JSON],
        parse_mode: str | None,
        markup: JSON | None,
    ) -> JSON:
        message.history.append((message.text, message.reply_markup))
        message.text, message.plain_text, message.entities = text, plain, entities
        message.parse_mode = parse_mode
        message.reply_markup = markup
        message.edits += 1
        message.edit_date = self.now()
        self._notify()
        return message.to_api(self.bot_user)

    @staticmethod
    def _inline(markup: JSON | None) -> Any:
        return (markup or {}).get("inline_keyboard") or None

    async def _edit_message_text(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        message = self._find_message(params, "message to edit not found")
        if message.kind != "text":
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        text = params.get("text")
        if text is None or text == "":
            raise _ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        plain, entities = self._render(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise _ApiError(400, "Bad Request: message is too long")
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise _ApiError(400, "Bad Request: inline keyboard expected")
        if (
            plain == message.plain_text
            and entities == message.entities
            and self._inline(markup) == self._inline(message.reply_markup)
        ):
            raise _ApiError(400, NOT_MODIFIED)
        return self._apply_edit(
            message, text, plain, entities, params.get("parse_mode") or None, markup
        )

    async def _edit_message_reply_markup(
        self, params: JSON, files: dict[str, UploadedFile]
    ) -> JSON:
        message = self._find_message(params, "message to edit not found")
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise _ApiError(400, "Bad Request: inline keyboard expected")
        if self._inline(markup) == self._inline(message.reply_markup):
            raise _ApiError(400, NOT_MODIFIED)
        return self._apply_edit(
            message,
            message.text,
            message.plain_text,
            message.entities,
            message.parse_mode,
            markup,
        )

    async def _delete_message(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        chat_id = self._int(params, "chat_id")
        message_id = self._int(params, "message_id")
        message = self._messages.get((chat_id, message_id))
        if message is not None and not message.deleted:
            message.deleted = True
            self._notify()
            return True
        if self._incoming.pop((chat_id, message_id), None) is not None:
            self._notify()
            return True
        raise _ApiError(400, "Bad Request: message to delete not found")

    async def _answer_callback_query(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callbacks or query_id in self.answered_callbacks:
            raise _ApiError(400, BAD_QUERY)
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answered_callbacks[query_id] = dict(params)
        self._notify()
        return True

    async def _get_file(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None or not stored.file_path:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_GETFILE_SIZE:
            raise _ApiError(400, "Bad Request: file is too big")
        return stored.to_api()

    # ----------------------------------------------------------------- HTTP control

    @staticmethod
    async def _control_body(request: web.Request) -> JSON:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="expected a JSON object") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        return body

    def _control_user(self, body: JSON) -> FakeUser:
        try:
            user_id = int(body["user_id"])
        except (KeyError, TypeError, ValueError):
            raise web.HTTPBadRequest(text="user_id (int) is required") from None
        known = self.users.get(user_id)
        return FakeUser(
            id=user_id,
            first_name=str(
                body.get("first_name") or (known.first_name if known else f"User{user_id}")
            ),
            language_code=body.get("language_code", known.language_code if known else "ru"),
            username=body.get("username", known.username if known else None),
            last_name=body.get("last_name", known.last_name if known else None),
        )

    async def _control_push_text(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        user = self._control_user(body)
        chat_id = body.get("chat_id")
        update = self.push_text(
            user, str(body.get("text", "")), int(chat_id) if chat_id is not None else None
        )
        return web.json_response(update)

    async def _control_push_document(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        user = self._control_user(body)
        if "content_base64" in body:
            try:
                content = base64.b64decode(str(body["content_base64"]), validate=True)
            except binascii.Error:
                raise web.HTTPBadRequest(text="content_base64 is not base64") from None
        else:
            content = str(body.get("content_text", "")).encode("utf-8")
        update = self.push_document(
            user,
            str(body.get("file_name") or "file.bin"),
            content,
            str(body.get("mime_type") or "application/octet-stream"),
            body.get("caption"),
        )
        return web.json_response(update)

    async def _control_press(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        user = self._control_user(body)
        chat_id = int(body.get("chat_id", user.id))
        message = self._messages.get((chat_id, int(body.get("message_id", 0))))
        if message is None:
            raise web.HTTPNotFound(text="no such bot message in that chat")
        update, _ = self.press(user, message, str(body.get("data", "")))
        return web.json_response(update)

    async def _control_fail(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        try:
            self.fail(
                str(body["method"]),
                int(body["status"]),
                times=int(body.get("times", 1)),
                retry_after=body.get("retry_after"),
                description=body.get("description"),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise web.HTTPBadRequest(text=f"bad fault: {error}") from None
        return web.json_response({"ok": True})

    async def _control_rate_limit(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        try:
            per_second = body.get("per_second")
            per_chat = body.get("per_chat_per_second")
            methods = body.get("methods", ["sendMessage"])
            if not isinstance(methods, list):
                raise TypeError("methods must be a list")
            self.rate_limit(
                None if per_second is None else int(per_second),
                methods=[str(method) for method in methods],
                per_chat_per_second=None if per_chat is None else int(per_chat),
            )
        except (TypeError, ValueError) as error:
            raise web.HTTPBadRequest(text=f"bad rate limit: {error}") from None
        return web.json_response({"ok": True})

    async def _control_chats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {str(chat): [m.summary() for m in messages] for chat, messages in self.chats.items()}
        )

    async def _control_calls(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", "50"))
        calls = [
            {"method": c.method, "status": c.status, "params": c.params, "time": c.time}
            for c in self.calls[-limit:]
        ]
        return web.json_response(calls, dumps=lambda o: json.dumps(o, default=str))


# --------------------------------------------------------------------------- standalone


def _describe(message: SentMessage) -> str:
    shown = (
        (message.text or "") if message.kind == "text" else f"[{message.kind} {message.file_name}]"
    )
    if message.kind != "text" and message.text:
        shown += f" {message.text}"
    buttons = message.buttons()
    return f"{shown}" + (f"\n      buttons: {buttons}" if buttons else "")


async def _print_activity(server: FakeBotAPI) -> None:
    seen: dict[tuple[int, int], tuple[int, bool]] = {}
    while True:
        event = server._changed
        for chat_id, messages in list(server.chats.items()):
            for message in messages:
                key = (chat_id, message.message_id)
                state = (message.edits, message.deleted)
                before = seen.get(key)
                if before == state:
                    continue
                seen[key] = state
                if before is None:
                    print(f"<- [{chat_id}] #{message.message_id}: {_describe(message)}")
                elif message.deleted and not before[1]:
                    print(f"xx [{chat_id}] #{message.message_id} deleted")
                else:
                    print(f"~~ [{chat_id}] #{message.message_id} edited: {_describe(message)}")
        sys.stdout.flush()
        await event.wait()


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


async def _read_commands(server: FakeBotAPI) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_stdin_lines, args=(loop, queue), daemon=True).start()
    while (line := await queue.get()) is not None:
        line = line.strip()
        if not line:
            continue
        words = line.split(maxsplit=3)
        try:
            if words[0] == "chats":
                for chat_id, messages in server.chats.items():
                    for message in messages:
                        print(f"   [{chat_id}] #{message.message_id}: {_describe(message)}")
            elif words[0] == "press" and len(words) == 4:
                chat_id, message_id = int(words[1]), int(words[2])
                pressed = server._messages.get((chat_id, message_id))
                if pressed is None:
                    print(f"!! no bot message #{message_id} in chat {chat_id}")
                    continue
                user = server.users.get(chat_id) or FakeUser(chat_id, f"User{chat_id}")
                server.press(user, pressed, words[3])
            else:
                user_id, text = line.split(maxsplit=1)
                uid = int(user_id)
                server.push_text(server.users.get(uid) or FakeUser(uid, f"User{uid}"), text)
        except ValueError:
            print("!! try '<user_id> <text>', 'press <chat_id> <message_id> <data>' or 'chats'")
        sys.stdout.flush()


async def _serve(host: str, port: int, use_stdin: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with FakeBotAPI(host=host, port=port) as server:
        print(f"fake Telegram Bot API listening on {server.base_url}", flush=True)
        print(f"  TELEGRAM_API_BASE={server.base_url}  (any token works)", flush=True)
        tasks = [asyncio.create_task(_print_activity(server))]
        if use_stdin:
            print("  stdin: '<user_id> <text>' | 'press <chat_id> <message_id> <data>' | 'chats'")
            tasks.append(asyncio.create_task(_read_commands(server)))
        await stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--no-stdin", action="store_true", help="do not read commands from stdin")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.host, args.port, not args.no_stdin))


if __name__ == "__main__":
    main()
