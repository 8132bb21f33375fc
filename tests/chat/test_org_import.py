"""A municipality's schools and heads loaded from a list in the chat: preview, load, /orgs."""

from __future__ import annotations

from datetime import timedelta

from core.models import OrganisationKind, Role
from handlers.callbacks import OrgImportAction, OrgImportCallback
from services.people import PeopleService
from storage.records import Organisation, Person
from tests.chat.conftest import ChatBot
from tests.fakebot import FakeUser, SentMessage
from tests.harness import ADMIN, COORDINATOR, DATA, EXECUTOR, STRANGER, ZONE, add_person

SCHOOL_DOCX = DATA / "docx" / "school-tech-cluster-2022.docx"
SCHOOLS = (
    "№;Наименование ОО;ФИО руководителя;Должность;Телефон\n"
    "1;МБОУ «СОШ №1»;Акимова Наталья Александровна;директор;8-423-1\n"
    "2;МБОУ «СОШ №2»;Колокольцева М.П.;директор;8-423-2\n"
    "3;МБОУ «Гимназия №3»;вакансия;;\n"
).encode("cp1251")


async def _answer_text(bot: ChatBot, user: FakeUser, message: SentMessage, data: str) -> str:
    return str((await bot.press(user, message, data)).get("text") or "")


async def _municipalities(bot: ChatBot) -> dict[str, Organisation]:
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


async def _with_coordinator(bot: ChatBot) -> dict[str, Organisation]:
    """The region and its two municipalities; COORDINATOR looks after Артёмовский ГО."""
    made = await _municipalities(bot)
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="Артёмовский ГО")
    return made


async def _loaded(bot: ChatBot) -> SentMessage:
    """The coordinator sends the list and presses «Загрузить»; the edited preview."""
    preview = await bot.upload(COORDINATOR, "школы.csv", SCHOOLS)
    await _answer_text(bot, COORDINATOR, preview, preview.button("Загрузить"))
    return await bot.api.wait_edit(preview)


async def _asked_for_a_list(bot: ChatBot) -> SentMessage:
    """/orgs → «Загрузить список школ»: the bot's question."""
    tree = await bot.ask(COORDINATOR, "/orgs")
    await _answer_text(bot, COORDINATOR, tree, tree.button("Загрузить список школ"))
    return await bot.api.next_message(COORDINATOR.id)


async def _children(bot: ChatBot, parent_id: int) -> list[Organisation]:
    async with bot.app.database.transaction() as repositories:
        return await repositories.organisations.children_of(parent_id)


async def _heads(bot: ChatBot, organisation_ids: list[int]) -> list[Person]:
    async with bot.app.database.transaction() as repositories:
        return await repositories.people.heads_in(organisation_ids)


async def test_a_list_is_previewed_and_nothing_stored(bot: ChatBot) -> None:
    made = await _with_coordinator(bot)
    preview = await bot.upload(COORDINATOR, "школы.csv", SCHOOLS)
    text = preview.plain_text or ""
    assert "Список школ: предпросмотр" in text
    assert "Входят в: Артёмовский ГО" in text
    assert "Школ в списке: 3 — новых 3, изменится 0, без изменений 0" in text
    assert "Руководители: новых 2" in text
    assert "строка 4: МБОУ «Гимназия №3»: вакансия — не похоже на ФИО" in text
    assert await _children(bot, made["artem"].id) == []


async def test_loading_creates_the_schools_and_their_heads(bot: ChatBot) -> None:
    made = await _with_coordinator(bot)
    done = await _loaded(bot)
    assert "Список школ загружен в «Артёмовский ГО»: новых школ 3" in (done.plain_text or "")
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


async def test_orgs_lists_the_loaded_schools(bot: ChatBot) -> None:
    await _with_coordinator(bot)
    await _loaded(bot)
    listing = await bot.ask(COORDINATOR, "/orgs")
    lines = (listing.plain_text or "").splitlines()
    assert "Артёмовский ГО — муниципалитет, Asia/Vladivostok" in lines
    assert "    МБОУ «СОШ №1» — школа, Asia/Vladivostok" in lines
    assert "    МБОУ «Гимназия №3» — школа, Asia/Vladivostok" in lines


async def test_the_same_list_again_adds_nothing_and_doubles_nothing(bot: ChatBot) -> None:
    made = await _with_coordinator(bot)
    await _loaded(bot)
    again = await bot.upload(COORDINATOR, "школы.csv", SCHOOLS)
    assert "новых 0, изменится 0, без изменений 3" in (again.plain_text or "")
    assert "ничего не изменится" in (again.plain_text or "")
    await _answer_text(bot, COORDINATOR, again, again.button("Загрузить"))
    await bot.api.wait_edit(again)
    assert len(await _children(bot, made["artem"].id)) == 3


async def test_a_roadmap_after_a_list_still_goes_to_the_roadmap_importer(bot: ChatBot) -> None:
    await _with_coordinator(bot)
    await _loaded(bot)
    roadmap = await bot.upload(COORDINATOR, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())
    assert "Предпросмотр импорта" in (roadmap.plain_text or "")


async def test_the_button_in_orgs_asks_for_the_file(bot: ChatBot) -> None:
    await _with_coordinator(bot)
    question = await _asked_for_a_list(bot)
    assert "Пришлите список школ файлом" in (question.plain_text or "")


async def test_text_instead_of_the_file_is_asked_again(bot: ChatBot) -> None:
    await _with_coordinator(bot)
    await _asked_for_a_list(bot)
    typed = await bot.ask(COORDINATOR, "СОШ №1, Акимова")
    assert "файлом (.xlsx или .csv)" in (typed.plain_text or "")


async def test_asked_for_a_list_a_roadmap_is_refused_and_the_flow_waits_on(bot: ChatBot) -> None:
    await _with_coordinator(bot)
    await _asked_for_a_list(bot)
    wrong = await bot.upload(COORDINATOR, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())
    assert "Не нашёл в файле список школ" in (wrong.plain_text or "")
    preview = await bot.upload(COORDINATOR, "школы.csv", SCHOOLS)
    assert "Список школ: предпросмотр" in (preview.plain_text or "")


async def test_text_at_the_preview_asks_for_a_button(bot: ChatBot) -> None:
    await _with_coordinator(bot)
    await _asked_for_a_list(bot)
    await bot.upload(COORDINATOR, "школы.csv", SCHOOLS)
    typed = await bot.ask(COORDINATOR, "да")
    assert "кнопкой" in (typed.plain_text or "")


async def test_cancel_stores_nothing_and_the_load_button_goes_stale(bot: ChatBot) -> None:
    made = await _with_coordinator(bot)
    await _asked_for_a_list(bot)
    preview = await bot.upload(COORDINATOR, "школы.csv", SCHOOLS)
    load = preview.button("Загрузить")
    await _answer_text(bot, COORDINATOR, preview, preview.button("Отмена"))
    cancelled = await bot.api.wait_edit(preview)
    assert "ничего не сохранено" in (cancelled.plain_text or "")
    alert = await _answer_text(bot, COORDINATOR, preview, load)
    assert "устарел" in alert
    assert await _children(bot, made["artem"].id) == []


async def test_an_admin_picks_the_municipality(bot: ChatBot) -> None:
    made = await _municipalities(bot)
    question = await bot.upload(ADMIN, "schools.csv", SCHOOLS)
    assert "В какую организацию они входят" in (question.plain_text or "")
    labels = [text for row in question.buttons() for text, _ in row]
    assert labels == [
        "Приморский край (регион)",
        "Артёмовский ГО (муниципалитет)",
        "Находкинский ГО (муниципалитет)",
        "Отмена",
    ]
    await _answer_text(bot, ADMIN, question, question.button("Находкинский"))
    preview = await bot.api.wait_edit(question)
    assert "Входят в: Находкинский ГО" in (preview.plain_text or "")
    await _answer_text(bot, ADMIN, preview, preview.button("Загрузить"))
    await bot.api.wait_edit(preview)
    assert len(await _children(bot, made["nakhodka"].id)) == 3
    assert await _children(bot, made["artem"].id) == []


async def test_strangers_and_executors_cannot_send_a_list(bot: ChatBot) -> None:
    made = await _municipalities(bot)
    await add_person(bot, EXECUTOR, Role.EXECUTOR, organisation="Артёмовский ГО")
    for user in (STRANGER, EXECUTOR):
        reply = await bot.upload(user, "школы.csv", SCHOOLS)
        assert "только координаторы" in (reply.plain_text or "")
    assert await _children(bot, made["artem"].id) == []


async def test_strangers_and_executors_cannot_press_load(bot: ChatBot) -> None:
    made = await _with_coordinator(bot)
    await add_person(bot, EXECUTOR, Role.EXECUTOR, organisation="Артёмовский ГО")
    preview = await bot.upload(COORDINATOR, "школы.csv", SCHOOLS)
    load = preview.button("Загрузить")
    forged = OrgImportCallback(action=OrgImportAction.START).pack()
    for user in (STRANGER, EXECUTOR):
        alert = await _answer_text(bot, user, preview, load)
        assert "Предпросмотр" not in alert
        assert await _answer_text(bot, user, preview, forged)
    assert await _children(bot, made["artem"].id) == []


async def test_a_municipal_order_gives_one_task_per_school_head(bot: ChatBot) -> None:
    """The municipal order imported into a municipality with its schools loaded from a list:
    each «Руководители ОО» row becomes one task per head; the school without one is named."""
    made = await _with_coordinator(bot)
    await _loaded(bot)
    order = DATA / "docx" / "municipal-order-with-roadmap-2022.docx"
    preview = await bot.upload(COORDINATOR, order.name, order.read_bytes())
    text = preview.plain_text
    assert "Организация: Артёмовский ГО" in text
    assert "Руководителям школ (2): по " in text
    assert "не указан руководитель" in text and "МБОУ «Гимназия №3»" in text
    await bot.press_label(COORDINATOR, preview, "Импортировать")
    await bot.api.wait_edit(preview)
    schools = await _children(bot, made["artem"].id)
    heads = await _heads(bot, [school.id for school in schools])
    async with bot.app.database.transaction() as repositories:
        (roadmap,) = await repositories.roadmaps.in_organisations([made["artem"].id])
        rows = [
            a
            for a in await repositories.activities.in_roadmap(roadmap.id)
            if "руководители оо" in a.fields.responsible_text.casefold() and a.fields.deadline_due
        ]
        tasks = [
            t
            for t in await repositories.tasks.of_activities([a.id for a in rows])
            if not t.is_cancelled
        ]
        executors = await repositories.tasks.executors_of([t.id for t in tasks])
    assert rows
    for row in rows:
        per_head = [
            t for t in tasks if t.activity_id == row.id and t.executor_key.startswith("head:")
        ]
        assert sorted(p for t in per_head for p in executors[t.id]) == sorted(
            h.id for h in heads for _ in row.fields.deadline_due
        )  # one task per head and date; people the row names besides get theirs
    page = await bot.ask(COORDINATOR, "/roadmap")
    assert "не указан руководитель" in page.plain_text  # until the school has one
