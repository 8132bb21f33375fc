"""Reminders with a moved clock: September–October 2022 day by day, through the real bot."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from bot.app import create_planning
from roadmap.responsible import person_key
from scheduler.pacing import Pacer
from services.reminders import plan_reminders
from services.roadmaps import RoadmapService
from storage.repositories.outbox import SENT
from tests.conftest import VLADIVOSTOK
from tests.e2e.conftest import BOTH_MESSENGERS, COORDINATOR, RunningBot, import_school_roadmap
from tests.fakebot import FakeUser, SentMessage
from tests.harness import CONSENTED

pytestmark = BOTH_MESSENGERS

SHABANOVA = FakeUser(6006, "Наталья", last_name="Шабанова")
BREDNA = FakeUser(6008, "Марина", last_name="Бредня")


async def _setup(bot: RunningBot) -> None:
    await import_school_roadmap(bot)
    org = await RoadmapService(bot.app.database, bot.clock).organisation_named(
        "МБОУ «СОШ №2»", "Asia/Vladivostok"
    )
    async with bot.app.database.transaction() as repositories:
        linked = []
        for user, name in ((SHABANOVA, "Шабанова Н.С."), (BREDNA, "Бредня М.В.")):
            (person,) = await repositories.people.find_by_name_key(org.id, person_key(name))
            await repositories.people.link_account(person.id, bot.account(user), "ru", CONSENTED)
            linked.append(person.id)
        tasks = [t for p in linked for t in await repositories.tasks.of_person(p)]
        await plan_reminders(repositories, tasks, bot.clock, create_planning(bot.app.settings))


def _local_morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 1, tzinfo=VLADIVOSTOK)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def _received_on(bot: RunningBot, user: FakeUser, count_before: int) -> list[SentMessage]:
    return bot.api.chats[user.id][count_before:]


# Six weeks of mornings, not a test of pacing (test_sender and test_pacing are): Telegram's
# one message per second to a chat would add a second's wait to most mornings.
@pytest.mark.parametrize("pacer", [Pacer(global_per_second=1000, per_chat_interval=0.0)])
async def test_september_and_october_day_by_day(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    received: dict[int, dict[date, list[str]]] = {
        SHABANOVA.id: {},
        BREDNA.id: {},
        COORDINATOR.id: {},
    }
    for day in _days(date(2022, 9, 21), date(2022, 10, 31)):
        bot.clock.set(_local_morning(day))
        before = {chat: len(bot.api.chats[chat]) for chat in received}
        await bot.app.tick.run()
        for chat in received:
            new = bot.api.chats[chat][before[chat] :]
            if new:
                received[chat][day] = [m.plain_text for m in new]
        if day == date(2022, 9, 30):
            # She closes "Утверждение школьного координатора…" from the reminder itself.
            reminder = next(
                m
                for m in bot.api.chats[SHABANOVA.id][before[SHABANOVA.id] :]
                if "Утверждение школьного" in m.plain_text
            )
            _, query = bot.api.press(SHABANOVA, reminder, reminder.button("Выполнено"))
            await bot.api.wait_answered(query)
            asked = await bot.api.wait_edit(reminder)
            _, query = bot.api.press(SHABANOVA, asked, asked.button("Без отчёта"))
            await bot.api.wait_answered(query)
            await bot.api.wait_edit(asked)

    # "до 30.09.2022 г." (Бредня М.В.): 23, 27, 29 and 30 September, then overdue.
    reminder_days = {
        day: texts
        for day, texts in received[BREDNA.id].items()
        if any(text.startswith(("🔔", "⏰")) for text in texts)
    }
    bredna_days = sorted(reminder_days)
    assert bredna_days[:4] == [
        date(2022, 9, 23),
        date(2022, 9, 27),
        date(2022, 9, 29),
        date(2022, 9, 30),
    ]
    assert bredna_days[4:7] == [date(2022, 10, 3), date(2022, 10, 4), date(2022, 10, 5)]
    assert all(
        "Формирование перечней" in text for d in bredna_days for text in received[BREDNA.id][d]
    )
    assert "просрочена" in received[BREDNA.id][date(2022, 10, 3)][0]
    # Escalated to the coordinator after two working days overdue (4 October).
    escalations = {
        d: texts
        for d, texts in received[COORDINATOR.id].items()
        if any("Просрочено на" in text for text in texts)
    }
    assert date(2022, 10, 4) in escalations
    assert any("Формирование перечней" in t for t in escalations[date(2022, 10, 4)])

    # Closed on 30 September: no reminder about it afterwards.
    after = [
        text
        for d, texts in received[SHABANOVA.id].items()
        if d > date(2022, 9, 30)
        for text in texts
    ]
    assert not any("Утверждение школьного" in text for text in after)

    # Nothing at night, and exactly one message per outbox key.
    async with bot.app.database.transaction() as repositories:
        rows = await repositories.outbox.all_rows()
    sent = [row for row in rows if row.status == SENT]
    assert sent and all(count == 1 for count in Counter(r.key for r in sent).values())
    # A morning of more than three reminders to one person went as one message: its rows
    # share that message's id.
    per_chat = Counter(chat for chat, _message_id in {(r.chat_id, r.message_id) for r in sent})
    for user in (SHABANOVA, BREDNA):
        texts = received[user.id].values()
        assert per_chat[bot.account(user)] == sum(len(day) for day in texts)
    for row in sent:
        local = row.planned_at.astimezone(VLADIVOSTOK)
        assert 8 <= local.hour < 21 and local.weekday() < 5


async def test_a_bot_that_was_down_sends_one_summary_not_a_flood(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    bot.clock.set(_local_morning(date(2022, 10, 6)))  # down since 20 September
    await bot.app.tick.run()
    messages = [m.plain_text for m in bot.api.chats[BREDNA.id]]
    assert len(messages) == 2, messages
    assert sum("пропустили" in text for text in messages) == 1
    assert sum("просрочена" in text for text in messages) == 1  # today's nudge, sent normally
    await bot.app.tick.run()
    assert len(bot.api.chats[BREDNA.id]) == 2  # nothing twice


async def test_blocked_executor_is_marked_and_the_coordinator_told_once(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await _setup(bot)
    bot.api.block(BREDNA.id)
    for day in (date(2022, 9, 23), date(2022, 9, 27), date(2022, 9, 29)):
        bot.clock.set(_local_morning(day))
        await bot.app.tick.run()
    told = [m.plain_text for m in bot.api.chats[COORDINATOR.id] if "заблокировал" in m.plain_text]
    assert len(told) == 1 and "Бредня М.В." in told[0]
    attempts = bot.sends_to(BREDNA)
    assert len(attempts) == 1  # not knocked on again after the first 403
    listing = await bot.ask(COORDINATOR, "/people")
    assert "⚠️ Бредня М.В." in listing.plain_text


async def test_telegram_errors_lose_nothing(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    bot.api.fail("sendMessage", 500, times=3)
    bot.clock.set(_local_morning(date(2022, 9, 23)))
    first = await bot.app.tick.run()
    assert first.retried == 1 and first.sent == 0
    bot.api.fail("sendMessage", 429, retry_after=1)
    bot.clock.advance(timedelta(minutes=2))
    second = await bot.app.tick.run()
    assert second.sent == 1
    texts = [m.plain_text for m in bot.api.chats[BREDNA.id]]
    assert len(texts) == 1 and "Формирование перечней" in texts[0]


async def test_undeliverable_messages_show_in_status(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    bot.api.fail("sendMessage", 400, description="Bad Request: message is too long")
    bot.clock.set(_local_morning(date(2022, 9, 23)))
    report = await bot.app.tick.run()
    assert report.failed == 1
    status = await bot.ask(COORDINATOR, "/status")
    assert "Не удалось доставить сообщений: 1" in status.plain_text


async def test_monday_digest_and_coordinator_summary(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    bot.clock.set(_local_morning(date(2022, 9, 23)))
    await bot.app.tick.run()  # Friday's countdown
    bot.clock.set(_local_morning(date(2022, 9, 26)))  # a Monday
    await bot.app.tick.run()
    await bot.app.tick.run()  # a second tick (or instance) sends nothing twice
    bredna = [m.plain_text for m in bot.api.chats[BREDNA.id]]
    assert len(bredna) == 2
    assert "На этой неделе" in bredna[1] and "Формирование перечней" in bredna[1]
    assert not bot.api.chats[SHABANOVA.id]  # nothing of hers is due this week
    summaries = [
        m.plain_text for m in bot.api.chats[COORDINATOR.id] if "Ход работ" in m.plain_text
    ]
    assert len(summaries) == 1 and "ДОРОЖНАЯ КАРТА" in summaries[0]
    bot.clock.set(_local_morning(date(2022, 9, 27)))  # Tuesday: no digest, a countdown only
    await bot.app.tick.run()
    assert [m.plain_text for m in bot.api.chats[BREDNA.id]][2].startswith("🔔")
