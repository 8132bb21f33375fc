"""MaxFrontend: the Telegram-shaped driver over the fake MAX server, with a tiny bot made of
maxapi_client.MaxClient talking to the fake over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from maxapi_client import (
    Attachment,
    InlineButton,
    MaxApiError,
    MaxBlocked,
    MaxClient,
    MaxRetryAfter,
    MessageBody,
    Update,
)
from tests.fakebot import FakeUser
from tests.fakemax import DEFAULT_TOKEN, DIALOG_BASE, FakeMaxAPI, MaxFrontend
from tests.fakemax.frontend import max_path

ANNA = FakeUser(7, "Анна", last_name="Петрова", username="anna", language_code="ru")
BORIS = FakeUser(8, "Boris", language_code="en")
GROUP = -100500
PDF = b"%PDF-1.4 order"
JPEG = b"\xff\xd8 stand photo"


class TinyBot:
    """Just enough of a bot: long-polls the updates, sends with MaxClient."""

    def __init__(self, client: MaxClient) -> None:
        self.client = client
        self.marker: int | None = None

    async def updates(self) -> list[Update]:
        updates, self.marker = await self.client.get_updates(self.marker, timeout=2)
        return updates

    async def one(self) -> Update:
        [update] = await self.updates()
        return update


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeMaxAPI]:
    async with FakeMaxAPI(wait_ceiling=5) as srv:
        yield srv


@pytest.fixture
def api(server: FakeMaxAPI) -> MaxFrontend:
    return MaxFrontend(server)


@pytest_asyncio.fixture
async def bot(server: FakeMaxAPI) -> AsyncIterator[TinyBot]:
    async with MaxClient(DEFAULT_TOKEN, base_url=server.base_url) as client:
        yield TinyBot(client)


async def test_push_text_and_start_are_the_harness_user(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    api.start(ANNA, "invite-42")
    api.push_text(ANNA, "привет")
    started, text = await bot.updates()
    assert started.type == "bot_started" and started.raw["payload"] == "invite-42"
    assert started.raw["chat_id"] == DIALOG_BASE + ANNA.id
    assert text.type == "message_created" and text.raw["user_locale"] == "ru"
    message = text.message
    assert message is not None and message.text == "привет"
    assert message.user_id == ANNA.id and message.chat_id == DIALOG_BASE + ANNA.id
    sender = message.raw["sender"]
    assert (sender["first_name"], sender["last_name"], sender["username"]) == (
        "Анна",
        "Петрова",
        "anna",
    )
    api.push_text(BORIS, "hi")
    assert (await bot.one()).raw["user_locale"] == "en"
    assert not server.invalid_requests


async def test_a_group_chat_by_its_negative_id(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    api.push_text(ANNA, "всем привет", chat_id=GROUP)
    message = (await bot.one()).message
    assert message is not None and message.chat_id == GROUP
    await bot.client.send_message(chat_id=GROUP, text="Здравствуйте")
    reply = await api.next_message(GROUP)
    assert reply.plain_text == "Здравствуйте" and api.chats[GROUP] == [reply]
    assert api.chats[ANNA.id] == []
    with pytest.raises(ValueError, match="dialog"):
        api.push_text(ANNA, "x", chat_id=BORIS.id)
    assert not server.invalid_requests


async def test_a_document_downloads_and_goes_back_by_its_token(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    api.push_document(ANNA, "prikaz-123.pdf", PDF, "application/pdf", caption="Подписан")
    message = (await bot.one()).message
    assert message is not None and message.text == "Подписан"
    [attachment] = message.attachments
    assert attachment["type"] == "file"
    assert (attachment["filename"], attachment["size"]) == ("prikaz-123.pdf", len(PDF))
    assert await bot.client.download(attachment["payload"]["url"]) == PDF

    token = attachment["payload"]["token"]
    await bot.client.send_message(
        user_id=ANNA.id, text="Ваш файл", attachments=[Attachment("file", {"token": token})]
    )
    sent = await api.next_message(ANNA.id)
    assert sent.kind == "document" and sent.file_name == "prikaz-123.pdf"
    assert sent.content == PDF and sent.plain_text == "Ваш файл"
    # Without a caption the text is null.
    api.push_document(ANNA, "plan.txt", b"x")
    assert (await bot.one()).raw["message"]["body"]["text"] is None
    assert not server.invalid_requests


async def test_a_photo_downloads_and_goes_back_by_its_token(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    api.push_photo(ANNA, JPEG, caption="Стенд в холле")
    message = (await bot.one()).message
    assert message is not None and message.text == "Стенд в холле"
    [attachment] = message.attachments
    assert attachment["type"] == "image" and isinstance(attachment["payload"]["photo_id"], int)
    assert await bot.client.download(attachment["payload"]["url"]) == JPEG

    image = Attachment("image", {"token": attachment["payload"]["token"]})
    await bot.client.send_message(user_id=ANNA.id, text=None, attachments=[image])
    sent = await api.next_message(ANNA.id)
    assert sent.kind == "photo" and sent.content == JPEG and sent.plain_text is None
    assert not server.invalid_requests


async def test_an_uploaded_file_and_a_text_have_their_kinds(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    uploaded = await bot.client.upload("file", "report.xlsx", b"PK\x03\x04")
    await bot.client.send_with_attachment(uploaded, user_id=ANNA.id)
    await bot.client.send_message(user_id=ANNA.id, text="just text")
    document, text = await api.wait_for_messages(ANNA.id, 2)
    assert (document.kind, document.file_name, document.content) == (
        "document",
        "report.xlsx",
        b"PK\x03\x04",
    )
    assert (text.kind, text.file_name, text.content) == ("text", None, None)
    assert not server.invalid_requests


async def test_plain_text_strips_html_and_follows_edits(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    sent = await bot.client.send_message(
        user_id=ANNA.id,
        text='<b>Срок</b> 20.09 &lt;сегодня&gt; &amp; <a href="https://x.ru">ссылка</a>',
    )
    message = await api.next_message(ANNA.id)
    assert message.plain_text == "Срок 20.09 <сегодня> & ссылка"
    await bot.client.edit_message(sent.mid, "<i>Готово</i>")
    assert (await api.wait_edit(message)).plain_text == "Готово"
    await bot.client.edit_message(sent.mid, "**как есть**", format="markdown")
    assert (await api.wait_edit(message)).plain_text == "**как есть**"
    await bot.client.send_message(user_id=ANNA.id, text="a <b> & c", format=None)
    assert (await api.next_message(ANNA.id)).plain_text == "a <b> & c"
    assert not server.invalid_requests


async def test_press_answer_and_wait_answered(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    await bot.client.send_message(
        user_id=ANNA.id, text="Готово?", keyboard=[[InlineButton("Да", payload="v1:yes")]]
    )
    question = await api.next_message(ANNA.id)
    update, callback_id = api.press(ANNA, question, question.button("Да"))
    assert update["callback"]["payload"] == "v1:yes"
    pressed = await bot.one()
    assert pressed.callback_id == callback_id and pressed.callback_payload == "v1:yes"
    assert pressed.raw["callback"]["user"]["user_id"] == ANNA.id
    await bot.client.answer_callback(
        callback_id, notification="Принято", message=MessageBody("<b>Спасибо</b>", keyboard=[])
    )
    answer = await api.wait_answered(callback_id)
    assert answer["text"] == "Принято" and answer["show_alert"] is False
    assert answer["message"]["text"] == "<b>Спасибо</b>"
    assert answer["callback_query_id"] == callback_id
    edited = await api.wait_edit(question)
    assert edited.plain_text == "Спасибо" and edited.buttons() == []

    _, again = api.press(ANNA, question, "v1:yes")
    await bot.one()
    await bot.client.answer_callback(again, notification="Устарело")
    assert await api.wait_answered(again) == {
        "callback_query_id": again,
        "text": "Устарело",
        "show_alert": False,
        "message": None,
    }
    assert api.calls_to("answerCallbackQuery") == server.calls_to("POST /answers")
    assert len(api.calls_to("answerCallbackQuery")) == 2
    assert not server.invalid_requests


async def test_chats_cursors_and_deletion(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    first = await bot.client.send_message(user_id=ANNA.id, text="one")
    await bot.client.send_message(user_id=ANNA.id, text="two")
    await bot.client.send_message(user_id=BORIS.id, text="three")
    assert [m.plain_text for m in api.chats[ANNA.id]] == ["one", "two"]
    assert [m.plain_text for m in api.chats[BORIS.id]] == ["three"]
    assert set(api.chats) == {ANNA.id, BORIS.id} and len(api.chats) == 2
    assert api.chats[12345] == []
    assert [m.plain_text for m in api.skip_unread(ANNA.id)] == ["one", "two"]
    await bot.client.send_message(user_id=ANNA.id, text="four")
    assert (await api.next_message(ANNA.id)).plain_text == "four"
    assert (await api.next_message(BORIS.id)).plain_text == "three"
    await bot.client.delete_message(first.mid)
    assert (await api.wait_deleted(api.chats[ANNA.id][0])).deleted
    with pytest.raises(AssertionError, match="new message"):
        await api.next_message(ANNA.id, timeout=0.05)
    assert not server.invalid_requests


async def test_block_and_unblock_by_user_id(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    api.block(ANNA.id)
    with pytest.raises(MaxBlocked):
        await bot.client.send_message(user_id=ANNA.id, text="hello")
    with pytest.raises(MaxBlocked):
        await bot.client.send_message(chat_id=DIALOG_BASE + ANNA.id, text="hello")
    await bot.client.send_message(user_id=BORIS.id, text="hello")
    api.unblock(ANNA.id)
    await bot.client.send_message(user_id=ANNA.id, text="again")
    assert [m.plain_text for m in api.chats[ANNA.id]] == ["again"]
    with pytest.raises(ValueError, match="group"):
        api.block(GROUP)
    assert not server.invalid_requests


async def test_fail_rate_limit_and_calls_to_map_telegram_names(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    api.fail("sendMessage", 500, times=2, description="boom")
    for _ in range(2):
        with pytest.raises(MaxApiError) as failed:
            await bot.client.send_message(user_id=ANNA.id, text="x")
        assert failed.value.status == 500 and failed.value.message == "boom"
    await bot.client.send_message(user_id=ANNA.id, text="x")
    assert [c.status for c in api.calls_to("sendMessage")] == [500, 500, 200]
    assert api.calls_to("sendMessage") == api.calls_to("POST /messages")
    assert api.calls_to("sendMessage")[0].query == {"user_id": str(ANNA.id)}

    api.fail("sendMessage", 429, retry_after=3)
    with pytest.raises(MaxRetryAfter) as limited:
        await bot.client.send_message(user_id=ANNA.id, text="x")
    assert limited.value.retry_after == 3.0

    api.fail("editMessageText", 400, code="proto.payload")
    with pytest.raises(MaxApiError) as refused:
        await bot.client.edit_message(api.chats[ANNA.id][0].mid, "y")
    assert (refused.value.status, refused.value.code) == (400, "proto.payload")

    api.rate_limit(1)
    await bot.client.send_message(user_id=BORIS.id, text="1")
    with pytest.raises(MaxRetryAfter):
        await bot.client.send_message(user_id=BORIS.id, text="2")
    await bot.client.me()  # not a limited method
    assert api.rejected_429 == 1
    api.clear_faults()
    await bot.client.send_message(user_id=BORIS.id, text="3")

    await bot.updates()
    assert api.calls_to("getUpdates") and api.calls_to("GET /updates")
    with pytest.raises(NotImplementedError):
        api.fail("sendMessage", 500, after_effect=True)
    with pytest.raises(NotImplementedError):
        api.rate_limit(1, per_chat_per_second=1)
    with pytest.raises(ValueError, match="sendSticker"):
        api.calls_to("sendSticker")
    assert max_path("post /messages") == "POST /messages"
    assert not server.invalid_requests


async def test_wait_for_base_url_and_dump(
    api: MaxFrontend, bot: TinyBot, server: FakeMaxAPI
) -> None:
    assert api.base_url == server.base_url == bot.client.base_url
    await bot.client.send_message(user_id=ANNA.id, text="<b>hello</b>")
    assert await api.wait_for(lambda: api.calls_to("sendMessage"), what="a send")
    assert "POST /messages" in api.dump() and "'kind': 'text'" not in api.dump()
    assert '"kind": "text"' in api.dump()
    with pytest.raises(AssertionError, match="nothing"):
        await api.wait_for(lambda: None, timeout=0.01, what="nothing")
    assert api.invalid_requests is server.invalid_requests
    assert not server.invalid_requests
