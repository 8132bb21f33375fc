"""What the fake messenger servers (fakes.telegram: Telegram's Bot API, tests/fakemax: MAX's)
share: serving an aiohttp application on a port, a change event renewed at every recorded
change, waits on it with a ceiling, and sleeps that end when the server closes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from aiohttp import web

T = TypeVar("T")


class ChangeWatch:
    """Mixed into a fake server: it sets `_changed`, `_closing`, `_runner` and `wait_ceiling`
    in its __init__ and says what it did in `dump`."""

    name = "fake"
    wait_ceiling: float
    _changed: asyncio.Event
    _closing: asyncio.Event
    _runner: web.AppRunner | None

    def dump(self) -> str:
        raise NotImplementedError

    async def _serve(self, app: web.Application, host: str, port: int) -> int:
        """Serves `app` (events bound to the loop it runs on); the port it listens on."""
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        return int(runner.addresses[0][1])

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_change(self, event: asyncio.Event, deadline: float) -> None:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the server closes."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float | None = None,  # noqa: ASYNC109
        *,
        what: str | None = None,
    ) -> T:
        """Wait until ``predicate()`` is truthy (re-checked on every recorded change) and return
        its value; on timeout (default ``wait_ceiling``) raise AssertionError with a dump of
        recent activity."""
        timeout = self.wait_ceiling if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            value = predicate()
            if value:
                return value
            if loop.time() >= deadline:
                waited = f"timed out after {timeout}s waiting for" if timeout else "there is no"
                raise AssertionError(
                    f"{self.name}: {waited} "
                    f"{what or getattr(predicate, '__name__', 'predicate')}\n{self.dump()}"
                )
            await self._wait_change(event, deadline)


class _Sent(Protocol):
    """A message a fake records the bot sending: edits and deletion applied in place."""

    edits: int
    seen_edits: int
    deleted: bool


M = TypeVar("M", bound=_Sent)


class ChatWaits(ChangeWatch, Generic[M]):
    """What a test reads of the chats a fake records: each chat's messages in order with a
    read cursor, edits, deletions and answers to presses. The fake sets `chats`, `_cursors`
    (a defaultdict(int)) and `answered_callbacks` in its __init__."""

    chats: dict[int, list[M]]
    _cursors: dict[int, int]
    answered_callbacks: dict[str, dict[str, Any]]
    answer_name = "an answer"  # how the messenger calls answering a press, for failures

    def _chat_of(self, target: Any) -> int:
        """The chat a test names (a chat id here; a fake may accept more)."""
        return int(target)

    def _label(self, message: M) -> str:
        return repr(message)

    async def next_message(self, target: Any, timeout: float | None = None) -> M:  # noqa: ASYNC109
        """The first message in the chat not yet returned by next_message/wait_for_messages."""
        return (await self.wait_for_messages(target, 1, timeout))[0]

    async def wait_for_messages(
        self,
        target: Any,
        count: int = 1,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[M]:
        """The next ``count`` messages of the chat (same per-chat cursor as next_message)."""
        chat_id = self._chat_of(target)
        start = self._cursors[chat_id]
        await self.wait_for(
            lambda: len(self.chats[chat_id]) >= start + count,
            timeout,
            what=f"{count} new message(s) in chat {chat_id} after the first {start}",
        )
        self._cursors[chat_id] = start + count
        return self.chats[chat_id][start : start + count]

    def skip_unread(self, target: Any) -> list[M]:
        """Marks the chat's messages so far as read (next_message waits for a new one);
        returns the ones skipped."""
        chat_id = self._chat_of(target)
        start = self._cursors[chat_id]
        self._cursors[chat_id] = len(self.chats[chat_id])
        return self.chats[chat_id][start:]

    async def wait_edit(self, message: M, timeout: float | None = None) -> M:  # noqa: ASYNC109
        """Wait until ``message`` has an edit not yet seen by wait_edit; return it."""
        await self.wait_for(
            lambda: message.edits > message.seen_edits,
            timeout,
            what=f"an edit of {self._label(message)} (edits seen: {message.seen_edits})",
        )
        message.seen_edits = message.edits
        return message

    async def wait_deleted(self, message: M, timeout: float | None = None) -> M:  # noqa: ASYNC109
        await self.wait_for(
            lambda: message.deleted, timeout, what=f"deletion of {self._label(message)}"
        )
        return message

    async def wait_answered(
        self,
        callback_id: str,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """What the bot answered to that press, once it has."""
        return await self.wait_for(
            lambda: self.answered_callbacks.get(callback_id),
            timeout,
            what=f"{self.answer_name} for {callback_id}",
        )
