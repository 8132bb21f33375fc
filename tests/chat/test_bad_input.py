"""Bad input in the flows, each with its own clear answer and nothing lost."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.schema import activities
from tests.chat.conftest import ChatBot
from tests.harness import ADMIN, DATA

SCHOOL = DATA / "school-tech-cluster-2022.txt"


async def _live_rows(bot: ChatBot) -> int:
    async with bot.app.database.engine.connect() as connection:
        count = await connection.execute(
            select(func.count()).select_from(activities).where(activities.c.is_removed.is_(False))
        )
    return int(count.scalar() or 0)


async def test_a_header_without_rows_never_empties_the_roadmap(bot: ChatBot) -> None:
    preview = await bot.upload(ADMIN, "plan.txt", SCHOOL.read_bytes())
    await bot.press_label(ADMIN, preview, "Импортировать")
    await bot.api.wait_edit(preview)
    before = await _live_rows(bot)
    assert before > 0
    # The same title and header, every row gone (a copy that lost its table body).
    text = SCHOOL.read_text(encoding="utf-8")
    header_end = text.index("\n", text.index("Ответствен")) + 1
    refused = await bot.upload(ADMIN, "plan.txt", text[:header_end].encode())
    assert "нет ни одного мероприятия" in refused.plain_text
    assert "Импортировать" not in str(refused.buttons())
    assert await _live_rows(bot) == before
