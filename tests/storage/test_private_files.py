"""The SQLite files and their folder: the bot's user only, whatever the umask."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import Database
from storage.private_files import make_private_dir, private_sqlite


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual permissive umask, as a service manager or a shell may leave it."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("open_umask")
async def test_sqlite_and_its_companions_are_private_under_an_open_umask(tmp_path: Path) -> None:
    path = tmp_path / "data" / "roadmap.sqlite3"
    database = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        # While the connection is open, WAL mode keeps its -wal and -shm files next to it.
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT * FROM t"))
            files = sorted(path.parent.iterdir())
            assert {file.name for file in files} >= {
                "roadmap.sqlite3",
                "roadmap.sqlite3-wal",
                "roadmap.sqlite3-shm",
            }
            assert {file.name: _mode(file) for file in files} == {
                file.name: 0o600 for file in files
            }
    finally:
        await database.close()
    assert _mode(path.parent) == 0o700


def test_looser_sqlite_files_are_tightened_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "roadmap.sqlite3"
    wal = tmp_path / "roadmap.sqlite3-wal"
    for file in (path, wal):
        file.write_bytes(b"")
        file.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="storage.private_files"):
        private_sqlite(path)
    assert (_mode(path), _mode(wal)) == (0o600, 0o600)
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 2
    assert all("mode 644" in line and "600" in line for line in warnings)
    caplog.clear()
    private_sqlite(path)
    assert not caplog.records


@pytest.mark.usefixtures("open_umask")
def test_a_new_folder_is_private_and_a_shared_one_is_left_alone(tmp_path: Path) -> None:
    make_private_dir(tmp_path / "new")
    assert _mode(tmp_path / "new") == 0o700
    shared = tmp_path / "shared"
    shared.mkdir()
    make_private_dir(shared)
    assert _mode(shared) == 0o755
