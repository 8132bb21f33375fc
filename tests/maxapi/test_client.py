"""maxapi_client.MaxClient against the fake MAX Bot API over real HTTP.

Every request the client sends must validate against the pinned OpenAPI document: the
``server`` fixture checks ``server.invalid_requests`` after each test.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from maxapi_client import (
    Attachment,
    InlineButton,
    MaxApiError,
    MaxAttachmentNotReady,
    MaxBlocked,
    MaxClient,
    MaxNetworkError,
    MaxRetryAfter,
    MessageBody,
)
from tests.fakemax import DEFAULT_TOKEN, FakeChat, FakeMaxAPI, FakeUser

ALICE = FakeUser(1, "Alice", username="alice")
BOB = FakeUser(2, "Bob")
YES = InlineButton("Yes", payload="yes")
SITE = InlineButton("Site", url="https://example.com")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeMaxAPI]:
    async with FakeMaxAPI(wait_ceiling=5) as srv:
        yield srv
        assert srv.invalid_requests == [], srv.dump()


@pytest_asyncio.fixture
async def client(server: FakeMaxAPI) -> AsyncIterator[MaxClient]:
    async with MaxClient(DEFAULT_TOKEN, base_url=server.base_url) as max_client:
        yield max_client


async def test_me(client: MaxClient, server: FakeMaxAPI) -> None:
    me = await client.me()
    assert me.username == "roadmap_test_bot" and me.user_id == server.bot_user["user_id"]
    assert me.raw["is_bot"] is True
    # The token went in the header, never in the query.
    assert "access_token" not in server.calls[-1].query


async def test_send_with_keyboard_edit_delete(client: MaxClient, server: FakeMaxAPI) -> None:
    sent = await client.send_message(
        user_id=ALICE.user_id, text="<b>Ready?</b>", keyboard=[[YES, SITE]]
    )
    assert isinstance(sent.mid, str) and sent.mid
    assert (sent.chat_id, sent.user_id, sent.text) == (
        ALICE.chat_id,
        ALICE.user_id,
        "<b>Ready?</b>",
    )
    assert sent.raw["body"]["attachments"][0]["type"] == "inline_keyboard"

    record = await server.next_message(ALICE)
    assert record.mid == sent.mid and record.format == "html" and record.notify is True
    assert record.buttons() == [[("Yes", "yes"), ("Site", "https://example.com")]]

    # keyboard=None: the keyboard stays; [] removes it.
    await client.edit_message(sent.mid, "<b>Still?</b>")
    await server.wait_edit(record)
    assert record.text == "<b>Still?</b>" and record.buttons() == [
        [("Yes", "yes"), ("Site", "https://example.com")]
    ]
    await client.edit_message(sent.mid, "Done", format=None, keyboard=[])
    await server.wait_edit(record)
    assert record.text == "Done" and record.buttons() == []
    assert server.calls[-1].body == {"text": "Done", "attachments": [], "link": None}

    await client.delete_message(sent.mid)
    await server.wait_deleted(record)
    with pytest.raises(MaxApiError) as raised:
        await client.delete_message(sent.mid)
    assert raised.value.status == 404


async def test_send_to_a_chat_silently_in_markdown(client: MaxClient, server: FakeMaxAPI) -> None:
    server.add_to_chat(FakeChat(-100, "Parents 5A"))
    sent = await client.send_message(chat_id=-100, text="**hi**", format="markdown", notify=False)
    assert sent.chat_id == -100 and sent.user_id is None
    record = await server.next_message(-100)
    assert (record.format, record.notify, record.attachments) == ("markdown", False, [])


async def test_send_needs_exactly_one_target(client: MaxClient) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        await client.send_message(text="x")
    with pytest.raises(ValueError, match="exactly one"):
        await client.send_message(user_id=1, chat_id=2, text="x")


def test_a_button_has_a_payload_or_a_url() -> None:
    with pytest.raises(ValueError, match="either"):
        InlineButton("Both", payload="p", url="https://example.com")
    with pytest.raises(ValueError, match="either"):
        InlineButton("None")


async def test_callback_answered_with_a_notification_and_with_an_edit(
    client: MaxClient, server: FakeMaxAPI
) -> None:
    sent = await client.send_message(user_id=ALICE.user_id, text="Q?", keyboard=[[YES]])
    record = await server.next_message(ALICE)
    _, first = server.press(ALICE, record, record.button("Yes"))
    _, second = server.press(ALICE, record, record.button("Yes"))

    updates, _ = await client.get_updates(timeout=0)
    assert [u.type for u in updates] == ["message_callback"] * 2
    assert [u.callback_id for u in updates] == [first, second]
    assert updates[0].callback_payload == "yes"
    pressed = updates[0].message
    assert pressed is not None and pressed.mid == sent.mid and pressed.user_id == ALICE.user_id

    await client.answer_callback(first, notification="Saved")
    assert (await server.wait_answered(first)) == {"notification": "Saved"}
    assert record.edits == 0

    await client.answer_callback(second, message=MessageBody("Q? <i>yes</i>", keyboard=[]))
    answer = await server.wait_answered(second)
    assert answer["message"]["text"] == "Q? <i>yes</i>"
    assert record.text == "Q? <i>yes</i>" and record.buttons() == [] and record.edits == 1


async def test_an_empty_callback_answer_is_refused_locally(
    client: MaxClient, server: FakeMaxAPI
) -> None:
    with pytest.raises(ValueError, match="notification"):
        await client.answer_callback("cb.000000000001")
    assert server.calls == []


async def test_upload_a_file_and_an_image_then_send_and_download(
    client: MaxClient, server: FakeMaxAPI
) -> None:
    document = await client.upload("file", "plan.docx", b"plan bytes")
    assert document.type == "file" and document.payload["token"]
    image = await client.upload("image", "chart.png", PNG)
    assert image.type == "image" and image.payload["photos"]

    sent = await client.send_with_attachment(document, user_id=ALICE.user_id, text="The plan")
    record = await server.next_message(ALICE)
    assert record.text == "The plan" and [f.filename for f in record.files] == ["plan.docx"]
    shown = sent.attachments[0]
    assert shown["type"] == "file" and shown["filename"] == "plan.docx"
    assert await client.download(shown["payload"]["url"]) == b"plan bytes"

    sent = await client.send_with_attachment([image], user_id=ALICE.user_id, keyboard=[[SITE]])
    record = await server.next_message(ALICE)
    assert record.text is None and [f.type for f in record.files] == ["image"]
    assert record.files[0].content == PNG
    assert record.files[0].content_type == "image/png"
    assert await client.download(sent.attachments[0]["payload"]["url"]) == PNG
    assert record.buttons() == [[("Site", "https://example.com")]]


async def test_not_ready_is_waited_out(client: MaxClient, server: FakeMaxAPI) -> None:
    server.not_ready(2)
    document = await client.upload("file", "report.pdf", b"%PDF")
    sent = await client.send_with_attachment(
        document, user_id=ALICE.user_id, text="Report", pause=0.01
    )
    assert server.not_ready_answers == 2
    assert len(server.calls_to("POST /messages")) == 3
    record = await server.next_message(ALICE)
    assert record.mid == sent.mid and [f.content for f in record.files] == [b"%PDF"]


async def test_not_ready_past_the_attempts_raises(client: MaxClient, server: FakeMaxAPI) -> None:
    server.not_ready(5)
    document = await client.upload("file", "report.pdf", b"%PDF")
    with pytest.raises(MaxAttachmentNotReady) as raised:
        await client.send_with_attachment(document, user_id=ALICE.user_id, attempts=3, pause=0.01)
    assert raised.value.code == "attachment.not.ready"
    assert server.not_ready_answers == 3 and server.chats[ALICE.chat_id] == []
    # send_message itself does not retry.
    with pytest.raises(MaxAttachmentNotReady):
        await client.send_message(user_id=ALICE.user_id, text=None, attachments=[document])
    assert server.not_ready_answers == 4


async def test_an_unknown_upload_kind_is_refused(client: MaxClient) -> None:
    with pytest.raises(ValueError, match="upload kind"):
        await client.upload("video", "clip.mp4", b"")  # type: ignore[arg-type]


async def test_long_polling_with_markers(client: MaxClient, server: FakeMaxAPI) -> None:
    server.start(ALICE, "invite-42")
    server.push_text(ALICE, "hello")
    server.add_to_chat(FakeChat(-100, "Parents"))

    updates, marker = await client.get_updates(timeout=0, limit=2)
    assert [u.type for u in updates] == ["bot_started", "message_created"]
    assert updates[0].raw["payload"] == "invite-42"
    message = updates[1].message
    assert message is not None and (message.text, message.user_id) == ("hello", ALICE.user_id)
    assert message.chat_id == ALICE.chat_id and isinstance(message.mid, str)
    assert marker is not None

    updates, marker2 = await client.get_updates(marker=marker, timeout=0)
    assert [u.type for u in updates] == ["bot_added"]
    assert marker2 is not None and marker2 > marker

    # A waiting poll returns as soon as an update comes; types filter.
    waiting = asyncio.create_task(
        client.get_updates(marker=marker2, timeout=30, types=["message_created", "bot_started"])
    )
    await asyncio.sleep(0.05)
    assert not waiting.done()
    server.push_text(BOB, "late")
    updates, marker3 = await asyncio.wait_for(waiting, 5)
    assert [u.message.text for u in updates if u.message] == ["late"]
    assert server.calls_to("GET /updates")[-1].query["types"] == "message_created,bot_started"

    server.add_to_chat(FakeChat(-200, "Teachers"))
    updates, marker4 = await client.get_updates(marker=marker3, timeout=0, types=["bot_started"])
    assert (updates, marker4) == ([], marker3)


async def test_subscribe_and_unsubscribe(client: MaxClient, server: FakeMaxAPI) -> None:
    url = "https://bot.example.com/max/hook"
    assert await client.subscriptions() == []
    await client.subscribe(url, secret="s3cret-1", update_types=["message_created", "bot_started"])
    subscriptions = await client.subscriptions()
    assert [(s.url, s.update_types) for s in subscriptions] == [
        (url, ("message_created", "bot_started"))
    ]
    assert server.subscriptions[url]["secret"] == "s3cret-1"

    # Long polling is off meanwhile (the fake's 405).
    with pytest.raises(MaxApiError) as raised:
        await client.get_updates(timeout=0)
    assert raised.value.status == 405

    assert await client.unsubscribe(url) is True
    assert await client.unsubscribe(url) is False
    assert await client.subscriptions() == []
    assert await client.get_updates(timeout=0) == ([], 0)


async def test_subscribe_without_secret_or_types(client: MaxClient, server: FakeMaxAPI) -> None:
    await client.subscribe("https://bot.example.com/hook")
    assert server.calls[-1].body == {"url": "https://bot.example.com/hook"}
    [subscription] = await client.subscriptions()
    assert subscription.update_types is None
    assert await client.unsubscribe("https://bot.example.com/hook")


async def test_a_bad_secret_is_refused_locally(client: MaxClient, server: FakeMaxAPI) -> None:
    with pytest.raises(ValueError, match="secret"):
        await client.subscribe("https://bot.example.com/hook", secret="a b")
    assert server.calls == []


async def test_429_is_retry_after(client: MaxClient, server: FakeMaxAPI) -> None:
    server.rate_clock = lambda: 0.0
    server.rate_limit(1)
    await client.me()
    with pytest.raises(MaxRetryAfter) as raised:
        await client.me()
    assert (raised.value.status, raised.value.code) == (429, "too.many.requests")
    assert raised.value.retry_after == 1.0
    assert isinstance(raised.value, MaxApiError)


async def test_429_takes_the_retry_after_header() -> None:
    async def limited(request: web.Request) -> web.Response:
        return web.json_response(
            {"code": "too.many.requests", "message": "slow down"},
            status=429,
            headers={"Retry-After": "7"},
        )

    app = web.Application()
    app.router.add_get("/me", limited)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        async with MaxClient("t", base_url=f"http://127.0.0.1:{port}") as max_client:
            with pytest.raises(MaxRetryAfter) as raised:
                await max_client.me()
        assert raised.value.retry_after == 7.0 and raised.value.message == "slow down"
    finally:
        await runner.cleanup()


async def test_blocked_user_is_max_blocked(client: MaxClient, server: FakeMaxAPI) -> None:
    server.block(BOB)
    with pytest.raises(MaxBlocked) as raised:
        await client.send_message(user_id=BOB.user_id, text="hi")
    assert (raised.value.status, raised.value.code) == (403, "chat.denied")
    with pytest.raises(MaxBlocked):
        await client.send_message(chat_id=BOB.chat_id, text="hi")
    assert server.chats[BOB.chat_id] == []


async def test_bad_token_is_401(server: FakeMaxAPI) -> None:
    async with MaxClient("wrong", base_url=server.base_url) as max_client:
        with pytest.raises(MaxApiError) as raised:
            await max_client.me()
    error = raised.value
    assert (error.status, error.code, error.message) == (
        401,
        "verify.token",
        "Invalid access_token",
    )
    assert not isinstance(error, MaxRetryAfter | MaxBlocked)


async def test_a_server_error_is_max_api_error(client: MaxClient, server: FakeMaxAPI) -> None:
    server.fail("POST /messages", 503)
    with pytest.raises(MaxApiError) as raised:
        await client.send_message(user_id=ALICE.user_id, text="hi")
    assert (raised.value.status, raised.value.code) == (503, "service.unavailable")


async def test_no_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with MaxClient("t", base_url=f"http://127.0.0.1:{port}") as max_client:
        with pytest.raises(MaxNetworkError):
            await max_client.me()


async def test_a_timeout_is_a_network_error(server: FakeMaxAPI) -> None:
    async with MaxClient(DEFAULT_TOKEN, base_url=server.base_url, request_timeout=0.2) as slow:
        # A long poll gets its own timeout on top of request_timeout: 1 s here is fine ...
        assert await slow.get_updates(timeout=1) == ([], 0)
    # ... but a plain call that takes longer than request_timeout is not.
    gate = asyncio.Event()

    async def stall(request: web.Request) -> web.Response:
        await gate.wait()
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/me", stall)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        async with MaxClient("t", f"http://127.0.0.1:{port}", request_timeout=0.1) as max_client:
            with pytest.raises(MaxNetworkError, match="Timeout"):
                await max_client.me()
    finally:
        gate.set()
        await runner.cleanup()


async def test_a_session_passed_in_is_used_and_left_open(server: FakeMaxAPI) -> None:
    async with aiohttp.ClientSession() as session:
        async with MaxClient(DEFAULT_TOKEN, server.base_url, session) as max_client:
            await max_client.me()
        assert not session.closed


def test_message_body_always_sends_text_attachments_and_link() -> None:
    assert MessageBody(None, format=None).to_api() == {
        "text": None,
        "attachments": None,
        "link": None,
    }
    file = Attachment("file", {"token": "t"})
    body = MessageBody("x", attachments=[file], keyboard=[[YES]], notify=False).to_api()
    assert [a["type"] for a in body["attachments"]] == ["file", "inline_keyboard"]
    assert body["notify"] is False
