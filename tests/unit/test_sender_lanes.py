"""The Sender on a virtual clock: a chat waiting its second holds back no other chat, and a
batch over many chats (fed whole or a few at a time) runs at the Pacer's global rate."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage

from core.messengers import Messenger, max_user_account
from scheduler.sender import Delivery, OutgoingMessage, Sender, SendResult
from tests.unit.test_pacing import VirtualTime, busiest_second

RATE = 29
LATENCY = 0.05  # a round trip to Telegram, in virtual seconds


class Clock(VirtualTime):
    async def run(self, *coroutines: Any) -> list[Any]:
        tasks = [asyncio.create_task(coroutine) for coroutine in coroutines]
        while not all(task.done() for task in tasks):
            # Workers hand each other the turn through locks and conditions: let every chain
            # of wake-ups run out before time moves on.
            for _ in range(500):
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                break
            assert self._sleepers, "deadlock: tasks wait for something other than time"
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            future.set_result(None)
        return [task.result() for task in tasks]


@dataclass
class _Sent:
    message_id: int


class FakeSession:
    """Answers every sendMessage after LATENCY virtual seconds; notes when each was sent."""

    def __init__(self, clock: VirtualTime) -> None:
        self.clock = clock
        self.sent: list[tuple[float, int, str]] = []  # (moment, chat, text)
        self._ids = itertools.count(1)

    async def make_request(
        self,
        bot: Any,
        method: SendMessage,
        timeout: Any = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> _Sent:
        self.sent.append((self.clock.now, cast(int, method.chat_id), method.text))
        await self.clock.sleep(LATENCY)
        return _Sent(next(self._ids))


class FakeBot:
    token = "42:secret"

    def __init__(self, clock: VirtualTime) -> None:
        self.session = FakeSession(clock)


def make_sender(clock: Clock, concurrency: int = 8) -> tuple[Sender, FakeSession]:
    bot = FakeBot(clock)
    pacer = clock.pacer(global_per_second=RATE, per_chat_interval=1.0)
    sender = Sender(cast(Bot, bot), pacer, concurrency=concurrency, sleep=clock.sleep)
    return sender, bot.session


def message(chat: int, n: int) -> OutgoingMessage:
    return OutgoingMessage(f"{chat}:{n}", chat, f"{chat}:{n}")


@pytest.fixture
def clock() -> Clock:
    return Clock()


def check_limits(sent: list[tuple[float, int, str]]) -> None:
    """Never over the global rate, a second between two sends to one chat, chats in order."""
    assert busiest_second([moment for moment, _chat, _text in sent]) <= RATE
    by_chat: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for moment, chat, text in sent:
        by_chat[chat].append((moment, text))
    for chat, sends in by_chat.items():
        assert all(b - a >= 1.0 - 1e-9 for (a, _), (b, _) in itertools.pairwise(sends)), chat
        numbers = [int(text.split(":")[1]) for _moment, text in sends]
        assert numbers == sorted(numbers), chat


async def test_a_chat_waiting_its_second_does_not_hold_back_the_others(clock: Clock) -> None:
    sender, session = make_sender(clock, concurrency=2)
    batches = [[message(1, n) for n in range(5)], [message(chat, 0) for chat in range(2, 22)]]
    results: list[SendResult] = []

    async def feed() -> Sequence[OutgoingMessage]:
        return batches.pop(0) if batches else ()

    async def collect(_message: OutgoingMessage, result: SendResult) -> None:
        results.append(result)

    await clock.run(sender.stream(feed, collect, low_water=5))

    assert len(results) == 25 and {r.delivery for r in results} == {Delivery.SENT}
    chat_one = [moment for moment, chat, _text in session.sent if chat == 1]
    others = [moment for moment, chat, _text in session.sent if chat != 1]
    assert chat_one == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0], abs=0.01)
    # The twenty others go at the global rate between chat 1's turns, not after its fifth.
    assert max(others) < 21 / RATE + 0.01
    check_limits(session.sent)


@pytest.mark.parametrize("fed", [400, 8], ids=["whole", "eight-at-a-time"])
async def test_a_batch_over_many_chats_runs_at_the_global_rate(clock: Clock, fed: int) -> None:
    """400 messages over 59 chats, each chat's messages together (the worst order for a
    sender that takes them as they come), fed whole or eight at a time (as the tick claimed
    them before: its batches of 8 stalled on one chat's second)."""
    sender, session = make_sender(clock)
    chats = range(1, 60)
    pending = [message(chat, n) for chat in chats for n in range(7)][:400]
    results: list[SendResult] = []

    async def feed() -> Sequence[OutgoingMessage]:
        taken = pending[:fed]
        del pending[:fed]
        return taken

    async def collect(_message: OutgoingMessage, result: SendResult) -> None:
        results.append(result)

    await clock.run(sender.stream(feed, collect, low_water=100))

    assert len(results) == 400 and {r.delivery for r in results} == {Delivery.SENT}
    moments = [moment for moment, _chat, _text in session.sent]
    # 400 sends at 29/s: the last starts 399 gaps after the first (plus timer slack).
    assert max(moments) == pytest.approx(399 / RATE, rel=0.01)
    check_limits(session.sent)


async def test_send_all_keeps_order_and_results_in_place(clock: Clock) -> None:
    sender, session = make_sender(clock, concurrency=3)
    messages = [message(chat, n) for n in range(3) for chat in (1, 2, 3, 4)]
    [results] = await clock.run(sender.send_all(messages))
    assert [r.key for r in results] == [m.key for m in messages]
    assert len(session.sent) == 12
    check_limits(session.sent)


async def test_each_messenger_has_its_own_bot_and_pace(clock: Clock) -> None:
    """Telegram's chats through Telegram's bot at its rate, MAX accounts through MAX's at its
    own: a batch to both takes as long as the slower share, not as the sum."""
    telegram, max_bot = FakeBot(clock), FakeBot(clock)
    sender = Sender(
        cast(Bot, telegram),
        clock.pacer(global_per_second=RATE, per_chat_interval=1.0),
        sleep=clock.sleep,
    )
    max_rate = 10
    sender.add_messenger(
        Messenger.MAX,
        cast(Bot, max_bot),
        clock.pacer(global_per_second=max_rate, per_chat_interval=1.0),
    )
    to_telegram = [message(chat, 0) for chat in range(1, 30)]
    to_max = [message(max_user_account(chat), 0) for chat in range(1, 21)]

    (results,) = await clock.run(sender.send_all([*to_telegram, *to_max]))

    assert [r.delivery for r in results] == [Delivery.SENT] * 49
    assert {chat for _m, chat, _t in telegram.session.sent} == set(range(1, 30))
    assert {chat for _m, chat, _t in max_bot.session.sent} == {
        max_user_account(chat) for chat in range(1, 21)
    }
    assert busiest_second([m for m, _c, _t in max_bot.session.sent]) <= max_rate
    check_limits(telegram.session.sent)
    # Side by side: twenty MAX sends at 10/s end about when twenty-nine at 29/s would twice over.
    assert max(m for m, _c, _t in telegram.session.sent) < 29 / RATE + 0.1
    assert max(m for m, _c, _t in max_bot.session.sent) < 20 / max_rate + 0.1


async def test_a_messenger_without_a_bot_keeps_its_messages_for_later(clock: Clock) -> None:
    sender, session = make_sender(clock)
    (results,) = await clock.run(sender.send_all([message(max_user_account(7), 0), message(7, 0)]))
    assert [r.delivery for r in results] == [Delivery.RETRY, Delivery.SENT]
    assert "no bot for max" in (results[0].error or "")
    assert [chat for _m, chat, _t in session.sent] == [7]
