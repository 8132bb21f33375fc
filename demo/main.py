"""`roadmap-bot demo`: the world and its page until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Callable
from pathlib import Path

from demo.web import serve
from demo.world import DemoWorld


class PortBusy(Exception):
    """The page's port is taken (another demo, another program): said before anything starts."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.port = port


def _check_port(port: int, host: str = "127.0.0.1") -> None:
    if port == 0:
        return
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise PortBusy(port) from None


async def run_demo(data_dir: Path, port: int, *, fresh: bool, say: Callable[[str], None]) -> None:
    """``say`` gets the page's address once everything is up."""
    _check_port(port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    world = await DemoWorld.start(data_dir, fresh=fresh)
    try:
        runner, bound = await serve(world, port)
        try:
            say(f"http://127.0.0.1:{bound}/")
            await stop.wait()
        finally:
            await runner.cleanup()
    finally:
        await world.close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
