"""Fake MAX Bot API server for tests: see :mod:`tests.fakemax.server`."""

from tests.fakemax.frontend import MaxFrontend
from tests.fakemax.schema import SchemaViolation
from tests.fakemax.server import (
    DEFAULT_TOKEN,
    DIALOG_BASE,
    MAX_RPS,
    ApiCall,
    FakeChat,
    FakeMaxAPI,
    FakeUser,
    InvalidRequest,
    SentMessage,
    UploadedFile,
)

__all__ = [
    "DEFAULT_TOKEN",
    "DIALOG_BASE",
    "MAX_RPS",
    "ApiCall",
    "FakeChat",
    "FakeMaxAPI",
    "FakeUser",
    "InvalidRequest",
    "MaxFrontend",
    "SchemaViolation",
    "SentMessage",
    "UploadedFile",
]
