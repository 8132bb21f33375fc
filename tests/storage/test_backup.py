"""SQLite backups (`storage.backup`): a consistent copy of a database being written, private
files, retention that touches only backups, and a restore that refuses what is not a backup."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storage.backup import (
    BackupError,
    backup_name,
    backup_sqlite,
    database_in_use,
    prune_backups,
    restore_sqlite,
)
from storage.migrate import head_revision

ZONE = ZoneInfo("Asia/Vladivostok")
NOW = datetime(2024, 3, 5, 2, 30, 7, tzinfo=ZONE)
# Enough rows of 2 KiB that the copy takes several steps of storage.backup.STEP_PAGES.
ROWS_BEFORE = 2_500


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """No umask at all: only the modes the code asks for protect the files."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _live_database(path: Path, rows: int = 0) -> None:
    """A WAL database as the bot keeps it: an Alembic revision and a table of rows."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
        connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body BLOB, word TEXT)")
        connection.executemany(
            "INSERT INTO note (body, word) VALUES (randomblob(2048), ?)",
            [("старое",)] * rows,
        )
        connection.commit()


def _rows(path: Path, sql: str = "SELECT id FROM note") -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


def _integrity(path: Path) -> list[tuple[object, ...]]:
    return _rows(path, "PRAGMA integrity_check")


def test_a_copy_taken_while_another_connection_writes_holds_every_earlier_commit(
    tmp_path: Path,
) -> None:
    live = tmp_path / "live.sqlite3"
    _live_database(live, ROWS_BEFORE)
    committed: list[int] = []
    stop = threading.Event()
    first_write = threading.Event()

    def keep_writing() -> None:
        with closing(sqlite3.connect(live, timeout=30)) as connection:
            while not stop.is_set():
                cursor = connection.execute(
                    "INSERT INTO note (body, word) VALUES (randomblob(2048), 'новое')"
                )
                connection.commit()
                committed.append(int(cursor.lastrowid or 0))
                first_write.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert first_write.wait(timeout=60)
        before = max(committed)
        copy = backup_sqlite(live, tmp_path / "backups", NOW)
    finally:
        stop.set()
        writer.join()

    assert copy == tmp_path / "backups" / "roadmap-20240305-023007.sqlite3"
    assert _integrity(copy) == [("ok",)]
    ids = {row[0] for row in _rows(copy)}
    assert set(range(1, before + 1)) <= ids
    # One snapshot: no gaps, whatever the writer committed meanwhile.
    assert ids == set(range(1, max(ids) + 1))
    # A standalone file: opening it makes no -wal or -shm appear beside it.
    assert _rows(copy, "PRAGMA journal_mode") == [("delete",)]
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]


def test_the_folder_is_0700_and_the_copy_0600_whatever_the_umask(
    tmp_path: Path, open_umask: None
) -> None:
    live = tmp_path / "live.sqlite3"
    _live_database(live, 3)
    folder = tmp_path / "nested" / "backups"
    copy = backup_sqlite(live, folder, NOW)
    assert _mode(folder) == 0o700
    assert _mode(copy) == 0o600
    # A second copy in the same second gets its own name.
    again = backup_sqlite(live, folder, NOW)
    assert again.name == "roadmap-20240305-023007-1.sqlite3"
    assert _mode(again) == 0o600


def test_a_missing_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackupError) as refused:
        backup_sqlite(tmp_path / "none.sqlite3", tmp_path / "backups", NOW)
    assert refused.value.key == "backup.no_database"
    assert not (tmp_path / "backups").exists()


def test_retention_keeps_the_newest_backups_and_every_other_file(tmp_path: Path) -> None:
    names = [backup_name(datetime(2024, 3, day, 2, 30, tzinfo=ZONE)) for day in (1, 2, 3, 4)] + [
        backup_name(datetime(2024, 3, 4, 2, 30, tzinfo=ZONE), 1)
    ]
    others = [
        "notes.txt",
        "roadmap-manual.sqlite3",
        "roadmap.sqlite3",
        "roadmap-20240301-023000.sqlite3.part",
    ]
    for name in names + others:
        (tmp_path / name).write_bytes(b"x")

    removed = prune_backups(tmp_path, keep=2)

    assert sorted(path.name for path in removed) == sorted(names[:3])
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(names[3:] + others)
    assert prune_backups(tmp_path / "missing", keep=2) == []


def test_restore_brings_back_the_copy_and_keeps_the_old_database_aside(
    tmp_path: Path, open_umask: None
) -> None:
    live = tmp_path / "data" / "roadmap.sqlite3"
    live.parent.mkdir(mode=0o700)
    _live_database(live, 2)
    copy = backup_sqlite(live, tmp_path / "backups", NOW)
    with closing(sqlite3.connect(live)) as connection:
        connection.execute("INSERT INTO note (body, word) VALUES (NULL, 'после копии')")
        connection.commit()
        # An unchecked-in WAL, as a stopped bot may leave it.
        connection.execute("PRAGMA wal_autocheckpoint=0")
        connection.execute("INSERT INTO note (body, word) VALUES (NULL, 'в журнале')")
        connection.commit()
        assert live.with_name("roadmap.sqlite3-wal").stat().st_size > 0
        # Closing would checkpoint: the file is copied while the connection is open, as if
        # the process had died.
        frozen = {
            suffix: live.with_name(live.name + suffix).read_bytes() for suffix in ("", "-wal")
        }
    for suffix, content in frozen.items():
        live.with_name(live.name + suffix).write_bytes(content)

    aside = restore_sqlite(copy, live, datetime(2024, 3, 6, 10, 0, tzinfo=ZONE))

    assert aside == live.with_name("roadmap.sqlite3.before-restore-20240306-100000")
    assert [row[0] for row in _rows(live, "SELECT word FROM note")] == ["старое", "старое"]
    assert _integrity(live) == [("ok",)]
    assert _mode(live) == 0o600
    assert _mode(aside) == 0o600
    # The old database is whole beside it, its WAL content included.
    assert [row[0] for row in _rows(aside, "SELECT word FROM note")] == [
        "старое",
        "старое",
        "после копии",
        "в журнале",
    ]
    leftovers = sorted(p.name for p in live.parent.iterdir() if not p.name.startswith(aside.name))
    assert leftovers == ["roadmap.sqlite3"]


@pytest.mark.parametrize("damage", ["text", "truncated", "foreign"])
def test_restore_refuses_what_is_not_a_whole_backup_and_touches_nothing(
    tmp_path: Path, damage: str
) -> None:
    live = tmp_path / "data" / "roadmap.sqlite3"
    live.parent.mkdir()
    _live_database(live, 40)
    bad = tmp_path / "bad.sqlite3"
    if damage == "text":
        bad.write_text("Это не база данных, а заметка.\n" * 50, encoding="utf-8")
    elif damage == "truncated":
        whole = backup_sqlite(live, tmp_path / "backups", NOW).read_bytes()
        bad.write_bytes(whole[: len(whole) // 2])
    else:
        with closing(sqlite3.connect(bad)) as connection:
            connection.execute("CREATE TABLE something (x)")
            connection.commit()
    before = live.read_bytes()

    with pytest.raises(BackupError) as refused:
        restore_sqlite(bad, live, NOW)

    assert refused.value.key == ("backup.not_ours" if damage == "foreign" else "backup.damaged")
    assert refused.value.params["path"] == str(bad)
    assert live.read_bytes() == before
    assert sorted(p.name for p in live.parent.iterdir() if "restore" in p.name) == []


def test_restore_refuses_a_backup_from_a_newer_bot(tmp_path: Path) -> None:
    live = tmp_path / "roadmap.sqlite3"
    _live_database(live)
    newer = tmp_path / "newer.sqlite3"
    _live_database(newer)
    with closing(sqlite3.connect(newer)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
        connection.commit()
    with pytest.raises(BackupError) as refused:
        restore_sqlite(newer, live, NOW)
    assert refused.value.key == "backup.unknown_revision"


def test_restore_refuses_while_another_process_has_the_database_open(tmp_path: Path) -> None:
    live = tmp_path / "roadmap.sqlite3"
    _live_database(live, 1)
    copy = backup_sqlite(live, tmp_path / "backups", NOW)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(live)!r})\n"
            "c.execute('SELECT count(*) FROM note').fetchall()\n"
            "print('open', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert database_in_use(live)
        with pytest.raises(BackupError) as refused:
            restore_sqlite(copy, live, NOW)
        assert refused.value.key == "backup.in_use"
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    assert not database_in_use(live)
    assert restore_sqlite(copy, live, NOW) is not None
