"""Every button's data: typed, versioned by prefix, ids only (Telegram allows 64 bytes)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class ImportAction(StrEnum):
    CONFIRM = "ok"
    CANCEL = "no"


class ImportCallback(CallbackData, prefix="imp1"):
    action: ImportAction
    # Ties the button to one preview: a button from an older preview is refused.
    nonce: str


class RoadmapPageCallback(CallbackData, prefix="rmp1"):
    roadmap_id: int
    page: int


class SetDeadlineCallback(CallbackData, prefix="rmd1"):
    activity_id: int
