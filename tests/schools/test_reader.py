"""Reading a list of schools and their heads: header by meaning, CSV and Excel, bad rows."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from schools import (
    MAX_ROWS,
    ProblemKind,
    SchoolsReadError,
    is_schools_list,
    read_schools,
    school_key,
)
from tests.roadmap.hostile import bomb_xlsx

ROADMAPS = Path(__file__).resolve().parents[1] / "data" / "roadmaps"


def _csv(rows: Sequence[Sequence[str]], delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    return "\r\n".join(delimiter.join(row) for row in rows).encode(encoding)


def _xlsx(rows: Sequence[Sequence[object]], *, hidden_first: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if hidden_first:
        sheet.append(["Служебный лист"])
        sheet.sheet_state = "hidden"
        sheet = workbook.create_sheet("Школы")
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


LIST = [
    ["Список образовательных организаций Артёмовского ГО"],
    ["№ п/п", "Наименование ОО", "ФИО руководителя", "Должность", "Телефон"],
    ["1", "МБОУ «СОШ №2»", "Иванова Анна Петровна", "директор", "8-423-000"],
    ["2", "МБОУ «Гимназия №1»", "Петров П.П.", "", ""],
]


def _summary(data: bytes, name: str) -> list[tuple[str, str | None, str | None]]:
    return [(row.name, row.head, row.position) for row in read_schools(data, name).rows]


EXPECTED = [
    ("МБОУ «СОШ №2»", "Иванова Анна Петровна", "директор"),
    ("МБОУ «Гимназия №1»", "Петров П.П.", None),
]


@pytest.mark.parametrize(
    ("header", "order"),
    [
        (["Наименование ОО", "ФИО руководителя", "Должность"], [0, 1, 2]),
        (["Образовательная организация", "Директор", "Должность"], [0, 1, 2]),
        (["Должность руководителя", "Школа", "Ф.И.О. директора"], [2, 0, 1]),
        (["Руководитель ОО", "Адрес ОО", "Полное наименование ОО", "Должность"], [1, 9, 0, 2]),
    ],
)
def test_the_header_is_found_by_meaning_in_any_order(header: list[str], order: list[int]) -> None:
    values = [
        ["МБОУ «СОШ №2»", "Иванова Анна Петровна", "директор"],
        ["МБОУ «Гимназия №1»", "Петров П.П.", ""],
    ]
    rows = [header] + [[row[i] if i < 3 else "ул. Ленина, 1" for i in order] for row in values]
    assert _summary(_csv(rows), "list.csv") == EXPECTED


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "cp1251"), (",", "utf-8")])
def test_csv_in_either_delimiter_and_encoding(delimiter: str, encoding: str) -> None:
    rows = [[f'"{cell}"' if "," in cell or '"' in cell else cell for cell in row] for row in LIST]
    rows = [[cell.replace("«", "«") for cell in row] for row in rows]
    assert _summary(_csv(rows, delimiter, encoding), "list.csv") == EXPECTED


def test_csv_with_a_bom_and_quoted_commas() -> None:
    data = '\ufeffШкола,Директор\r\n"МБОУ «СОШ №2», г. Артём",Иванова А.П.\r\n'.encode()
    assert _summary(data, "x.csv") == [("МБОУ «СОШ №2», г. Артём", "Иванова А.П.", None)]


def test_xlsx_reads_the_first_visible_sheet_with_the_header() -> None:
    assert _summary(_xlsx(LIST, hidden_first=True), "list.xlsx") == EXPECTED
    # A phone sends the file without its extension: the bytes tell it is a workbook.
    assert _summary(_xlsx(LIST), "document") == EXPECTED


def test_rows_with_problems_are_reported_and_the_rest_is_read() -> None:
    rows = [
        ["Школа", "ФИО руководителя"],
        ["МБОУ СОШ №3", ""],
        ["МБОУ СОШ №4", "вакансия"],
        ["", ""],
        ["МАОУ «СОШ № 3»", "Сидорова С.С."],
        ["", "Кузнецов К.К."],
        ["1", "2"],
        ["Школа", "ФИО руководителя"],
        ["Лицей №7" * 50, "Орлова О.О."],
        ["МБОУ СОШ №5", "Иванова А.А., Петров П.П."],
    ]
    table = read_schools(_csv(rows), "x.csv")
    assert [(row.line, row.name, row.head) for row in table.rows] == [
        (2, "МБОУ СОШ №3", None),
        (3, "МБОУ СОШ №4", None),
        (10, "МБОУ СОШ №5", None),
    ]
    assert [(problem.line, problem.kind) for problem in table.problems] == [
        (2, ProblemKind.NO_HEAD),
        (3, ProblemKind.BAD_HEAD),
        (5, ProblemKind.DUPLICATE),
        (6, ProblemKind.NO_SCHOOL),
        (9, ProblemKind.LONG_NAME),
        (10, ProblemKind.BAD_HEAD),
    ]
    assert table.problems[1].text == "МБОУ СОШ №4: вакансия"
    assert table.problems[4].text.endswith("…")


def test_head_names_are_keyed_like_the_roadmaps_people() -> None:
    rows = [["ОО", "ФИО"], ["СОШ №2", "ИВАНОВА АННА ПЕТРОВНА"], ["СОШ №3", "А.П. Петрова"]]
    table = read_schools(_csv(rows), "x.csv")
    assert [(row.head, row.head_key) for row in table.rows] == [
        ("Иванова А.П.", "иванова а.п."),
        ("А.П. Петрова", "петрова а.п."),
    ]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "list.csv", "empty"),
        (b"\xef\xbb\xbf \r\n", "list.csv", "empty"),
        (b"just some words\nand more", "list.csv", "not_a_list"),
        (
            _csv([["Мероприятие", "Срок", "Ответственный"], ["Совещание", "май", "Иванова А.П."]]),
            "plan.csv",
            "not_a_list",
        ),
        (_csv([["Наименование ОО", "ФИО руководителя"]]), "list.csv", "no_rows"),
        (b"%PDF-1.4 \x00\x01", "list.pdf", "unsupported_format"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "list.xls", "unsupported_format"),
        (b"PK\x03\x04 broken", "list.xlsx", "corrupt"),
        (b"plain text", "list.xlsx", "corrupt"),
    ],
    ids=["nothing", "bom", "prose", "roadmap", "header", "pdf", "xls", "zip", "fake-xlsx"],
)
def test_files_that_are_not_a_list_are_refused_clearly(data: bytes, name: str, code: str) -> None:
    with pytest.raises(SchoolsReadError) as refused:
        read_schools(data, name)
    assert refused.value.code == code
    # A header without rows is a list (an empty one): the chat says so rather than pass it on.
    assert is_schools_list(data, name) is (code == "no_rows")


def test_a_word_file_is_not_a_list() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(SchoolsReadError) as refused:
        read_schools(out.getvalue(), "plan.docx")
    assert refused.value.code == "not_a_list"


@pytest.mark.parametrize("make", [_csv, _xlsx])
def test_more_rows_than_the_cap_are_refused_not_cut(make: object) -> None:
    header = [["Школа", "Директор"]]
    fits = header + [[f"СОШ №{i}", "Иванова А.П."] for i in range(1, MAX_ROWS)]
    assert callable(make)
    assert len(read_schools(make(fits), "x").rows) == MAX_ROWS - 1
    too_many = [*fits, ["СОШ №последняя", "Петров П.П."]]
    with pytest.raises(SchoolsReadError) as refused:
        read_schools(make(too_many), "x")
    assert refused.value.code == "too_many_rows"
    assert refused.value.params == {"limit": str(MAX_ROWS)}


def test_is_schools_list_tells_a_list_from_a_roadmap() -> None:
    assert is_schools_list(_csv(LIST), "list.csv")
    assert is_schools_list(_xlsx(LIST), "list.xlsx")
    roadmap = [["№", "Наименование мероприятия", "Сроки", "Ответственный руководитель"]]
    assert not is_schools_list(_xlsx(roadmap), "plan.xlsx")
    with_school_words = [
        ["Наименование ОО", "Руководитель", "Срок"],
        ["Утверждение школьного координатора", "", "заместитель директора по УВР"],
    ]
    assert not is_schools_list(_csv(with_school_words, "\t"), "plan.txt")


def test_no_roadmap_of_the_test_data_is_taken_for_a_list() -> None:
    files = [path for path in ROADMAPS.rglob("*") if path.is_file()]
    assert files
    assert [path.name for path in files if is_schools_list(path.read_bytes(), path.name)] == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("МБОУ «СОШ №2»", "МБОУ СОШ № 2"),
        ("МБОУ «СОШ №2»", "МАОУ «СОШ №2»"),
        ("МБОУ «СОШ №2»", 'мбоу  "сош n2"'),
        ("Муниципальное бюджетное общеобразовательное учреждение «СОШ №2»", "МБОУ СОШ №2"),
        ("МБОУ «Лицей им. Ё.Ё. Ёлкина»", "МБОУ «Лицей им. Е.Е. Елкина»"),
    ],
)
def test_spellings_of_one_school_share_a_key(one: str, other: str) -> None:
    assert school_key(one) == school_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("МБОУ «СОШ №2»", "МБОУ «СОШ №12»"),
        ("МБОУ «СОШ №2»", "МБОУ «Гимназия №2»"),
        ("МБОУ «СОШ №2» с. Ивановка", "МБОУ «СОШ №2»"),
        ("МБОУ", "МАОУ"),
    ],
)
def test_distinct_schools_keep_distinct_keys(one: str, other: str) -> None:
    assert school_key(one) != school_key(other)


def test_a_zip_bomb_posing_as_a_schools_list_is_refused_before_it_inflates() -> None:
    bomb = bomb_xlsx(8 * 2**20)
    with pytest.raises(SchoolsReadError) as refused:
        read_schools(bomb, "школы.xlsx")
    assert refused.value.code == "archive_too_large"
    assert not is_schools_list(bomb, "школы.xlsx")
