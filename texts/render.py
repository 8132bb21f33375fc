"""Turning domain values into the words and dates a person reads (through the catalogs).

Messenger-free: the words come from `core.i18n`, so the chat and the terminal say the same.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date

from core.dates import format_day
from core.i18n import gettext as _
from core.warnings import ParseWarning
from roadmap.deadlines import DeadlineKind


def quote(text: str) -> str:
    """Text safe inside an HTML-formatted message (what aiogram's html_decoration does)."""
    return html.escape(text, quote=False)


def short(text: str, limit: int = 90) -> str:
    """One line, at most `limit` characters, for lists on a phone screen."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def day(value: date) -> str:
    """Dates as people in Russia write them: 04.10.2022."""
    return format_day(value)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _readable(value: str) -> str:
    return day(date.fromisoformat(value)) if _ISO_DAY.match(value) else value


def warning_text(warning: ParseWarning) -> str:
    params = {key: _readable(value) for key, value in warning.params}
    return _(f"warning.{warning.code}").format(**params)


def deadline_text(kind: str, start: date | None, due: Sequence[date]) -> str:
    if kind in (DeadlineKind.UNKNOWN, DeadlineKind.ON_REQUEST) or not due:
        return _("deadline.not_set")
    if kind == DeadlineKind.CONTINUOUS:
        return _("deadline.continuous").format(start=day(start or due[0]), end=day(due[-1]))
    if kind == DeadlineKind.SERIES:
        return _("deadline.series").format(count=len(due), first=day(due[0]), last=day(due[-1]))
    if start is not None and start != due[-1]:
        return _("deadline.range").format(start=day(start), end=day(due[-1]))
    return _("deadline.by").format(due=day(due[-1]))
