"""What the fake messenger servers (fakes.telegram: Telegram's Bot API, tests/fakemax: MAX's)
share: serving an aiohttp application on a port, a change event renewed at every recorded
change, waits on it with a ceiling, and sleeps that end when the server closes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TypeVar

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
