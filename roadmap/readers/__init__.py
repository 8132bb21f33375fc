"""Read an uploaded roadmap file, whatever its format, into a RawRoadmap.

The format is told by the bytes first and by the file name second: users rename files, and
a phone may send a Word file as "document" with no extension at all.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable
from pathlib import PurePath

from roadmap.readers.archive import declared_sizes_checked
from roadmap.readers.csv import read_csv
from roadmap.readers.docx import read_docx
from roadmap.readers.pdf import read_pdf
from roadmap.readers.text import decode_text, read_text
from roadmap.readers.xlsx import read_xlsx
from roadmap.table import RawActivity, RawRoadmap, RoadmapReadError

__all__ = ["RawActivity", "RawRoadmap", "RoadmapReadError", "read_roadmap", "read_text"]

_Reader = Callable[[], RawRoadmap]

_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# A PDF may have bytes before its header; readers look for it in the first kilobyte.
_PDF_HEADER = b"%PDF-"
_PDF_HEADER_WITHIN = 1024
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"{\\rtf", "rtf"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x1f\x8b", "gzip"),
)
_OFFICE = frozenset({"docx", "xlsx", "doc", "xls", "docm", "xlsm"})
# Refusals that no other reading of the same bytes can overturn: said at once.
_FINAL = frozenset({"too_many_rows", "nested_tables", "archive_too_large", "archive_too_complex"})


def read_roadmap(data: bytes, filename: str) -> RawRoadmap:
    """The roadmap in an uploaded file; RoadmapReadError carries a code a person can be told."""
    extension = PurePath(filename).suffix.lower().lstrip(".")
    if not data.strip() or not data.lstrip(b"\xef\xbb\xbf").strip():
        raise RoadmapReadError("empty")
    if data.startswith(_ZIP):
        return _read_zip(data, extension)
    if data.startswith(_OLE2):
        # Word and Excel keep a password-protected .docx/.xlsx in an OLE2 container whose
        # "EncryptedPackage" stream holds the real file; any other OLE2 is a legacy .doc/.xls.
        if _ENCRYPTED_STREAM in data:
            raise RoadmapReadError("encrypted")
        raise RoadmapReadError("unsupported_format", format=extension or "doc")
    if _PDF_HEADER in data[:_PDF_HEADER_WITHIN]:
        return read_pdf(data)
    if extension == "pdf":
        raise RoadmapReadError("pdf_corrupt")  # named .pdf, but no PDF header
    detected = _signature(data)
    if detected is not None:
        raise RoadmapReadError("unsupported_format", format=detected)
    if extension in _OFFICE or _binary(data):
        # Claims to be a Word/Excel file but is not a zip, or is not text at all.
        code = "corrupt" if extension in _OFFICE else "unsupported_format"
        raise RoadmapReadError(code, format=extension or "binary")
    if extension == "csv":
        return _first_of(lambda: read_csv(data), lambda: read_text(decode_text(data)))
    return _first_of(lambda: read_text(decode_text(data)), lambda: read_csv(data))


def _read_zip(data: bytes, extension: str) -> RawRoadmap:
    # Before even the member list: a directory of a million entries is itself a bomb.
    declared_sizes_checked(data, extension or "zip")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise RoadmapReadError("corrupt", format=extension or "zip") from error
    if "word/document.xml" in names:
        return read_docx(data)
    if "xl/workbook.xml" in names:
        return read_xlsx(data)
    if extension in _OFFICE:
        raise RoadmapReadError("corrupt", format=extension)  # named .docx, but no Word inside
    if "mimetype" in names or "content.xml" in names:
        raise RoadmapReadError("unsupported_format", format=extension or "odf")
    raise RoadmapReadError("unsupported_format", format=extension or "zip")


def _signature(data: bytes) -> str | None:
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp":
        return "heic" if data[8:12] in (b"heic", b"heix", b"mif1") else "video"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _binary(data: bytes) -> bool:
    """Not text: many control characters, or NUL bytes in what is not UTF-8 (outside
    UTF-16). A few stray control characters, a NUL among them, in UTF-8 text are text: it is
    read as text, the strays dropped."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    control = sum(byte < 32 and byte not in (9, 10, 12, 13) for byte in head)
    if control * 10 > len(head):
        return True
    return b"\x00" in head and not _is_utf8(head)


def _is_utf8(head: bytes) -> bool:
    """Whether these first bytes are UTF-8 (a character cut at the end of them aside)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _first_of(*readers: _Reader) -> RawRoadmap:
    """The first reader that finds a roadmap; otherwise the most telling of their refusals."""
    refusals: list[RoadmapReadError] = []
    for reader in readers:
        try:
            return reader()
        except RoadmapReadError as error:
            if error.code in _FINAL:
                raise
            refusals.append(error)
    for code in ("no_deadline_column", "not_a_table", "empty"):
        for refusal in refusals:
            if refusal.code == code:
                raise refusal
    raise refusals[0]
