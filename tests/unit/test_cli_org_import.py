"""`python -m bot org import FILE --parent NAME [--dry-run]`: a schools list from a terminal."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_cli_org import _cli

SCHOOLS = (
    "Образовательная организация;Директор;Должность\n"
    "МБОУ «СОШ №1»;Акимова Н.А.;директор\n"
    "МБОУ «СОШ №2»;;\n"
    "МБОУ «Гимназия №3»;Колокольцева Мария Петровна;директор\n"
)


def test_dry_run_then_load_then_reload(tmp_path: Path) -> None:
    for args in (
        ("org", "add", "Приморский край", "--kind", "region"),
        ("org", "add", "Артёмовский ГО", "--kind", "municipality", "--parent", "Приморский край"),
    ):
        assert _cli(tmp_path, *args).returncode == 0
    schools = tmp_path / "школы.csv"
    schools.write_bytes(SCHOOLS.encode("cp1251"))

    dry = _cli(tmp_path, "org", "import", str(schools), "--parent", "артёмовский го", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "«Артёмовский ГО»: школ в списке 3 — новых 3, изменится 0, без изменений 0; "
        "руководителей новых 2, сменилось или уточнено 0.",
        "Строка 3: МБОУ «СОШ №2» — не указан руководитель: школа загрузится, "
        "руководитель останется прежним",
        "Пробный прогон: ничего не записано.",
    ]
    assert "МБОУ" not in _cli(tmp_path, "org", "list").stdout

    loaded = _cli(tmp_path, "org", "import", str(schools), "--parent", "Артёмовский ГО")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines()[-1] == "Список загружен."
    listing = _cli(tmp_path, "org", "list").stdout.splitlines()
    assert listing[2:] == [
        "        МБОУ «Гимназия №3» — школа, Asia/Vladivostok, людей: 1",
        "        МБОУ «СОШ №1» — школа, Asia/Vladivostok, людей: 1",
        "        МБОУ «СОШ №2» — школа, Asia/Vladivostok, людей: 0",
    ]

    again = _cli(tmp_path, "org", "import", str(schools), "--parent", "Артёмовский ГО")
    assert again.returncode == 0, again.stderr
    assert "новых 0, изменится 0, без изменений 3" in again.stdout
    assert len(_cli(tmp_path, "org", "list").stdout.splitlines()) == 5


def test_bad_files_and_parents_are_refused(tmp_path: Path) -> None:
    missing = _cli(tmp_path, "org", "import", str(tmp_path / "нет.csv"), "--parent", "УО")
    assert missing.returncode == 1
    assert "Не удаётся открыть файл" in missing.stderr
    roadmap = tmp_path / "plan.csv"
    roadmap.write_text("Мероприятие;Срок;Ответственный\nСовещание;май;Иванова А.П.\n")
    not_a_list = _cli(tmp_path, "org", "import", str(roadmap), "--parent", "УО")
    assert not_a_list.returncode == 1
    assert "Не нашёл в файле список школ" in not_a_list.stderr
    assert not (tmp_path / "data").exists()  # refused before the database was opened

    schools = tmp_path / "schools.csv"
    schools.write_text(SCHOOLS)
    assert _cli(tmp_path, "org", "add", "МБОУ «СОШ №9»").returncode == 0
    unknown = _cli(tmp_path, "org", "import", str(schools), "--parent", "Нет такой")
    assert unknown.returncode == 1
    assert "Организация «Нет такой» не найдена" in unknown.stderr
    school = _cli(tmp_path, "org", "import", str(schools), "--parent", "МБОУ «СОШ №9»")
    assert school.returncode == 2
    assert "не может включать школы" in school.stderr
    assert "Traceback" not in school.stderr
