"""`python -m bot` as a real process against the fake Bot API: answers, then stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN, STRANGER
from tests.fakebot import FakeBotAPI

PROJECT = Path(__file__).resolve().parents[2]
SECRET = "TESTsecretPART"
# Starting imports all of aiogram: slow on a loaded machine. The ceiling only catches a hang.
HANG_CEILING = 300


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_process_answers_and_stops_cleanly(
    api: FakeBotAPI, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TIMEZONE"}},
        "BOT_TOKEN": f"123456:{SECRET}",
        "TELEGRAM_API_BASE": api.base_url,
        "ADMIN_IDS": str(ADMIN.id),
        "PYTHONPATH": str(PROJECT),
        "LOG_LEVEL": "DEBUG",  # the most talkative level must still hide the token
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        api.push_text(ADMIN, "/start")
        api.push_text(STRANGER, "/start")
        admin_reply = await api.next_message(ADMIN.id, timeout=HANG_CEILING)
        stranger_reply = await api.next_message(STRANGER.id, timeout=HANG_CEILING)
        assert "С чего начать" in admin_reply.plain_text
        assert "ссылку-приглашение" in stranger_reply.plain_text
        process.send_signal(stop_signal)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=HANG_CEILING)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode() + stdout.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log
    assert SECRET not in log
    assert (tmp_path / "data" / "roadmap.sqlite3").is_file()
