"""The nightly backup job: a copy named after the night, the newest BACKUP_KEEP kept."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.clock import ManualClock
from scheduler.backup import BackupJob
from storage.migrate import head_revision

ZONE = ZoneInfo("Asia/Vladivostok")


def _database(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
        connection.commit()


async def test_each_night_adds_a_copy_and_the_oldest_beyond_keep_go(
    tmp_path: Path, clock: ManualClock
) -> None:
    live = tmp_path / "roadmap.sqlite3"
    _database(live)
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    (folder / "README.txt").write_text("копии базы", encoding="utf-8")
    job = BackupJob(live, folder, keep=2, clock=clock, zone=ZONE)
    written = []
    for _ in range(4):
        written.append(await job.run())
        clock.advance(timedelta(days=1))
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted(["README.txt", *(path.name for path in written[2:] if path)])
    local = clock.now().astimezone(ZONE) - timedelta(days=1)
    assert written[-1] == folder / f"roadmap-{local:%Y%m%d-%H%M%S}.sqlite3"


async def test_a_failed_night_is_logged_not_raised(
    tmp_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    job = BackupJob(tmp_path / "missing.sqlite3", tmp_path / "b", 3, clock, ZONE)
    with caplog.at_level(logging.ERROR, logger="scheduler.backup"):
        assert await job.run() is None
    assert "backup.no_database" in caplog.text
