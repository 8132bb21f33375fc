"""A district roadmap names bodies, not people: the coordinator says who they are, in the chat."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Role
from storage.schema import organisations, roadmaps
from tests.chat.conftest import ChatBot
from tests.fakebot import FakeUser, SentMessage
from tests.harness import ADMIN, CONSENTED, DATA

DISTRICT = DATA / "docx" / "effective-school-district-2022.docx"
IVANOVA = FakeUser(7001, "Иванова И.И.")
PETROVA = FakeUser(7002, "Петрова П.П.")


async def _import(bot: ChatBot) -> SentMessage:
    preview = await bot.upload(ADMIN, DISTRICT.name, DISTRICT.read_bytes())
    await bot.press_label(ADMIN, preview, "Импортировать")
    await bot.api.wait_edit(preview)
    return preview


async def _district(bot: ChatBot) -> str:
    async with bot.app.database.engine.connect() as connection:
        row = (
            await connection.execute(
                select(organisations.c.name).join(
                    roadmaps, roadmaps.c.organisation_id == organisations.c.id
                )
            )
        ).first()
    assert row is not None
    return str(row[0])


async def _methodists(bot: ChatBot) -> None:
    name = await _district(bot)
    async with bot.app.database.transaction() as repositories:
        (org,) = [o for o in await repositories.organisations.list_all() if o.name == name]
        for user in (IVANOVA, PETROVA):
            person = await repositories.people.add(
                full_name=user.first_name,
                name_key=user.first_name.lower(),
                role=Role.EXECUTOR,
                created_at=bot.clock.now(),
                organisation_id=org.id,
                telegram_user_id=user.id,
            )
            await repositories.people.record_consent(person.id, *CONSENTED)


async def test_the_preview_names_the_bodies_that_reach_nobody(bot: ChatBot) -> None:
    preview = await bot.upload(ADMIN, DISTRICT.name, DISTRICT.read_bytes())
    text = preview.plain_text
    assert "не дойдут ни до кого" in text
    assert "«РМК»" in text and "«Комитет»" in text
    assert "Все сроки и ответственные поняты" not in text


async def test_the_coordinator_says_who_the_rmk_is_and_they_get_the_tasks(bot: ChatBot) -> None:
    await _import(bot)
    await _methodists(bot)
    status = await bot.ask(ADMIN, "/status")
    before = status.plain_text
    assert "не дойдут ни до кого: 20" in before  # not zeros that look like all is well
    page = await bot.ask(ADMIN, "/roadmap")
    assert "не дойдут ни до кого" in page.plain_text
    await bot.press_label(ADMIN, page, "Кто отвечает за «РМК»?")
    picker = await bot.api.next_message(ADMIN.id)
    assert "Кто отвечает за «РМК»?" in picker.plain_text
    await bot.press_label(ADMIN, picker, "Иванова")
    ticked = await bot.api.wait_edit(picker)
    assert "✅ Иванова И.И." in str(ticked.buttons())
    await bot.press_label(ADMIN, ticked, "Петрова")
    ticked = await bot.api.wait_edit(ticked)
    await bot.press_label(ADMIN, ticked, "Готово")
    saved = await bot.api.wait_edit(ticked)
    assert "за «РМК» отвечают Иванова И.И., Петрова П.П." in saved.plain_text
    assert "Новых задач: 0" not in saved.plain_text

    tasks = await bot.ask(PETROVA, "/tasks")
    assert "Мои задачи" in tasks.plain_text and "🗓" in tasks.plain_text
    async with bot.app.database.transaction() as repositories:
        planned = await repositories.outbox.all_rows()
    assert {row.chat_id for row in planned} >= {IVANOVA.id, PETROVA.id}  # and reminders
    status = await bot.ask(ADMIN, "/status")
    assert "не дойдут ни до кого" in status.plain_text  # «Комитет» is still nobody's
    assert "не дойдут ни до кого: 20" not in status.plain_text
    again = await bot.ask(ADMIN, "/roadmap")
    assert "Кто отвечает за «РМК»?" not in str(again.buttons())
    # A re-import of the same file keeps the answer: the preview no longer asks about «РМК».
    preview = await bot.upload(ADMIN, DISTRICT.name, DISTRICT.read_bytes())
    assert "«РМК»" not in preview.plain_text and "«Комитет»" in preview.plain_text


async def test_ticking_nobody_is_refused_and_an_old_picker_is_outdated(bot: ChatBot) -> None:
    await _import(bot)
    await _methodists(bot)
    page = await bot.ask(ADMIN, "/roadmap")
    await bot.press_label(ADMIN, page, "Кто отвечает за «РМК»?")
    picker = await bot.api.next_message(ADMIN.id)
    refused = await bot.press_label(ADMIN, picker, "Готово")
    assert refused["show_alert"] and "хотя бы одного" in refused["text"]
    toggle = picker.button("Иванова")
    await bot.press_label(ADMIN, picker, "Отмена")
    cancelled = await bot.api.wait_edit(picker)
    assert "ответственные не изменились" in cancelled.plain_text
    stale = await bot.press(ADMIN, picker, toggle)
    assert stale["show_alert"] and "устарел" in stale["text"]
