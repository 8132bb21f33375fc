"""The in-process session: the same calls, answers and errors as over HTTP, without a socket."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import ClientResponseError

from tests.fakebot import FakeBotAPI, FakeUser
from tests.fakebot.session import InProcessSession

ALICE = FakeUser(1, "Alice")
TOKEN = "100500:FAKE-token"


def _in_process(server: FakeBotAPI) -> Bot:
    return Bot(
        TOKEN,
        session=InProcessSession(server),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


@pytest.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as started:
        yield started


async def _conversation(bot: Bot) -> None:
    """Calls of every shape: defaults, markup, a reply, an upload, an edit."""
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data="v1:yes:7")]]
    )
    sent = await bot.send_message(ALICE.id, "<b>Срок</b> завтра", reply_markup=markup)
    await bot.send_message(ALICE.id, "ответ", reply_to_message_id=sent.message_id)
    await bot.send_document(
        ALICE.id, BufferedInputFile(b"a;b\n1;2\n", "table.csv"), caption="<i>итоги</i>"
    )
    await bot.edit_message_text("Готово", chat_id=ALICE.id, message_id=sent.message_id)


async def test_calls_reach_the_server_as_over_http(server: FakeBotAPI) -> None:
    over_http = server.make_bot(TOKEN, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    try:
        await _conversation(over_http)
    finally:
        await over_http.session.close()
    in_process = FakeBotAPI()
    await _conversation(_in_process(in_process))

    def recorded(api: FakeBotAPI) -> list[tuple[str, dict[str, Any], int | None, Any]]:
        return [
            (
                call.method,
                call.params,
                call.status,
                {key: (part.filename, part.content) for key, part in call.files.items()},
            )
            for call in api.calls
        ]

    http_calls, local_calls = recorded(server), recorded(in_process)
    # File parts are keyed by a random attach:// name; the names aside, all is the same.
    for calls in (http_calls, local_calls):
        for method, params, _, files in calls:
            if files:
                (key,) = files
                assert params["document"] == f"attach://{key}", method
                params["document"] = "attach://…"
    assert [(m, p, s, list(f.values())) for m, p, s, f in local_calls] == [
        (m, p, s, list(f.values())) for m, p, s, f in http_calls
    ]
    assert [call.token for call in in_process.calls] == [TOKEN] * 4
    shown = [(m.kind, m.plain_text, m.file_name) for m in in_process.chats[ALICE.id]]
    assert shown == [
        ("text", "Готово", None),
        ("text", "ответ", None),
        ("document", "итоги", "table.csv"),
    ]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda bot: bot.send_message(ALICE.id, "1 < 2"), "can't parse entities"),
        (
            lambda bot: bot.send_message(
                ALICE.id,
                "x",
                reply_markup=InlineKeyboardMarkup(
                    inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="x" * 65)]]
                ),
            ),
            "BUTTON_DATA_INVALID",
        ),
        (lambda bot: bot.send_message(ALICE.id, "y" * 4097), "message is too long"),
        (lambda bot: bot.answer_callback_query("42"), "query ID is invalid"),
    ],
    ids=["html", "callback-data-65-bytes", "too-long", "unknown-query"],
)
async def test_realism_checks_raise_what_aiogram_raises(
    call: Callable[[Bot], Awaitable[object]], error: str
) -> None:
    server = FakeBotAPI()
    with pytest.raises(TelegramBadRequest, match=error):
        await call(_in_process(server))
    assert [c.status for c in server.calls] == [400]
    assert server.chats[ALICE.id] == []


async def test_an_edit_to_the_same_text_is_not_modified() -> None:
    server = FakeBotAPI()
    bot = _in_process(server)
    sent = await bot.send_message(ALICE.id, "Готово")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Готово", chat_id=ALICE.id, message_id=sent.message_id)


async def test_injected_faults_and_a_slow_answer() -> None:
    server = FakeBotAPI()
    bot = Bot(TOKEN, session=InProcessSession(server, timeout=0.05))
    server.fail("sendMessage", 429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(ALICE.id, "1")
    assert retry.value.retry_after == 3
    server.delay("sendMessage", 60.0)
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(ALICE.id, "2")
    # The call the client gave up on is recorded as over HTTP: the client went away.
    assert [call.status for call in server.calls] == [429, 499]
    assert server.chats[ALICE.id] == []


async def test_downloads_come_from_the_server_and_its_faults_raise() -> None:
    server = FakeBotAPI()
    bot = _in_process(server)
    content = bytes(range(256)) * 600  # more than one chunk
    update = server.push_document(ALICE, "plan.docx", content)
    file_id = update["message"]["document"]["file_id"]
    buffer = io.BytesIO()
    await bot.download(file_id, destination=buffer)
    assert buffer.getvalue() == content
    assert [call.method for call in server.calls] == ["getFile", "file"]

    server.fail("file", 502)
    with pytest.raises(ClientResponseError) as failed:
        await bot.download(file_id, destination=io.BytesIO())
    assert failed.value.status == 502


def test_pushed_updates_are_taken_once() -> None:
    server = FakeBotAPI()
    first = server.push_text(ALICE, "/start")
    second = server.push_text(ALICE, "ещё")
    assert server.take_updates() == [first, second]
    assert server.take_updates() == []
    assert server.pending_updates == []


async def test_without_a_ceiling_a_wait_looks_once() -> None:
    server = FakeBotAPI(wait_ceiling=0)
    with pytest.raises(AssertionError, match="there is no 1 new message"):
        await server.next_message(ALICE.id)
    await _in_process(server).send_message(ALICE.id, "привет")
    assert (await server.next_message(ALICE.id)).plain_text == "привет"
