"""The MAX session under aiogram's Bot: Bot API calls become MAX calls (validated by the fake
against MAX's pinned document), MAX's answers and errors become aiogram's."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.maxbot import MaxPoller, create_max_bot, max_feeder
from bot.maxbot.session import MaxSession, decode_file_id, encode_file_id
from core.clock import SystemClock
from core.messengers import max_user_account
from services.instances import MAX_POLLING, MAX_POLLING_TTL, Lease
from storage.database import Database
from storage.migrate import upgrade_to_head
from tests.fakemax import DEFAULT_TOKEN, FakeMaxAPI, FakeUser

ALICE = FakeUser(31, "Alice")
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data="yes")]]
)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeMaxAPI]:
    async with FakeMaxAPI(wait_ceiling=5) as fake:
        yield fake
        assert not fake.invalid_requests, fake.invalid_requests


@pytest_asyncio.fixture
async def bot(server: FakeMaxAPI, tmp_path: Path) -> AsyncIterator[Bot]:
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'ids.sqlite3'}")
    await upgrade_to_head(database.engine)
    max_bot = create_max_bot(DEFAULT_TOKEN, server.base_url, database)
    yield max_bot
    await max_bot.session.close()
    await database.close()


async def test_a_message_with_a_keyboard_then_a_keyboard_only_edit_keeps_the_text(
    bot: Bot, server: FakeMaxAPI
) -> None:
    server.users[ALICE.user_id] = ALICE
    account = max_user_account(ALICE.user_id)
    sent = await bot.send_message(account, "<b>Задача</b>", reply_markup=KEYBOARD)
    assert sent.chat.id == account and sent.chat.type == "private"
    message = await server.next_message(ALICE)
    assert message.format == "html" and message.buttons() == [[("Да", "yes")]]

    await bot.edit_message_reply_markup(chat_id=account, message_id=sent.message_id)
    edited = await server.wait_edit(message)
    assert edited.text == "<b>Задача</b>" and edited.buttons() == []


async def test_a_file_goes_with_its_caption_and_stays_through_a_keyboard_edit(
    bot: Bot, server: FakeMaxAPI
) -> None:
    server.users[ALICE.user_id] = ALICE
    account = max_user_account(ALICE.user_id)
    sent = await bot.send_document(
        account,
        BufferedInputFile(b"report", filename="report.xlsx"),
        caption="Отчёт",
        reply_markup=KEYBOARD,
    )
    message = await server.next_message(ALICE)
    assert message.kind == "document" and message.content == b"report"
    await bot.edit_message_reply_markup(chat_id=account, message_id=sent.message_id)
    edited = await server.wait_edit(message)
    assert edited.kind == "document" and edited.file_name == "report.xlsx"
    assert edited.text == "Отчёт" and edited.buttons() == []


async def test_errors_become_aiograms(bot: Bot, server: FakeMaxAPI) -> None:
    server.users[ALICE.user_id] = ALICE
    account = max_user_account(ALICE.user_id)
    server.fail("POST /messages", 429, times=1, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as waited:
        await bot.session.make_request(bot, _send(account))
    assert waited.value.retry_after == 3
    server.block(ALICE)
    with pytest.raises(TelegramForbiddenError):
        await bot.session.make_request(bot, _send(account))


async def test_message_numbers_survive_a_new_session(
    bot: Bot, server: FakeMaxAPI, tmp_path: Path
) -> None:
    server.users[ALICE.user_id] = ALICE
    account = max_user_account(ALICE.user_id)
    sent = await bot.send_message(account, "раз")
    message = await server.next_message(ALICE)
    # Another process: its own memory, the same database.
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'ids.sqlite3'}")
    other = create_max_bot(DEFAULT_TOKEN, server.base_url, database)
    try:
        await other.edit_message_text("два", chat_id=account, message_id=sent.message_id)
        assert (await server.wait_edit(message)).text == "два"
    finally:
        await other.session.close()
        await database.close()


def test_file_ids_round_trip_and_telegram_ones_are_not_max() -> None:
    file_id = encode_file_id("file", "tok:en|x", "https://files.example/1")
    assert decode_file_id(file_id) == ("file", "tok:en|x", "https://files.example/1")
    assert decode_file_id("BQACAgIAAxkBAAIB") is None
    assert isinstance(MaxSession, type)


def _send(account: int) -> object:
    from aiogram.methods import SendMessage

    return SendMessage(chat_id=account, text="x")


async def test_only_the_lease_holder_polls_max(
    bot: Bot, server: FakeMaxAPI, tmp_path: Path
) -> None:
    """Several instances: one polls MAX; another takes over once the first lets go."""
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'ids.sqlite3'}")
    clock = SystemClock()
    other = Lease(database, clock, MAX_POLLING, "other-instance", MAX_POLLING_TTL)
    assert await other.take()
    session = bot.session
    assert isinstance(session, MaxSession)
    mine = Lease(database, clock, MAX_POLLING, "this-instance", MAX_POLLING_TTL)
    poller = MaxPoller(session.client, max_feeder(bot, Dispatcher()), mine, lease_retry=0.05)
    polling = asyncio.create_task(poller.run())
    try:
        await asyncio.sleep(0.3)
        assert not server.calls_to("GET /updates")  # the other instance polls
        await other.release()
        await server.wait_for(lambda: server.calls_to("GET /updates"), what="the take-over")
    finally:
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        await poller.drain()
        assert await other.take()  # given up at the stop
        await database.close()
