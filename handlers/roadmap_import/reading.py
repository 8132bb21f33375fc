"""Reading what a coordinator sent (a file or a pasted table) into a roadmap, off the event
loop."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.utils.i18n import gettext as _

from roadmap.importer import (
    ParsedRoadmap,
    parse_roadmap,
)
from roadmap.period import Period
from roadmap.readers import RawRoadmap, RoadmapReadError, read_roadmap, read_text

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """Where the roadmap came from, kept in FSM state so confirming re-reads the same thing."""

    file_id: str | None
    file_name: str
    text: str | None

    def as_state(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_name": self.file_name, "text": self.text}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Source:
        return cls(file_id=data["file_id"], file_name=data["file_name"], text=data["text"])


async def read(bot: Bot, source: Source) -> RawRoadmap:
    if source.text is not None:
        return await asyncio.to_thread(read_text, source.text)
    assert source.file_id is not None
    buffer = io.BytesIO()
    await bot.download(source.file_id, destination=buffer)
    # Word and Excel parsing is CPU work: off the event loop, so other chats keep answering.
    return await asyncio.to_thread(read_roadmap, buffer.getvalue(), source.file_name)


async def read_parsed(bot: Bot, source: Source, period: Period) -> ParsedRoadmap:
    """Read and parsed in a worker thread: thousands of deadline and people cells are CPU work."""
    return await parse(await read(bot, source), period)


async def parse(raw: RawRoadmap, period: Period) -> ParsedRoadmap:
    """A roadmap already read, parsed in a worker thread."""
    return await asyncio.to_thread(parse_roadmap, raw, period)


def read_error_text(error: RoadmapReadError) -> str:
    return _(f"read_error.{error.code}").format(**error.params)
