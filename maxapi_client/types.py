"""Small frozen values for what the bot uses of MAX's objects; each keeps the raw JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "JSON",
    "Attachment",
    "BotInfo",
    "InlineButton",
    "Keyboard",
    "Message",
    "MessageBody",
    "Subscription",
    "TextFormat",
    "Update",
    "keyboard_attachment",
]

JSON = dict[str, Any]
TextFormat = Literal["html", "markdown"]


@dataclass(frozen=True)
class InlineButton:
    """A button of an inline keyboard: a callback button (``payload``, sent back in a
    ``message_callback`` update) or a link button (``url``).  Exactly one of the two."""

    text: str
    payload: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.payload is None) == (self.url is None):
            raise ValueError("an InlineButton has either a payload or a url")
        if not 1 <= len(self.text) <= 128:
            raise ValueError("a button's text is 1 to 128 characters")
        if self.payload is not None and len(self.payload) > 1024:
            raise ValueError("a callback payload is at most 1024 characters")

    def to_api(self) -> JSON:
        if self.payload is not None:
            return {"type": "callback", "text": self.text, "payload": self.payload}
        return {"type": "link", "text": self.text, "url": self.url}


Keyboard = Sequence[Sequence[InlineButton]]


def keyboard_attachment(rows: Keyboard) -> JSON:
    """The ``inline_keyboard`` AttachmentRequest of the rows."""
    return {
        "type": "inline_keyboard",
        "payload": {"buttons": [[button.to_api() for button in row] for row in rows]},
    }


@dataclass(frozen=True)
class Attachment:
    """An AttachmentRequest for a message: what :meth:`MaxClient.upload` returns."""

    type: str
    payload: JSON = field(hash=False)

    def to_api(self) -> JSON:
        return {"type": self.type, "payload": self.payload}


@dataclass(frozen=True)
class MessageBody:
    """A NewMessageBody: a message to send, an edit, or the ``message`` of a callback answer.

    ``text=None``: no text (an edit leaves the text as it was); ``format=None``: plain text
    (``format`` is then left out).  ``keyboard`` and
    ``attachments`` together make the body's ``attachments``: both None sends ``null`` (an edit
    leaves the attachments as they were); an empty keyboard (``[]``) with no attachments sends
    ``[]`` (an edit removes them, the keyboard included).
    """

    text: str | None
    format: TextFormat | None = "html"
    keyboard: Keyboard | None = None
    attachments: Sequence[Attachment] | None = None
    notify: bool | None = None  # None: not sent (the API's default is true)

    def to_api(self) -> JSON:
        attachments: list[JSON] | None = None
        if self.attachments is not None or self.keyboard is not None:
            attachments = [a.to_api() for a in self.attachments or ()]
            if self.keyboard:
                attachments.append(keyboard_attachment(self.keyboard))
        # text, attachments and link are required (nullable) by the document: always sent.
        body: JSON = {"text": self.text, "attachments": attachments, "link": None}
        if self.format is not None:
            # Not sent for plain text: the document's ``format`` is nullable but refers to
            # TextFormat, which is not, and the validator refuses ``"format": null``.
            body["format"] = self.format
        if self.notify is not None:
            body["notify"] = self.notify
        return body


@dataclass(frozen=True)
class Message:
    """A MAX Message.  ``user_id`` is the user of the dialog: the sender of a message from a
    user, the recipient of the bot's own message (None in a group chat)."""

    mid: str
    chat_id: int | None
    user_id: int | None
    text: str | None
    raw: JSON = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_api(cls, raw: JSON) -> Message:
        body = raw.get("body") or {}
        sender = raw.get("sender") or {}
        recipient = raw.get("recipient") or {}
        if sender and not sender.get("is_bot"):
            user_id = sender.get("user_id")
        else:
            user_id = recipient.get("user_id")
        return cls(
            mid=str(body.get("mid", "")),
            chat_id=recipient.get("chat_id"),
            user_id=user_id,
            text=body.get("text"),
            raw=raw,
        )

    @property
    def sender_id(self) -> int | None:
        sender = self.raw.get("sender") or {}
        value = sender.get("user_id")
        return int(value) if value is not None else None

    @property
    def attachments(self) -> list[JSON]:
        """The body's attachments as the API gave them (files carry ``payload.url``)."""
        return list((self.raw.get("body") or {}).get("attachments") or [])


@dataclass(frozen=True)
class Update:
    """An Update: ``type`` is its ``update_type``; the rest is in ``raw``."""

    type: str
    raw: JSON = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_api(cls, raw: JSON) -> Update:
        return cls(type=str(raw.get("update_type", "")), raw=raw)

    @property
    def message(self) -> Message | None:
        """The update's message (message_created, message_callback ...), if any."""
        message = self.raw.get("message")
        return Message.from_api(message) if isinstance(message, dict) else None

    @property
    def callback_id(self) -> str | None:
        callback = self.raw.get("callback") or {}
        value = callback.get("callback_id")
        return str(value) if value is not None else None

    @property
    def callback_payload(self) -> str | None:
        callback = self.raw.get("callback") or {}
        value = callback.get("payload")
        return str(value) if value is not None else None


@dataclass(frozen=True)
class BotInfo:
    """``GET /me``: the bot itself."""

    user_id: int
    name: str
    username: str | None
    raw: JSON = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_api(cls, raw: JSON) -> BotInfo:
        return cls(
            user_id=int(raw["user_id"]),
            name=str(raw.get("name") or raw.get("first_name") or ""),
            username=raw.get("username"),
            raw=raw,
        )


@dataclass(frozen=True)
class Subscription:
    """A webhook subscription (``GET /subscriptions``)."""

    url: str
    time: int
    update_types: tuple[str, ...] | None
    raw: JSON = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_api(cls, raw: JSON) -> Subscription:
        types = raw.get("update_types")
        return cls(
            url=str(raw["url"]),
            time=int(raw.get("time") or 0),
            update_types=tuple(types) if types is not None else None,
            raw=raw,
        )
