"""Invites end to end: a coordinator invites a person from an imported roadmap, who links."""

from __future__ import annotations

from datetime import timedelta

from core.models import Role
from tests.e2e.conftest import (
    BOTH_MESSENGERS,
    COORDINATOR,
    STRANGER,
    RunningBot,
    add_person,
    alerted,
    import_school_roadmap,
)
from tests.fakebot import FakeUser, SentMessage

pytestmark = BOTH_MESSENGERS

SHABANOVA = FakeUser(6006, "Наталья", language_code="ru", last_name="Шабанова")
SIBLING_COORDINATOR = FakeUser(7007, "Олег", language_code="ru")


async def _invite_link(bot: RunningBot, name: str) -> tuple[str, SentMessage]:
    listing = await bot.ask(COORDINATOR, "/people")
    await bot.press_label(COORDINATOR, listing, name)
    card = await bot.api.wait_edit(listing)
    assert "не приглашён" in card.plain_text
    await bot.press_label(COORDINATOR, card, "Пригласить")
    invite = await bot.api.next_message(COORDINATOR.id)
    qr = await bot.api.next_message(COORDINATOR.id)
    assert qr.kind == "photo" and qr.content and qr.content.startswith(b"\x89PNG")
    link = next(word for word in invite.plain_text.split() if word.startswith(bot.link_prefix))
    return link, card


def _payload(link: str) -> str:
    return link.split("?start=", 1)[1]


async def test_invite_link_confirm_and_people_shows_linked(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    link, _card = await _invite_link(bot, "Шабанова")
    assert link.startswith(f"{bot.link_prefix}i_")
    assert len(_payload(link)) <= 64

    question = await bot.open_link(SHABANOVA, _payload(link))
    assert "Вы — Шабанова Н.С., заместитель директора по УВР, МБОУ «СОШ №2»?" in (
        question.plain_text
    )
    await bot.press_label(SHABANOVA, question, "Да, это я")
    consent = await bot.api.wait_edit(question)
    assert "Согласны на обработку персональных данных?" in consent.plain_text
    assert "Оператор персональных данных: не указано — спросите координатора" in (
        consent.plain_text
    )
    assert "✅ Шабанова" not in (await bot.ask(COORDINATOR, "/people")).plain_text
    await bot.press_label(SHABANOVA, consent, "Да, согласен")
    done = await bot.api.wait_edit(consent)
    assert "Готово" in done.plain_text
    told = await bot.api.next_message(COORDINATOR.id)
    assert "Шабанова Н.С. подключился(ась)" in told.plain_text

    listing = await bot.ask(COORDINATOR, "/people")
    assert "✅ Шабанова Н.С." in listing.plain_text
    welcome = await bot.ask(SHABANOVA, "/start")
    assert welcome.plain_text.startswith("Здравствуйте, Шабанова Н.С.!")

    reuse = await bot.open_link(STRANGER, _payload(link))
    assert "уже использована" in reuse.plain_text


async def test_expired_unknown_and_revoked_links_are_refused(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    first, card = await _invite_link(bot, "Шарик")
    await bot.press_label(COORDINATOR, card, "Пригласить")  # a new invite revokes the first
    second_text = await bot.api.next_message(COORDINATOR.id)
    await bot.api.next_message(COORDINATOR.id)  # its QR code
    second = next(w for w in second_text.plain_text.split() if w.startswith(bot.link_prefix))

    revoked = await bot.open_link(SHABANOVA, _payload(first))
    assert "отменена" in revoked.plain_text
    unknown = await bot.ask(SHABANOVA, "/start i_AAAAAAAAAAAAAAAAAAAAAA")
    assert "не найдена" in unknown.plain_text
    bot.clock.advance(timedelta(days=15))
    expired = await bot.open_link(SHABANOVA, _payload(second))
    assert "истёк" in expired.plain_text


async def test_not_me_reaches_the_coordinator_and_kills_the_link(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    link, _card = await _invite_link(bot, "Полякова")
    question = await bot.open_link(STRANGER, _payload(link))
    await bot.press_label(STRANGER, question, "Нет")
    answered = await bot.api.wait_edit(question)
    assert "координатор получит сообщение" in answered.plain_text
    warning = await bot.api.next_message(COORDINATOR.id)
    assert "Полякова В.А." in warning.plain_text and "Пётр" in warning.plain_text
    again = await bot.open_link(SHABANOVA, _payload(link))
    assert "отменена" in again.plain_text


async def test_someone_elses_confirm_button_is_refused(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    link, _card = await _invite_link(bot, "Бредня")
    question = await bot.open_link(SHABANOVA, _payload(link))
    answer = await bot.press_label(STRANGER, question, "Да")  # replayed by another user
    assert alerted(bot, answer)
    await bot.press_label(SHABANOVA, question, "Да, это я")
    consent = await bot.api.wait_edit(question)
    answer = await bot.press_label(STRANGER, consent, "Да, согласен")
    assert alerted(bot, answer)
    listing = await bot.ask(COORDINATOR, "/people")
    assert "✅ Бредня" not in listing.plain_text


async def test_refused_consent_leaves_the_person_unlinked(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    link, _card = await _invite_link(bot, "Шабанова")
    question = await bot.open_link(SHABANOVA, _payload(link))
    await bot.press_label(SHABANOVA, question, "Да, это я")
    consent = await bot.api.wait_edit(question)
    await bot.press_label(SHABANOVA, consent, "Нет")
    refused = await bot.api.wait_edit(consent)
    assert "без согласия бот вас не подключает" in refused.plain_text
    listing = await bot.ask(COORDINATOR, "/people")
    assert "✅ Шабанова" not in listing.plain_text
    stranger = await bot.ask(SHABANOVA, "/start")
    assert "ссылку-приглашение" in stranger.plain_text
    again = await bot.open_link(SHABANOVA, _payload(link))
    assert "Вы — Шабанова Н.С." in again.plain_text  # the link still works


async def test_privacy_answers_anyone(running_bot: RunningBot) -> None:
    reply = await running_bot.ask(STRANGER, "/privacy")
    assert "Персональные данные в этом боте" in reply.plain_text
    assert "Оператор (кто отвечает за данные): не указано — спросите координатора" in (
        reply.plain_text
    )


async def test_sibling_coordinator_cannot_touch_other_schools_people(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    await add_person(bot, SIBLING_COORDINATOR, Role.COORDINATOR, organisation="МБОУ «Лицей №2»")
    theirs = await bot.ask(SIBLING_COORDINATOR, "/people")
    assert "Шабанова" not in theirs.plain_text
    listing = await bot.ask(COORDINATOR, "/people")
    await bot.press_label(COORDINATOR, listing, "Шабанова")
    card = await bot.api.wait_edit(listing)
    for label in ("Пригласить", "Отключить", "руководителем"):
        answer = await bot.press_label(SIBLING_COORDINATOR, card, label)
        assert alerted(bot, answer)
        assert "недоступно" in answer["text"]
    assert not [
        m for m in bot.api.chats[SIBLING_COORDINATOR.id] if bot.link_prefix in m.plain_text
    ]


async def test_coordinator_switches_a_person_off_and_on(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    listing = await bot.ask(COORDINATOR, "/people")
    await bot.press_label(COORDINATOR, listing, "Акимова")
    card = await bot.api.wait_edit(listing)
    await bot.press_label(COORDINATOR, card, "Отключить")
    off = await bot.api.wait_edit(card)
    assert "отключён" in off.plain_text
    assert "Пригласить" not in str(off.buttons())
    await bot.press_label(COORDINATOR, off, "Включить")
    on = await bot.api.wait_edit(off)
    assert "не приглашён" in on.plain_text


async def test_duplicates_from_two_imports_are_merged(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    other_roadmap = (
        "ПЛАН на 2022-2023 учебный год\n"
        "№\tМероприятие\tСрок проведения\tОтветственные\n"
        "1.\tСовещание\tдо 10.11.2022\tШабанова Н., зам. директора\n"
    )
    preview = await bot.ask(COORDINATOR, other_roadmap)
    await bot.press_label(COORDINATOR, preview, "Импортировать")
    await bot.api.wait_edit(preview)
    listing = await bot.ask(COORDINATOR, "/people")
    assert "Шабанова Н.С." in listing.plain_text and "Шабанова Н.," in listing.plain_text
    await bot.press_label(COORDINATOR, listing, "Шабанова Н.С.")
    card = await bot.api.wait_edit(listing)
    await bot.press_label(COORDINATOR, card, "Объединить")
    choice = await bot.api.wait_edit(card)
    assert "тот же человек" in choice.plain_text
    await bot.press_label(COORDINATOR, choice, "Шабанова Н.,")
    await bot.api.wait_edit(choice)
    after = await bot.ask(COORDINATOR, "/people")
    assert "Шабанова Н.С." in after.plain_text
    assert "Шабанова Н.," not in after.plain_text
