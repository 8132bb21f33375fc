"""/orgs: the tree a person looks after, and adding an organisation with buttons."""

from __future__ import annotations

from datetime import timedelta

from core.models import OrganisationKind, Role
from handlers.callbacks import OrgParentCallback
from services.people import PeopleService
from storage.records import Organisation
from tests.e2e.conftest import ADMIN, COORDINATOR, EXECUTOR, RunningBot, add_person
from tests.fakebot import FakeUser, SentMessage

ZONE = "Asia/Vladivostok"


def _service(bot: RunningBot) -> PeopleService:
    return PeopleService(bot.app.database, bot.clock, timedelta(days=14))


async def _all(bot: RunningBot) -> list[Organisation]:
    async with bot.app.database.transaction() as repositories:
        return await repositories.organisations.list_all()


async def _start_adding(bot: RunningBot, user: FakeUser, name: str) -> SentMessage:
    """/orgs → ➕ → the name; returns the question about the kind."""
    tree = await bot.ask(user, "/orgs")
    await bot.press(user, tree, tree.button("Добавить организацию"))
    question = await bot.api.next_message(user.id)
    assert "Как называется новая организация" in question.plain_text
    return await bot.ask(user, name)


async def _region_with_two_municipalities(bot: RunningBot) -> dict[str, Organisation]:
    service = _service(bot)
    region = await service.add_organisation(
        None, name="Приморский край", kind=OrganisationKind.REGION, timezone=ZONE, parent_id=None
    )
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


async def test_admin_adds_a_region_then_a_school_under_it(running_bot: RunningBot) -> None:
    bot = running_bot
    empty = await bot.ask(ADMIN, "/orgs")
    assert "Организаций пока нет" in empty.plain_text

    kind_question = await _start_adding(bot, ADMIN, "ab")
    assert "от 3 до 300 символов" in kind_question.plain_text
    kind_question = await bot.ask(ADMIN, "  Приморский   край ")
    assert "Что такое «Приморский край»" in kind_question.plain_text
    assert [text for row in kind_question.buttons() for text, _ in row] == [
        "Регион",
        "Муниципалитет",
        "Школа",
    ]
    typed = await bot.ask(ADMIN, "регион")
    assert "кнопкой" in typed.plain_text
    # A region belongs to nothing, so it is created at once.
    await bot.press(ADMIN, kind_question, kind_question.button("Регион"))
    done = await bot.api.wait_edit(kind_question)
    assert "Организация добавлена" in done.plain_text
    assert "Приморский край — регион, Asia/Vladivostok" in done.plain_text
    assert "Верхний уровень" in done.plain_text

    kind_question = await _start_adding(bot, ADMIN, "МБОУ «СОШ №5»")
    await bot.press(ADMIN, kind_question, kind_question.button("Школа"))
    parent_question = await bot.api.wait_edit(kind_question)
    assert "В какую организацию входит «МБОУ «СОШ №5»»" in parent_question.plain_text
    labels = [text for row in parent_question.buttons() for text, _ in row]
    assert labels == ["Приморский край (регион)", "Без родителя (верхний уровень)"]
    await bot.press(ADMIN, parent_question, parent_question.button("Приморский край"))
    done = await bot.api.wait_edit(parent_question)
    assert "МБОУ «СОШ №5» — школа, Asia/Vladivostok" in done.plain_text
    assert "Входит в: Приморский край" in done.plain_text

    listing = await bot.ask(ADMIN, "/orgs")
    lines = listing.plain_text.splitlines()
    assert "Приморский край — регион, Asia/Vladivostok" in lines
    assert "    МБОУ «СОШ №5» — школа, Asia/Vladivostok" in lines
    organisations = {o.name: o for o in await _all(bot)}
    assert set(organisations) == {"Приморский край", "МБОУ «СОШ №5»"}
    assert organisations["МБОУ «СОШ №5»"].parent_id == organisations["Приморский край"].id


async def test_the_same_name_under_one_parent_is_not_added_twice(running_bot: RunningBot) -> None:
    bot = running_bot
    await _region_with_two_municipalities(bot)
    kind_question = await _start_adding(bot, ADMIN, "мбоу  «сош №2»")
    await bot.press(ADMIN, kind_question, kind_question.button("Школа"))
    parent_question = await bot.api.wait_edit(kind_question)
    await bot.press(ADMIN, parent_question, parent_question.button("Артёмовский ГО"))
    done = await bot.api.wait_edit(parent_question)
    assert "уже есть" in done.plain_text
    assert len(await _all(bot)) == 5


async def test_a_coordinator_sees_and_extends_only_their_own_subtree(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    made = await _region_with_two_municipalities(bot)
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="Артёмовский ГО")

    listing = await bot.ask(COORDINATOR, "/orgs")
    lines = listing.plain_text.splitlines()
    assert "Артёмовский ГО — муниципалитет, Asia/Vladivostok" in lines
    assert "    МБОУ «СОШ №2» — школа, Asia/Vladivostok" in lines
    for foreign in ("Приморский край", "Находкинский ГО", "Гимназия"):
        assert foreign not in listing.plain_text

    kind_question = await _start_adding(bot, COORDINATOR, "МБОУ «СОШ №7»")
    # Only a school fits below a municipality.
    assert [text for row in kind_question.buttons() for text, _ in row] == ["Школа"]
    await bot.press(COORDINATOR, kind_question, kind_question.button("Школа"))
    parent_question = await bot.api.wait_edit(kind_question)
    labels = [text for row in parent_question.buttons() for text, _ in row]
    assert labels == ["Артёмовский ГО (муниципалитет)"]

    # Forged buttons: the neighbouring municipality, and the top level.
    for forged in (made["nakhodka"].id, None):
        answer = await bot.press(
            COORDINATOR, parent_question, OrgParentCallback(parent_id=forged).pack()
        )
        assert answer["show_alert"] is True
        assert "недоступно" in answer["text"]
    assert len(await _all(bot)) == 5

    await bot.press(COORDINATOR, parent_question, parent_question.button("Артёмовский ГО"))
    done = await bot.api.wait_edit(parent_question)
    assert "Входит в: Артёмовский ГО" in done.plain_text
    created = [o for o in await _all(bot) if o.name == "МБОУ «СОШ №7»"]
    assert [o.parent_id for o in created] == [made["artem"].id]


async def test_a_school_coordinator_cannot_add_anywhere(running_bot: RunningBot) -> None:
    bot = running_bot
    made = await _region_with_two_municipalities(bot)
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="МБОУ «СОШ №2»")

    listing = await bot.ask(COORDINATOR, "/orgs")
    assert "МБОУ «СОШ №2» — школа" in listing.plain_text
    assert "Артёмовский ГО" not in listing.plain_text
    assert listing.buttons() == []

    answer = await bot.press(COORDINATOR, listing, "org1:add")
    assert answer["show_alert"] is True
    assert "администратор и координаторы" in answer["text"]
    # Parent buttons outside a flow, e.g. kept from an old message, are stale.
    answer = await bot.press(
        COORDINATOR, listing, OrgParentCallback(parent_id=made["artem"].id).pack()
    )
    assert answer["show_alert"] is True
    assert "Начните заново" in answer["text"]
    assert len(await _all(bot)) == 5


async def test_cancel_ends_the_flow_and_old_buttons_stay_dead(running_bot: RunningBot) -> None:
    bot = running_bot
    old_question = await _start_adding(bot, ADMIN, "Приморский край")
    cancelled = await bot.ask(ADMIN, "/cancel")
    assert "отменено" in cancelled.plain_text
    answer = await bot.press(ADMIN, old_question, old_question.button("Регион"))
    assert answer["show_alert"] is True
    assert "Начните заново" in answer["text"]
    assert await _all(bot) == []

    # A new addition does not revive the buttons of the cancelled one.
    new_question = await _start_adding(bot, ADMIN, "Хабаровский край")
    answer = await bot.press(ADMIN, old_question, old_question.button("Регион"))
    assert "Начните заново" in answer["text"]
    await bot.press(ADMIN, new_question, new_question.button("Регион"))
    done = await bot.api.wait_edit(new_question)
    assert "Хабаровский край — регион" in done.plain_text
    assert [o.name for o in await _all(bot)] == ["Хабаровский край"]


async def test_an_executor_is_politely_refused(running_bot: RunningBot) -> None:
    await add_person(running_bot, EXECUTOR, Role.EXECUTOR)
    reply = await running_bot.ask(EXECUTOR, "/orgs")
    assert "Это действие вам недоступно" in reply.plain_text
    assert reply.buttons() == []
