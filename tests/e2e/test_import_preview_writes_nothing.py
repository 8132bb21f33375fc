"""The preview of an upload writes nothing, not even the organisation it guessed from the file."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.schema import metadata, organisations
from tests.e2e.conftest import ADMIN, DATA, RunningBot


async def _counts(bot: RunningBot) -> dict[str, int]:
    async with bot.app.database.engine.connect() as connection:
        return {
            table.name: int(
                (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            )
            for table in metadata.sorted_tables
        }


async def test_the_guessed_organisation_is_created_only_on_confirm(
    running_bot: RunningBot,
) -> None:
    before = await _counts(running_bot)
    assert before["organisations"] == 0
    running_bot.api.push_document(
        ADMIN, "plan.txt", (DATA / "school-tech-cluster-2022.txt").read_bytes()
    )
    preview = await running_bot.api.next_message(ADMIN.id, timeout=15)
    assert "Организация: МБОУ «СОШ №2»" in preview.plain_text
    assert await _counts(running_bot) == before
    _, query = running_bot.api.press(ADMIN, preview, preview.button("Импортировать"))
    await running_bot.api.wait_answered(query)
    done = await running_bot.api.wait_edit(preview, timeout=15)
    assert "Импортировано" in done.plain_text
    async with running_bot.app.database.engine.connect() as connection:
        names = (await connection.execute(select(organisations.c.name))).scalars().all()
    assert names == ["МБОУ «СОШ №2»"]
