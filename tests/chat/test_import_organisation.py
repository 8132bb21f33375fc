"""Where an imported roadmap goes: the guess is shown as a guess, and another can be picked."""

from __future__ import annotations

from sqlalchemy import select

from core.models import OrganisationKind, Role
from storage.schema import organisations, roadmaps
from tests.chat.conftest import ChatBot
from tests.harness import ADMIN, COORDINATOR, DATA, add_person

DISTRICT = DATA / "docx" / "effective-school-district-2022.docx"


async def _placed(bot: ChatBot) -> list[tuple[str, str]]:
    async with bot.app.database.engine.connect() as connection:
        rows = await connection.execute(
            select(organisations.c.name, organisations.c.kind).join(
                roadmaps, roadmaps.c.organisation_id == organisations.c.id
            )
        )
    return [(str(name), str(kind)) for name, kind in rows]


async def test_the_guess_is_said_to_be_one_and_another_organisation_can_be_picked(
    bot: ChatBot,
) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="Ульчский район")
    preview = await bot.upload(ADMIN, DISTRICT.name, DISTRICT.read_bytes())
    assert "угадана по заголовку файла" in preview.plain_text
    await bot.press_label(ADMIN, preview, "Другая организация")
    picker = await bot.api.wait_edit(preview)
    assert "Ульчский район" in str(picker.buttons()) and "Новая:" in str(picker.buttons())
    await bot.press_label(ADMIN, picker, "Ульчский район")
    chosen = await bot.api.wait_edit(picker)
    assert "Организация: Ульчский район" in chosen.plain_text
    assert "угадана" not in chosen.plain_text
    await bot.press_label(ADMIN, chosen, "Импортировать")
    await bot.api.wait_edit(chosen)
    assert await _placed(bot) == [("Ульчский район", OrganisationKind.SCHOOL.value)]


async def test_a_new_organisation_named_by_the_title_gets_the_kind_its_name_says(
    bot: ChatBot,
) -> None:
    order = DATA / "docx" / "municipal-order-with-roadmap-2022.docx"
    preview = await bot.upload(ADMIN, order.name, order.read_bytes())
    assert "МКУ «Управление образования» (угадана по заголовку файла" in preview.plain_text
    await bot.press_label(ADMIN, preview, "Импортировать")
    await bot.api.wait_edit(preview)
    assert await _placed(bot) == [
        ("МКУ «Управление образования»", OrganisationKind.MUNICIPALITY.value)
    ]


async def test_a_coordinator_is_offered_only_their_organisations(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    await add_person(bot, ADMIN, Role.COORDINATOR, organisation="Чужой район")
    preview = await bot.upload(COORDINATOR, DISTRICT.name, DISTRICT.read_bytes())
    assert "угадана" not in preview.plain_text  # their own organisation, not a guess
    await bot.press_label(COORDINATOR, preview, "Другая организация")
    picker = await bot.api.wait_edit(preview)
    offered = str(picker.buttons())
    assert "СОШ №2" in offered and "Чужой район" not in offered and "Новая:" not in offered
