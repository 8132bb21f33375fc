"""Notices to other people: one path, in the reader's language, a blocked reader marked once.

Whatever causes a notice (an executor's «Выполнено» or «Не могу», a coordinator's «Напомнить»,
an invite accepted), it goes through the outbox and the paced sender: worded in the language of
the person who reads it, and a reader who blocked the bot is marked unreachable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from core.deeplinks import DeepLink, DeepLinkKind
from roadmap.responsible import person_key
from services.access import Actor
from services.notices import NoticeKind
from services.people import PeopleService
from services.roadmaps import RoadmapService
from storage.records import Person
from storage.repositories.outbox import BLOCKED
from tests.e2e.conftest import BOTH_MESSENGERS, COORDINATOR, RunningBot
from tests.e2e.test_tasks import SHABANOVA, _open, _setup
from tests.fakebot import FakeUser
from tests.harness import CONSENTED

pytestmark = BOTH_MESSENGERS

POLYAKOVA = FakeUser(6010, "Ольга", last_name="Полякова")


async def _person(bot: RunningBot, user: FakeUser) -> Person:
    async with bot.app.database.transaction() as repositories:
        person = await repositories.people.by_account(bot.account(user))
    assert person is not None
    return person


async def _reads_english(bot: RunningBot, user: FakeUser) -> None:
    person = await _person(bot, user)
    async with bot.app.database.transaction() as repositories:
        await repositories.people.link_account(person.id, bot.account(user), "en", CONSENTED)


async def test_a_coordinator_reading_english_is_told_in_english(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    await _reads_english(bot, COORDINATOR)

    card = await _open(bot, SHABANOVA, "Утверждение школьного")
    await bot.press_label(SHABANOVA, card, "Выполнено")
    await bot.api.wait_edit(card)  # its result names an order: the report is asked for
    done = await bot.ask(SHABANOVA, "https://school2.ru/docs/prikaz-123.pdf")
    assert "выполнено" in done.plain_text  # the executor reads Russian
    told = await bot.api.next_message(COORDINATOR.id)
    assert told.plain_text.startswith("✅ Шабанова Н.С. has done")
    assert "Report (link): https://school2.ru/docs/prikaz-123.pdf" in told.plain_text

    card = await _open(bot, SHABANOVA, "Информационное сопр")
    await bot.press_label(SHABANOVA, card, "Не могу")
    await bot.api.wait_edit(card)
    sent = await bot.ask(SHABANOVA, "Нет доступа к сайту школы")
    assert "Координатор получил" in sent.plain_text
    told = await bot.api.next_message(COORDINATOR.id)
    assert "cannot do" in told.plain_text
    assert "Reason: Нет доступа к сайту школы" in told.plain_text


async def _mark_done(bot: RunningBot) -> None:
    """Шабанова closes a task; the coordinator is told."""
    card = await _open(bot, SHABANOVA, "Информационное сопр")
    await bot.press_label(SHABANOVA, card, "Выполнено")
    asked = await bot.api.wait_edit(card)  # its result names a report: she has none at hand
    await bot.press_label(SHABANOVA, asked, "Без отчёта")
    await bot.api.wait_edit(asked)


async def _cannot_do(bot: RunningBot) -> None:
    """Шабанова cannot do a task, and says why; the coordinator is told."""
    card = await _open(bot, SHABANOVA, "Информационное сопр")
    await bot.press_label(SHABANOVA, card, "Не могу")
    await bot.api.wait_edit(card)
    await bot.ask(SHABANOVA, "Нет доступа к сайту школы")


async def _remind(bot: RunningBot) -> None:
    """The coordinator nudges an overdue executor from /status; she is told."""
    bot.clock.advance(timedelta(days=20))
    status = await bot.ask(COORDINATOR, "/status")
    line = next(row for row in status.plain_text.splitlines() if "Шабанова Н.С., срок" in row)
    answer = await bot.press_label(COORDINATOR, status, f"Напомнить ({line.split('.', 1)[0]})")
    assert answer["text"] == "Напоминание отправлено"


async def _accept_invite(bot: RunningBot) -> None:
    """Полякова opens the coordinator's invite and says «Да», agrees; the coordinator is told."""
    org = await RoadmapService(bot.app.database, bot.clock).organisation_named(
        "МБОУ «СОШ №2»", "Asia/Vladivostok"
    )
    async with bot.app.database.transaction() as repositories:
        (polyakova,) = await repositories.people.find_by_name_key(
            org.id, person_key("Полякова В.А.")
        )
    coordinator = Actor(bot.account(COORDINATOR), await _person(bot, COORDINATOR), is_admin=False)
    people = PeopleService(bot.app.database, bot.clock, timedelta(days=7))
    issued = await people.issue_invite(coordinator, polyakova.id)
    payload = DeepLink(DeepLinkKind.INVITE, issued.code).payload()
    question = await bot.ask(POLYAKOVA, f"/start {payload}")
    await bot.press_label(POLYAKOVA, question, "Да, это я")
    consent = await bot.api.wait_edit(question)
    await bot.press_label(POLYAKOVA, consent, "Да, согласен")
    await bot.api.wait_edit(consent)


Action = Callable[[RunningBot], Awaitable[None]]


@pytest.mark.parametrize(
    ("action", "reader", "kind"),
    [
        (_mark_done, COORDINATOR, NoticeKind.TASK_DONE),
        (_cannot_do, COORDINATOR, NoticeKind.TASK_CANNOT),
        (_remind, SHABANOVA, NoticeKind.TASK_NUDGE),
        (_accept_invite, COORDINATOR, NoticeKind.INVITE_LINKED),
    ],
    ids=["done", "cannot-do", "remind", "invite"],
)
async def test_a_reader_who_blocked_the_bot_is_marked_unreachable_whatever_the_notice(
    running_bot: RunningBot, action: Action, reader: FakeUser, kind: NoticeKind
) -> None:
    bot = running_bot
    await _setup(bot)
    assert (await _person(bot, reader)).is_reachable
    bot.api.block(reader.id)

    await action(bot)
    await bot.app.notices.settled()

    assert not (await _person(bot, reader)).is_reachable
    async with bot.app.database.transaction() as repositories:
        rows = await repositories.outbox.all_rows()
    (notice,) = [row for row in rows if row.kind == kind and row.chat_id == bot.account(reader)]
    assert notice.status == BLOCKED
