"""Hostile uploads in the chat: one clear message each, nothing stored, the bot answers on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from handlers.roadmap_import import reading
from storage.schema import activities, roadmaps
from tests.e2e.conftest import ADMIN, BOTH_MESSENGERS, DATA, RunningBot
from tests.roadmap.hostile import bomb_docx, bomb_xlsx, nested_docx, rows_csv, rows_docx, rows_xlsx

pytestmark = BOTH_MESSENGERS

T = TypeVar("T")
SCHOOL_DOCX = DATA / "docx" / "school-tech-cluster-2022.docx"


async def _stored_counts(bot: RunningBot) -> tuple[int, int]:
    async with bot.app.database.engine.connect() as connection:
        maps = (await connection.execute(select(func.count()).select_from(roadmaps))).scalar()
        rows = (await connection.execute(select(func.count()).select_from(activities))).scalar()
    return int(maps or 0), int(rows or 0)


async def test_hostile_files_get_one_clear_message_each(running_bot: RunningBot) -> None:
    cases = [
        ("plan.docx", bomb_docx(4 * 2**20), "слишком большим (больше 48 мб)"),
        ("plan.xlsx", bomb_xlsx(4 * 2**20), "слишком большим (больше 48 мб)"),
        ("plan.docx", rows_docx(20_000), "больше 5\u00a0000 строк"),
        ("plan.xlsx", rows_xlsx(20_000), "больше 5\u00a0000 строк"),
        ("plan.csv", rows_csv(20_000), "больше 5\u00a0000 строк"),
        ("plan.docx", nested_docx(200), "вложены друг в друга глубже 10 уровней"),
    ]
    for name, content, expected in cases:
        running_bot.api.push_document(ADMIN, name, content)
        reply = await running_bot.api.next_message(ADMIN.id, timeout=15)
        text = reply.plain_text.lower()
        assert expected in text, (name, reply.plain_text)
        assert "ничего не сохранено" in text
        assert reply.buttons() == []
        # The next message is the answer to /help: the upload got exactly one, and the bot lives.
        help_reply = await running_bot.ask(ADMIN, "/help")
        assert "/roadmap" in help_reply.plain_text, help_reply.plain_text
    assert await _stored_counts(running_bot) == (0, 0)


async def test_reading_and_parsing_run_off_the_event_loop(
    running_bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.get_ident()
    threads: list[tuple[str, int]] = []

    def recorded(name: str, function: Callable[..., T]) -> Callable[..., T]:
        def wrapper(*args: object) -> T:
            threads.append((name, threading.get_ident()))
            return function(*args)

        return wrapper

    monkeypatch.setattr(reading, "read_roadmap", recorded("read", reading.read_roadmap))
    monkeypatch.setattr(reading, "parse_roadmap", recorded("parse", reading.parse_roadmap))
    running_bot.api.push_document(ADMIN, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())
    preview = await running_bot.api.next_message(ADMIN.id, timeout=15)
    _, query = running_bot.api.press(ADMIN, preview, preview.button("Импортировать"))
    await running_bot.api.wait_answered(query)
    done = await running_bot.api.wait_edit(preview, timeout=15)
    assert "Импортировано" in done.plain_text
    assert [name for name, _ in threads] == ["read", "parse", "read", "parse"]
    assert all(thread != loop_thread for _, thread in threads)
