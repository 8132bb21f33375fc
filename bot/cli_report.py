"""`python -m bot roadmap list` and `python -m bot report ROADMAP_ID …`: the execution report
from the terminal, the same files /report sends. The arguments are in `bot.cli_arguments`."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date
from pathlib import Path

from bot.cli_common import CliRefusal, Print, run_refusable
from bot.settings import Settings
from core.clock import SystemClock
from core.errors import UserFacingError
from core.i18n import Translators
from core.i18n import gettext as _
from reports import Period, build_docx, build_xlsx
from services.access import Actor
from services.reports import ReportService
from storage.database import Database
from storage.migrate import upgrade_to_head
from texts.render import day

EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
_TERMINAL = Actor(telegram_user_id=0, person=None, is_admin=True)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliRefusal(_("cli.report.bad_date").format(value=text), EXIT_USAGE) from None


def _period(text: str | None) -> Period | None:
    if text is None:
        return None
    start, separator, end = text.partition(":")
    first, last = _day(start), _day(end) if separator else None
    if last is None or last < first:
        raise CliRefusal(_("cli.report.bad_period").format(value=text), EXIT_USAGE)
    return Period(first, last)


async def _list(reports: ReportService, out: Print) -> None:
    found = await reports.roadmaps(_TERMINAL)
    if not found:
        out(_("cli.roadmap.none"))
    for roadmap, organisation in found:
        out(
            f"{roadmap.id}\t{organisation.name}\t{roadmap.title}\t"
            f"{day(roadmap.period_start)}–{day(roadmap.period_end)}"
        )


async def _report(
    reports: ReportService, arguments: argparse.Namespace, translate: Translators, locale: str
) -> Path:
    at = _day(arguments.at) if arguments.at else None
    period = _period(arguments.period)
    try:
        report = await reports.execution_report(
            _TERMINAL, arguments.roadmap_id, at=at, period=period
        )
    except UserFacingError:
        raise CliRefusal(
            _("cli.report.not_found").format(id=arguments.roadmap_id), EXIT_NOT_FOUND
        ) from None
    build = build_docx if arguments.format == "docx" else build_xlsx
    data = await asyncio.to_thread(build, report, translate.translator(locale))
    path = Path(arguments.out)
    await asyncio.to_thread(path.write_bytes, data)
    return path


async def _run(
    arguments: argparse.Namespace,
    settings: Settings,
    catalogs: Translators,
    locale: str,
    out: Print,
) -> None:
    database = Database.from_url(settings.resolved_database_url)
    try:
        await upgrade_to_head(database.engine)
        reports = ReportService(database, SystemClock())
        if arguments.command == "roadmap":
            await _list(reports, out)
            return
        path = await _report(reports, arguments, catalogs, locale)
        out(_("cli.report.written").format(path=path))
    finally:
        await database.close()


def run_report(
    arguments: argparse.Namespace,
    settings: Settings,
    catalogs: Translators,
    locale: str,
    out: Print = print,
    err: Print = print,
) -> int:
    """Exit code: 0 written (or listed), 1 no such roadmap, 2 a wrong date or period."""
    return run_refusable(
        lambda: _run(arguments, settings, catalogs, locale, out), catalogs, locale, err
    )
