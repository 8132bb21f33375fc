"""`python -m bot backup` run while the bot takes a burst of survey answers: the copy passes
`PRAGMA integrity_check` and holds every answer a respondent was thanked for before the
command started, each with its participation token (they are written together)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from tests.e2e.test_survey_crash import (
    HANG_CEILING,
    PROJECT,
    RESPONDENTS,
    _answer,
    _open_survey,
    _start,
)
from tests.fakebot import FakeBotAPI, FakeUser

BACKUP_AFTER = 10  # answers thanked for before the backup command starts


async def _backup(url: str, data: Path, folder: Path) -> tuple[int, str, str]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BACKUP_DIR"}},
        "PYTHONPATH": str(PROJECT),
        "DATABASE_URL": url,
        "DATA_DIR": str(data),
        "LANG": "ru_RU.UTF-8",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "backup",
        "--to",
        str(folder),
        cwd=data,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=HANG_CEILING)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _counts(copy: Path, survey_id: int) -> tuple[list[tuple[object, ...]], int, int]:
    with closing(sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        responses = connection.execute(
            "SELECT count(*) FROM survey_responses WHERE survey_id = ?", (survey_id,)
        ).fetchone()[0]
        tokens = connection.execute(
            "SELECT count(*) FROM survey_participations WHERE survey_id = ?", (survey_id,)
        ).fetchone()[0]
    return integrity, int(responses), int(tokens)


@pytest.mark.slow
async def test_a_backup_during_a_burst_holds_every_answer_thanked_before_it(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    survey_id, link = await _open_survey(url)
    thanked: list[int] = []
    enough = asyncio.Event()

    async def one(user: FakeUser, delay: float) -> None:
        await asyncio.sleep(delay)
        message = await _answer(api, user, link, f"пожелание-{uuid.uuid4().hex[:16]}")
        await api.wait_for(
            lambda: "Спасибо" in (message.plain_text or ""), timeout=HANG_CEILING, what="thanks"
        )
        thanked.append(user.id)
        if len(thanked) >= BACKUP_AFTER:
            enough.set()

    folder = tmp_path / "copies"
    bot = await _start(api, url, tmp_path)
    flows = [asyncio.create_task(one(u, n * 0.05)) for n, u in enumerate(RESPONDENTS)]
    try:
        await asyncio.wait_for(enough.wait(), timeout=HANG_CEILING)
        confirmed = len(thanked)
        code, out, err = await _backup(url, tmp_path, folder)
        # The burst went on around the backup, and the bot answered everyone.
        await asyncio.wait_for(asyncio.gather(*flows), timeout=HANG_CEILING)
    finally:
        for flow in flows:
            flow.cancel()
        await asyncio.gather(*flows, return_exceptions=True)
        bot.send_signal(signal.SIGTERM)
        _, log = await asyncio.wait_for(bot.communicate(), timeout=HANG_CEILING)
    assert bot.returncode == 0, log.decode()[-3000:]
    assert code == 0, err
    assert confirmed < len(RESPONDENTS)
    assert len(thanked) == len(RESPONDENTS)

    [copy] = folder.glob("roadmap-*.sqlite3")
    assert out == f"Резервная копия записана и проверена: {copy}\n"
    assert oct(copy.stat().st_mode & 0o777) == oct(0o600)
    integrity, responses, tokens = _counts(copy, survey_id)
    assert integrity == [("ok",)]
    assert responses >= confirmed
    assert tokens == responses
