"""`python -m bot org` and `person`: a region → municipality → school tree, and its people."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tests.cli import CliResult, run_cli


def _cli(cwd: Path, *args: str) -> CliResult:
    return run_cli(cwd, *args, env={"LANG": "ru_RU.UTF-8", "TIMEZONE": "Asia/Vladivostok"})


def test_org_add_builds_a_tree_that_list_shows(tmp_path: Path) -> None:
    region = _cli(tmp_path, "org", "add", "Приморский край", "--kind", "region")
    assert region.returncode == 0, region.stderr
    assert "Добавлена организация: Приморский край — регион, Asia/Vladivostok" in region.stdout
    municipality = _cli(
        tmp_path,
        "org",
        "add",
        "Артёмовский городской округ",
        "--kind",
        "municipality",
        "--parent",
        "приморский  край",
    )
    assert municipality.returncode == 0, municipality.stderr
    school = _cli(
        tmp_path,
        "org",
        "add",
        "МБОУ «СОШ №2»",
        "--parent",
        "Артёмовский городской округ",
        "--timezone",
        "Asia/Yakutsk",
    )
    assert school.returncode == 0, school.stderr
    assert "МБОУ «СОШ №2» — школа, Asia/Yakutsk" in school.stdout

    listing = _cli(tmp_path, "org", "list")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines() == [
        "Приморский край — регион, Asia/Vladivostok, людей: 0",
        "    Артёмовский городской округ — муниципалитет, Asia/Vladivostok, людей: 0",
        "        МБОУ «СОШ №2» — школа, Asia/Yakutsk, людей: 0",
    ]


def test_unknown_parent_and_bad_arguments_are_refused(tmp_path: Path) -> None:
    unknown = _cli(tmp_path, "org", "add", "МБОУ «СОШ №3»", "--parent", "Нет такой")
    assert unknown.returncode == 1
    assert "Организация «Нет такой» не найдена" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    short = _cli(tmp_path, "org", "add", "ab")
    assert short.returncode == 2
    assert "от 3 до 300 символов" in short.stderr
    zone = _cli(tmp_path, "org", "add", "МБОУ «СОШ №3»", "--timezone", "Mars/Base")
    assert zone.returncode == 2
    assert "Неизвестный часовой пояс «Mars/Base»" in zone.stderr
    # Nothing was created by the refusals.
    empty = _cli(tmp_path, "org", "list")
    assert "Организаций пока нет" in empty.stdout


def test_person_add_creates_once_then_reports_and_marks_the_head(tmp_path: Path) -> None:
    school = _cli(tmp_path, "org", "add", "МБОУ «СОШ №2»")
    assert school.returncode == 0, school.stderr
    first = _cli(
        tmp_path,
        "person",
        "add",
        "шабанова н.с.",
        "--org",
        "мбоу «сош №2»",
        "--role",
        "coordinator",
        "--position",
        "заместитель директора по УВР",
    )
    assert first.returncode == 0, first.stderr
    assert "Шабанова Н.С. — теперь в списке «МБОУ «СОШ №2»», роль: координатор" in first.stdout
    second = _cli(tmp_path, "person", "add", "Н. С. Шабанова", "--org", "МБОУ «СОШ №2»", "--head")
    assert second.returncode == 0, second.stderr
    assert "Шабанова Н.С. уже есть в списке «МБОУ «СОШ №2»»" in second.stdout
    assert "Шабанова Н.С. — руководитель организации «МБОУ «СОШ №2»»" in second.stdout
    missing = _cli(tmp_path, "person", "add", "Иванов И.И.", "--org", "Нет такой")
    assert missing.returncode == 1
    assert "не найдена" in missing.stderr
    listing = _cli(tmp_path, "org", "list")
    assert "МБОУ «СОШ №2» — школа, Asia/Vladivostok, людей: 1" in listing.stdout
    database = tmp_path / "data" / "roadmap.sqlite3"
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT full_name, role, position, is_head FROM people")
        assert rows.fetchall() == [
            ("Шабанова Н.С.", "coordinator", "заместитель директора по УВР", 1)
        ]


def test_org_reminders_sets_and_refuses(tmp_path: Path) -> None:
    added = _cli(tmp_path, "org", "add", "МБОУ «СОШ №2»")
    assert added.returncode == 0, added.stderr
    done = _cli(
        tmp_path, "org", "reminders", "МБОУ «СОШ №2»", "--offsets", "5,2,0", "--time", "08:30"
    )
    assert done.returncode == 0, done.stderr
    assert "за 5,2,0 дн. до срока, в 08:30" in done.stdout
    wrong = _cli(tmp_path, "org", "reminders", "МБОУ «СОШ №2»", "--offsets", "сегодня")
    assert wrong.returncode == 2
    assert "--offsets 7,3,1,0" in wrong.stderr
