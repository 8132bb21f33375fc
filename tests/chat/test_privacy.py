"""Personal data: /privacy for anyone, and consent asked (and kept) before an invite links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.deeplinks import DeepLink, DeepLinkKind
from core.models import Role
from services.access import Actor
from services.people import PeopleService
from services.privacy import CONSENT_VERSION
from services.roadmaps import RoadmapService
from storage.records import Person
from tests.chat.conftest import ChatBot
from tests.fakebot import FakeUser, SentMessage
from tests.harness import COORDINATOR, SCHOOL, STRANGER, ZONE, add_person

TEACHER = FakeUser(6006, "Наталья", language_code="ru", last_name="Шабанова")
OPERATOR = "МБОУ «СОШ №2» <г. Находка>"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"operator_name": OPERATOR, "operator_contacts": "  "}


async def _person(bot: ChatBot, name: str) -> Person:
    org = await RoadmapService(bot.app.database, bot.clock).organisation_named(SCHOOL, ZONE)
    async with bot.app.database.transaction() as repositories:
        return await repositories.people.add(
            full_name=name,
            name_key=name.lower(),
            role=Role.EXECUTOR,
            created_at=bot.clock.now(),
            organisation_id=org.id,
            position="учитель",
        )


async def _invite(bot: ChatBot) -> tuple[Person, str]:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    person = await _person(bot, "Шабанова Н.С.")
    async with bot.app.database.transaction() as repositories:
        coordinator = await repositories.people.by_account(COORDINATOR.id)
    actor = Actor(COORDINATOR.id, coordinator, is_admin=False)
    people = PeopleService(bot.app.database, bot.clock, timedelta(days=14))
    issued = await people.issue_invite(actor, person.id)
    return person, DeepLink(DeepLinkKind.INVITE, issued.code).payload()


async def _stored(bot: ChatBot, person_id: int) -> Person:
    async with bot.app.database.transaction() as repositories:
        person = await repositories.people.get(person_id)
    assert person is not None
    return person


async def _to_consent(bot: ChatBot, user: FakeUser, payload: str) -> SentMessage:
    question = await bot.ask(user, f"/start {payload}")
    assert "Вы — Шабанова Н.С., учитель" in (question.plain_text or "")
    await bot.press_label(user, question, "Да, это я")
    return await bot.api.wait_edit(question)


async def test_privacy_answers_a_stranger_with_the_operator(bot: ChatBot) -> None:
    reply = await bot.ask(STRANGER, "/privacy")
    text = reply.plain_text or ""
    assert f"Оператор (кто отвечает за данные): {OPERATOR}" in text  # escaped, not parsed
    assert "Контакты оператора: не указано — спросите координатора" in text
    for part in ("id в мессенджере", "анонимны", "Зачем", "Сколько", "координаторы", "/forgetme"):
        assert part in text
    assert "/mydata" in text and CONSENT_VERSION in text
    english = await bot.ask(FakeUser(3003, "Anna", language_code="en"), "/privacy")
    assert "Survey answers are anonymous" in (english.plain_text or "")
    assert "/privacy" in ((await bot.ask(STRANGER, "/help")).plain_text or "")


async def test_consent_yes_links_and_keeps_version_and_date(bot: ChatBot) -> None:
    person, payload = await _invite(bot)
    consent = await _to_consent(bot, TEACHER, payload)
    text = consent.plain_text or ""
    assert "Согласны на обработку персональных данных?" in text
    assert OPERATOR in text and "/privacy" in text and CONSENT_VERSION in text
    assert not (await _stored(bot, person.id)).is_linked  # nothing linked before consent

    await bot.press_label(TEACHER, consent, "Да, согласен")
    done = await bot.api.wait_edit(consent)
    assert "Готово" in (done.plain_text or "")
    stored = await _stored(bot, person.id)
    assert stored.telegram_user_id == TEACHER.id
    assert stored.consent_version == CONSENT_VERSION
    assert stored.consent_at == bot.clock.now()


async def test_consent_no_leaves_unlinked_and_the_invite_usable(bot: ChatBot) -> None:
    person, payload = await _invite(bot)
    consent = await _to_consent(bot, TEACHER, payload)
    stale_yes = consent.button("Да, согласен")
    await bot.press_label(TEACHER, consent, "Нет")
    refused = await bot.api.wait_edit(consent)
    assert "без согласия бот вас не подключает" in (refused.plain_text or "")
    stored = await _stored(bot, person.id)
    assert not stored.is_linked and stored.consent_version is None

    # The old «Да» is refused like any stale button, and links nobody.
    answer = await bot.press(TEACHER, consent, stale_yes)
    assert answer["show_alert"] is True
    assert not (await _stored(bot, person.id)).is_linked

    # The same link still works: the person may change their mind.
    again = await _to_consent(bot, TEACHER, payload)
    await bot.press_label(TEACHER, again, "Да, согласен")
    await bot.api.wait_edit(again)
    assert (await _stored(bot, person.id)).consent_version == CONSENT_VERSION


async def test_a_stranger_cannot_press_someone_elses_consent(bot: ChatBot) -> None:
    person, payload = await _invite(bot)
    consent = await _to_consent(bot, TEACHER, payload)
    answer = await bot.press_label(STRANGER, consent, "Да, согласен")
    assert answer["show_alert"] is True
    assert not (await _stored(bot, person.id)).is_linked


async def test_the_old_identity_button_cannot_skip_the_consent(bot: ChatBot) -> None:
    person, payload = await _invite(bot)
    question = await bot.ask(TEACHER, f"/start {payload}")
    identity_yes = question.button("Да, это я")
    await bot.press(TEACHER, question, identity_yes)
    await bot.api.wait_edit(question)
    answer = await bot.press(TEACHER, question, identity_yes)
    assert answer["show_alert"] is True
    assert not (await _stored(bot, person.id)).is_linked


async def _linked_without_consent(bot: ChatBot) -> Person:
    """Linked before consent was asked (or by `person add --telegram`): nothing on record."""
    person = await _person(bot, "Шабанова Н.С.")
    async with bot.app.database.transaction() as repositories:
        await repositories.people.link_account(person.id, TEACHER.id, "ru")
    return person


async def test_a_person_linked_without_consent_is_asked_before_anything_else(
    bot: ChatBot,
) -> None:
    person = await _linked_without_consent(bot)
    asked = await bot.ask(TEACHER, "/tasks")
    assert "Нужно ваше согласие" in asked.plain_text
    assert OPERATOR in asked.plain_text
    # /privacy is for anyone, consent or not.
    assert "Персональные данные в этом боте" in (await bot.ask(TEACHER, "/privacy")).plain_text
    await bot.press_label(TEACHER, asked, "Да, согласен")
    done = await bot.api.wait_edit(asked)
    assert "согласие записано" in done.plain_text
    async with bot.app.database.transaction() as repositories:
        kept = await repositories.people.get(person.id)
    assert kept is not None and kept.consent_version == CONSENT_VERSION
    assert kept.consent_at == bot.clock.now()
    tasks = await bot.ask(TEACHER, "/tasks")
    assert "Нужно ваше согласие" not in tasks.plain_text


async def test_refusing_consent_later_unlinks_the_account(bot: ChatBot) -> None:
    person = await _linked_without_consent(bot)
    asked = await bot.ask(TEACHER, "/tasks")
    await bot.press_label(TEACHER, asked, "Нет")
    refused = await bot.api.wait_edit(asked)
    assert "отключён от бота" in refused.plain_text
    async with bot.app.database.transaction() as repositories:
        kept = await repositories.people.get(person.id)
    assert kept is not None and kept.telegram_user_id is None
    assert kept.full_name == "Шабанова Н.С."
    # A stranger now: the bot says how to get an invite.
    assert "ссылку-приглашение" in (await bot.ask(TEACHER, "/start")).plain_text
