"""`python -m bot backup` and `restore`: one line each, Russian first, exit code 2 on refusal."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from storage.migrate import alembic_config, head_revision
from tests.cli import CliResult, run_cli

POSTGRES = "postgresql+asyncpg://roadmap@127.0.0.1:9/roadmap"


def _cli(cwd: Path, *args: str, **env: str) -> CliResult:
    return run_cli(cwd, *args, env={"DATA_DIR": str(cwd / "data"), **env})


def _words(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM organisations")]


def _add(path: Path, name: str) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute(
            "INSERT INTO organisations (name, kind, timezone, created_at) "
            "VALUES (?, 'school', 'Asia/Vladivostok', '2024-03-05 00:00:00')",
            (name,),
        )
        connection.commit()


def _database_at(path: Path, revision: str) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def test_backup_then_restore_of_an_older_backup_brings_back_its_data_migrated(
    tmp_path: Path,
) -> None:
    live = tmp_path / "data" / "roadmap.sqlite3"
    live.parent.mkdir(mode=0o700)
    _database_at(live, "0012")
    _add(live, "МБОУ «СОШ №1»")

    made = _cli(tmp_path, "backup", "--to", str(tmp_path / "copies"))
    assert made.returncode == 0, made.stderr
    [copy] = (tmp_path / "copies").glob("roadmap-*.sqlite3")
    assert made.stdout == f"Резервная копия записана и проверена: {copy}\n"

    _add(live, "после копии")
    restored = _cli(tmp_path, "restore", str(copy))
    assert restored.returncode == 0, restored.stderr
    [aside] = live.parent.glob("roadmap.sqlite3.before-restore-*")
    assert restored.stdout == (
        f"База восстановлена из {copy} и обновлена до версии {head_revision()}; "
        f"прежняя база сохранена как {aside}.\n"
    )
    assert _words(live) == ["МБОУ «СОШ №1»"]
    assert _words(aside) == ["МБОУ «СОШ №1»", "после копии"]
    with closing(sqlite3.connect(live)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]


def test_backup_goes_to_backup_dir_by_default(tmp_path: Path) -> None:
    assert _cli(tmp_path, "migrate").returncode == 0
    made = _cli(tmp_path, "backup", BACKUP_DIR=str(tmp_path / "elsewhere"))
    assert made.returncode == 0, made.stderr
    assert len(list((tmp_path / "elsewhere").glob("roadmap-*.sqlite3"))) == 1
    made = _cli(tmp_path, "backup")
    assert len(list((tmp_path / "data" / "backups").glob("roadmap-*.sqlite3"))) == 1


def test_restore_of_a_file_that_is_no_database_is_one_clear_line(tmp_path: Path) -> None:
    assert _cli(tmp_path, "migrate").returncode == 0
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("не база\n" * 100, encoding="utf-8")
    refused = _cli(tmp_path, "restore", str(junk))
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.splitlines() == [
        f"{junk} — не база SQLite или повреждённая база (проверка целостности не пройдена); "
        "восстановление отменено, текущая база не тронута."
    ]


def test_backup_of_a_missing_database_is_refused(tmp_path: Path) -> None:
    refused = _cli(tmp_path, "backup")
    assert refused.returncode == 2
    assert "нет: копировать нечего" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (tmp_path / "data" / "roadmap.sqlite3").exists()


def test_on_postgresql_backup_and_restore_point_to_pg_dump_and_pg_restore(
    tmp_path: Path,
) -> None:
    backup = _cli(tmp_path, "backup", DATABASE_URL=POSTGRES)
    assert backup.returncode == 2
    [line] = backup.stderr.splitlines()
    assert line.startswith("База — PostgreSQL")
    assert "pg_dump --format=custom" in line
    restore = _cli(tmp_path, "restore", "x.dump", DATABASE_URL=POSTGRES)
    assert restore.returncode == 2
    [line] = restore.stderr.splitlines()
    assert "pg_restore --clean --if-exists" in line
    english = _cli(tmp_path, "backup", DATABASE_URL=POSTGRES, LANG="en_GB.UTF-8")
    assert english.stderr.startswith("The database is PostgreSQL")
