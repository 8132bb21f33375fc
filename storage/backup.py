"""Backups of the SQLite database file: one consistent copy, its check, retention, restore.

A copy is taken with SQLite's online backup API from a read-only connection to the live file,
which the running bot may be writing meanwhile. The source connection first opens a read
transaction and keeps it for the whole copy: in WAL mode that pins one snapshot (the copy is
the database as it was at that moment) without blocking the bot's writers, and the backup is
never restarted by their commits, as it would be between steps taken without it. The copy goes
in steps of a few hundred pages with a short pause between them, so the disk is shared.

Every file made here is created 0600 in a 0700 folder (see `storage.private_files`) and
appears under its final name only once complete and checked (`PRAGMA integrity_check`).
Functions here block: callers run them in a thread.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from storage.migrate import alembic_config
from storage.private_files import (
    SQLITE_COMPANIONS,
    create_private_file,
    make_private_dir,
    tighten_dir,
    tighten_file,
)

BACKUP_PREFIX = "roadmap-"
BACKUP_SUFFIX = ".sqlite3"
_BACKUP_NAME_RE = re.compile(r"roadmap-(\d{8}-\d{6})(?:-(\d{1,4}))?\.sqlite3")
_STAMP = "%Y%m%d-%H%M%S"
# Pages copied per step (1 MiB at SQLite's default 4 KiB page) and the pause after each.
STEP_PAGES = 256
STEP_PAUSE_SECONDS = 0.002
# The unix VFS's "dead man switch" byte in the -shm file: every connection to a WAL database
# holds a read lock on it while open (sqlite3.c: UNIX_SHM_DMS).
_SHM_DMS_OFFSET = 128


class BackupError(Exception):
    """A backup or a restore that cannot be done: a catalog key and its {fields}."""

    def __init__(self, key: str, params: dict[str, str]) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    @classmethod
    def of(cls, key: str, **params: object) -> BackupError:
        return cls(key, {name: str(value) for name, value in params.items()})


def backup_name(now: datetime, number: int = 0) -> str:
    stamp = now.strftime(_STAMP)
    return f"{BACKUP_PREFIX}{stamp}{f'-{number}' if number else ''}{BACKUP_SUFFIX}"


def backup_sqlite(source: Path, folder: Path, now: datetime) -> Path:
    """A checked copy of the database file `source` in `folder`, named after `now`."""
    if not source.is_file():
        raise BackupError.of("backup.no_database", path=source)
    with _file_errors(folder):
        make_private_dir(folder)
        tighten_dir(folder)
        final = _free_name(folder, now)
        part = folder / f".{final.name}.part"
        _discard(part)
        create_private_file(part)
    try:
        with _file_errors(part):
            _copy(source, part)
            _verify(part)
            _fsync(part)
            os.replace(part, final)
            _fsync(folder)
    except BaseException:
        _discard(part)
        raise
    return final


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` backups in `folder` (files named as this module names
    them; nothing else is touched) and returns what it deleted."""
    found: list[tuple[str, int, Path]] = []
    for entry in folder.iterdir() if folder.is_dir() else ():
        match = _BACKUP_NAME_RE.fullmatch(entry.name)
        if match and entry.is_file():
            found.append((match[1], int(match[2] or 0), entry))
    found.sort(reverse=True)
    removed = [path for _, _, path in found[keep:]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def database_in_use(path: Path) -> bool:
    """Whether another process has the WAL database `path` open (a running bot does, as long
    as its connection pool holds a connection)."""
    shm = path.with_name(path.name + "-shm")
    try:
        descriptor = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        # Taken and at once released (closing the descriptor drops it); fails while any
        # other process's connection holds its read lock there.
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_OFFSET)
    except OSError:
        return True
    finally:
        os.close(descriptor)
    return False


def restore_sqlite(backup: Path, target: Path, now: datetime) -> Path | None:
    """Puts a checked copy of `backup` in place of the database file `target`, atomically.
    The database that was there is kept next to it as `<name>.before-restore-<stamp>` (its
    -wal and -journal files beside it under that name, so it stays whole), and its path is
    returned (None: there was none). The bot must not be running."""
    if not backup.is_file():
        raise BackupError.of("backup.missing", path=backup)
    if database_in_use(target):
        raise BackupError.of("backup.in_use", path=target)
    folder = target.parent
    stamp = now.strftime(_STAMP)
    temporary = folder / f".{target.name}.restore-{stamp}.part"
    with _file_errors(folder):
        make_private_dir(folder)
        _discard(temporary)
        create_private_file(temporary)
    try:
        with _file_errors(temporary):
            with backup.open("rb") as source, temporary.open("r+b") as copy:
                shutil.copyfileobj(source, copy)
            revision = _verify(temporary, shown=backup)
            _require_known(revision, backup)
            _fsync(temporary)
            aside = _keep_aside(target, stamp)
            os.replace(temporary, target)
            _fsync(folder)
    except BaseException:
        _discard(temporary)
        raise
    return aside


def _copy(source: Path, destination: Path) -> None:
    reader = sqlite3.connect(
        source.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None
    )
    try:
        reader.execute("BEGIN")
        # The first read starts the transaction: its snapshot is what the copy holds.
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        writer = sqlite3.connect(destination, isolation_level=None)
        try:
            reader.backup(writer, pages=STEP_PAGES, progress=_pause)
            # The copy stands alone: no -wal or -shm appear beside it when it is opened.
            writer.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            writer.close()
        reader.execute("ROLLBACK")
    finally:
        reader.close()


def _pause(_status: int, _remaining: int, _total: int) -> None:
    time.sleep(STEP_PAUSE_SECONDS)


def _verify(path: Path, shown: Path | None = None) -> str | None:
    """`PRAGMA integrity_check` passes and the schema is roadmap-bot's: its Alembic revision."""
    shown = shown or path
    try:
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                raise BackupError.of("backup.damaged", path=shown)
            connection.execute("PRAGMA journal_mode=DELETE").fetchone()
            tables = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                "AND name = 'alembic_version'"
            ).fetchone()
            if not tables or not tables[0]:
                raise BackupError.of("backup.not_ours", path=shown)
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        # "file is not a database", "database disk image is malformed" and the like.
        raise BackupError.of("backup.damaged", path=shown) from None
    return str(row[0]) if row else None


def _require_known(revision: str | None, shown: Path) -> None:
    if revision is None:
        return
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError.of("backup.unknown_revision", path=shown, revision=revision)


def _keep_aside(target: Path, stamp: str) -> Path | None:
    if not target.exists():
        return None
    aside = target.with_name(f"{target.name}.before-restore-{stamp}")
    try:
        # A second name first: the database path is never missing, not even for a moment.
        os.link(target, aside)
    except OSError:
        os.replace(target, aside)
    tighten_file(aside)
    for suffix in SQLITE_COMPANIONS:
        companion = target.with_name(target.name + suffix)
        if not companion.exists():
            continue
        if suffix == "-shm" or companion.stat().st_size == 0:
            companion.unlink(missing_ok=True)
        else:
            # Committed pages not yet checkpointed belong to the old database, not the new one.
            os.replace(companion, aside.with_name(aside.name + suffix))
    return aside


def _free_name(folder: Path, now: datetime) -> Path:
    for number in range(10_000):
        path = folder / backup_name(now, number)
        if not path.exists():
            return path
    raise BackupError.of("backup.file_error", path=folder, reason="too many backups this second")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _discard(path: Path) -> None:
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)):
        file.unlink(missing_ok=True)


@contextlib.contextmanager
def _file_errors(path: Path) -> Iterator[None]:
    """What the file system or SQLite refused, as one line for the administrator."""
    try:
        yield
    except OSError as error:
        raise BackupError.of(
            "backup.file_error", path=error.filename or path, reason=error.strerror or error
        ) from None
    except sqlite3.Error as error:
        raise BackupError.of("backup.sqlite_error", reason=error) from None
