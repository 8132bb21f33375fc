"""/orgs: the tree a person looks after, and adding an organisation with buttons."""

from __future__ import annotations

from datetime import timedelta

from core.models import OrganisationKind, Role
from handlers.callbacks import OrgParentCallback
from services.people import PeopleService
from storage.records import Organisation
from tests.chat.conftest import ChatBot
from tests.fakebot import FakeUser, SentMessage
from tests.harness import ADMIN, COORDINATOR, EXECUTOR, ZONE, add_person


def _service(bot: ChatBot) -> PeopleService:
    return PeopleService(bot.app.database, bot.clock, timedelta(days=14))


async def _all(bot: ChatBot) -> list[Organisation]:
    async with bot.app.database.transaction() as repositories:
        return await repositories.organisations.list_all()


def _labels(message: SentMessage) -> list[str]:
    return [text for row in message.buttons() for text, _ in row]


async def _start_adding(bot: ChatBot, user: FakeUser, name: str) -> SentMessage:
    """/orgs → ➕ → the name; returns the question about the kind."""
    tree = await bot.ask(user, "/orgs")
    await bot.press_label(user, tree, "Добавить организацию")
    question = await bot.api.next_message(user.id)
    assert "Как называется новая организация" in (question.plain_text or "")
    return await bot.ask(user, name)


async def _region(bot: ChatBot) -> Organisation:
    return await _service(bot).add_organisation(
        None, name="Приморский край", kind=OrganisationKind.REGION, timezone=ZONE, parent_id=None
    )


async def _region_with_two_municipalities(bot: ChatBot) -> dict[str, Organisation]:
    service = _service(bot)
    region = await _region(bot)
    made = {"region": region}
    for key, name, school in (
        ("artem", "Артёмовский ГО", "МБОУ «СОШ №2»"),
        ("nakhodka", "Находкинский ГО", "МБОУ «Гимназия №1»"),
    ):
        municipality = await service.add_organisation(
            None,
            name=name,
            kind=OrganisationKind.MUNICIPALITY,
            timezone=ZONE,
            parent_id=region.id,
        )
        made[key] = municipality
        made[f"{key}_school"] = await service.add_organisation(
            None,
            name=school,
            kind=OrganisationKind.SCHOOL,
            timezone=ZONE,
            parent_id=municipality.id,
        )
    return made


async def test_orgs_says_when_there_are_none(bot: ChatBot) -> None:
    empty = await bot.ask(ADMIN, "/orgs")
    assert "Организаций пока нет" in (empty.plain_text or "")


async def test_a_name_too_short_is_asked_again(bot: ChatBot) -> None:
    refused = await _start_adding(bot, ADMIN, "ab")
    assert "от 3 до 300 символов" in (refused.plain_text or "")


async def test_the_kind_is_asked_with_buttons_and_typing_it_is_refused(bot: ChatBot) -> None:
    kind_question = await _start_adding(bot, ADMIN, "  Приморский   край ")
    assert "Что такое «Приморский край»" in (kind_question.plain_text or "")
    assert _labels(kind_question) == ["Регион", "Муниципалитет", "Школа"]
    typed = await bot.ask(ADMIN, "регион")
    assert "кнопкой" in (typed.plain_text or "")


async def test_a_region_belongs_to_nothing_and_is_added_at_once(bot: ChatBot) -> None:
    kind_question = await _start_adding(bot, ADMIN, "Приморский край")
    await bot.press_label(ADMIN, kind_question, "Регион")
    done = await bot.api.wait_edit(kind_question)
    text = done.plain_text or ""
    assert "Организация добавлена" in text
    assert "Приморский край — регион, Asia/Vladivostok" in text
    assert "Верхний уровень" in text


async def test_a_school_asks_for_its_parent_and_goes_under_it(bot: ChatBot) -> None:
    region = await _region(bot)
    kind_question = await _start_adding(bot, ADMIN, "МБОУ «СОШ №5»")
    await bot.press_label(ADMIN, kind_question, "Школа")
    parent_question = await bot.api.wait_edit(kind_question)
    assert "В какую организацию входит «МБОУ «СОШ №5»»" in (parent_question.plain_text or "")
    assert _labels(parent_question) == [
        "Приморский край (регион)",
        "Без родителя (верхний уровень)",
    ]
    await bot.press_label(ADMIN, parent_question, "Приморский край")
    done = await bot.api.wait_edit(parent_question)
    assert "МБОУ «СОШ №5» — школа, Asia/Vladivostok" in (done.plain_text or "")
    assert "Входит в: Приморский край" in (done.plain_text or "")

    listing = await bot.ask(ADMIN, "/orgs")
    lines = (listing.plain_text or "").splitlines()
    assert "Приморский край — регион, Asia/Vladivostok" in lines
    assert "    МБОУ «СОШ №5» — школа, Asia/Vladivostok" in lines
    organisations = {o.name: o for o in await _all(bot)}
    assert set(organisations) == {"Приморский край", "МБОУ «СОШ №5»"}
    assert organisations["МБОУ «СОШ №5»"].parent_id == region.id


async def test_the_same_name_under_one_parent_is_not_added_twice(bot: ChatBot) -> None:
    await _region_with_two_municipalities(bot)
    kind_question = await _start_adding(bot, ADMIN, "мбоу  «сош №2»")
    await bot.press_label(ADMIN, kind_question, "Школа")
    parent_question = await bot.api.wait_edit(kind_question)
    await bot.press_label(ADMIN, parent_question, "Артёмовский ГО")
    done = await bot.api.wait_edit(parent_question)
    assert "уже есть" in (done.plain_text or "")
    assert len(await _all(bot)) == 5


async def _municipal_coordinator(bot: ChatBot) -> dict[str, Organisation]:
    made = await _region_with_two_municipalities(bot)
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="Артёмовский ГО")
    return made


async def _parent_question(bot: ChatBot) -> SentMessage:
    """The coordinator adds «МБОУ «СОШ №7»», a school: the question about its parent."""
    kind_question = await _start_adding(bot, COORDINATOR, "МБОУ «СОШ №7»")
    await bot.press_label(COORDINATOR, kind_question, "Школа")
    return await bot.api.wait_edit(kind_question)


async def test_a_coordinator_sees_only_their_own_subtree(bot: ChatBot) -> None:
    await _municipal_coordinator(bot)
    listing = await bot.ask(COORDINATOR, "/orgs")
    text = listing.plain_text or ""
    lines = text.splitlines()
    assert "Артёмовский ГО — муниципалитет, Asia/Vladivostok" in lines
    assert "    МБОУ «СОШ №2» — школа, Asia/Vladivostok" in lines
    for foreign in ("Приморский край", "Находкинский ГО", "Гимназия"):
        assert foreign not in text


async def test_below_a_municipality_only_a_school_under_it_is_offered(bot: ChatBot) -> None:
    await _municipal_coordinator(bot)
    kind_question = await _start_adding(bot, COORDINATOR, "МБОУ «СОШ №7»")
    assert _labels(kind_question) == ["Школа"]
    await bot.press_label(COORDINATOR, kind_question, "Школа")
    parent_question = await bot.api.wait_edit(kind_question)
    assert _labels(parent_question) == ["Артёмовский ГО (муниципалитет)"]


async def test_forged_parents_outside_the_subtree_are_refused(bot: ChatBot) -> None:
    made = await _municipal_coordinator(bot)
    parent_question = await _parent_question(bot)
    # The neighbouring municipality, and the top level.
    for forged in (made["nakhodka"].id, None):
        answer = await bot.press(
            COORDINATOR, parent_question, OrgParentCallback(parent_id=forged).pack()
        )
        assert answer["show_alert"] is True
        assert "недоступно" in answer["text"]
    assert len(await _all(bot)) == 5


async def test_a_coordinator_adds_a_school_to_their_municipality(bot: ChatBot) -> None:
    made = await _municipal_coordinator(bot)
    parent_question = await _parent_question(bot)
    await bot.press_label(COORDINATOR, parent_question, "Артёмовский ГО")
    done = await bot.api.wait_edit(parent_question)
    assert "Входит в: Артёмовский ГО" in (done.plain_text or "")
    created = [o for o in await _all(bot) if o.name == "МБОУ «СОШ №7»"]
    assert [o.parent_id for o in created] == [made["artem"].id]


async def test_a_school_coordinator_sees_their_school_and_cannot_add(bot: ChatBot) -> None:
    await _region_with_two_municipalities(bot)
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="МБОУ «СОШ №2»")
    listing = await bot.ask(COORDINATOR, "/orgs")
    assert "МБОУ «СОШ №2» — школа" in (listing.plain_text or "")
    assert "Артёмовский ГО" not in (listing.plain_text or "")
    # Nothing to add under a school: its reminder days and time, its report, its name.
    assert listing.buttons() == [
        [("⏰ Дни и время напоминаний", "org1:rem")],
        [("📄 Отчёт о выполнении по расписанию", "org1:rep")],
        [("✏️ Переименовать организацию", "org1:ren")],
    ]
    answer = await bot.press(COORDINATOR, listing, "org1:add")
    assert answer["show_alert"] is True
    assert "администратор и координаторы" in answer["text"]
    assert len(await _all(bot)) == 5


async def test_a_parent_button_outside_a_flow_is_stale(bot: ChatBot) -> None:
    made = await _region_with_two_municipalities(bot)
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="МБОУ «СОШ №2»")
    listing = await bot.ask(COORDINATOR, "/orgs")
    # E.g. kept from an old message.
    answer = await bot.press(
        COORDINATOR, listing, OrgParentCallback(parent_id=made["artem"].id).pack()
    )
    assert answer["show_alert"] is True
    assert "Начните заново" in answer["text"]
    assert len(await _all(bot)) == 5


async def test_cancel_ends_the_flow_and_its_buttons_die(bot: ChatBot) -> None:
    old_question = await _start_adding(bot, ADMIN, "Приморский край")
    cancelled = await bot.ask(ADMIN, "/cancel")
    assert "отменено" in (cancelled.plain_text or "")
    answer = await bot.press_label(ADMIN, old_question, "Регион")
    assert answer["show_alert"] is True
    assert "Начните заново" in answer["text"]
    assert await _all(bot) == []


async def test_a_new_addition_does_not_revive_a_cancelled_ones_buttons(bot: ChatBot) -> None:
    old_question = await _start_adding(bot, ADMIN, "Приморский край")
    await bot.ask(ADMIN, "/cancel")
    new_question = await _start_adding(bot, ADMIN, "Хабаровский край")
    answer = await bot.press_label(ADMIN, old_question, "Регион")
    assert "Начните заново" in answer["text"]
    await bot.press_label(ADMIN, new_question, "Регион")
    done = await bot.api.wait_edit(new_question)
    assert "Хабаровский край — регион" in (done.plain_text or "")
    assert [o.name for o in await _all(bot)] == ["Хабаровский край"]


async def test_an_executor_is_politely_refused(bot: ChatBot) -> None:
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    reply = await bot.ask(EXECUTOR, "/orgs")
    assert "Это действие вам недоступно" in (reply.plain_text or "")
    assert reply.buttons() == []


async def test_the_admins_people_are_listed_under_their_organisations(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="Ульчский район")
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    lines = (await bot.ask(ADMIN, "/people")).plain_text.splitlines()
    school, district = lines.index("🏢 МБОУ «СОШ №2»"), lines.index("🏢 Ульчский район")
    assert school < district
    assert lines.index(next(line for line in lines if "Нина" in line)) == school + 1
    assert lines.index(next(line for line in lines if "Наталья" in line)) == district + 1
    # One organisation's coordinator sees no headings: all are theirs.
    own = (await bot.ask(COORDINATOR, "/people")).plain_text
    assert "🏢" not in own
