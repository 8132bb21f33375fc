"""A municipality's schools and heads loaded from a list in the chat: preview, load, /orgs."""

from __future__ import annotations

from datetime import timedelta

from core.models import OrganisationKind, Role
from handlers.callbacks import OrgImportAction, OrgImportCallback
from services.people import PeopleService
from storage.records import Organisation, Person
from tests.e2e.conftest import (
    ADMIN,
    COORDINATOR,
    DATA,
    EXECUTOR,
    STRANGER,
    RunningBot,
    add_person,
)
from tests.fakebot import FakeUser, SentMessage

ZONE = "Asia/Vladivostok"
SCHOOL_DOCX = DATA / "docx" / "school-tech-cluster-2022.docx"
SCHOOLS = (
    "№;Наименование ОО;ФИО руководителя;Должность;Телефон\n"
    "1;МБОУ «СОШ №1»;Акимова Наталья Александровна;директор;8-423-1\n"
    "2;МБОУ «СОШ №2»;Колокольцева М.П.;директор;8-423-2\n"
    "3;МБОУ «Гимназия №3»;вакансия;;\n"
).encode("cp1251")


async def _answer_text(bot: RunningBot, user: FakeUser, message: SentMessage, data: str) -> str:
    return str((await bot.press(user, message, data)).get("text") or "")


async def _municipalities(bot: RunningBot) -> dict[str, Organisation]:
    service = PeopleService(bot.app.database, bot.clock, timedelta(days=14))
    region = await service.add_organisation(
        None, name="Приморский край", kind=OrganisationKind.REGION, timezone=ZONE, parent_id=None
    )
    made = {"region": region}
    for key, name in (("artem", "Артёмовский ГО"), ("nakhodka", "Находкинский ГО")):
        made[key] = await service.add_organisation(
            None,
            name=name,
            kind=OrganisationKind.MUNICIPALITY,
            timezone=ZONE,
            parent_id=region.id,
        )
    return made


async def _upload(bot: RunningBot, user: FakeUser, name: str, content: bytes) -> SentMessage:
    bot.api.push_document(user, name, content)
    return await bot.api.next_message(user.id, timeout=15)


async def _children(bot: RunningBot, parent_id: int) -> list[Organisation]:
    async with bot.app.database.transaction() as repositories:
        return await repositories.organisations.children_of(parent_id)


async def _heads(bot: RunningBot, organisation_ids: list[int]) -> list[Person]:
    async with bot.app.database.transaction() as repositories:
        return await repositories.people.heads_in(organisation_ids)


async def test_coordinator_sends_a_list_previews_and_loads_it(running_bot: RunningBot) -> None:
    bot = running_bot
    made = await _municipalities(bot)
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="Артёмовский ГО")

    preview = await _upload(bot, COORDINATOR, "школы.csv", SCHOOLS)
    text = preview.plain_text
    assert "Список школ: предпросмотр" in text
    assert "Входят в: Артёмовский ГО" in text
    assert "Школ в списке: 3 — новых 3, изменится 0, без изменений 0" in text
    assert "Руководители: новых 2" in text
    assert "строка 4: МБОУ «Гимназия №3»: вакансия — не похоже на ФИО" in text
    assert await _children(bot, made["artem"].id) == []  # a preview stores nothing

    await _answer_text(bot, COORDINATOR, preview, preview.button("Загрузить"))
    done = await bot.api.wait_edit(preview, timeout=15)
    assert "Список школ загружен в «Артёмовский ГО»: новых школ 3" in done.plain_text
    assert done.buttons() == []
    schools = await _children(bot, made["artem"].id)
    assert [school.name for school in schools] == [
        "МБОУ «СОШ №1»",
        "МБОУ «СОШ №2»",
        "МБОУ «Гимназия №3»",
    ]
    heads = await _heads(bot, [school.id for school in schools])
    assert [(head.full_name, head.position) for head in heads] == [
        ("Акимова Наталья Александровна", "директор"),
        ("Колокольцева М.П.", "директор"),
    ]

    listing = await bot.ask(COORDINATOR, "/orgs")
    lines = listing.plain_text.splitlines()
    assert "Артёмовский ГО — муниципалитет, Asia/Vladivostok" in lines
    assert "    МБОУ «СОШ №1» — школа, Asia/Vladivostok" in lines
    assert "    МБОУ «Гимназия №3» — школа, Asia/Vladivostok" in lines

    # The same list again: nothing new, nothing doubled.
    again = await _upload(bot, COORDINATOR, "школы.csv", SCHOOLS)
    assert "новых 0, изменится 0, без изменений 3" in again.plain_text
    assert "ничего не изменится" in again.plain_text
    await _answer_text(bot, COORDINATOR, again, again.button("Загрузить"))
    await bot.api.wait_edit(again, timeout=15)
    assert len(await _children(bot, made["artem"].id)) == 3

    # A roadmap from the same coordinator still goes to the roadmap importer.
    roadmap = await _upload(bot, COORDINATOR, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())
    assert "Предпросмотр импорта" in roadmap.plain_text


async def test_the_button_in_orgs_asks_for_the_file_and_cancel_stores_nothing(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    made = await _municipalities(bot)
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="Артёмовский ГО")
    tree = await bot.ask(COORDINATOR, "/orgs")
    await _answer_text(bot, COORDINATOR, tree, tree.button("Загрузить список школ"))
    question = await bot.api.next_message(COORDINATOR.id)
    assert "Пришлите список школ файлом" in question.plain_text

    typed = await bot.ask(COORDINATOR, "СОШ №1, Акимова")
    assert "файлом (.xlsx или .csv)" in typed.plain_text
    # Asked for a list, a roadmap is not taken for one: the reason, and the flow waits on.
    wrong = await _upload(bot, COORDINATOR, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())
    assert "Не нашёл в файле список школ" in wrong.plain_text
    preview = await _upload(bot, COORDINATOR, "школы.csv", SCHOOLS)
    assert "Список школ: предпросмотр" in preview.plain_text
    typed = await bot.ask(COORDINATOR, "да")
    assert "кнопкой" in typed.plain_text

    load = preview.button("Загрузить")
    await _answer_text(bot, COORDINATOR, preview, preview.button("Отмена"))
    cancelled = await bot.api.wait_edit(preview)
    assert "ничего не сохранено" in cancelled.plain_text
    alert = await _answer_text(bot, COORDINATOR, preview, load)
    assert "устарел" in alert
    assert await _children(bot, made["artem"].id) == []


async def test_an_admin_picks_the_municipality(running_bot: RunningBot) -> None:
    bot = running_bot
    made = await _municipalities(bot)
    question = await _upload(bot, ADMIN, "schools.csv", SCHOOLS)
    assert "В какую организацию они входят" in question.plain_text
    labels = [text for row in question.buttons() for text, _ in row]
    assert labels == [
        "Приморский край (регион)",
        "Артёмовский ГО (муниципалитет)",
        "Находкинский ГО (муниципалитет)",
        "Отмена",
    ]
    await _answer_text(bot, ADMIN, question, question.button("Находкинский"))
    preview = await bot.api.wait_edit(question, timeout=15)
    assert "Входят в: Находкинский ГО" in preview.plain_text
    await _answer_text(bot, ADMIN, preview, preview.button("Загрузить"))
    await bot.api.wait_edit(preview, timeout=15)
    assert len(await _children(bot, made["nakhodka"].id)) == 3
    assert await _children(bot, made["artem"].id) == []


async def test_strangers_and_executors_cannot_load_a_list(running_bot: RunningBot) -> None:
    bot = running_bot
    made = await _municipalities(bot)
    await add_person(bot, EXECUTOR, Role.EXECUTOR, organisation="Артёмовский ГО")
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="Артёмовский ГО")
    for user in (STRANGER, EXECUTOR):
        reply = await _upload(bot, user, "школы.csv", SCHOOLS)
        assert "только координаторы" in reply.plain_text
    preview = await _upload(bot, COORDINATOR, "школы.csv", SCHOOLS)
    load = preview.button("Загрузить")
    for user in (STRANGER, EXECUTOR):
        alert = await _answer_text(bot, user, preview, load)
        assert "Предпросмотр" not in alert
        forged = OrgImportCallback(action=OrgImportAction.START).pack()
        alert = await _answer_text(bot, user, preview, forged)
        assert alert
    assert await _children(bot, made["artem"].id) == []
