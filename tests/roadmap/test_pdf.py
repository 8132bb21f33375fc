"""PDF roadmaps: the seeds as LibreOffice prints them, built tables, scans and hostile files.

tests/data/roadmaps/pdf/ holds the five seed .docx files converted by LibreOffice
(`soffice --headless --convert-to pdf`) and one page of school-tech rendered to a picture and
wrapped into a PDF without text (`pdftoppm -r 80 -gray` and Pillow), as a scanner makes it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pdfminer.pdfinterp import PDFResourceManager

from core.pdf_streams import check_pdf_streams
from roadmap.readers import pdf as pdf_reader
from roadmap.readers import read_roadmap
from roadmap.readers.pdf import MAX_PAGES
from roadmap.table import RoadmapReadError
from tests.cli import run_cli
from tests.roadmap import pdfs
from tests.roadmap.corpus import ROADMAPS, output

SEEDS = (
    "school-tech-cluster-2022",
    "municipal-order-with-roadmap-2022",
    "municipal-clusters-plan-2022",
    "effective-school-district-2022",
    "lyceum-diaries-2023-2028",
)
SCANNED = ROADMAPS / "pdf" / "school-tech-cluster-2022-scanned.pdf"

Json = dict[str, Any]

# Where the PDF cannot say what the Word file says. A PDF has lines, not paragraphs: where a
# line ends with a full stop, the next starts with a capital and its first word would not
# have fitted on the line anyway, the break is read as a paragraph's end (effective-school's
# "…ШНОР и ШНСУ." / "Создание/…" is one in the .docx). In two lyceum cells the .docx has one
# paragraph there, so the PDF's text has a line break where the Word file has a space. Row
# and sense are the same; the text of a preview shows the sentence on a line of its own.
PDF_DIFFERS: dict[str, dict[tuple[str, str], str]] = {
    "lyceum-diaries-2023-2028": {
        ("таблица, строка 5", "result"): "Выявление текущих проблем.\nПолучение обратной связи",
        ("таблица, строка 23", "title"): (
            "Обновление технического оборудования.\n"
            "Проведение аудита текущего технического оснащения лицея"
        ),
    },
}


def _seed(name: str, form: str) -> Json:
    return output(ROADMAPS / form / f"{name}.{form}")


def _with_pdf_differences(name: str, data: Json) -> Json:
    copy: Json = json.loads(json.dumps(data))
    differs = dict(PDF_DIFFERS.get(name, {}))
    for activity in copy["activities"]:
        for row in (activity, *activity["steps"]):
            for key in ("title", "result"):
                row[key] = differs.pop((row["source"], key), row[key])
    assert not differs, f"pinned differences not found: {differs}"
    return copy


@pytest.mark.parametrize("name", SEEDS)
def test_seed_pdf_reads_as_its_docx(name: str) -> None:
    """Same activities, steps, sections, deadlines, people, warnings and row numbers."""
    assert _seed(name, "pdf") == _with_pdf_differences(name, _seed(name, "docx"))


def test_seed_pdf_title_and_organisation_as_its_docx() -> None:
    for name in SEEDS:
        docx = read_roadmap((ROADMAPS / "docx" / f"{name}.docx").read_bytes(), "plan.docx")
        pdf = read_roadmap((ROADMAPS / "pdf" / f"{name}.pdf").read_bytes(), "plan.pdf")
        assert pdf.title == docx.title
        assert pdf.columns == docx.columns


def test_seed_pdfs_are_small() -> None:
    for path in (ROADMAPS / "pdf").glob("*.pdf"):
        assert path.stat().st_size < 100_000, path.name


def _refusal(data: bytes, file_name: str = "plan.pdf") -> RoadmapReadError:
    with pytest.raises(RoadmapReadError) as refused:
        read_roadmap(data, file_name)
    return refused.value


def test_scanned_seed_is_refused_as_a_scan() -> None:
    assert _refusal(SCANNED.read_bytes()).code == "pdf_scanned"


def test_a_scan_is_a_scan_whatever_its_name() -> None:
    assert _refusal(pdfs.scanned_pdf(pages=3), "document").code == "pdf_scanned"


# --- built tables ------------------------------------------------------------------------------

PEOPLE = "Петрова А.В., заместитель директора по УВР\nСидоров К.Л., педагог-психолог"
LONG = (
    "Совещание с педагогами по итогам входного мониторинга и опроса родителей обучающихся "
    "10 класса о ходе реализации проекта и о планах на второе полугодие"
)


def _rows(count: int) -> list[tuple[str, str, str, str]]:
    return [
        (
            f"{number}.",
            f"Заседание методического объединения № {number}: анализ результатов "
            "диагностических работ и корректировка рабочих программ",
            f"до {number % 28 + 1:02d}.03.2025",
            "Иванова И.И., руководитель ШМО",
        )
        for number in range(1, count + 1)
    ]


def test_a_table_over_several_pages_is_one_table_without_its_repeated_header() -> None:
    data = pdfs.table_pdf(_rows(60))
    raw = read_roadmap(data, "plan.pdf")
    assert [activity.number for activity in raw.activities] == [str(n) for n in range(1, 61)]
    assert all(activity.deadline_text.startswith("до ") for activity in raw.activities)
    assert raw.warnings == ()
    assert raw.title == pdfs.TITLE
    # Table rows count over the pages, the repeated headers left out.
    assert raw.activities[-1].source_ref == "таблица, строка 61"


def test_a_running_header_and_page_numbers_are_not_rows() -> None:
    raw = read_roadmap(pdfs.running_header_pdf(_rows(60)), "plan.pdf")
    assert [activity.number for activity in raw.activities] == [str(n) for n in range(1, 61)]
    assert {activity.section for activity in raw.activities} == {None}
    assert raw.warnings == ()


def test_wrapped_lines_are_one_paragraph_and_paragraphs_stay_apart() -> None:
    raw = read_roadmap(pdfs.table_pdf([("1.", LONG, "до 10.10.2024 г.", PEOPLE)]), "plan.pdf")
    (activity,) = raw.activities
    assert activity.title == LONG
    assert activity.responsible_text == PEOPLE
    assert activity.deadline_text == "до 10.10.2024 г."


def test_a_list_in_a_cell_keeps_one_item_a_line() -> None:
    cell = "Подготовлены:\n- приказ о рабочей группе;\n- план-график мероприятий"
    raw = read_roadmap(
        pdfs.table_pdf([("1.", cell, "сентябрь 2024 г.", "Петрова А.В.")]), "plan.pdf"
    )
    assert raw.activities[0].title == (
        "Подготовлены:\n— приказ о рабочей группе;\n— план-график мероприятий"
    )


def test_a_table_typed_without_rules_is_read_by_its_columns() -> None:
    rows = [
        ("1.", "Совещание с педагогами", "до 10.10.2024", "Петрова А.В."),
        ("2.", "Опрос родителей", "ежемесячно", "Сидоров К.Л."),
    ]
    raw = read_roadmap(pdfs.unruled_pdf(rows), "plan.pdf")
    assert [(a.number, a.title, a.deadline_text, a.responsible_text) for a in raw.activities] == [
        ("1", "Совещание с педагогами", "до 10.10.2024", "Петрова А.В."),
        ("2", "Опрос родителей", "ежемесячно", "Сидоров К.Л."),
    ]


def test_a_scanned_page_in_a_pdf_with_text_is_a_warning_not_a_silent_loss() -> None:
    raw = read_roadmap(pdfs.table_then_scan_pdf(_rows(3)), "plan.pdf")
    assert len(raw.activities) == 3
    assert [(w.code, w.param_dict()) for w in raw.warnings] == [
        ("table.pdf_page_without_text", {"source_ref": "страница 2"})
    ]


def test_a_pdf_without_a_roadmap_table_says_so() -> None:
    assert _refusal(pdfs.text_pdf(2)).code == "not_a_table"


def test_a_pdf_table_without_deadlines_names_its_columns() -> None:
    header = ("№ п/п", "Мероприятие", "Результат", "Ответственные исполнители")
    refusal = _refusal(pdfs.table_pdf([("1.", "Совещание", "Протокол", "Петрова")], header))
    assert refusal.code == "no_deadline_column"


# --- hostile files -----------------------------------------------------------------------------


def test_more_pages_than_the_cap_are_refused_before_any_is_read() -> None:
    refusal = _refusal(pdfs.text_pdf(MAX_PAGES + 1))
    assert (refusal.code, refusal.params) == ("too_many_pages", {"limit": str(MAX_PAGES)})
    assert read_roadmap(pdfs.table_pdf(_rows(2)), "plan.pdf").activities


def test_a_password_protected_pdf_is_refused_as_such() -> None:
    assert _refusal(pdfs.encrypted_pdf(_rows(2))).code == "pdf_encrypted"


@pytest.mark.parametrize(
    ("data", "file_name"),
    [
        ((ROADMAPS / "pdf" / "school-tech-cluster-2022.pdf").read_bytes()[:5000], "plan.pdf"),
        (b"%PDF-1.7\n" + b"\x00" * 64, "plan.pdf"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 1 0 R >>\nendobj\n%%EOF", "plan.pdf"),
        (b"not a pdf at all, but named one", "plan.pdf"),
    ],
    ids=["cut", "zeros", "catalog-loop", "named-pdf"],
)
def test_a_damaged_pdf_is_refused_as_damaged(data: bytes, file_name: str) -> None:
    assert _refusal(data, file_name).code == "pdf_corrupt"


def test_a_stream_bomb_is_refused_before_pdfminer_inflates_it() -> None:
    refusal = _refusal(pdfs.bomb_pdf(100 * 1024 * 1024))
    assert (refusal.code, refusal.params) == ("archive_too_large", {"limit": "96"})


def test_stream_counting_stops_at_the_limit() -> None:
    small = pdfs.bomb_pdf(2 * 1024 * 1024)
    check_pdf_streams(small, max_inflated_bytes=3 * 1024 * 1024)
    with pytest.raises(Exception, match="too_large"):
        check_pdf_streams(small, max_inflated_bytes=1024 * 1024)


def test_every_seed_pdf_passes_the_stream_count() -> None:
    for path in Path(ROADMAPS / "pdf").glob("*.pdf"):
        check_pdf_streams(path.read_bytes())


# --- the command line -------------------------------------------------------------------------


def test_cli_dry_run_reads_a_pdf_as_the_chat_does(tmp_path: Path) -> None:
    path = ROADMAPS / "pdf" / "school-tech-cluster-2022.pdf"
    result = run_cli(tmp_path, "import", str(path), "--dry-run", "--format", "json")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert len(printed["activities"]) == 19
    assert printed["title"] == output(path)["title"]


def test_cli_refuses_a_scan_with_the_same_words_as_the_chat(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "import", str(SCANNED), "--dry-run")
    assert result.returncode == 1
    assert "скан" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_page_too_heavy_to_interpret_is_left_unread_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = pdfs.table_then_scan_pdf(_rows(3))
    heavy = {2}
    monkeypatch.setattr(
        pdf_reader, "_too_many_glyphs", lambda page, resources: page.page_number in heavy
    )
    raw = read_roadmap(data, "plan.pdf")
    assert len(raw.activities) == 3
    assert [(w.code, w.param_dict()) for w in raw.warnings] == [
        ("table.pdf_page_skipped", {"source_ref": "страница 2"})
    ]
    heavy.add(1)  # the table's page too: nothing is left to read it from
    assert _refusal(data).code == "archive_too_complex"


def test_glyphs_are_counted_before_a_page_is_read() -> None:
    dense = pdfs.dense_pdf(pages=1, content_bytes=64 * 1024)  # ~60,000 glyphs
    with pdfplumber.open(io.BytesIO(dense)) as pdf:
        assert pdf_reader._too_many_glyphs(pdf.pages[0], PDFResourceManager())
    seed = (ROADMAPS / "pdf" / "school-tech-cluster-2022.pdf").read_bytes()
    with pdfplumber.open(io.BytesIO(seed)) as pdf:
        assert not any(
            pdf_reader._too_many_glyphs(page, PDFResourceManager()) for page in pdf.pages
        )
    assert _refusal(pdfs.dense_pdf(pages=3, content_bytes=64 * 1024)).code == (
        "archive_too_complex"  # nothing but such pages: nothing to read
    )


def test_instructions_beyond_any_roadmap_are_refused() -> None:
    # One stream of 1 MB drawn on 40 pages: 40 MB to interpret from a file of a few KB.
    data = pdfs.dense_pdf(pages=40, content_bytes=1024 * 1024)
    assert len(data) < 20_000
    assert _refusal(data).code == "archive_too_complex"


def test_more_glyphs_than_a_roadmap_has_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # A hostile page draws a glyph a byte, each ~30 µs to interpret: the cap bounds the time.
    monkeypatch.setattr(pdf_reader, "MAX_CHARS", 5000)
    path = ROADMAPS / "pdf" / "municipal-order-with-roadmap-2022.pdf"  # 6,716 glyphs
    assert _refusal(path.read_bytes()).code == "archive_too_complex"


def test_a_pdf_with_nothing_on_its_pages_is_empty() -> None:
    assert _refusal(pdfs.blank_pdf(2)).code == "empty"
