"""`/start <payload>` routing: a payload is a short kind prefix and a code.

Telegram allows at most 64 characters of ``A-Za-z0-9_-`` in a start payload, so the prefix is
one letter and an underscore; the code after it belongs to the feature that issued the link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_PAYLOAD_LENGTH = 64
_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class DeepLinkKind(StrEnum):
    INVITE = "i"
    SURVEY = "s"


@dataclass(frozen=True)
class DeepLink:
    kind: DeepLinkKind
    code: str

    def payload(self) -> str:
        payload = f"{self.kind.value}_{self.code}"
        if not _PAYLOAD_RE.match(payload):
            raise ValueError("a start payload must be 1-64 characters of A-Za-z0-9_-")
        return payload


def parse_start_payload(payload: str) -> DeepLink | None:
    """The link a payload names, or None when it is not one of ours."""
    if not _PAYLOAD_RE.match(payload):
        return None
    prefix, separator, code = payload.partition("_")
    if not separator or not code:
        return None
    try:
        kind = DeepLinkKind(prefix)
    except ValueError:
        return None
    return DeepLink(kind, code)
