"""An async client for MAX's Bot API: the calls a bot transport needs, typed.

Every call is one HTTP request (an upload is two) and raises on any error: pacing and retries
belong to the caller (the bot's sender), but for ``attachment.not.ready``, which
:meth:`MaxClient.send_with_attachment` waits out.  The token goes in the ``Authorization``
header.  Requests follow the pinned OpenAPI document (tests/data/max).
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import aiohttp

from maxapi_client.errors import (
    BLOCKED,
    NOT_READY,
    MaxApiError,
    MaxAttachmentNotReady,
    MaxBlocked,
    MaxNetworkError,
    MaxRetryAfter,
)
from maxapi_client.types import (
    JSON,
    Attachment,
    BotInfo,
    Keyboard,
    Message,
    MessageBody,
    Subscription,
    TextFormat,
    Update,
)

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["DEFAULT_BASE_URL", "MaxClient"]

# MAX asks bots to use platform-api2 (its certificate is issued by the Russian Ministry of Digital
# Development's root CA, which the server must trust: see the README's «Бот в MAX»).
DEFAULT_BASE_URL = "https://platform-api2.max.ru"
REQUEST_TIMEOUT = 30.0  # seconds for a call; a long poll gets its own timeout on top
UPLOAD_TIMEOUT = 300.0
_SECRET = re.compile(r"^[a-zA-Z0-9_-]{5,256}$")  # SubscriptionRequestBody.secret's pattern

UploadKind = Literal["file", "image"]
_Query = dict[str, str]


class MaxClient:
    """``MaxClient(token)``; ``async with`` it, or ``await client.close()`` at the end.

    A ``session`` passed in is used and left open; without one the client makes its own.
    """

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        *,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        if not token:
            raise ValueError("a MAX bot token is required")
        self._token = token
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._own_session = session is None
        self.request_timeout = request_timeout

    # ----------------------------------------------------------------- lifecycle

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            if not self._own_session:
                raise RuntimeError("the session given to MaxClient is closed")
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the session the client made (a session passed in stays open)."""
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> MaxClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ----------------------------------------------------------------- plumbing

    async def _call(
        self,
        method: str,
        path: str,
        *,
        query: _Query | None = None,
        body: JSON | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> JSON:
        """One API request; the answer's JSON object, or an exception."""
        url = f"{self.base_url}{path}"
        client_timeout = aiohttp.ClientTimeout(total=timeout or self.request_timeout)
        try:
            async with self._http().request(
                method,
                url,
                params=query,
                json=body,
                headers={"Authorization": self._token},
                timeout=client_timeout,
            ) as response:
                raw = await response.read()
                return _answer(response.status, response.headers, raw)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise MaxNetworkError(f"{method} {path}: {type(error).__name__}: {error}") from error

    async def _simple(self, method: str, path: str, **kwargs: Any) -> None:
        """A call answered with SimpleQueryResult; ``success: false`` raises."""
        result = await self._call(method, path, **kwargs)
        if result.get("success") is not True:
            raise MaxApiError(200, "success.false", str(result.get("message") or result))

    # ----------------------------------------------------------------- the bot

    async def me(self) -> BotInfo:
        """``GET /me``."""
        return BotInfo.from_api(await self._call("GET", "/me"))

    async def get_updates(
        self,
        marker: int | None = None,
        timeout: int = 30,  # noqa: ASYNC109
        limit: int = 100,
        types: Iterable[str] | None = None,
    ) -> tuple[list[Update], int | None]:
        """``GET /updates`` (long polling): the updates after ``marker`` (which confirms the
        ones before it) and the marker to pass next time.  Waits up to ``timeout`` seconds
        (0-90) for an update."""
        query: _Query = {"timeout": str(timeout), "limit": str(limit)}
        if marker is not None:
            query["marker"] = str(marker)
        if types is not None:
            query["types"] = ",".join(types)  # style: simple
        result = await self._call(
            "GET", "/updates", query=query, timeout=self.request_timeout + timeout
        )
        updates = [Update.from_api(u) for u in result.get("updates") or []]
        next_marker = result.get("marker")
        return updates, int(next_marker) if next_marker is not None else None

    # ----------------------------------------------------------------- messages

    async def send_message(
        self,
        *,
        user_id: int | None = None,
        chat_id: int | None = None,
        text: str | None,
        format: TextFormat | None = "html",
        keyboard: Keyboard | None = None,
        attachments: Sequence[Attachment] | None = None,
        notify: bool = True,
    ) -> Message:
        """``POST /messages`` to a user (their dialog) or a chat: the message sent."""
        body = MessageBody(text, format, keyboard, attachments, notify)
        return await self._send(_target(user_id, chat_id), body)

    async def _send(self, query: _Query, body: MessageBody) -> Message:
        result = await self._call("POST", "/messages", query=query, body=body.to_api())
        return Message.from_api(result["message"])

    async def send_with_attachment(
        self,
        attachment: Attachment | Sequence[Attachment],
        *,
        user_id: int | None = None,
        chat_id: int | None = None,
        text: str | None = None,
        format: TextFormat | None = "html",
        keyboard: Keyboard | None = None,
        notify: bool = True,
        attempts: int = 6,
        pause: float = 0.5,
    ) -> Message:
        """:meth:`send_message` with uploaded files, sent again while MAX answers
        ``attachment.not.ready`` (a file still being processed): up to ``attempts`` sends,
        ``pause`` seconds apart, doubling (0.5 + 1 + 2 + 4 + 8 s by default).  Past that the
        last MaxAttachmentNotReady is raised."""
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        files = [attachment] if isinstance(attachment, Attachment) else list(attachment)
        query = _target(user_id, chat_id)
        body = MessageBody(text, format, keyboard, files, notify)
        for attempt in range(attempts):
            try:
                return await self._send(query, body)
            except MaxAttachmentNotReady:
                if attempt == attempts - 1:
                    raise
            await asyncio.sleep(pause * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def edit_message(
        self,
        mid: str,
        text: str | None,
        format: TextFormat | None = "html",
        keyboard: Keyboard | None = None,
        attachments: Sequence[Attachment] | None = None,
    ) -> None:
        """``PUT /messages``: new text (None: left as it is), attachments and keyboard.  Both
        None leave the message's attachments (its keyboard included) as they are; otherwise
        they replace them all (``keyboard=[]`` alone removes them)."""
        body = MessageBody(text, format, keyboard, attachments)
        await self._simple("PUT", "/messages", query={"message_id": mid}, body=body.to_api())

    async def delete_message(self, mid: str) -> None:
        """``DELETE /messages``."""
        await self._simple("DELETE", "/messages", query={"message_id": mid})

    async def answer_callback(
        self,
        callback_id: str,
        notification: str | None = None,
        message: MessageBody | None = None,
    ) -> None:
        """``POST /answers``: a one-off notification to the user who pressed, and/or the
        pressed message's new body.  At least one (MAX answers 400 to neither)."""
        if notification is None and message is None:
            raise ValueError("answer a callback with a notification, a message or both")
        body: JSON = {}
        if notification is not None:
            body["notification"] = notification
        if message is not None:
            body["message"] = message.to_api()
        await self._simple("POST", "/answers", query={"callback_id": callback_id}, body=body)

    # ----------------------------------------------------------------- files

    async def upload(self, kind: UploadKind, name: str, data: bytes) -> Attachment:
        """Upload ``data`` as a file or an image: ``POST /uploads`` for the URL, then the bytes
        to it (multipart, the part ``data``).  Returns the attachment to send."""
        if kind not in ("file", "image"):
            raise ValueError(f"upload kind {kind!r}: 'file' or 'image'")
        endpoint = await self._call("POST", "/uploads", query={"type": kind})
        form = aiohttp.FormData()
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        form.add_field("data", data, filename=name, content_type=content_type)
        # The upload URL is its own (signed) address: the token is not sent there.
        try:
            async with self._http().post(
                str(endpoint["url"]), data=form, timeout=aiohttp.ClientTimeout(UPLOAD_TIMEOUT)
            ) as response:
                uploaded = _answer(response.status, response.headers, await response.read())
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise MaxNetworkError(f"upload of {name}: {type(error).__name__}: {error}") from error
        if kind == "image":
            photos = uploaded.get("photos")
            if not isinstance(photos, dict) or not photos:
                raise MaxApiError(200, "upload.no.token", f"no photos in {uploaded}")
            return Attachment("image", {"photos": photos})
        token = uploaded.get("token") or endpoint.get("token")
        if not token:
            raise MaxApiError(200, "upload.no.token", f"no token in {uploaded}")
        return Attachment("file", {"token": str(token)})

    async def download(self, url: str) -> bytes:
        """The bytes at an attachment's ``payload.url`` (no token sent: the URL is its own)."""
        try:
            async with self._http().get(
                url, timeout=aiohttp.ClientTimeout(UPLOAD_TIMEOUT)
            ) as response:
                data = await response.read()
                if response.status != 200:
                    _answer(response.status, response.headers, data)  # raises
                return data
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise MaxNetworkError(f"download: {type(error).__name__}: {error}") from error

    # ----------------------------------------------------------------- webhook

    async def subscribe(
        self,
        url: str,
        secret: str | None = None,
        update_types: Iterable[str] | None = None,
    ) -> None:
        """``POST /subscriptions``: deliver updates to ``url`` (https), with ``secret`` in the
        ``X-Max-Bot-Api-Secret`` header; long polling stops answering meanwhile."""
        body: JSON = {"url": url}
        if secret is not None:
            if not _SECRET.match(secret):
                raise ValueError("a webhook secret is 5-256 of A-Z, a-z, 0-9, '_' and '-'")
            body["secret"] = secret
        if update_types is not None:
            body["update_types"] = list(dict.fromkeys(update_types))  # uniqueItems
        await self._simple("POST", "/subscriptions", body=body)

    async def unsubscribe(self, url: str) -> bool:
        """``DELETE /subscriptions``: False when the API says it did nothing
        (``success: false``, e.g. no such subscription)."""
        result = await self._call("DELETE", "/subscriptions", query={"url": url})
        return result.get("success") is True

    async def subscriptions(self) -> list[Subscription]:
        """``GET /subscriptions``."""
        result = await self._call("GET", "/subscriptions")
        return [Subscription.from_api(s) for s in result.get("subscriptions") or []]


# --------------------------------------------------------------------------- helpers


def _target(user_id: int | None, chat_id: int | None) -> _Query:
    if (user_id is None) == (chat_id is None):
        raise ValueError("send to a user_id or a chat_id (exactly one)")
    if user_id is not None:
        return {"user_id": str(user_id)}
    return {"chat_id": str(chat_id)}


def _retry_after(headers: Any) -> float:
    value = headers.get("Retry-After")
    try:
        seconds = float(value) if value is not None else 1.0
    except ValueError:
        return 1.0  # an HTTP date: not worth parsing, one second
    return seconds if seconds > 0 else 1.0


def _answer(status: int, headers: Any, raw: bytes) -> JSON:
    """The JSON object of a 200 answer; any other status raises its MaxApiError."""
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = None
    if status == 200 and isinstance(body, dict):
        return body
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code = body["code"]
        message = str(body.get("message") or body.get("error") or "")
    else:
        code = f"http.{status}"
        message = raw[:300].decode("utf-8", "replace")
    if status == 200:  # 200 but not a JSON object
        raise MaxApiError(status, "bad.answer", message)
    if status == 429:
        raise MaxRetryAfter(status, code, message, _retry_after(headers))
    if status == 403 and code == BLOCKED:
        raise MaxBlocked(status, code, message)
    if code == NOT_READY:
        raise MaxAttachmentNotReady(status, code, message)
    raise MaxApiError(status, code, message)
