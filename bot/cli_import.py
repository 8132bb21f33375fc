"""`python -m bot import FILE`: the same reading and import as the chat, from a terminal.

The same as the chat means all of it: tasks derived and reminders planned too. ``--dry-run``
reads and prints; it opens no database. Nor does it import the messenger: its texts come
from the catalogs directly (`core.i18n`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from bot.cli_common import Print
from bot.planning import create_planning
from bot.settings import Settings
from core.clock import SystemClock
from core.i18n import Translators, translating
from core.i18n import gettext as _
from roadmap.importer import (
    ParsedActivity,
    ParsedRoadmap,
    PeriodMissing,
    guess_organisation_name,
    parse_roadmap,
    roadmap_to_json,
)
from roadmap.period import Period, parse_period_arg
from roadmap.readers import RoadmapReadError, read_roadmap
from services.roadmaps import RoadmapService
from storage.database import Database
from storage.migrate import upgrade_to_head
from texts.render import day, deadline_text, short, warning_text

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


def add_arguments(parser: argparse.ArgumentParser, say: Callable[[str], str]) -> None:
    parser.add_argument("file", type=Path, help=say("cli.import.file"))
    parser.add_argument("--org", help=say("cli.import.org"))
    parser.add_argument("--period", help=say("cli.import.period"))
    parser.add_argument("--dry-run", action="store_true", help=say("cli.import.dry_run"))
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _table_row(activity: ParsedActivity, indent: str) -> str:
    deadline = activity.deadline
    when = deadline_text(deadline.kind.value, deadline.start, deadline.due)
    people = ", ".join(item.name for item in activity.responsible) or "—"
    number = activity.number or ""
    flag = " !" if activity.warnings else ""
    return f"{indent}{number:<6} {short(activity.title, 60):<60}  {when:<32}  {people}{flag}"


def _print_table(parsed: ParsedRoadmap, out: Print) -> None:
    out(parsed.title)
    out(
        _("import.preview.period").format(
            start=day(parsed.period.start), end=day(parsed.period.end)
        )
    )
    section = None
    for activity in parsed.activities:
        if activity.section and activity.section != section:
            section = activity.section
            out(f"\n[{short(section, 100)}]")
        out(_table_row(activity, ""))
        for step in activity.steps:
            out(_table_row(step, "  ↳ "))
    doubts = parsed.rows_with_doubts()
    if doubts or parsed.warnings:
        out("")
        for warning in parsed.warnings:
            out("! " + warning_text(warning))
        for row in doubts:
            reasons = [warning_text(w) for w in row.warnings] or [_("import.preview.needs_date")]
            out(f"! {row.source_ref}, «{short(row.title, 50)}»: {'; '.join(reasons)}")


async def _store(
    parsed: ParsedRoadmap, organisation_name: str, source_name: str, settings: Settings
) -> str:
    database = Database.from_url(settings.resolved_database_url)
    try:
        await upgrade_to_head(database.engine)
        # As the chat does it: tasks derived and their reminders planned with the settings.
        service = RoadmapService(database, SystemClock(), create_planning(settings))
        organisation = await service.organisation_named(organisation_name, settings.timezone)
        result = await service.apply(
            organisation.id, parsed, source_name=source_name, actor_telegram_id=None
        )
    finally:
        await database.close()
    plan = result.plan
    return _("cli.import.stored").format(
        organisation=organisation.name,
        added=len(plan.added),
        changed=len(plan.changed),
        removed=len(plan.removed),
        people=len(plan.new_people),
    )


def run_import(
    arguments: argparse.Namespace,
    settings: Settings,
    catalogs: Translators,
    locale: str,
    out: Print = print,
    err: Print = print,
) -> int:
    """Exit code: 0 done, 1 the file cannot be read, 2 a wrong argument or missing period."""
    with translating(catalogs.translator(locale)):
        path: Path = arguments.file
        try:
            data = path.read_bytes()
        except OSError:
            err(_("cli.import.unreadable").format(path=path))
            return EXIT_BAD_INPUT
        period: Period | None = None
        if arguments.period:
            try:
                period = parse_period_arg(arguments.period)
            except ValueError:
                err(_("cli.import.bad_period"))
                return EXIT_USAGE
        try:
            raw = read_roadmap(data, path.name)
            parsed = parse_roadmap(raw, period)
        except RoadmapReadError as error:
            err(_(f"read_error.{error.code}").format(**error.params))
            return EXIT_BAD_INPUT
        except PeriodMissing:
            err(_("cli.import.no_period"))
            return EXIT_USAGE
        if arguments.format == "json":
            out(json.dumps(roadmap_to_json(parsed, warning_text), ensure_ascii=False, indent=2))
        else:
            _print_table(parsed, out)
        if arguments.dry_run:
            return EXIT_OK
        organisation = (
            arguments.org or guess_organisation_name(raw) or _("import.default_organisation")
        )
        err(asyncio.run(_store(parsed, organisation, path.name, settings)))
        return EXIT_OK
