"""The outbox sender over real HTTP against the fake Bot API: pacing, 429, 403, 5xx, outages."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.telegram import create_bot
from fakes.telegram import JSON, UploadedFile, _ApiError
from scheduler.pacing import Pacer
from scheduler.sender import Delivery, OutgoingMessage, Sender
from tests.fakebot import DEFAULT_TOKEN, ApiCall, FakeBotAPI


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    bot = api.make_bot(default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


def outgoing(chat_id: int, n: int = 1) -> OutgoingMessage:
    keyboard = InlineKeyboardBuilder()
    keyboard.button(text="✅ Выполнено", callback_data=f"v1:done:{chat_id}")
    return OutgoingMessage(
        key=f"reminder:{chat_id}:{n}",
        chat_id=chat_id,
        text=f"<b>Напоминание {n}</b>: срок 20.09 &lt;сегодня&gt;",
        reply_markup=keyboard.as_markup(),
    )


def sends(api: FakeBotAPI, chat_id: int | None = None) -> list[ApiCall]:
    calls = api.calls_to("sendMessage")
    return calls if chat_id is None else [c for c in calls if c.params["chat_id"] == chat_id]


def fast_pacer() -> Pacer:
    return Pacer(global_per_second=200, per_chat_interval=0.05)


async def test_fifty_chats_each_get_their_message_once(api: FakeBotAPI, bot: Bot) -> None:
    chats = list(range(1001, 1051))
    results = await Sender(bot, Pacer()).send_all([outgoing(chat) for chat in chats])

    assert [r.key for r in results] == [f"reminder:{chat}:1" for chat in chats]
    assert {r.delivery for r in results} == {Delivery.SENT}
    for chat, result in zip(chats, results, strict=True):
        [message] = api.chats[chat]
        assert result.message_id == message.message_id
        assert message.plain_text == "Напоминание 1: срок 20.09 <сегодня>"
        assert message.entities[0]["type"] == "bold"
        assert message.button("Выполнено") == f"v1:done:{chat}"
    assert len(sends(api)) == 50
    arrivals = sorted(call.time for call in sends(api))
    assert arrivals[-1] - arrivals[0] >= 49 / 25 - 0.05  # paced at 25/s, not all at once


async def test_a_429_pauses_everyone_and_the_message_goes_once(api: FakeBotAPI, bot: Bot) -> None:
    api.fail("sendMessage", 429, retry_after=1)
    chats = list(range(1, 11))
    results = await Sender(bot, Pacer()).send_all([outgoing(chat) for chat in chats])

    assert {r.delivery for r in results} == {Delivery.SENT}
    assert api.rejected_429 == 1
    assert all(len(api.chats[chat]) == 1 for chat in chats)
    [refused] = [call for call in sends(api) if call.status == 429]
    assert refused.finished is not None
    [delivered] = [c for c in sends(api, refused.params["chat_id"]) if c.ok]
    assert delivered.time - refused.finished >= 1.0
    # Nobody sent during the pause (a send already on its way may land just after the 429).
    assert not [c for c in sends(api) if refused.finished + 0.05 < c.time < refused.finished + 1]


async def test_a_blocked_chat_is_reported_and_the_others_delivered(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.block(3)
    messages = [outgoing(chat) for chat in range(1, 6)] + [outgoing(3, 2)]
    results = await Sender(bot, fast_pacer()).send_all(messages)

    by_key = {r.key: r for r in results}
    assert by_key["reminder:3:1"].delivery is Delivery.BLOCKED
    assert "blocked by the user" in (by_key["reminder:3:1"].error or "")
    assert by_key["reminder:3:2"].delivery is Delivery.BLOCKED
    assert len(sends(api, 3)) == 1  # the second one to a blocked chat is not even tried
    assert not api.chats[3]
    assert all(len(api.chats[chat]) == 1 for chat in (1, 2, 4, 5))
    assert [r.delivery for r in results].count(Delivery.SENT) == 4


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (400, "Bad Request: chat not found"),
        (403, "Forbidden: user is deactivated"),
        (400, "Bad Request: PEER_ID_INVALID"),
    ],
)
async def test_a_chat_that_is_gone_counts_as_blocked(
    api: FakeBotAPI, bot: Bot, status: int, description: str
) -> None:
    api.fail("sendMessage", status, description=description)
    [result] = await Sender(bot, fast_pacer()).send_all([outgoing(1)])
    assert result.delivery is Delivery.BLOCKED
    assert description in (result.error or "")


async def test_a_message_telegram_refuses_fails_at_once(api: FakeBotAPI, bot: Bot) -> None:
    broken = OutgoingMessage("reminder:1:1", 1, "<b>не закрыт тег")
    results = await Sender(bot, fast_pacer()).send_all([broken, outgoing(1, 2)])

    assert results[0].delivery is Delivery.FAILED
    assert "can't parse entities" in (results[0].error or "")
    assert results[1].delivery is Delivery.SENT  # a dead message does not hold up the chat
    assert len(sends(api, 1)) == 2


async def test_a_refusal_of_another_kind_fails_as_expected_not_as_a_crash(
    api: FakeBotAPI, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    """A 401 is no 400, 403, 429 or 5xx: the message fails once, logged as a refusal rather
    than as an unexpected error with a traceback."""
    api.fail("sendMessage", 401, description="Unauthorized")
    caplog.set_level(logging.WARNING, logger="scheduler.sender")
    [result] = await Sender(bot, fast_pacer()).send_all([outgoing(1)])

    assert result.delivery is Delivery.FAILED
    assert "TelegramUnauthorizedError: Unauthorized" in (result.error or "")
    assert [c.status for c in sends(api)] == [401]
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "Telegram refused reminder:1:1: Unauthorized")
    ]


async def test_5xx_twice_then_delivered(api: FakeBotAPI, bot: Bot) -> None:
    api.fail("sendMessage", 500, times=2)
    started = time.monotonic()
    [result] = await Sender(bot, fast_pacer()).send_all([outgoing(1)])

    assert result.delivery is Delivery.SENT
    assert [c.status for c in sends(api)] == [500, 500, 200]
    assert time.monotonic() - started >= 0.5 + 1.0  # backed off between the attempts
    assert len(api.chats[1]) == 1


@pytest.mark.parametrize("production_bot", [False, True])
async def test_5xx_forever_comes_back_retry_after_three_calls(
    api: FakeBotAPI, bot: Bot, production_bot: bool
) -> None:
    """The production bot's RetryRequestMiddleware (4 attempts per call) is bypassed: with it
    in the way, three sender attempts would be twelve calls and would eat all ten faults."""
    if production_bot:
        bot = create_bot(DEFAULT_TOKEN, api.base_url)
    api.fail("sendMessage", 500, times=10)
    try:
        [result] = await Sender(bot, fast_pacer(), backoff=(0.05,)).send_all([outgoing(1)])
    finally:
        if production_bot:
            await bot.session.close()

    assert result.delivery is Delivery.RETRY
    assert result.retry_after is None
    assert "Internal Server Error" in (result.error or "")
    assert [c.status for c in sends(api)] == [500, 500, 500]
    assert not api.chats[1]


async def test_429s_reach_the_sender_past_the_bots_retry_middleware(api: FakeBotAPI) -> None:
    bot = create_bot(DEFAULT_TOKEN, api.base_url)
    api.fail("sendMessage", 429, retry_after=1, times=2)
    pacer = fast_pacer()
    try:
        [result] = await Sender(bot, pacer, max_attempts_429=2).send_all([outgoing(1)])
    finally:
        await bot.session.close()

    assert result.delivery is Delivery.RETRY
    assert result.retry_after == 1
    assert api.rejected_429 == 2
    assert len(sends(api)) == 2
    assert 0 < pacer.pause_remaining() <= 1.0  # the pacer heard about it


class OneChatDown(FakeBotAPI):
    """Every send to the chats in ``down`` answers 500, the others work."""

    def __init__(self, down: set[int]) -> None:
        super().__init__()
        self.down = down

    async def _send_message(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        if params.get("chat_id") in self.down:
            raise _ApiError(500, "Internal Server Error")
        return await super()._send_message(params, files)


async def test_one_chat_failing_forever_leaves_the_others_alone() -> None:
    async with OneChatDown({7}) as api:
        bot = api.make_bot(default=DefaultBotProperties(parse_mode="HTML"))
        messages = [outgoing(7), *(outgoing(chat) for chat in range(1, 10) if chat != 7)]
        messages.append(outgoing(7, 2))
        try:
            results = await Sender(bot, fast_pacer(), backoff=(0.05,)).send_all(messages)
        finally:
            await bot.session.close()

    by_key = {r.key: r for r in results}
    assert by_key["reminder:7:1"].delivery is Delivery.RETRY
    # The second must not overtake the first, so it waits for the next tick too.
    assert by_key["reminder:7:2"].delivery is Delivery.RETRY
    assert (by_key["reminder:7:2"].error or "").startswith("not sent")
    assert len(sends(api, 7)) == 3
    assert all(len(api.chats[chat]) == 1 for chat in range(1, 10) if chat != 7)
    assert Counter(r.delivery for r in results) == {Delivery.SENT: 8, Delivery.RETRY: 2}


async def test_messages_to_one_chat_keep_their_order(api: FakeBotAPI, bot: Bot) -> None:
    messages = [outgoing(chat, n) for n in range(1, 4) for chat in (1, 2)]
    results = await Sender(bot, fast_pacer(), concurrency=4).send_all(messages)

    assert {r.delivery for r in results} == {Delivery.SENT}
    for chat in (1, 2):
        texts = [m.plain_text or "" for m in api.chats[chat]]
        assert [t.split(":")[0] for t in texts] == [f"Напоминание {n}" for n in (1, 2, 3)]


async def test_a_long_flood_wait_ends_the_batch_at_once(api: FakeBotAPI, bot: Bot) -> None:
    api.fail("sendMessage", 429, retry_after=120)
    started = time.monotonic()
    results = await Sender(bot, Pacer()).send_all([outgoing(chat) for chat in range(1, 21)])

    assert time.monotonic() - started < 60  # did not sit out the 120 s flood wait
    refused = [r for r in results if r.delivery is Delivery.RETRY]
    assert refused and all(r.retry_after and 100 < r.retry_after <= 120 for r in refused)
    assert api.rejected_429 == 1
    sent = [r for r in results if r.delivery is Delivery.SENT]  # on their way before the 429
    assert len(sent) + len(refused) == 20
    assert len(sends(api)) == len(sent) + 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_telegram_unreachable_never_raises_and_gives_up_the_batch(
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = "424242:SECRET-token-never-logged"
    session = AiohttpSession(api=TelegramAPIServer.from_base(f"http://127.0.0.1:{closed_port()}"))
    bot = Bot(token, session=session)
    calls: list[Any] = []
    real = session.make_request

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return await real(*args, **kwargs)

    session.make_request = counted  # type: ignore[method-assign]
    sender = Sender(bot, fast_pacer(), backoff=(0.01,), give_up_after=4)
    caplog.set_level(logging.DEBUG)
    try:
        results = await sender.send_all([outgoing(chat) for chat in range(1, 41)])
    finally:
        await session.close()

    assert {r.delivery for r in results} == {Delivery.RETRY}
    assert "ClientConnectorError" in (results[0].error or "")
    assert sum((r.error or "").startswith("not sent") for r in results) >= 20
    assert len(calls) < 3 * 20  # not three attempts each for all forty
    assert all(token not in (r.error or "") for r in results)
    assert token not in caplog.text
    assert "SECRET" not in caplog.text


async def test_cancelling_the_batch_cancels_it(api: FakeBotAPI, bot: Bot) -> None:
    api.delay("sendMessage", 5.0)
    task = asyncio.create_task(Sender(bot, Pacer()).send_all([outgoing(1)]))
    await api.wait_for(lambda: sends(api), what="the send to start")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
