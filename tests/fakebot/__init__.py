"""Fake Telegram Bot API server for tests: see :mod:`tests.fakebot.server`."""

import warnings

# `python -m tests.fakebot.server` imports this package (and so the module) before running the
# module as __main__; runpy then warns about the double import, which is harmless here.
warnings.filterwarnings(
    "ignore", message=r"'tests\.fakebot\.server' found in sys\.modules", category=RuntimeWarning
)

from tests.fakebot.server import (  # noqa: E402
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
