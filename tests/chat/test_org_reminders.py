"""A coordinator sets their organisation's reminder days and time in the chat."""

from __future__ import annotations

from core.models import OrganisationKind, Role
from tests.chat.conftest import ChatBot
from tests.harness import COORDINATOR, SCHOOL, add_person


async def _stored(bot: ChatBot) -> tuple[str | None, str | None]:
    async with bot.app.database.transaction() as repositories:
        (school,) = [o for o in await repositories.organisations.list_all() if o.name == SCHOOL]
    return school.reminder_offsets, school.reminder_time


async def test_days_and_time_typed_in_the_chat(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    tree = await bot.ask(COORDINATOR, "/orgs")
    await bot.press_label(COORDINATOR, tree, "Дни и время напоминаний")
    asked = await bot.api.next_message(COORDINATOR.id)
    assert "как у всех" in asked.plain_text and "7, 3, 1, 0 в 08:30" in asked.plain_text
    wrong = await bot.ask(COORDINATOR, "когда-нибудь")
    assert "Не понял" in wrong.plain_text
    saved = await bot.ask(COORDINATOR, "5, 1 в 08:30")
    assert "за 5,1 дн. до срока, в 08:30" in saved.plain_text
    assert await _stored(bot) == ("5,1", "08:30")
    # Only the time, later: the days stay.
    tree = await bot.ask(COORDINATOR, "/orgs")
    await bot.press_label(COORDINATOR, tree, "Дни и время напоминаний")
    await bot.api.next_message(COORDINATOR.id)
    await bot.ask(COORDINATOR, "9:15")
    assert await _stored(bot) == ("5,1", "09:15")


async def test_a_misnamed_organisation_is_renamed_in_the_chat(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    tree = await bot.ask(COORDINATOR, "/orgs")
    await bot.press_label(COORDINATOR, tree, "Переименовать")
    asked = await bot.api.next_message(COORDINATOR.id)
    assert f"Как назвать «{SCHOOL}»?" in asked.plain_text
    short = await bot.ask(COORDINATOR, "Ш")
    assert "от 3 до 300 символов" in short.plain_text  # and the question still stands
    done = await bot.ask(COORDINATOR, "МБОУ «СОШ №2 им. А.С. Пушкина»")
    assert "теперь называется «МБОУ «СОШ №2 им. А.С. Пушкина»»" in done.plain_text
    async with bot.app.database.transaction() as repositories:
        names = [o.name for o in await repositories.organisations.list_all()]
    assert names == ["МБОУ «СОШ №2 им. А.С. Пушкина»"]


async def test_a_coordinator_of_several_picks_which_one(bot: ChatBot) -> None:
    async with bot.app.database.transaction() as repositories:
        district = await repositories.organisations.add(
            name="Управление образования района",
            kind=OrganisationKind.MUNICIPALITY,
            timezone="Asia/Vladivostok",
            created_at=bot.clock.now(),
        )
        await repositories.organisations.add(
            name=SCHOOL,
            kind=OrganisationKind.SCHOOL,
            timezone="Asia/Vladivostok",
            created_at=bot.clock.now(),
            parent_id=district.id,
        )
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation=district.name)
    tree = await bot.ask(COORDINATOR, "/orgs")
    await bot.press_label(COORDINATOR, tree, "Дни и время напоминаний")
    which = await bot.api.next_message(COORDINATOR.id)
    assert "Какую организацию?" in which.plain_text
    await bot.press_label(COORDINATOR, which, SCHOOL)
    await bot.api.next_message(COORDINATOR.id)
    await bot.ask(COORDINATOR, "2, 0 в 10:00")
    assert await _stored(bot) == ("2,0", "10:00")
