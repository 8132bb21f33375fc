"""Retention end to end: past the keeping time the daily job erases what is due, writes the act
of destruction and the coordinator gets it as a file in the chat."""

from __future__ import annotations

import io
from datetime import timedelta

from docx import Document
from sqlalchemy import select

from roadmap.responsible import person_key
from services.access import Actor
from storage.schema import metadata
from tests.e2e.conftest import COORDINATOR, RunningBot, import_school_roadmap
from tests.fakebot import FakeUser
from tests.harness import CONSENTED

AKIMOVA = FakeUser(6016, "Наталья", language_code="ru", last_name="Акимова")


async def _dump(bot: RunningBot) -> str:
    parts: list[str] = []
    async with bot.app.database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in (await connection.execute(select(table))).all():
                parts.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(parts)


async def test_the_job_erases_an_inactive_person_and_sends_the_act(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await import_school_roadmap(bot)

    # Акимова links, does all her tasks with a link as evidence, and leaves: switched off.
    async with bot.app.database.transaction() as repositories:
        coordinator = await repositories.people.by_account(COORDINATOR.id)
        assert coordinator is not None and coordinator.organisation_id is not None
        (akimova,) = await repositories.people.find_by_name_key(
            coordinator.organisation_id, person_key("Акимова Н.А.")
        )
        await repositories.people.link_account(akimova.id, AKIMOVA.id, "ru", CONSENTED)
        akimova = await repositories.people.get(akimova.id)
        assert akimova is not None
        hers = await repositories.tasks.of_person(akimova.id)
    assert hers
    tasks = bot.app.dispatcher["tasks"]
    actor = Actor(AKIMOVA.id, akimova, is_admin=False)
    for task in hers:
        await tasks.add_evidence(
            actor, task.id, "link", f"https://school.example/akimova/{task.id}"
        )
        await tasks.mark_done(actor, task.id)
    # The coordinator is told of each «выполнено»: read past those notices.
    await bot.app.notices.settled()
    bot.api.skip_unread(COORDINATOR.id)
    listing = await bot.ask(COORDINATOR, "/people")
    await bot.press_label(COORDINATOR, listing, "Акимова")
    card = await bot.api.wait_edit(listing)
    await bot.press_label(COORDINATOR, card, "Отключить")
    assert "отключён" in (await bot.api.wait_edit(card)).plain_text
    before = await _dump(bot)
    assert "Акимова Н.А." in before and str(AKIMOVA.id) in before

    # Nothing is due while the roadmap's period plus RETENTION_MONTHS has not passed.
    # The nightly job as the scheduler runs it (on the instance that gets its lease).
    job = bot.app.scheduler.get_job("retention")
    assert job is not None
    assert await job.func() == []

    bot.clock.advance(timedelta(days=3 * 365))
    (act,) = await job.func()
    after = await _dump(bot)
    assert "Акимова Н.А." not in after and str(AKIMOVA.id) not in after
    assert "school.example/akimova" not in after
    assert "удалённый сотрудник" in after

    await bot.app.tick.run()
    sent = await bot.api.wait_for(
        lambda: [m for m in bot.api.chats[COORDINATOR.id] if m.kind == "document"],
        what="the act to reach the coordinator",
    )
    (document,) = sent
    assert document.file_name == act.name and document.file_name.endswith(".docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(document.content or b"")).paragraphs)
    assert "Акт об уничтожении персональных данных" in text
    assert "МБОУ «СОШ №2»" in text
    rows = [
        [c.text for c in row.cells]
        for table in Document(io.BytesIO(document.content or b"")).tables
        for row in table.rows
    ]
    assert any(row[1] == "1" and "сотрудник" in row[0].lower() for row in rows), rows
