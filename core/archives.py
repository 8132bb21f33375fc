"""Limits on zip-based uploads (.docx, .xlsx), checked before any reader opens them.

A 1 MB .docx can declare a member that inflates to 1 GiB, and python-docx and openpyxl read
what the archive holds without asking how much that is. So, before a reader runs:

1. From the zip's own directory, nothing inflated: at most ``max_directory_bytes`` of central
   directory (parsing it costs memory per entry), at most ``max_members`` members, each
   declaring at most ``max_member_bytes`` uncompressed, all together at most
   ``max_total_bytes``, and no member over 1 MiB compressing more than ``max_ratio`` to one
   (real Office XML compresses 20-35 times; deflate's ceiling, about 1,030, is a bomb's).
2. Then the XML members are inflated as a stream, a chunk at a time, to count their markup:
   an XML tree costs about 115 bytes per element and 215 per attribute in lxml whatever the
   bytes, so ``max_markup`` bounds the trees a reader builds ("nodes": an element counts one,
   an attribute two). Members a reader streams (``streamed`` prefixes, e.g. the worksheets
   openpyxl reads row by row in read-only mode) count half: streaming keeps less, but not
   nothing (read-only openpyxl, opening a sheet without its <dimension>, parses it whole and
   keeps one emptied element per row, ~85 bytes).

A declared size cannot be a lie that gets through: ``zipfile`` never returns more than a
member's declared size (it stops there, and a CRC mismatch raises BadZipFile), and both
python-docx and openpyxl read members through ``zipfile``; tests/unit/test_archives.py checks it.

With the default limits no upload of Telegram's 20 MB can make a reader use more than about
150 MB (bench/uploads.py measures it), and the largest real roadmaps pass with room to spare.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import UserFacingError

__all__ = [
    "DEFAULT_LIMITS",
    "ArchiveLimits",
    "ArchiveRefused",
    "check_archive",
    "check_declared",
    "check_markup",
]

_MIB = 1024 * 1024
_CHUNK = _MIB
_RATIO_GRACE_BYTES = _MIB  # small members compress absurdly well (empty sheets, settings)
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class ArchiveLimits:
    max_directory_bytes: int = _MIB
    max_members: int = 5_000
    max_member_bytes: int = 32 * _MIB
    max_total_bytes: int = 48 * _MIB
    max_ratio: int = 200
    max_markup: int = 750_000  # ≈ 80 MB of lxml tree at worst


DEFAULT_LIMITS = ArchiveLimits()


class ArchiveRefused(UserFacingError):
    """An archive over a limit. Keys: ``upload.archive.too_large`` (sizes, members, ratio),
    ``upload.archive.too_complex`` (markup); the first carries ``limit`` in megabytes."""


def check_archive(
    data: bytes, *, limits: ArchiveLimits = DEFAULT_LIMITS, streamed: Sequence[str] = ()
) -> None:
    """Refuse a zip over ``limits``: declared sizes first (nothing inflated), then markup.

    Raises ArchiveRefused over a limit, zipfile.BadZipFile when the archive is damaged.
    """
    check_declared(data, limits=limits)
    check_markup(data, limits=limits, streamed=streamed)


def check_declared(data: bytes, *, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
    """What the zip's directory says, checked without inflating anything."""
    directory = _directory_bytes(data)
    if directory is not None and directory > limits.max_directory_bytes:
        raise _too_large(limits)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    if len(members) > limits.max_members:
        raise _too_large(limits)
    total = 0
    for member in members:
        size = member.file_size
        total += size
        if size > limits.max_member_bytes or total > limits.max_total_bytes:
            raise _too_large(limits)
        if size > _RATIO_GRACE_BYTES and size > limits.max_ratio * max(1, member.compress_size):
            raise _too_large(limits)


def check_markup(
    data: bytes, *, limits: ArchiveLimits = DEFAULT_LIMITS, streamed: Sequence[str] = ()
) -> None:
    """Markup of the XML members, inflated a chunk at a time; call after check_declared."""
    nodes = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            counted = _member_markup(archive, member)
            nodes += counted // 2 if member.filename.startswith(tuple(streamed)) else counted
            if nodes > limits.max_markup:
                raise ArchiveRefused("upload.archive.too_complex")


def _member_markup(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    nodes = 0
    with archive.open(member) as stream:
        chunk = stream.read(_CHUNK)
        if not _is_xml(chunk):
            return 0  # an image or another binary part: its size was checked, nothing parses it
        while chunk:
            # Each element has one "<" (its end tag another, but "</"), each attribute one "=".
            nodes += chunk.count(b"<") - chunk.count(b"</") + 2 * chunk.count(b"=")
            chunk = stream.read(_CHUNK)
    return nodes


def _is_xml(head: bytes) -> bool:
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    return head.lstrip(b" \t\r\n\x00").startswith(b"<")


def _directory_bytes(data: bytes) -> int | None:
    """Size of the central directory from the end record; None when there is none to read
    (then zipfile itself refuses the archive as damaged)."""
    end = data.rfind(_EOCD, max(0, len(data) - _EOCD_SIZE - 0xFFFF))
    if end < 0 or end + _EOCD_SIZE > len(data):
        return None
    entries, size = struct.unpack_from("<HI", data, end + 10)
    if entries != 0xFFFF and size != 0xFFFFFFFF:
        return int(size)
    # Zip64: the real figures are in the zip64 end record the locator points to.
    locator = end - 20
    if locator < 0 or data[locator : locator + 4] != _ZIP64_LOCATOR:
        return None
    (record,) = struct.unpack_from("<Q", data, locator + 8)
    if record + 56 > len(data) or data[record : record + 4] != _ZIP64_EOCD:
        return len(data)  # unreadable: count the whole file as directory, the worst case
    (size64,) = struct.unpack_from("<Q", data, record + 40)
    return int(size64)


def _too_large(limits: ArchiveLimits) -> ArchiveRefused:
    return ArchiveRefused("upload.archive.too_large", limit=_megabytes(limits.max_total_bytes))


def _megabytes(size: int) -> str:
    return str(size // _MIB)
