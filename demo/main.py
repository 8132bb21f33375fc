"""`roadmap-bot demo`: the world and its page until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from pathlib import Path

from demo.web import serve
from demo.world import DemoWorld


async def run_demo(data_dir: Path, port: int, *, fresh: bool, say: Callable[[str], None]) -> None:
    """``say`` gets the page's address once everything is up."""
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
