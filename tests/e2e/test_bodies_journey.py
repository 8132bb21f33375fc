"""Bodies and groups reach people, over HTTP: the district and lyceum roadmaps (.docx) name
«РМК», «Комитет», «Администрация» instead of people; the coordinator says who they are in the
chat; tasks and reminders follow; a re-import and a later roadmap need no second answer."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Role
from storage.repositories.outbox import PLANNED
from storage.schema import (
    activities,
    organisations,
    outbox,
    people,
    roadmaps,
    task_executors,
    tasks,
)
from tests.e2e.conftest import COORDINATOR, DATA, RunningBot, add_person
from tests.fakebot import FakeUser, SentMessage

DISTRICT = DATA / "docx" / "effective-school-district-2022.docx"
LYCEUM = DATA / "docx" / "lyceum-diaries-2023-2028.docx"
IVANOVA = FakeUser(7101, "Иванова И.И.", language_code="ru")
PETROVA = FakeUser(7102, "Петрова П.П.", language_code="ru")
SIDOROVA = FakeUser(7103, "Сидорова С.С.", language_code="ru")
# A later plan of the same district that names the methodical office in full.
LATER_PLAN = (
    "План мероприятий на 2022 год\n\n"
    "№\tМероприятие\tСрок\tОтветственные\n"
    "1.\tСеминар для заместителей директоров\tдо 15.11.2022\t"
    "районный методический кабинет\n"
)


async def _preview(bot: RunningBot, name: str, content: bytes) -> SentMessage:
    bot.api.push_document(COORDINATOR, name, content)
    return await bot.api.next_message(COORDINATOR.id, timeout=15)


async def _confirm(bot: RunningBot, preview: SentMessage) -> None:
    await bot.press_label(COORDINATOR, preview, "Импортировать")
    await bot.api.wait_edit(preview)


async def _organisation_of_first_roadmap(bot: RunningBot) -> str:
    async with bot.app.database.engine.connect() as connection:
        row = (
            await connection.execute(
                select(organisations.c.name)
                .join(roadmaps, roadmaps.c.organisation_id == organisations.c.id)
                .order_by(roadmaps.c.id)
            )
        ).first()
    assert row is not None
    return str(row[0])


async def _answer(bot: RunningBot, body: str, people: list[FakeUser]) -> str:
    """In /roadmap, «Кто отвечает за «body»?», these people ticked, «Готово»: the answer."""
    page = await bot.ask(COORDINATOR, "/roadmap")
    await bot.press_label(COORDINATOR, page, f"Кто отвечает за «{body}»?")
    picker = await bot.api.next_message(COORDINATOR.id)
    for person in people:
        await bot.press_label(COORDINATOR, picker, person.first_name)
        picker = await bot.api.wait_edit(picker)
    await bot.press_label(COORDINATOR, picker, "Готово")
    return (await bot.api.wait_edit(picker)).plain_text


async def _task_titles_of(bot: RunningBot, user: FakeUser) -> set[str]:
    async with bot.app.database.engine.connect() as connection:
        rows = await connection.execute(
            select(activities.c.title)
            .join(tasks, tasks.c.activity_id == activities.c.id)
            .join(task_executors, task_executors.c.task_id == tasks.c.id)
            .join(people, people.c.id == task_executors.c.person_id)
            .where(people.c.telegram_user_id == user.id, tasks.c.is_cancelled.is_(False))
        )
        return {str(title) for (title,) in rows}


async def _planned_chats(bot: RunningBot) -> set[int]:
    async with bot.app.database.engine.connect() as connection:
        rows = await connection.execute(
            select(outbox.c.chat_id).where(outbox.c.status == PLANNED).distinct()
        )
        return {int(chat_id) for (chat_id,) in rows}


async def test_district_bodies_are_answered_once_for_every_roadmap(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    # The district roadmap goes where its title says; its coordinator and staff are there.
    await add_person(bot, COORDINATOR, Role.COORDINATOR, "Ульчский район")
    preview = await _preview(bot, DISTRICT.name, DISTRICT.read_bytes())
    text = preview.plain_text
    assert "не дойдут ни до кого" in text and "«РМК»" in text and "«Комитет»" in text
    assert "Все сроки и ответственные поняты" not in text
    await _confirm(bot, preview)
    district = await _organisation_of_first_roadmap(bot)
    for person in (IVANOVA, PETROVA):
        await add_person(bot, person, Role.EXECUTOR, district)

    assert "за «РМК» отвечают Иванова И.И." in await _answer(bot, "РМК", [IVANOVA])
    assert "за «Комитет» отвечают Петрова П.П." in await _answer(bot, "Комитет", [PETROVA])
    for person in (IVANOVA, PETROVA):
        tasks = await bot.ask(person, "/tasks")
        assert "Мои задачи" in tasks.plain_text
    assert {IVANOVA.id, PETROVA.id} <= await _planned_chats(bot)  # and their reminders

    # The same file again: nothing to ask about «РМК» or «Комитет».
    again = await _preview(bot, DISTRICT.name, DISTRICT.read_bytes())
    assert "«РМК»" not in again.plain_text and "«Комитет»" not in again.plain_text
    await bot.press_label(COORDINATOR, again, "Отмена")
    await bot.api.wait_edit(again)

    # A later roadmap of the district names the office in full: assigned without asking.
    later = await _preview(bot, "plan.txt", LATER_PLAN.encode())
    assert f"Организация: {district}" in later.plain_text
    assert "не дойдут ни до кого" not in later.plain_text
    await _confirm(bot, later)
    assert await _task_titles_of(bot, IVANOVA) >= {"Семинар для заместителей директоров"}


async def test_lyceum_groups_get_members_in_the_chat(running_bot: RunningBot) -> None:
    bot = running_bot
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    preview = await _preview(bot, LYCEUM.name, LYCEUM.read_bytes())
    assert "не дойдут ни до кого" in preview.plain_text
    assert "«Администрация»" in preview.plain_text
    await _confirm(bot, preview)
    lyceum = await _organisation_of_first_roadmap(bot)
    await add_person(bot, SIDOROVA, Role.EXECUTOR, lyceum)
    assert "за «Администрация» отвечают Сидорова С.С." in await _answer(
        bot, "Администрация", [SIDOROVA]
    )
    assert "Мои задачи" in (await bot.ask(SIDOROVA, "/tasks")).plain_text
    assert SIDOROVA.id in await _planned_chats(bot)
