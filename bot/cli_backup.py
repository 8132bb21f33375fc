"""`python -m bot backup [--to DIR]` and `python -m bot restore FILE`: SQLite backups from the
terminal (PostgreSQL is backed up with pg_dump; both commands say so). The arguments are in
`bot.cli_arguments`; the file work is `storage.backup`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli_common import CliRefusal, Print, run_refusable
from bot.settings import Settings
from core.clock import SystemClock
from core.i18n import Translators
from core.i18n import gettext as _
from storage.backup import BackupError, backup_sqlite, restore_sqlite
from storage.database import sqlite_file
from storage.migrate import upgrade_url

EXIT_REFUSED = 2


def _refusal(error: BackupError) -> CliRefusal:
    return CliRefusal(_(error.key).format(**error.params), EXIT_REFUSED)


def _database_file(settings: Settings, postgres_key: str) -> Path:
    url = settings.resolved_database_url
    path = sqlite_file(url)
    if path is not None:
        return path
    if url.startswith("postgresql"):
        raise CliRefusal(_(postgres_key), EXIT_REFUSED)
    raise CliRefusal(_("cli.backup.no_file"), EXIT_REFUSED)


async def _backup(arguments: argparse.Namespace, settings: Settings, out: Print) -> None:
    source = _database_file(settings, "cli.backup.postgres")
    folder: Path = arguments.to or settings.resolved_backup_dir
    now = SystemClock().now().astimezone(settings.zone)
    try:
        written = await asyncio.to_thread(backup_sqlite, source, folder, now)
    except BackupError as error:
        raise _refusal(error) from None
    out(_("cli.backup.written").format(path=written))


async def _restore(arguments: argparse.Namespace, settings: Settings, out: Print) -> None:
    target = _database_file(settings, "cli.restore.postgres")
    now = SystemClock().now().astimezone(settings.zone)
    try:
        aside = await asyncio.to_thread(restore_sqlite, arguments.file, target, now)
    except BackupError as error:
        raise _refusal(error) from None
    # An older backup gets the migrations made since it was taken.
    revision = await upgrade_url(settings.resolved_database_url)
    if aside is None:
        out(_("cli.restore.done_fresh").format(source=arguments.file, revision=revision))
    else:
        out(_("cli.restore.done").format(source=arguments.file, revision=revision, aside=aside))


def run_backup(
    arguments: argparse.Namespace,
    settings: Settings,
    catalogs: Translators,
    locale: str,
    out: Print = print,
    err: Print = print,
) -> int:
    """Exit code: 0 done, 2 refused (PostgreSQL, no database, a bad backup, the bot running)."""
    work = _backup if arguments.command == "backup" else _restore
    return run_refusable(lambda: work(arguments, settings, out), catalogs, locale, err)
