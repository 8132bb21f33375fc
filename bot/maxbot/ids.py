"""The numbers handlers know MAX messages by, and which presses still wait for an answer."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from storage.database import Database

# Numbers remembered in this process (both ways); the table keeps them all.
_CACHE_SIZE = 20_000


class MessageNumbers:
    """MAX's message ids (strings) ↔ the integers aiogram and the outbox use; kept in the
    database (storage.schema.max_messages), so a number given before a restart still names
    its message after it (a reminder card is edited a day later)."""

    def __init__(self, database: Database, *, cache_size: int = _CACHE_SIZE) -> None:
        self._database = database
        self._cache_size = cache_size
        self._by_mid: OrderedDict[str, int] = OrderedDict()
        self._by_number: OrderedDict[int, str] = OrderedDict()

    def _remember(self, mid: str, number: int) -> None:
        self._by_mid[mid] = number
        self._by_number[number] = mid
        for cache in (self._by_mid, self._by_number):
            while len(cache) > self._cache_size:
                cache.popitem(last=False)

    async def numbers(self, mids: Sequence[str]) -> dict[str, int]:
        """The number of each mid (given one now if it had none)."""
        found = {mid: self._by_mid[mid] for mid in mids if mid in self._by_mid}
        missing = [mid for mid in mids if mid not in found]
        if missing:
            async with self._database.transaction() as repositories:
                numbered = await repositories.max_messages.numbers(missing)
            for mid, number in numbered.items():
                self._remember(mid, number)
            found.update(numbered)
        return found

    async def mid(self, number: int) -> str | None:
        if number in self._by_number:
            return self._by_number[number]
        async with self._database.transaction() as repositories:
            mid = await repositories.max_messages.mid(number)
        if mid is not None:
            self._remember(mid, number)
        return mid


class PendingCallbacks:
    """Presses being handled, by the mid of the pressed message: MAX wants each press
    answered (a notification or the message's new body), while aiogram handlers answer with
    ``callback.answer()`` and edit the message separately. The session turns the first edit
    of a pressed message into the press's answer (see bot.maxbot.session)."""

    def __init__(self) -> None:
        self._by_mid: dict[str, str] = {}

    def start(self, mid: str, callback_id: str) -> None:
        self._by_mid[mid] = callback_id

    def take(self, mid: str) -> str | None:
        """The press to answer with an edit of this message (once)."""
        return self._by_mid.pop(mid, None)

    def answered(self, callback_id: str) -> None:
        """Answered with a notification: an edit afterwards is an ordinary edit."""
        for mid, pending in list(self._by_mid.items()):
            if pending == callback_id:
                del self._by_mid[mid]

    def finish(self, mid: str, callback_id: str) -> bool:
        """The press was handled: whether it is still to be answered."""
        if self._by_mid.get(mid) == callback_id:
            del self._by_mid[mid]
            return True
        return False
