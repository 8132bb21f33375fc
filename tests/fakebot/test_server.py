"""The fake Bot API server, driven by a real aiogram Bot and Dispatcher over HTTP."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher, F, Router, html
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from tests.fakebot import FakeBotAPI, FakeUser, HtmlParseError, parse_html

ROOT = Path(__file__).resolve().parents[2]
ALICE = FakeUser(1, "Alice")
# The smallest PNG header: signature + IHDR saying 3x2.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (3).to_bytes(4, "big") + (2).to_bytes(4, "big")


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in pairs]]
    )


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as srv:
        yield srv


@pytest_asyncio.fixture
async def bot(server: FakeBotAPI) -> AsyncIterator[Bot]:
    bot = server.make_bot()
    yield bot
    await bot.session.close()


# ------------------------------------------------------------------ basics


@pytest.mark.asyncio
async def test_get_me_with_a_plain_aiohttp_session(server: FakeBotAPI) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    bot = Bot("123:any-token", session=session)
    try:
        me = await bot.get_me()
    finally:
        await bot.session.close()
    assert (me.id, me.is_bot, me.username) == (100500, True, "roadmap_test_bot")
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.port != 0
    assert [(c.method, c.status, c.token) for c in server.calls] == [
        ("getMe", 200, "123:any-token")
    ]


@pytest.mark.asyncio
async def test_unknown_method_is_404_in_telegram_format(server: FakeBotAPI) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.base_url}/bot1:x/sendDice", data={"chat_id": "1"}) as resp,
    ):
        body = await resp.json()
    assert resp.status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert (server.calls[-1].method, server.calls[-1].status) == ("sendDice", 404)
    assert server.calls[-1].params == {"chat_id": 1}


@pytest.mark.asyncio
async def test_send_with_keyboard_then_edit(server: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_message(
        ALICE.id,
        "<b>Deadline</b> tomorrow",
        parse_mode="HTML",
        reply_markup=keyboard(("Done ✅", "done:7"), ("Later", "later:7")),
    )
    assert sent.text == "Deadline tomorrow"
    assert sent.entities is not None and sent.entities[0].type == "bold"
    assert sent.reply_markup is not None
    (msg,) = server.chats[ALICE.id]
    assert (msg.message_id, msg.kind, msg.text) == (sent.message_id, "text", sent.html_text)
    assert msg.plain_text == "Deadline tomorrow" and msg.parse_mode == "HTML"
    assert msg.buttons() == [[("Done ✅", "done:7"), ("Later", "later:7")]]
    assert msg.button("Done") == "done:7"
    with pytest.raises(AssertionError, match="no inline button"):
        msg.button("Nope")

    edited = await bot.edit_message_text(
        "Marked as done", chat_id=ALICE.id, message_id=sent.message_id
    )
    assert isinstance(edited, Message) and edited.edit_date is not None
    assert (msg.text, msg.edits, msg.reply_markup) == ("Marked as done", 1, None)
    assert msg.history == [("<b>Deadline</b> tomorrow", msg.history[0][1])]
    assert await server.wait_edit(msg, timeout=0.1) is msg

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Marked as done", chat_id=ALICE.id, message_id=msg.message_id)
    await bot.edit_message_reply_markup(
        chat_id=ALICE.id, message_id=msg.message_id, reply_markup=keyboard(("Undo", "undo:7"))
    )
    assert msg.edits == 2 and msg.button("Undo") == "undo:7"

    assert await bot.delete_message(ALICE.id, msg.message_id)
    assert msg.deleted and server.chats[ALICE.id] == [msg]
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(ALICE.id, msg.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("again", chat_id=ALICE.id, message_id=msg.message_id)


@pytest.mark.asyncio
async def test_groups_and_clock(server: FakeBotAPI, bot: Bot) -> None:
    server.clock = lambda: 1_700_000_000.5
    group = await bot.send_message(-4242, "hello group")
    supergroup = await bot.send_message(-1001234567890, "hello supergroup")
    assert (group.chat.type, supergroup.chat.type) == ("group", "supergroup")
    assert int(group.date.timestamp()) == 1_700_000_000
    update = server.push_text(ALICE, "hi all", chat_id=-4242)
    assert update["message"]["date"] == 1_700_000_000
    assert update["message"]["chat"]["type"] == "group"
    assert server.chats[-4242][0].text == "hello group"


# ------------------------------------------------------------------ faults


@pytest.mark.asyncio
async def test_injected_errors_raise_aiogram_exceptions(server: FakeBotAPI, bot: Bot) -> None:
    server.fail("sendMessage", 429, retry_after=7)
    server.fail("sendMessage", 403)
    server.fail("sendMessage", 500, times=2)
    server.fail("sendMessage", 502)
    server.fail("sendMessage", 400, description="Bad Request: chat not found")

    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(ALICE.id, "1")
    assert retry.value.retry_after == 7
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ALICE.id, "2")
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await bot.send_message(ALICE.id, "3")
    with pytest.raises(TelegramServerError):
        await bot.send_message(ALICE.id, "4")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(ALICE.id, "5")
    await bot.send_message(ALICE.id, "delivered")

    assert [m.text for m in server.chats[ALICE.id]] == ["delivered"]
    assert [c.status for c in server.calls_to("sendMessage")] == [
        429,
        403,
        500,
        500,
        502,
        400,
        200,
    ]
    assert server.calls_to("sendMessage")[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert server.rejected_429 == 1


@pytest.mark.asyncio
async def test_after_effect_fault_delivers_but_answers_an_error(
    server: FakeBotAPI, bot: Bot
) -> None:
    server.fail("sendMessage", 502, after_effect=True)
    with pytest.raises(TelegramServerError):
        await bot.send_message(ALICE.id, "maybe")
    assert [m.text for m in server.chats[ALICE.id]] == ["maybe"]


@pytest.mark.asyncio
async def test_blocked_chat_is_403_until_unblocked(server: FakeBotAPI, bot: Bot) -> None:
    server.block(ALICE.id)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(ALICE.id, "x")
    server.unblock(ALICE.id)
    await bot.send_message(ALICE.id, "y")
    assert [m.text for m in server.chats[ALICE.id]] == ["y"]


@pytest.mark.asyncio
async def test_delay_and_client_timeout(server: FakeBotAPI, bot: Bot) -> None:
    server.delay("sendMessage", 0.3)
    started = time.monotonic()
    await bot.send_message(ALICE.id, "slow")
    assert time.monotonic() - started >= 0.3

    server.delay("sendMessage", 3)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(ALICE.id, "never", request_timeout=1)
    call = server.calls_to("sendMessage")[-1]
    await server.wait_for(lambda: call.status == 499)
    assert [m.text for m in server.chats[ALICE.id]] == ["slow"]


@pytest.mark.asyncio
async def test_rate_limit(server: FakeBotAPI, bot: Bot) -> None:
    server.rate_limit(3)
    outcomes: list[int | str] = []
    for i in range(5):
        try:
            await bot.send_message(ALICE.id, f"m{i}")
            outcomes.append("ok")
        except TelegramRetryAfter as error:
            outcomes.append(error.retry_after)
    assert outcomes == ["ok", "ok", "ok", 1, 1]
    assert server.rejected_429 == 2
    assert len(server.chats[ALICE.id]) == 3


async def _outcomes(bot: Bot, chat_ids: list[int]) -> list[int | str]:
    outcomes: list[int | str] = []
    for chat_id in chat_ids:
        try:
            await bot.send_message(chat_id, "m")
            outcomes.append("ok")
        except TelegramRetryAfter as error:
            outcomes.append(error.retry_after)
    return outcomes


@pytest.mark.asyncio
async def test_per_chat_rate_limit(server: FakeBotAPI, bot: Bot) -> None:
    server.rate_limit(None, per_chat_per_second=1)
    # A second message to one chat within a second is refused; other chats are not held up.
    assert await _outcomes(bot, [1, 1, 2, 3, 2, 1]) == ["ok", 1, "ok", "ok", 1, 1]
    assert (server.rejected_429, server.rejected_429_chat) == (3, 3)
    assert {chat: len(messages) for chat, messages in server.chats.items()} == {1: 1, 2: 1, 3: 1}


@pytest.mark.asyncio
async def test_per_chat_and_global_limits_together(server: FakeBotAPI, bot: Bot) -> None:
    server.rate_limit(2, per_chat_per_second=1)
    assert await _outcomes(bot, [1, 2, 3, 1]) == ["ok", "ok", 1, 1]
    # Both refusals were the global limit's: it is checked first, and a refused call counts
    # for neither limit.
    assert (server.rejected_429, server.rejected_429_chat) == (2, 0)


@pytest.mark.asyncio
async def test_per_chat_window_rolls() -> None:
    now = [100.0]
    async with FakeBotAPI(rate_clock=lambda: now[0]) as server:
        server.rate_limit(None, per_chat_per_second=1)
        session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
        own = Bot("42:TEST", session=session)
        try:
            assert await _outcomes(own, [7]) == ["ok"]
            now[0] = 100.999
            assert await _outcomes(own, [7]) == [1]  # refused calls do not count
            now[0] = 101.0  # a full second after the accepted one
            assert await _outcomes(own, [7, 7]) == ["ok", 1]
        finally:
            await session.close()
    assert len(server.chats[7]) == 2


@pytest.mark.asyncio
async def test_rate_limit_over_http_control(server: FakeBotAPI, bot: Bot) -> None:
    async with aiohttp.ClientSession(base_url=server.base_url) as http:
        async with http.post(
            "/_control/rate_limit", json={"per_second": None, "per_chat_per_second": 1}
        ) as response:
            assert response.status == 200
        async with http.post("/_control/rate_limit", json={"per_chat_per_second": 0}) as bad:
            assert bad.status == 400
    assert await _outcomes(bot, [1, 1]) == ["ok", 1]
    assert server.rejected_429_chat == 1
    async with (
        aiohttp.ClientSession(base_url=server.base_url) as http,
        http.post("/_control/rate_limit", json={"per_second": 1}) as response,
    ):
        assert response.status == 200
    # The per-chat limit is gone, the global one of 1/s is on.
    assert await _outcomes(bot, [1, 2]) == ["ok", 1]
    assert server.rejected_429_chat == 1


# ------------------------------------------------------------------ files


@pytest.mark.asyncio
async def test_send_document_upload_and_download(server: FakeBotAPI, bot: Bot) -> None:
    content = b"%PDF-1.4 not really" * 100
    sent = await bot.send_document(
        ALICE.id, BufferedInputFile(content, filename="plan.pdf"), caption="Plan"
    )
    (msg,) = server.chats[ALICE.id]
    assert (msg.kind, msg.file_name, msg.content, msg.text) == (
        "document",
        "plan.pdf",
        content,
        "Plan",
    )
    assert msg.mime_type == "application/pdf"
    assert sent.document is not None and sent.document.file_size == len(content)
    assert sent.caption == "Plan"

    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == content

    await bot.send_document(ALICE.id, sent.document.file_id)  # re-send by file_id
    assert server.chats[ALICE.id][-1].content == content

    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(ALICE.id, "no-such-file-id")


@pytest.mark.asyncio
async def test_send_photo_upload_and_by_file_id(server: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_photo(ALICE.id, BufferedInputFile(PNG, filename="p.png"))
    assert sent.photo is not None and (sent.photo[-1].width, sent.photo[-1].height) == (3, 2)
    pushed = server.push_photo(ALICE, b"jpeg bytes")
    await bot.send_photo(ALICE.id, pushed["message"]["photo"][-1]["file_id"])
    assert [(m.kind, m.content) for m in server.chats[ALICE.id]] == [
        ("photo", PNG),
        ("photo", b"jpeg bytes"),
    ]


@pytest.mark.asyncio
async def test_pushed_document_can_be_downloaded(server: FakeBotAPI, bot: Bot) -> None:
    content = bytes(range(256)) * 40
    server.push_document(ALICE, "roadmap.docx", content, caption="my plan")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.document is not None
    document = update.message.document
    assert (document.file_name, document.file_size) == ("roadmap.docx", len(content))
    assert update.message.caption == "my plan"
    downloaded = await bot.download(document)
    assert downloaded is not None and downloaded.read() == content
    assert [c.method for c in server.calls][-2:] == ["getFile", "file"]


# ------------------------------------------------------------------ updates


@pytest.mark.asyncio
async def test_dispatcher_start_and_callback(server: FakeBotAPI) -> None:
    router = Router()
    pressed: list[tuple[int, str | None]] = []

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        assert message.from_user is not None
        await message.answer(
            f"Hi, <b>{html.quote(message.from_user.first_name)}</b>! payload={command.args}",
            reply_markup=keyboard(("Yes", "yes:1"), ("No", "no:1")),
        )

    @router.callback_query(F.data.startswith("yes:"))
    async def yes(query: CallbackQuery) -> None:
        pressed.append((query.from_user.id, query.data))
        await query.answer("Noted")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Confirmed")

    dp = Dispatcher()
    dp.include_router(router)
    bot = server.make_bot(default=DefaultBotProperties(parse_mode="HTML"))
    alice = FakeUser(1, "Alice <3")
    async with server.polling(dp, bot, polling_timeout=5):
        server.push_text(alice, "/start abc")
        reply = await server.next_message(alice.id)
        assert reply.text == "Hi, <b>Alice &lt;3</b>! payload=abc"
        assert reply.plain_text == "Hi, Alice <3! payload=abc"

        stranger = FakeUser(2, "Mallory", language_code=None)
        _, query_id = server.press(stranger, reply, reply.button("Yes"))
        answer = await server.wait_answered(query_id)
        assert answer["text"] == "Noted"
        await server.wait_edit(reply)
        assert (reply.text, reply.edits, reply.reply_markup) == ("Confirmed", 1, None)
    await bot.session.close()
    assert pressed == [(2, "yes:1")]
    assert server.calls_to("getMe") and server.calls_to("getUpdates")


@pytest.mark.asyncio
async def test_long_poll_wakes_on_push_and_offset_confirms(server: FakeBotAPI, bot: Bot) -> None:
    started = time.monotonic()
    waiting = asyncio.create_task(bot.get_updates(timeout=40))
    await server.wait_for(lambda: server.calls_to("getUpdates"))
    pushed = server.push_text(ALICE, "/help")
    updates = await waiting
    assert time.monotonic() - started < 20  # woke on the push, did not wait out the 40 s
    assert [u.update_id for u in updates] == [pushed["update_id"]]
    assert updates[0].message is not None and updates[0].message.entities is not None
    assert updates[0].message.entities[0].type == "bot_command"

    again = await bot.get_updates(timeout=0)  # not confirmed yet: delivered again
    assert [u.update_id for u in again] == [pushed["update_id"]]
    assert await bot.get_updates(offset=pushed["update_id"] + 1, timeout=0) == []
    assert server.pending_updates == []
    assert await bot.get_updates(timeout=0) == []

    second = server.push_text(ALICE, "a")
    server.push_text(ALICE, "b")
    limited = await bot.get_updates(limit=1, timeout=0)
    assert [u.update_id for u in limited] == [second["update_id"]]


@pytest.mark.asyncio
async def test_idle_long_poll_waits_out_its_timeout(server: FakeBotAPI, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 20  # the poll's 1 s, not the client's 60 s
    assert len(server.calls_to("getUpdates")) == 1


@pytest.mark.asyncio
async def test_newer_get_updates_terminates_older_with_409(server: FakeBotAPI, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_for(lambda: len(server.calls_to("getUpdates")) == 1)
    second = asyncio.create_task(bot.get_updates(timeout=5))
    with pytest.raises(TelegramConflictError):
        await first
    server.push_text(ALICE, "x")
    assert len(await second) == 1


@pytest.mark.asyncio
async def test_callback_answer_rules(server: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_message(ALICE.id, "q", reply_markup=keyboard(("A", "a")))
    (msg,) = server.chats[ALICE.id]
    assert sent.message_id == msg.message_id
    _, query_id = server.press(ALICE, msg, "a")
    assert await bot.answer_callback_query(query_id, text="ok", show_alert=True)
    assert server.answered_callbacks[query_id] == {
        "callback_query_id": query_id,
        "text": "ok",
        "show_alert": True,
    }
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("12345")


@pytest.mark.asyncio
async def test_wait_for_timeout_explains_itself(server: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(ALICE.id, "something else")
    with pytest.raises(AssertionError, match=r"(?s)timed out.*sendMessage -> 200.*something"):
        await server.next_message(99, timeout=0.1)


@pytest.mark.asyncio
async def test_close_is_fast_while_a_poll_waits() -> None:
    server = FakeBotAPI()
    await server.start()
    bot = server.make_bot()
    waiting = asyncio.create_task(bot.get_updates(timeout=30))
    await server.wait_for(lambda: server.calls_to("getUpdates"))
    server.delay("sendMessage", 30)
    slow = asyncio.create_task(bot.send_message(1, "stuck"))
    await server.wait_for(lambda: server.calls_to("sendMessage"))
    started = time.monotonic()
    await server.close()
    assert time.monotonic() - started < 15  # did not wait for the 30 s poll and send
    assert await waiting == []
    await asyncio.gather(slow, return_exceptions=True)
    await bot.session.close()


# ------------------------------------------------------------------ validation


def test_parse_html_entities_in_utf16() -> None:
    text, entities = parse_html('<b>Hi</b> 😀 <i>x</i> <a href="https://e.org/?a=1&amp;b=2">l</a>')
    assert text == "Hi 😀 x l"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "italic", "offset": 6, "length": 1},
        {"type": "text_link", "offset": 8, "length": 1, "url": "https://e.org/?a=1&b=2"},
    ]
    assert parse_html("&lt;b&gt; &amp; &quot; &#33; &nbsp;") == ('<b> & " ! &nbsp;', [])
    assert parse_html('<pre><code class="language-py">x = 1</code></pre>') == (
        "x = 1",
        [{"type": "pre", "offset": 0, "length": 5, "language": "py"}],
    )


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a<b", "Unclosed start tag at byte offset 1"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
def test_parse_html_rejects_what_telegram_rejects(source: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as raised:
        parse_html(source)
    assert error in str(raised.value)


@pytest.mark.asyncio
async def test_bad_requests_are_not_recorded(server: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await bot.send_message(ALICE.id, "1 < 2", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(ALICE.id, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE.id, "k", reply_markup=keyboard(("A", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(ALICE.id, "<b> </b>", parse_mode="HTML")
    await bot.send_message(ALICE.id, "1 < 2")  # fine without parse_mode
    assert [m.text for m in server.chats[ALICE.id]] == ["1 < 2"]


@pytest.mark.asyncio
async def test_my_commands_per_scope_and_language(server: FakeBotAPI, bot: Bot) -> None:
    await bot.set_my_commands(
        [BotCommand(command="start", description="Начать")], language_code="ru"
    )
    await bot.set_my_commands(
        [BotCommand(command="help", description="Help")], scope=BotCommandScopeAllPrivateChats()
    )
    assert server.commands_for("default", "ru") == [{"command": "start", "description": "Начать"}]
    assert server.commands_for("all_private_chats") == [{"command": "help", "description": "Help"}]
    got = await bot.get_my_commands(language_code="ru")
    assert [(c.command, c.description) for c in got] == [("start", "Начать")]
    assert await bot.get_my_commands() == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start!", description="x")])
    assert await bot.delete_my_commands(language_code="ru")
    assert server.commands_for("default", "ru") == []


# ------------------------------------------------------------------ standalone control


@pytest.mark.asyncio
async def test_http_control(server: FakeBotAPI, bot: Bot) -> None:
    async with aiohttp.ClientSession(base_url=server.base_url) as http:
        async with http.post("/_control/push_text", json={"user_id": 5, "text": "/start"}) as r:
            pushed = await r.json()
        (update,) = await bot.get_updates(timeout=0)
        assert update.update_id == pushed["update_id"]
        assert update.message is not None and update.message.text == "/start"
        await bot.send_message(5, "welcome", reply_markup=keyboard(("Go", "go")))
        async with http.post(
            "/_control/press",
            json={"user_id": 5, "message_id": update.message.message_id + 1, "data": "go"},
        ) as r:
            assert r.status == 200
            assert (await r.json())["callback_query"]["data"] == "go"
        async with http.post("/_control/fail", json={"method": "sendMessage", "status": 403}):
            pass
        async with http.get("/_control/chats") as r:
            chats = await r.json()
    assert chats["5"][0]["text"] == "welcome" and chats["5"][0]["buttons"] == [[["Go", "go"]]]
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(5, "x")


@pytest.mark.asyncio
async def test_module_runs_standalone() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fakes.telegram",
        "--port",
        "0",
        "--no-stdin",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 300)).decode()
        base_url = line.split()[-1]
        assert base_url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base_url}/bot1:x/getMe") as resp:
                assert (await resp.json())["result"]["username"] == "roadmap_test_bot"
            async with http.post(
                f"{base_url}/_control/push_text", json={"user_id": 1, "text": "hi"}
            ) as resp:
                assert json.loads(await resp.text())["message"]["text"] == "hi"
    finally:
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 60) == 0
