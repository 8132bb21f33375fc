"""The preview of an upload writes nothing, not even the organisation it guessed from the file."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.schema import metadata, organisations
from tests.chat.conftest import ChatBot
from tests.harness import ADMIN, DATA


async def _counts(bot: ChatBot) -> dict[str, int]:
    async with bot.app.database.engine.connect() as connection:
        return {
            table.name: int(
                (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            )
            for table in metadata.sorted_tables
        }


async def test_the_guessed_organisation_is_created_only_on_confirm(bot: ChatBot) -> None:
    before = await _counts(bot)
    assert before["organisations"] == 0
    plan = (DATA / "school-tech-cluster-2022.txt").read_bytes()
    preview = await bot.upload(ADMIN, "plan.txt", plan)
    assert "Организация: МБОУ «СОШ №2»" in (preview.plain_text or "")
    assert await _counts(bot) == before
    await bot.press_label(ADMIN, preview, "Импортировать")
    done = await bot.api.wait_edit(preview)
    assert "Импортировано" in (done.plain_text or "")
    async with bot.app.database.engine.connect() as connection:
        names = (await connection.execute(select(organisations.c.name))).scalars().all()
    assert names == ["МБОУ «СОШ №2»"]
