"""What the MAX Bot API client raises.

Every error is a :class:`MaxError`: the API's refusals are :class:`MaxApiError` (with two
kinds a sender treats apart: :class:`MaxRetryAfter` for 429 and :class:`MaxBlocked` for a user
who blocked the bot), and a request that got no answer is :class:`MaxNetworkError`.
"""

from __future__ import annotations

__all__ = [
    "NOT_READY",
    "MaxApiError",
    "MaxAttachmentNotReady",
    "MaxBlocked",
    "MaxError",
    "MaxNetworkError",
    "MaxRetryAfter",
]

NOT_READY = "attachment.not.ready"
BLOCKED = "chat.denied"


class MaxError(Exception):
    """Anything the MAX client raises (but ValueError for a call it refuses locally)."""


class MaxApiError(MaxError):
    """The API answered with an error: HTTP ``status`` and the body's ``code`` and ``message``.

    ``status`` is 200 when the API said ``{"success": false}``; a body that is not the
    document's Error gets the code ``http.<status>``.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class MaxRetryAfter(MaxApiError):
    """429: too many requests; try again in ``retry_after`` seconds (the Retry-After header,
    else 1)."""

    def __init__(self, status: int, code: str, message: str, retry_after: float = 1.0) -> None:
        super().__init__(status, code, message)
        self.retry_after = retry_after


class MaxBlocked(MaxApiError):
    """403 ``chat.denied``: the user blocked the bot (or the bot may not write to the chat)."""


class MaxAttachmentNotReady(MaxApiError):
    """``attachment.not.ready``: an uploaded file is still being processed; sending again a bit
    later succeeds (``MaxClient.send_with_attachment`` does so)."""


class MaxNetworkError(MaxError):
    """No answer: the connection failed, broke or timed out (the request may have been done)."""
