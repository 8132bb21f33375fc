"""Fake Telegram Bot API server for tests: it lives in :mod:`fakes.telegram` (the demo ships it);
this package re-exports it and adds the in-process session (:mod:`tests.fakebot.session`)."""

from fakes.telegram import (
    BOT_USER,
    DEFAULT_TOKEN,
    ApiCall,
    FakeBotAPI,
    FakeUser,
    HtmlParseError,
    SentMessage,
    StoredFile,
    UploadedFile,
    form_params,
    parse_html,
    utf16_len,
)

__all__ = [
    "BOT_USER",
    "DEFAULT_TOKEN",
    "ApiCall",
    "FakeBotAPI",
    "FakeUser",
    "HtmlParseError",
    "SentMessage",
    "StoredFile",
    "UploadedFile",
    "form_params",
    "parse_html",
    "utf16_len",
]
