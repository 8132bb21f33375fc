"""A big import confirmed in the chat leaves the database to everyone else between its writes.

One long write transaction used to hold SQLite's lock for minutes: every tick failed with
"database is locked" and other people's requests failed. Here the reminder tick runs again and
again, and another user asks for /help, while a 5,000-row roadmap is being stored.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import Role
from roadmap.table import MAX_ROWS
from storage.schema import activities, tasks
from tests.e2e.conftest import COORDINATOR, STRANGER, RunningBot, add_person

ROWS = MAX_ROWS - 1  # with its header, a table of 5,000 rows: the most any upload may have
_SURNAMES = ("Иванова", "Петрова", "Сидорова", "Кузнецова", "Смирнова", "Попова", "Орлова")
_INITIALS = ("А.А.", "Б.В.", "В.Г.", "Г.Д.", "Д.Е.")
PEOPLE = [f"{surname} {initials}" for surname in _SURNAMES for initials in _INITIALS]


def _roadmap() -> bytes:
    lines = [
        "ДОРОЖНАЯ КАРТА",
        "по развитию образования района",
        "на 2022-2023 учебный год",
        "",
        "№\tМероприятие\tСрок проведения\tОтветственные исполнители",
    ]
    for index in range(1, ROWS + 1):
        day = 1 + index % 28
        month = 10 + index % 3
        lines.append(
            f"{index}.\tМероприятие номер {index}\tдо {day:02d}.{month:02d}.2022 г.\t"
            f"{PEOPLE[index % len(PEOPLE)]}, методист"
        )
    return "\n".join(lines).encode()


@pytest.mark.slow
async def test_tick_and_other_users_are_served_during_a_5000_row_import(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    bot.api.push_document(COORDINATOR, "plan.txt", _roadmap())
    preview = await bot.api.next_message(COORDINATOR.id, timeout=120)
    assert f"Мероприятий: {ROWS}" in preview.plain_text
    _, query = bot.api.press(COORDINATOR, preview, preview.button("Импортировать"))
    await bot.api.wait_answered(query, timeout=60)

    ticks_during_import = 0
    help_during_import = False
    while preview.edits == 0:
        # Raises (and fails the test) on "database is locked".
        await bot.app.tick.run()
        if preview.edits == 0:
            ticks_during_import += 1
        if not help_during_import:
            bot.api.push_text(STRANGER, "/help")
            reply = await bot.api.next_message(STRANGER.id, timeout=60)
            assert "/start" in reply.plain_text or "ссылк" in reply.plain_text, reply.plain_text
            help_during_import = preview.edits == 0
    done = await bot.api.wait_edit(preview, timeout=600)
    assert "Импортировано" in done.plain_text
    assert ticks_during_import >= 2
    assert help_during_import
    async with bot.app.database.engine.connect() as connection:
        stored = (await connection.execute(select(func.count()).select_from(activities))).scalar()
        derived = (await connection.execute(select(func.count()).select_from(tasks))).scalar()
    assert stored == derived == ROWS
