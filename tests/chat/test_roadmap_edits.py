"""A coordinator fixes a row in the chat: its deadline and its people, seen in /tasks, the
audit and the reminders, and kept over a re-import of the file; /roadmap's views."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.models import OrganisationKind, Role
from services.people import PeopleService
from storage.repositories.outbox import PLANNED
from storage.schema import activity_history, outbox
from tests.chat.conftest import ChatBot
from tests.fakebot import SentMessage
from tests.harness import ADMIN, COORDINATOR, DATA, EXECUTOR, SCHOOL, ZONE, add_person

SCHOOL_TXT = DATA / "school-tech-cluster-2022.txt"
FIRST_ROW = "Утверждение школьного координатора"
FIRST_CELL = "до 04.10.2022 г.\tШабанова Н.С., заместитель директора по УВР"


async def _imported(bot: ChatBot, text: str) -> None:
    preview = await bot.upload(ADMIN, "plan.txt", text.encode())
    await bot.press_label(ADMIN, preview, "Импортировать")
    await bot.api.wait_edit(preview)


async def _give_first_row_to_the_executor(
    bot: ChatBot, name: str = EXECUTOR.first_name
) -> SentMessage:
    """ADMIN opens /roadmap, «Кто» on the first row: Шабанова unticked, Нина ticked."""
    listing = await bot.ask(ADMIN, "/roadmap")
    assert f"#1 {FIRST_ROW}" in listing.plain_text  # the key its buttons carry
    await bot.press_label(ADMIN, listing, "Кто отвечает #1")
    picker = await bot.api.next_message(ADMIN.id)
    assert FIRST_ROW in picker.plain_text and "В файле: «Шабанова Н.С." in picker.plain_text
    assert "✅ Шабанова Н.С." in str(picker.buttons())  # whom it names now, ticked
    await bot.press_label(ADMIN, picker, "Шабанова")
    picker = await bot.api.wait_edit(picker)
    await bot.press_label(ADMIN, picker, name)
    picker = await bot.api.wait_edit(picker)
    await bot.press_label(ADMIN, picker, "Готово")
    return await bot.api.wait_edit(picker)


async def _history(bot: ChatBot) -> list[tuple[str, dict[str, object]]]:
    async with bot.app.database.engine.connect() as connection:
        rows = await connection.execute(
            select(activity_history.c.event, activity_history.c.details).order_by(
                activity_history.c.id
            )
        )
        return [(str(event), dict(details)) for event, details in rows]


async def _pending_days(bot: ChatBot, chat_id: int) -> list[date]:
    async with bot.app.database.engine.connect() as connection:
        rows = await connection.execute(
            select(outbox.c.local_day).where(
                outbox.c.chat_id == chat_id, outbox.c.status == PLANNED
            )
        )
        return sorted(day for (day,) in rows)


@pytest.fixture
async def school(bot: ChatBot) -> str:
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    original = SCHOOL_TXT.read_text(encoding="utf-8")
    assert original.count(FIRST_CELL) == 1
    await _imported(bot, original)
    return original


async def test_a_rows_people_changed_in_the_chat_get_its_task_and_reminders(
    bot: ChatBot, school: str
) -> None:
    assert FIRST_ROW not in (await bot.ask(EXECUTOR, "/tasks")).plain_text
    assert await _pending_days(bot, EXECUTOR.id) == []
    saved = await _give_first_row_to_the_executor(bot)
    assert "отвечают Нина" in saved.plain_text
    assert FIRST_ROW in (await bot.ask(EXECUTOR, "/tasks")).plain_text
    days = await _pending_days(bot, EXECUTOR.id)
    assert date(2022, 10, 4) in days  # the reminders of its deadline, for her
    event, details = (await _history(bot))[-1]
    assert event == "people_set" and details["people"] == ["Нина"]
    listing = await bot.ask(ADMIN, "/roadmap")
    assert "👤 Нина (выбраны в чате)" in listing.plain_text


async def test_a_deadline_changed_in_the_chat_moves_the_task_and_its_reminders(
    bot: ChatBot, school: str
) -> None:
    await _give_first_row_to_the_executor(bot)
    listing = await bot.ask(ADMIN, "/roadmap")
    await bot.press_label(ADMIN, listing, "Изменить срок")
    await bot.api.next_message(ADMIN.id)
    await bot.ask(ADMIN, "до 25 октября")
    tasks = await bot.ask(EXECUTOR, "/tasks")
    assert "до 25 октября" in tasks.plain_text and "4 октября" not in tasks.plain_text
    after = await _pending_days(bot, EXECUTOR.id)
    assert date(2022, 10, 25) in after and date(2022, 10, 4) not in after
    event, details = (await _history(bot))[-1]
    assert event == "deadline_set" and details["due"] == ["2022-10-25"]


async def test_a_reimport_keeps_the_people_chosen_in_the_chat_and_says_so(
    bot: ChatBot, school: str
) -> None:
    await _give_first_row_to_the_executor(bot)
    changed = school.replace(FIRST_CELL, "до 04.10.2022 г.\tПолякова В.А., заместитель директора")
    preview = await bot.upload(ADMIN, "plan.txt", changed.encode())
    assert "ответственные, выбранные вручную (Нина), оставлены" in preview.plain_text
    assert "«Полякова В.А., заместитель директора»" in preview.plain_text
    await bot.press_label(ADMIN, preview, "Импортировать")
    await bot.api.wait_edit(preview)
    assert FIRST_ROW in (await bot.ask(EXECUTOR, "/tasks")).plain_text
    assert "👤 Нина (выбраны в чате)" in (await bot.ask(ADMIN, "/roadmap")).plain_text
    # The same file again changes nothing and names no conflict.
    again = await bot.upload(ADMIN, "plan.txt", changed.encode())
    assert "выбранные вручную" not in again.plain_text


async def test_a_row_with_steps_has_no_people_button_and_a_forged_press_is_refused(
    bot: ChatBot, school: str
) -> None:
    listing = await bot.ask(ADMIN, "/roadmap")
    labels = [text for row in listing.buttons() for text, _data in row]
    dates = sum("Изменить срок" in text or "Указать срок" in text for text in labels)
    assert sum("Кто отвечает #" in text for text in labels) == dates > 0
    # An executor pressing a coordinator's «Кто» is refused, nothing changes.
    answer = await bot.press_label(EXECUTOR, listing, "Кто отвечает #")
    assert answer["show_alert"] is True
    assert ("people_set", {}) not in [(e, {}) for e, _d in await _history(bot)]


async def test_the_views_list_overdue_unassigned_and_mine(bot: ChatBot, school: str) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)  # a coordinator with a task too
    await _give_first_row_to_the_executor(bot, COORDINATOR.first_name)
    listing = await bot.ask(COORDINATOR, "/roadmap")
    await bot.press_label(COORDINATOR, listing, "Мои")
    mine = await bot.api.wait_edit(listing)
    assert "<b>Мои</b>: мероприятий 1" in mine.text and FIRST_ROW in mine.plain_text
    assert "• 👤 Мои" in str(mine.buttons())
    await bot.press_label(COORDINATOR, mine, "Просрочено")
    overdue = await bot.api.wait_edit(mine)
    assert "Просроченных мероприятий нет" in overdue.plain_text
    bot.clock.advance(timedelta(days=30))  # 20.10: the first rows' dates have passed
    await bot.press_label(COORDINATOR, overdue, "По разделам")
    table = await bot.api.wait_edit(overdue)
    await bot.press_label(COORDINATOR, table, "Просрочено")
    overdue = await bot.api.wait_edit(table)
    assert FIRST_ROW in overdue.plain_text and "Формирование перечней" in overdue.plain_text
    await bot.press_label(COORDINATOR, overdue, "По сроку")
    by_date = await bot.api.wait_edit(overdue)
    text = by_date.plain_text
    assert text.index("Формирование перечней") < text.index(FIRST_ROW)  # 30.09 before 04.10


async def test_rows_reaching_nobody_are_listed_apart(bot: ChatBot) -> None:
    await _imported(bot, (DATA / "school-tech-cluster-2022.txt").read_text(encoding="utf-8"))
    listing = await bot.ask(ADMIN, "/roadmap")
    await bot.press_label(ADMIN, listing, "Без исполнителя")
    found = await bot.api.wait_edit(listing)
    assert "У каждого мероприятия со сроком есть исполнитель" in found.plain_text


async def test_five_roadmaps_in_two_organisations_are_each_reached(bot: ChatBot) -> None:
    service = PeopleService(bot.app.database, bot.clock, timedelta(days=14))
    town = await service.add_organisation(
        None,
        name="Артёмовский ГО",
        kind=OrganisationKind.MUNICIPALITY,
        timezone=ZONE,
        parent_id=None,
    )
    await service.add_organisation(
        None, name=SCHOOL, kind=OrganisationKind.SCHOOL, timezone=ZONE, parent_id=town.id
    )
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation=town.name)
    files = sorted(DATA.glob("*.txt"))
    assert len(files) == 5
    for index, path in enumerate(files):
        preview = await bot.upload(COORDINATOR, path.name, path.read_bytes())
        if index % 2:  # every other one into the school below
            await bot.press_label(COORDINATOR, preview, "Другая организация")
            picker = await bot.api.wait_edit(preview)
            await bot.press_label(COORDINATOR, picker, SCHOOL)
            preview = await bot.api.wait_edit(picker)
        await bot.press_label(COORDINATOR, preview, "Импортировать")
        await bot.api.wait_edit(preview)
    listing = await bot.ask(COORDINATOR, "/roadmap")
    assert "Дорожные карты (5)" in listing.plain_text
    labels = [text for row in listing.buttons() for text, _data in row]
    assert sum(text.startswith("Артёмовский ГО:") for text in labels) == 3
    assert sum(text.startswith("МБОУ «СОШ №2»:") for text in labels) == 2
    titles = set()
    for label in labels:
        opened = await bot.ask(COORDINATOR, "/roadmap")
        await bot.press_label(COORDINATOR, opened, label)
        page = await bot.api.wait_edit(opened)
        titles.add(page.plain_text.splitlines()[0])
    assert len(titles) == 5


async def test_a_deadline_is_picked_on_the_calendar(bot: ChatBot, school: str) -> None:
    listing = await bot.ask(ADMIN, "/roadmap")
    await bot.press_label(ADMIN, listing, "Изменить срок #1")
    ask = await bot.api.next_message(ADMIN.id)
    buttons = str(ask.buttons())
    assert "Октябрь 2022" in buttons and "[4]" in buttons  # its deadline, 04.10, bracketed
    await bot.press_label(ADMIN, ask, "›")
    november = await bot.api.wait_edit(ask)
    assert "Ноябрь 2022" in str(november.buttons())
    sixteen = november.button("16")
    await bot.press(ADMIN, november, november.button("15"))
    saved = await bot.api.wait_edit(november)
    assert "сохранён: до 15.11.2022" in saved.plain_text
    event, details = (await _history(bot))[-1]
    assert event == "deadline_set" and details["due"] == ["2022-11-15"]
    # The wait is over: a stray press of the old calendar changes nothing.
    stale = await bot.press(ADMIN, november, sixteen)
    assert stale.get("show_alert")
