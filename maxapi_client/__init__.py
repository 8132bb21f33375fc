"""A small typed async client for MAX's Bot API (https://dev.max.ru/docs-api).

It knows nothing of the bot: no aiogram, no package of ours (the import contracts keep it so,
and keep the rules and storage from importing it).
"""

from maxapi_client.client import DEFAULT_BASE_URL, MaxClient
from maxapi_client.errors import (
    MaxApiError,
    MaxAttachmentNotReady,
    MaxBlocked,
    MaxError,
    MaxNetworkError,
    MaxRetryAfter,
)
from maxapi_client.types import (
    Attachment,
    BotInfo,
    InlineButton,
    Keyboard,
    Message,
    MessageBody,
    Subscription,
    TextFormat,
    Update,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "Attachment",
    "BotInfo",
    "InlineButton",
    "Keyboard",
    "MaxApiError",
    "MaxAttachmentNotReady",
    "MaxBlocked",
    "MaxClient",
    "MaxError",
    "MaxNetworkError",
    "MaxRetryAfter",
    "Message",
    "MessageBody",
    "Subscription",
    "TextFormat",
    "Update",
]
