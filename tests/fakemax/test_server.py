"""The fake MAX Bot API server, driven with plain aiohttp requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from tests.fakemax import DEFAULT_TOKEN, FakeChat, FakeMaxAPI, FakeUser, SchemaViolation
from tests.fakemax.schema import component_errors

ALICE = FakeUser(1, "Alice", username="alice")
BOB = FakeUser(2, "Bob")
AUTH = {"Authorization": DEFAULT_TOKEN}


def body(text: str | None = "hi", attachments: list[Any] | None = None, **extra: Any) -> Any:
    """A NewMessageBody: the document requires text, attachments and link (nullable)."""
    return {"text": text, "attachments": attachments, "link": None, **extra}


def keyboard(*buttons: dict[str, str]) -> dict[str, Any]:
    return {"type": "inline_keyboard", "payload": {"buttons": [list(buttons)]}}


YES = {"type": "callback", "text": "Yes", "payload": "yes"}
SITE = {"type": "link", "text": "Site", "url": "https://example.com"}


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeMaxAPI]:
    async with FakeMaxAPI(wait_ceiling=5) as srv:
        yield srv


@pytest_asyncio.fixture
async def http(server: FakeMaxAPI) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=server.base_url, headers=AUTH) as session:
        yield session


async def call(
    http: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
) -> tuple[int, Any]:
    async with http.request(method, path, **kwargs) as response:
        return response.status, await response.json()


async def test_me(server: FakeMaxAPI, http: aiohttp.ClientSession) -> None:
    status, me = await call(http, "GET", "/me", params={"v": "1.2.5"})
    assert status == 200
    assert me["is_bot"] is True and me["username"] == "roadmap_test_bot"


async def test_send_edit_delete_with_inline_keyboard(
    server: FakeMaxAPI, http: aiohttp.ClientSession
) -> None:
    status, sent = await call(
        http,
        "POST",
        "/messages",
        params={"user_id": ALICE.user_id},
        json=body("**Ready?**", [keyboard(YES, SITE)], format="markdown"),
    )
    assert status == 200
    message = sent["message"]
    mid = message["body"]["mid"]
    assert isinstance(mid, str)
    assert message["recipient"]["chat_id"] == ALICE.chat_id
    assert message["body"]["attachments"][0]["payload"]["buttons"][0][0]["payload"] == "yes"

    record = await server.next_message(ALICE)
    assert record.mid == mid and record.format == "markdown"
    assert record.buttons() == [[("Yes", "yes"), ("Site", "https://example.com")]]
    assert record.button("Ye") == "yes"

    status, result = await call(
        http, "PUT", "/messages", params={"message_id": mid}, json=body("Done", [])
    )
    assert (status, result) == (200, {"success": True})
    await server.wait_edit(record)
    assert record.text == "Done" and record.buttons() == [] and record.edits == 1
    assert record.history == [("**Ready?**", [keyboard(YES, SITE)])]

    status, result = await call(http, "DELETE", "/messages", params={"message_id": mid})
    assert (status, result) == (200, {"success": True})
    await server.wait_deleted(record)
    status, error = await call(http, "DELETE", "/messages", params={"message_id": mid})
    assert status == 404 and set(error) == {"code", "message"}
    assert server.invalid_requests == []


async def test_send_to_a_group_chat(server: FakeMaxAPI, http: aiohttp.ClientSession) -> None:
    chat = FakeChat(-100, "Parents 5A")
    server.add_to_chat(chat)
    status, _ = await call(http, "POST", "/messages", params={"chat_id": -100}, json=body())
    assert status == 200
    assert (await server.next_message(chat)).text == "hi"
    status, info = await call(http, "GET", "/chats/-100")
    assert status == 200 and info["title"] == "Parents 5A"
    status, error = await call(http, "GET", "/chats/-5")
    assert status == 404 and error["code"]
    status, _ = await call(http, "POST", "/messages", params={"chat_id": -5}, json=body())
    assert status == 404


async def test_long_polling_delivers_in_order_with_marker(
    server: FakeMaxAPI, http: aiohttp.ClientSession
) -> None:
    server.start(ALICE, "invite-42")
    server.push_text(ALICE, "hello")
    server.add_to_chat(FakeChat(-100, "Parents"))
    status, page = await call(http, "GET", "/updates", params={"timeout": 0, "limit": 2})
    assert status == 200
    assert [u["update_type"] for u in page["updates"]] == ["bot_started", "message_created"]
    assert page["updates"][0]["payload"] == "invite-42"
    assert page["updates"][1]["message"]["body"]["text"] == "hello"
    # The same page again until the marker confirms it.
    _, again = await call(http, "GET", "/updates", params={"timeout": 0, "limit": 2})
    assert again["updates"] == page["updates"]
    _, page2 = await call(http, "GET", "/updates", params={"timeout": 0, "marker": page["marker"]})
    assert [u["update_type"] for u in page2["updates"]] == ["bot_added"]

    # A waiting poll returns as soon as an update is pushed.
    waiting = asyncio.create_task(
        call(http, "GET", "/updates", params={"timeout": 30, "marker": page2["marker"]})
    )
    await asyncio.sleep(0.05)
    assert not waiting.done()
    server.push_text(BOB, "late")
    status, page3 = await asyncio.wait_for(waiting, 5)
    assert [u["message"]["body"]["text"] for u in page3["updates"]] == ["late"]
    assert page3["marker"] > page2["marker"]

    # types filters; nothing there: the marker stays.
    server.start(BOB)
    _, page4 = await call(
        http,
        "GET",
        "/updates",
        params={"timeout": 0, "marker": page3["marker"], "types": "message_created"},
    )
    assert page4 == {"updates": [], "marker": page3["marker"]}
    assert server.invalid_requests == []


async def test_callback_answer_rules(server: FakeMaxAPI, http: aiohttp.ClientSession) -> None:
    await call(http, "POST", "/messages", params={"user_id": 1}, json=body("Q", [keyboard(YES)]))
    message = await server.next_message(ALICE)
    update, callback_id = server.press(ALICE, message, message.button("Yes"))
    assert update["callback"]["payload"] == "yes"
    assert update["message"]["body"]["mid"] == message.mid

    status, error = await call(
        http, "POST", "/answers", params={"callback_id": callback_id}, json={}
    )
    assert status == 400 and error["code"] == "proto.payload"
    assert callback_id not in server.answered_callbacks

    status, _ = await call(
        http, "POST", "/answers", params={"callback_id": "cb.nope"}, json={"notification": "x"}
    )
    assert status == 404

    status, result = await call(
        http,
        "POST",
        "/answers",
        params={"callback_id": callback_id},
        json={"notification": "Saved", "message": body("Q: yes", [])},
    )
    assert (status, result) == (200, {"success": True})
    answer = await server.wait_answered(callback_id)
    assert answer["notification"] == "Saved"
    assert message.text == "Q: yes" and message.buttons() == [] and message.edits == 1


async def test_two_step_upload_with_not_ready_retries(
    server: FakeMaxAPI, http: aiohttp.ClientSession
) -> None:
    server.not_ready(2)
    status, endpoint = await call(http, "POST", "/uploads", params={"type": "file"})
    assert status == 200 and set(endpoint) == {"url"}
    form = aiohttp.FormData()
    form.add_field(
        "data", b"plan bytes", filename="plan.docx", content_type="application/octet-stream"
    )
    async with aiohttp.ClientSession() as plain, plain.post(endpoint["url"], data=form) as resp:
        assert resp.status == 200
        uploaded = await resp.json()
    assert component_errors(uploaded, "UploadedInfo") == []
    attachment = {"type": "file", "payload": {"token": uploaded["token"]}}

    for _ in range(2):
        status, error = await call(
            http, "POST", "/messages", params={"user_id": 1}, json=body("plan", [attachment])
        )
        assert status == 400 and error["code"] == "attachment.not.ready"
    status, sent = await call(
        http, "POST", "/messages", params={"user_id": 1}, json=body("plan", [attachment])
    )
    assert status == 200
    shown = sent["message"]["body"]["attachments"][0]
    assert shown["filename"] == "plan.docx" and shown["size"] == len(b"plan bytes")
    record = await server.next_message(ALICE)
    assert [f.content for f in record.files] == [b"plan bytes"]
    assert server.not_ready_answers == 2
    async with aiohttp.ClientSession() as plain, plain.get(shown["payload"]["url"]) as resp:
        assert await resp.read() == b"plan bytes"

    # An image: PhotoTokens, attached by token; not_ready(0): ready at once from now on.
    server.not_ready(0)
    _, endpoint = await call(http, "POST", "/uploads", params={"type": "image"})
    async with aiohttp.ClientSession() as plain, plain.post(endpoint["url"], data=b"PNG") as resp:
        photos = (await resp.json())["photos"]
    token = next(iter(photos.values()))["token"]
    status, sent = await call(
        http,
        "POST",
        "/messages",
        params={"user_id": 1},
        json=body(None, [{"type": "image", "payload": {"token": token}}]),
    )
    assert status == 200 and sent["message"]["body"]["attachments"][0]["type"] == "image"

    status, error = await call(http, "POST", "/uploads", params={"type": "photo"})
    assert status == 400 and server.invalid_requests[-1].path == "/uploads"


async def test_files_a_user_sends(server: FakeMaxAPI, http: aiohttp.ClientSession) -> None:
    chat = FakeChat(-42, "Class 5A")
    server.group_chats[chat.chat_id] = chat
    document = server.push_document(ALICE, "plan.docx", b"plan", "my plan", chat)
    photo = server.push_photo(BOB, b"\xff\xd8jpeg")
    for update, name in ((document, "FileAttachment"), (photo, "PhotoAttachment")):
        assert component_errors(update, "Update") == []
        [attachment] = update["message"]["body"]["attachments"]
        assert component_errors(attachment, name) == []
    assert document["message"]["recipient"]["chat_id"] == chat.chat_id
    assert document["message"]["body"]["text"] == "my plan"
    assert photo["message"]["body"]["text"] is None
    file = document["message"]["body"]["attachments"][0]
    image = photo["message"]["body"]["attachments"][0]
    assert (file["filename"], file["size"]) == ("plan.docx", 4)
    async with aiohttp.ClientSession() as plain, plain.get(image["payload"]["url"]) as resp:
        assert resp.content_type == "image/jpeg" and await resp.read() == b"\xff\xd8jpeg"

    # Its token attaches it again; a file's token is no image's.
    file_token = file["payload"]["token"]
    status, error = await call(
        http,
        "POST",
        "/messages",
        params={"user_id": 1},
        json=body(None, [{"type": "image", "payload": {"token": file_token}}]),
    )
    assert status == 400 and "unknown image token" in error["message"]
    status, sent = await call(
        http,
        "POST",
        "/messages",
        params={"chat_id": chat.chat_id},
        json=body("back", [{"type": "file", "payload": {"token": file_token}}]),
    )
    assert status == 200 and sent["message"]["body"]["attachments"][0] == file
    record = await server.next_message(chat)
    assert (record.kind, record.file_name, record.content) == ("document", "plan.docx", b"plan")
    assert not server.invalid_requests


async def test_webhook_delivery_with_secret_and_retry(
    server: FakeMaxAPI, http: aiohttp.ClientSession
) -> None:
    server.webhook_retry_delay = 0.01
    received: list[tuple[str | None, Any]] = []
    answers = [500]  # the first delivery fails

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Max-Bot-Api-Secret"), await request.json()))
        return web.Response(status=answers.pop(0) if answers else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        status, result = await call(
            http,
            "POST",
            "/subscriptions",
            json={"url": url, "secret": "s3cret-1", "update_types": ["message_created"]},
        )
        assert (status, result) == (200, {"success": True})
        _, subs = await call(http, "GET", "/subscriptions")
        assert [s["url"] for s in subs["subscriptions"]] == [url]
        status, _ = await call(http, "GET", "/updates", params={"timeout": 0})
        assert status == 405

        server.push_text(ALICE, "one")
        server.start(ALICE)  # not a subscribed type: skipped
        server.push_text(ALICE, "two")
        await server.wait_for(lambda: len(received) >= 3, what="3 webhook posts")
        assert [r[0] for r in received] == ["s3cret-1"] * 3
        assert [r[1]["message"]["body"]["text"] for r in received] == ["one", "one", "two"]
        assert [d[2] for d in server.webhook_deliveries] == [500, 200, 200]

        status, result = await call(http, "DELETE", "/subscriptions", params={"url": url})
        assert (status, result) == (200, {"success": True})
        status, _ = await call(http, "GET", "/updates", params={"timeout": 0})
        assert status == 200
    finally:
        await runner.cleanup()


async def test_bad_token_is_401(server: FakeMaxAPI) -> None:
    async with aiohttp.ClientSession(base_url=server.base_url) as http:
        for headers in ({"Authorization": "wrong"}, {}):
            status, error = await call(http, "GET", "/me", headers=headers)
            assert status == 401
            assert error == {"code": "verify.token", "message": "Invalid access_token"}
        # The security scheme's way: access_token in the query.
        status, _ = await call(http, "GET", "/me", params={"access_token": DEFAULT_TOKEN})
        assert status == 200


async def test_over_the_rate_is_429(server: FakeMaxAPI, http: aiohttp.ClientSession) -> None:
    now = [0.0]
    server.rate_clock = lambda: now[0]
    server.rate_limit(30)
    statuses = [(await call(http, "GET", "/me"))[0] for _ in range(31)]
    assert statuses == [200] * 30 + [429]
    status, error = await call(http, "GET", "/me")
    assert status == 429 and set(error) == {"code", "message"}
    now[0] = 1.5
    assert (await call(http, "GET", "/me"))[0] == 200
    assert server.rejected_429 == 2


async def test_blocked_user(server: FakeMaxAPI, http: aiohttp.ClientSession) -> None:
    server.block(BOB)
    status, error = await call(http, "POST", "/messages", params={"user_id": 2}, json=body())
    assert (status, error["code"]) == (403, "chat.denied")
    status, _ = await call(http, "POST", "/messages", params={"chat_id": BOB.chat_id}, json=body())
    assert status == 403
    assert server.chats[BOB.chat_id] == []
    server.unblock(BOB)
    assert (await call(http, "POST", "/messages", params={"user_id": 2}, json=body()))[0] == 200


async def test_injected_fault(server: FakeMaxAPI, http: aiohttp.ClientSession) -> None:
    server.fail("POST /messages", 503, times=2)
    for _ in range(2):
        status, error = await call(http, "POST", "/messages", params={"user_id": 1}, json=body())
        assert status == 503 and error["code"] == "service.unavailable"
    assert (await call(http, "POST", "/messages", params={"user_id": 1}, json=body()))[0] == 200
    assert len(server.chats[ALICE.chat_id]) == 1


@pytest.mark.parametrize(
    ("params", "payload", "where"),
    [
        ({"user_id": 1}, body(format="rtf"), "format"),
        ({"user_id": 1}, {"text": "only text"}, "required"),
        ({"user_id": 1}, body(attachments=[{"type": "gif"}]), "gif"),
        (
            {"user_id": 1},
            body(attachments=[keyboard({"type": "callback", "text": "No"})]),
            "payload",
        ),
        ({"user_id": "x"}, body(), "user_id"),
    ],
)
async def test_invalid_request_is_rejected_and_recorded(
    server: FakeMaxAPI, http: aiohttp.ClientSession, params: Any, payload: Any, where: str
) -> None:
    status, error = await call(http, "POST", "/messages", params=params, json=payload)
    assert status == 400 and error["code"] == "proto.payload"
    assert len(server.invalid_requests) == 1
    invalid = server.invalid_requests[0]
    assert invalid.method == "POST /messages" and invalid.body == payload
    assert where in " ".join(invalid.errors)
    assert server.chats[ALICE.chat_id] == []


async def test_unknown_path_is_404(http: aiohttp.ClientSession) -> None:
    status, error = await call(http, "GET", "/nope")
    assert status == 404 and set(error) == {"code", "message"}


async def test_a_response_the_schema_rejects_raises(server: FakeMaxAPI) -> None:
    server.bot_user["is_bot"] = "yes"  # break the fake on purpose
    async with (
        aiohttp.ClientSession(base_url=server.base_url, headers=AUTH) as http,
        http.get("/me") as response,
    ):
        assert response.status == 500
    assert len(server.fake_bugs) == 1
    server.fake_bugs.clear()  # or the server would raise it on close


def test_an_update_the_schema_rejects_raises() -> None:
    server = FakeMaxAPI()
    with pytest.raises(SchemaViolation):
        server.start(FakeUser(1, "A"), "x" * 600)  # payload over 512
