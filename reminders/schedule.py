"""An organisation's own reminder days and morning, as a coordinator types or a CLI passes them.

«7, 3, 1, 0 в 08:30», «за 5 и 2 дня», «9:00», «3,1»: days before the deadline (0 is the day
itself) and the hour; one rule for the chat and the command line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

# A reminder more than two months ahead reminds nobody of anything.
MAX_OFFSET_DAYS = 60
_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])[:.]([0-5]\d)(?!\d)")
_NUMBER = re.compile(r"(?<!\d)\d{1,3}(?!\d)")
_DEFAULT_WORDS = ("по умолчанию", "как у всех", "default", "сброс")


@dataclass(frozen=True)
class Schedule:
    """What was typed: days before the deadline and the morning (None: not said), or a reset
    to the instance's own."""

    offsets: tuple[int, ...] | None
    morning: time | None
    reset: bool = False

    def applied_to(
        self, offsets: str | None, morning: str | None
    ) -> tuple[tuple[int, ...] | None, time | None]:
        """The organisation's days and morning once this is applied to what it has (as
        stored: «7,3,1,0» and «08:30»); what was not said stays as it was."""
        if self.reset:
            return None, None
        kept_offsets = parse_offsets(offsets) if offsets else None
        kept_morning = time.fromisoformat(morning) if morning else None
        return self.offsets or kept_offsets, self.morning or kept_morning


def parse_offsets(text: str) -> tuple[int, ...] | None:
    """«7, 3, 1, 0» → (7, 3, 1, 0), the latest first; None unless every number is a day from
    0 to MAX_OFFSET_DAYS and there is at least one."""
    numbers = [int(found) for found in _NUMBER.findall(text)]
    negative = re.search(r"-\s*\d", text) is not None
    if not numbers or negative or any(day > MAX_OFFSET_DAYS for day in numbers):
        return None
    return tuple(sorted(set(numbers), reverse=True))


def parse_schedule(text: str) -> Schedule | None:
    """The days and the morning typed; None when nothing in it is either. «по умолчанию»
    gives both back to the instance."""
    folded = text.lower().replace("ё", "е")
    if any(word in folded for word in _DEFAULT_WORDS):
        return Schedule(None, None, reset=True)
    found = _TIME.search(folded)
    morning = time(int(found.group(1)), int(found.group(2))) if found else None
    rest = _TIME.sub(" ", folded)
    offsets = parse_offsets(rest) if _NUMBER.search(rest) else None
    if _NUMBER.search(rest) and offsets is None:
        return None  # days were given, but not ones a reminder can use
    if offsets is None and morning is None:
        return None
    return Schedule(offsets, morning)
