"""core.archives: zip limits read from the directory, markup counted as a stream."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from core.archives import (
    DEFAULT_LIMITS,
    ArchiveLimits,
    ArchiveRefused,
    check_archive,
    check_declared,
    check_markup,
)
from surveys.loading import sample_files
from tests.roadmap.hostile import bomb_docx, bomb_xlsx, rows_docx, with_declared_size

DATA = Path(__file__).resolve().parents[1] / "data" / "roadmaps" / "docx"


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _key(data: bytes, limits: ArchiveLimits = DEFAULT_LIMITS, **kwargs: object) -> str:
    with pytest.raises(ArchiveRefused) as refused:
        check_archive(data, limits=limits, **kwargs)  # type: ignore[arg-type]
    return refused.value.key


@pytest.mark.parametrize("path", sorted(DATA.glob("*.docx")), ids=lambda path: path.stem)
def test_real_roadmaps_pass(path: Path) -> None:
    check_archive(path.read_bytes())


def test_the_survey_sample_workbook_passes() -> None:
    check_archive(dict(sample_files())["survey.xlsx"])


def test_a_declared_gigabyte_is_refused_without_inflating() -> None:
    # The compressed bytes stay those of a small member: inflating would fail with BadZipFile.
    data = with_declared_size(rows_docx(3), "word/document.xml", 2**30)
    assert _key(data) == "upload.archive.too_large"


def test_a_bomb_docx_and_xlsx_are_refused_by_their_ratio() -> None:
    for bomb in (bomb_docx(4 * 2**20), bomb_xlsx(4 * 2**20)):
        assert len(bomb) < 64 * 1024
        with pytest.raises(ArchiveRefused) as refused:
            check_declared(bomb)  # the directory alone tells: nothing is inflated
        assert refused.value.key == "upload.archive.too_large"
        assert refused.value.params == {"limit": "48"}


def test_each_declared_limit() -> None:
    small = ArchiveLimits(
        max_directory_bytes=10_000,
        max_members=3,
        max_member_bytes=1000,
        max_total_bytes=1500,
    )
    check_archive(_zip({"a.txt": b"x" * 900, "b.txt": b"y" * 500}), limits=small)
    assert _key(_zip({"a.txt": b"x" * 1001}), small) == "upload.archive.too_large"
    assert _key(_zip({"a": b"x" * 900, "b": b"y" * 700}), small) == "upload.archive.too_large"
    assert _key(_zip({str(i): b"" for i in range(4)}), small) == "upload.archive.too_large"
    many = _zip({f"member-{i:05}.xml": b"" for i in range(300)})
    assert _key(many, ArchiveLimits(max_directory_bytes=10_000)) == "upload.archive.too_large"


def test_ratio_applies_above_a_megabyte_only() -> None:
    check_archive(_zip({"empty-sheet.xml": b" " * 1_000_000}))  # tiny but legitimate
    assert _key(_zip({"bomb.bin": b"\0" * 2_000_000})) == "upload.archive.too_large"
    check_archive(_zip({"stored.bin": b"\0" * 2_000_000}, zipfile.ZIP_STORED))


def test_markup_counts_elements_and_attributes_of_xml_members_only() -> None:
    limits = ArchiveLimits(max_markup=301)
    xml = b"<a>" + b'<b c="1"/>' * 100 + b"</a>"  # 101 elements, 100 attributes counting two
    check_archive(_zip({"part.xml": xml}), limits=limits)
    heavier = b"<a>" + b'<b c="1"/>' * 101 + b"</a>"
    assert _key(_zip({"part.xml": heavier}), limits) == "upload.archive.too_complex"
    # Not XML (an image): not counted. A part the reader streams: counted half.
    check_archive(_zip({"media/image.png": b"\x89PNG" + b"<=" * 1000}), limits=limits)
    streamed = ("xl/worksheets/",)
    check_markup(_zip({"xl/worksheets/sheet1.xml": heavier}), limits=limits, streamed=streamed)
    double = b"<a>" + b'<b c="1"/>' * 201 + b"</a>"  # 604 nodes, 302 counted
    refused = _key(_zip({"xl/worksheets/sheet1.xml": double}), limits, streamed=streamed)
    assert refused == "upload.archive.too_complex"


def test_damaged_archives_raise_bad_zip_file() -> None:
    with pytest.raises(zipfile.BadZipFile):
        check_archive(b"PK\x03\x04 not really a zip")


def test_zipfile_never_returns_more_than_the_declared_size() -> None:
    """The guarantee the declared checks rest on: python-docx and openpyxl read via zipfile."""
    real = b"<w:p/>" * 200_000
    archive = _zip({"word/document.xml": real})
    lying = with_declared_size(archive, "word/document.xml", 1000)
    check_declared(lying)  # 1000 bytes declared: within every limit
    with pytest.raises(zipfile.BadZipFile):  # the markup count reads it, and sees the lie
        check_archive(lying)
    got = b""
    with (
        zipfile.ZipFile(io.BytesIO(lying)) as opened,
        opened.open("word/document.xml") as member,
        pytest.raises(zipfile.BadZipFile),  # the CRC of the first 1000 bytes does not match
    ):
        while chunk := member.read(100):
            got += chunk
    assert len(got) <= 1000
