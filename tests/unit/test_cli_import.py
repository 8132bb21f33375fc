"""`python -m bot import`: dry runs write nothing; real runs store once and update after."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import CliResult, run_cli
from tests.roadmap.hostile import rows_csv

PROJECT = Path(__file__).resolve().parents[2]
DATA = PROJECT / "tests" / "data" / "roadmaps"
SCHOOL_TXT = DATA / "school-tech-cluster-2022.txt"


def _cli(cwd: Path, *args: str) -> CliResult:
    return run_cli(cwd, "import", *args, env={"LANG": "ru_RU.UTF-8"})


def test_dry_run_prints_json_and_writes_nothing(tmp_path: Path) -> None:
    result = _cli(tmp_path, str(SCHOOL_TXT), "--dry-run", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["period"] == {"start": "2022-09-01", "end": "2023-08-31"}
    assert len(data["activities"]) == 19
    assert not (tmp_path / "data").exists()


def test_import_stores_then_reimport_changes_nothing(tmp_path: Path) -> None:
    first = _cli(tmp_path, str(SCHOOL_TXT), "--org", "МБОУ «СОШ №2»")
    assert first.returncode == 0, first.stderr
    assert "Загружено в «МБОУ «СОШ №2»»: добавлено 32" in first.stderr
    assert "новых людей 6" in first.stderr
    assert "Шабанова Н.С." in first.stdout  # the table shows what was read
    second = _cli(tmp_path, str(SCHOOL_TXT), "--org", "мбоу «сош №2»")
    assert second.returncode == 0, second.stderr
    assert "добавлено 0, изменено 0, снято 0, новых людей 0" in second.stderr


def test_missing_period_asks_for_the_argument(tmp_path: Path) -> None:
    table = tmp_path / "plan.txt"
    header = "№\tМероприятие\tСрок проведения\tОтветственные\n"
    table.write_text(header + "1.\tСовещание\tдо 10.11.2022\tАнов А.А.\n", encoding="utf-8")
    missing = _cli(tmp_path, str(table), "--dry-run")
    assert missing.returncode == 2
    assert "--period" in missing.stderr
    wrong = _cli(tmp_path, str(table), "--dry-run", "--period", "2022/2023")
    assert wrong.returncode == 2
    given = _cli(tmp_path, str(table), "--dry-run", "--period", "2022-09-01:2023-08-31")
    assert given.returncode == 0, given.stderr
    assert "до 10.11.2022" in given.stdout


def test_unreadable_files_exit_1_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "plan.docx"
    broken.write_bytes(b"PK\x03\x04 broken")
    result = _cli(tmp_path, str(broken), "--dry-run")
    assert result.returncode == 1
    assert "повреждён" in result.stderr
    assert "Traceback" not in result.stderr
    missing = _cli(tmp_path, str(tmp_path / "nope.docx"), "--dry-run")
    assert missing.returncode == 1
    assert "Не удаётся открыть файл" in missing.stderr


def test_a_file_over_the_row_cap_is_refused_naming_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "plan.csv"
    big.write_bytes(rows_csv(20_000))
    result = _cli(tmp_path, str(big), "--dry-run")
    assert result.returncode == 1
    assert "5000" in result.stderr.replace("\u00a0", "").replace(" ", "")
    assert "{limit}" not in result.stderr and "Traceback" not in result.stderr
