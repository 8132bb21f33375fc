"""An aiogram session that talks to MAX: the Bot API methods the bot uses, done with MAX calls.

Handlers call ``message.answer(...)``, ``callback.message.edit_text(...)``, ``bot.download(...)``
as they do for Telegram; for a bot built on this session each such call arrives here as an
aiogram method object and is turned into MAX's (``maxapi_client``), and MAX's answer into the
aiogram object the method returns. Ids are translated on the way (core.messengers for users and
chats, :class:`MessageNumbers` for message ids); MAX's errors become aiogram's, so the retry
middleware and the outbox sender treat both messengers alike.

What MAX has no counterpart for is left out on purpose: command menus (MAX sets them in the
bot's profile), webhooks of Telegram's kind (MAX subscribes, see bot/maxbot/updates.py),
alerts (a callback answer is a notification), link previews.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteMyCommands,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, InputFile

from bot.maxbot.ids import MessageNumbers, PendingCallbacks
from core.messengers import (
    MAX_FILE_PREFIX,
    is_group,
    max_chat_account,
    max_chat_of,
    max_user_account,
    max_user_of,
)
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
from maxapi_client import Message as MaxMessage

logger = logging.getLogger(__name__)

__all__ = ["MAX_TOKEN_STAND_IN", "MaxSession", "decode_file_id", "encode_file_id"]

# aiogram's Bot wants a Telegram-shaped token; MAX's real one lives in the MaxClient.
MAX_TOKEN_STAND_IN = "0:max"
_FILE_PREFIX = MAX_FILE_PREFIX
_NO_SUCH_METHOD = "this method is not available on MAX"


def encode_file_id(kind: str, token: str, url: str | None) -> str:
    """A file as the bot keeps it (evidence, uploads): enough to send it again (the token)
    and to download it (the URL)."""
    return _FILE_PREFIX + json.dumps([kind, token, url], separators=(",", ":"))


def decode_file_id(file_id: str) -> tuple[str, str, str | None] | None:
    """(kind, token, url) of a file id made by :func:`encode_file_id`; None for others
    (a Telegram file id cannot be sent on MAX)."""
    if not file_id.startswith(_FILE_PREFIX):
        return None
    try:
        kind, token, url = json.loads(file_id[len(_FILE_PREFIX) :])
    except (ValueError, TypeError):
        return None
    return str(kind), str(token), None if url is None else str(url)


def chat_account(message: MaxMessage) -> int:
    """The chat a MAX message belongs to, as an account id: the user's (their dialog with the
    bot) or the group chat's."""
    recipient = message.raw.get("recipient") or {}
    sender = message.raw.get("sender") or {}
    if recipient.get("user_id") is None and recipient.get("chat_id") is not None:
        return max_chat_account(int(recipient["chat_id"]))
    if sender and not sender.get("is_bot"):
        return max_user_account(int(sender["user_id"]))
    return max_user_account(int(recipient["user_id"]))


def _keyboard(markup: Any) -> list[list[InlineButton]] | None:
    """An inline keyboard in MAX's terms; None when there is none (other markups have no
    MAX counterpart and are left out)."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return None
    rows: list[list[InlineButton]] = []
    for row in markup.inline_keyboard:
        line = []
        for button in row:
            if button.callback_data is not None:
                line.append(InlineButton(button.text, payload=button.callback_data))
            elif button.url is not None:
                line.append(InlineButton(button.text, url=button.url))
        if line:
            rows.append(line)
    return rows


def _format(parse_mode: Any) -> Any:
    """The bot writes Telegram's HTML (b, i, s, code, a: the bot's default parse mode, which
    arrives here as aiogram's Default marker), which MAX's "html" format reads alike; an
    explicit None is plain text."""
    return None if parse_mode is None else "html"


def _target(chat_id: int | str) -> tuple[int | None, int | None]:
    """(user_id, chat_id) of MAX's send for an account: a user's dialog or a group chat."""
    account = int(chat_id)
    if is_group(account):
        return None, max_chat_of(account)
    return max_user_of(account), None


class MaxSession(BaseSession):
    """``Bot(MAX_TOKEN_STAND_IN, session=MaxSession(client, numbers, pending))``."""

    def __init__(
        self, client: MaxClient, numbers: MessageNumbers, pending: PendingCallbacks
    ) -> None:
        # Files are downloaded by the URL MAX gives (the File's path is that URL).
        super().__init__(api=TelegramAPIServer(base="max:{method}", file="{path}"))
        self.client = client
        self.numbers = numbers
        self.pending = pending
        self._me: dict[str, Any] | None = None
        # What the bot last put in each recent message: MAX's edits and press answers replace
        # the whole body, while Telegram's change only the keyboard, or only the text.
        self._bodies: OrderedDict[str, _Body] = OrderedDict()

    def _remember(self, mid: str, body: _Body) -> None:
        self._bodies[mid] = body
        self._bodies.move_to_end(mid)
        while len(self._bodies) > _BODIES_KEPT:
            self._bodies.popitem(last=False)

    def unchanged(self, mid: str) -> MessageBody:
        """The message as it is, for answering a press that changed nothing: its text when
        remembered (else null, which MAX's fake and MAX leave as it is), attachments null."""
        known = self._bodies.get(mid)
        if known is None:
            return MessageBody(None, None)
        return MessageBody(known.text, known.format)

    async def close(self) -> None:
        await self.client.close()

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        try:
            data = await self.client.download(url)
        except MaxNetworkError as error:
            raise TelegramNetworkError(GetFile(file_id=url), str(error)) from error
        except MaxApiError as error:
            raise TelegramBadRequest(GetFile(file_id=url), error.message) from error
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        try:
            result = await self._call(method)
        except MaxRetryAfter as error:
            raise TelegramRetryAfter(
                method, error.message, retry_after=max(1, round(error.retry_after))
            ) from error
        except MaxBlocked as error:
            raise TelegramForbiddenError(method, f"Forbidden: {error.message}") from error
        except MaxAttachmentNotReady as error:
            raise TelegramServerError(method, f"attachment not ready: {error.message}") from error
        except MaxNetworkError as error:
            raise TelegramNetworkError(method, str(error)) from error
        except MaxApiError as error:
            raise _aiogram_error(method, error) from error
        content = json.dumps({"ok": True, "result": result}, default=str)
        response = self.check_response(bot, method, 200, content)
        return response.result  # type: ignore[return-value]

    async def _call(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return await self._get_me()
        if isinstance(method, SendMessage):
            user_id, chat_id = _target(method.chat_id)
            sent = await self.client.send_message(
                user_id=user_id,
                chat_id=chat_id,
                text=method.text,
                format=_format(method.parse_mode),
                keyboard=_keyboard(method.reply_markup),
            )
            self._remember(sent.mid, _Body(method.text, _format(method.parse_mode), ()))
            return await self._message(sent, method.chat_id)
        if isinstance(method, EditMessageText | EditMessageReplyMarkup):
            return await self._edit(method)
        if isinstance(method, AnswerCallbackQuery):
            return await self._answer(method)
        if isinstance(method, SendDocument | SendPhoto):
            return await self._send_file(method)
        if isinstance(method, SendMediaGroup):
            return await self._send_album(method)
        if isinstance(method, GetFile):
            decoded = decode_file_id(method.file_id)
            if decoded is None or decoded[2] is None:
                raise TelegramBadRequest(method, "Bad Request: file not found")
            return {
                "file_id": method.file_id,
                "file_unique_id": decoded[1],
                "file_path": decoded[2],
            }
        if isinstance(method, DeleteMessage):
            mid = await self._mid(method, method.message_id)
            await self.client.delete_message(mid)
            return True
        if isinstance(method, SetMyCommands | DeleteMyCommands):
            return True  # MAX keeps the command list in the bot's profile
        raise TelegramBadRequest(method, f"{type(method).__name__}: {_NO_SUCH_METHOD}")

    async def _get_me(self) -> dict[str, Any]:
        if self._me is None:
            me = await self.client.me()
            self._me = {
                "id": max_user_account(me.user_id),
                "is_bot": True,
                "first_name": me.name or "bot",
                "username": me.username,
            }
        return self._me

    async def _mid(self, method: TelegramMethod[Any], number: int | None) -> str:
        mid = await self.numbers.mid(number) if number is not None else None
        if mid is None:
            raise TelegramBadRequest(method, "Bad Request: message to edit not found")
        return mid

    async def _edit(self, method: EditMessageText | EditMessageReplyMarkup) -> Any:
        if method.chat_id is None or method.message_id is None:
            raise TelegramBadRequest(method, "Bad Request: inline messages are not on MAX")
        mid = await self._mid(method, method.message_id)
        keyboard = _keyboard(method.reply_markup) or []  # none given: the old one goes
        known = self._bodies.get(mid)
        if isinstance(method, EditMessageText):
            text, text_format = method.text, _format(method.parse_mode)
        elif known is not None:
            text, text_format = known.text, known.format
        else:
            text, text_format = None, None  # not remembered (a restart): left as it is
        files = known.files if known is not None else ()
        body = MessageBody(text, text_format, keyboard, files)
        self._remember(mid, _Body(text, text_format, files))
        callback_id = self.pending.take(mid)
        if callback_id is not None:
            # MAX wants a press answered; an edit of the pressed message is the answer.
            await self.client.answer_callback(callback_id, message=body)
        else:
            await self.client.edit_message(mid, body.text, body.format, body.keyboard, files)
        return {
            "message_id": method.message_id,
            "date": 0,
            "chat": telegram_chat(int(method.chat_id)),
            **({"text": text} if text is not None else {}),
        }

    async def _answer(self, method: AnswerCallbackQuery) -> bool:
        if method.text:
            self.pending.answered(method.callback_query_id)
            await self.client.answer_callback(method.callback_query_id, notification=method.text)
        # Nothing to say: MAX refuses an empty answer, and an edit of the message answers.
        return True

    async def _upload(self, source: Any, kind: str, name: str) -> Attachment:
        if isinstance(source, str):
            decoded = decode_file_id(source)
            if decoded is None:
                raise TelegramBadRequest(
                    SendDocument(chat_id=0, document=source), "Bad Request: wrong file identifier"
                )
            stored_kind, token, _url = decoded
            return Attachment("image" if stored_kind == "image" else "file", {"token": token})
        assert isinstance(source, InputFile)
        data = b"".join([chunk async for chunk in source.read(None)])  # type: ignore[arg-type]
        return await self.client.upload(
            "image" if kind == "image" else "file", source.filename or name, data
        )

    async def _send_file(self, method: SendDocument | SendPhoto) -> Any:
        if isinstance(method, SendDocument):
            attachment = await self._upload(method.document, "file", "file")
        else:
            attachment = await self._upload(method.photo, "image", "photo.png")
        user_id, chat_id = _target(method.chat_id)
        sent = await self.client.send_with_attachment(
            attachment,
            user_id=user_id,
            chat_id=chat_id,
            text=method.caption,
            format=_format(method.parse_mode),
            keyboard=_keyboard(method.reply_markup),
        )
        self._remember(sent.mid, _Body(method.caption, _format(method.parse_mode), (attachment,)))
        return await self._message(sent, method.chat_id)

    async def _send_album(self, method: SendMediaGroup) -> list[Any]:
        attachments = [
            await self._upload(item.media, "image", "photo.png") for item in method.media
        ]
        captions = [str(item.caption) for item in method.media if item.caption]
        user_id, chat_id = _target(method.chat_id)
        sent = await self.client.send_with_attachment(
            attachments, user_id=user_id, chat_id=chat_id, text="\n".join(captions) or None
        )
        return [await self._message(sent, method.chat_id)]

    async def _message(self, sent: MaxMessage, chat_id: int | str) -> dict[str, Any]:
        """What the bot sent, as the Bot API's Message (its number kept for later edits)."""
        (number,) = (await self.numbers.numbers([sent.mid])).values()
        data: dict[str, Any] = {
            "message_id": number,
            "date": int((sent.raw.get("timestamp") or 0) // 1000),
            "chat": telegram_chat(int(chat_id)),
            "from": await self._get_me(),
        }
        if sent.text:
            data["text"] = sent.text
        return data


@dataclass(frozen=True)
class _Body:
    text: str | None
    format: Any
    files: tuple[Attachment, ...]


_BODIES_KEPT = 5_000


def telegram_chat(account: int) -> dict[str, Any]:
    """The Bot API's Chat of an account: a person's private chat, or a group."""
    return {"id": account, "type": "group" if is_group(account) else "private"}


def _aiogram_error(method: TelegramMethod[Any], error: MaxApiError) -> TelegramAPIError:
    message = f"{error.code}: {error.message}"
    if error.status == 401:
        return TelegramUnauthorizedError(method, message)
    if error.status == 403:
        return TelegramForbiddenError(method, message)
    if error.status == 404:
        return TelegramNotFound(method, message)
    if error.status >= 500:
        return TelegramServerError(method, message)
    return TelegramBadRequest(method, message)
