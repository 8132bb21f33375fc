"""No upload can take the bot down: zip bombs, 20,000-row tables and deep nests are refused."""

from __future__ import annotations

import pytest

from roadmap.readers import docx as docx_reader
from roadmap.readers import read_roadmap, read_text
from roadmap.table import MAX_ROWS, RoadmapReadError
from surveys.loading import DefinitionError, is_survey_workbook, load_xlsx
from tests.roadmap.hostile import (
    bomb_docx,
    bomb_xlsx,
    huge_cell_docx,
    nested_docx,
    rows_csv,
    rows_docx,
    rows_text,
    rows_xlsx,
    with_declared_size,
)

ROWS = {"docx": rows_docx, "xlsx": rows_xlsx, "csv": rows_csv}


def _refusal(data: bytes, name: str) -> RoadmapReadError:
    with pytest.raises(RoadmapReadError) as refused:
        read_roadmap(data, name)
    return refused.value


@pytest.mark.parametrize("bomb", [bomb_docx, bomb_xlsx], ids=["docx", "xlsx"])
def test_zip_bombs_are_refused(bomb: object) -> None:
    data = bomb(4 * 2**20)  # type: ignore[operator]
    name = "plan.docx" if bomb is bomb_docx else "plan.xlsx"
    refusal = _refusal(data, name)
    assert refusal.code == "archive_too_large"
    assert refusal.params == {"limit": "48"}


def test_a_declared_gigabyte_is_refused_before_anything_is_inflated() -> None:
    data = with_declared_size(rows_docx(3), "word/document.xml", 2**30)
    assert _refusal(data, "plan.docx").code == "archive_too_large"


def test_a_member_inflating_past_its_declared_size_is_damage_not_memory() -> None:
    data = with_declared_size(rows_docx(3), "word/document.xml", 500)
    assert _refusal(data, "plan.docx").code == "corrupt"


@pytest.mark.parametrize("kind", sorted(ROWS))
def test_20000_rows_are_refused_in_every_format(kind: str) -> None:
    refusal = _refusal(ROWS[kind](20_000), f"plan.{kind}")
    assert refusal.code == "too_many_rows"
    assert refusal.params == {"limit": "5\u00a0000"}


def test_20000_rows_of_text_are_refused() -> None:
    with pytest.raises(RoadmapReadError) as refused:
        read_text(rows_text(20_000))
    assert refused.value.code == "too_many_rows"
    assert _refusal(rows_text(20_000).encode(), "plan.txt").code == "too_many_rows"


@pytest.mark.parametrize("kind", ["csv", "txt"])
def test_the_cap_counts_table_rows_header_included(kind: str) -> None:
    def build(activities: int) -> bytes:
        return rows_csv(activities) if kind == "csv" else rows_text(activities).encode()

    # A title line and the header sit above the activities.
    assert len(read_roadmap(build(MAX_ROWS - 2), f"plan.{kind}").activities) == MAX_ROWS - 2
    assert _refusal(build(MAX_ROWS), f"plan.{kind}").code == "too_many_rows"


def test_docx_rows_are_counted_across_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader, "MAX_ROWS", 6)
    monkeypatch.setattr(docx_reader, "_CHUNK", 5)  # every tag split somewhere
    docx_reader._scan_tables(rows_docx(5))  # header + 5 rows
    with pytest.raises(RoadmapReadError) as refused:
        docx_reader._scan_tables(rows_docx(6))
    assert refused.value.code == "too_many_rows"


def test_empty_formatted_rows_past_the_cap_do_not_count() -> None:
    roadmap = read_roadmap(rows_xlsx(10, empty_rows_after=MAX_ROWS), "plan.xlsx")
    assert len(roadmap.activities) == 10


def test_a_long_sheet_before_the_roadmap_sheet_does_not_count() -> None:
    import io

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(rows_xlsx(3)))
    pupils = workbook.create_sheet("Ученики", 0)
    for number in range(1, MAX_ROWS + 100):
        pupils.append([number, f"Ученик {number}"])
    out = io.BytesIO()
    workbook.save(out)
    assert len(read_roadmap(out.getvalue(), "plan.xlsx").activities) == 3


@pytest.mark.parametrize("depth", [11, 200])
def test_deeply_nested_tables_are_refused(depth: int) -> None:
    refusal = _refusal(nested_docx(depth), "plan.docx")
    assert refusal.code == "nested_tables"
    assert refusal.params == {"limit": "10"}


def test_the_walk_refuses_deep_nests_whatever_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader, "_scan_tables", lambda data: None)
    assert _refusal(nested_docx(12), "plan.docx").code == "nested_tables"


def test_a_table_nested_a_few_levels_is_still_read() -> None:
    roadmap = read_roadmap(nested_docx(3), "plan.docx")
    assert [activity.title for activity in roadmap.activities] == ["Совещание"]


def test_the_survey_template_reader_uses_the_same_check() -> None:
    bomb = bomb_xlsx(4 * 2**20)
    assert not is_survey_workbook(bomb)
    with pytest.raises(DefinitionError) as refused:
        load_xlsx(bomb)
    assert refused.value.key == "upload.archive.too_large"


def test_a_cell_past_the_parsers_limit_is_said_to_be_too_large_not_damaged() -> None:
    refusal = _refusal(huge_cell_docx(11_000_000), "plan.docx")
    assert refusal.code == "cell_too_large"
