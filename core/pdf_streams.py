"""The PDF counterpart of ``core.archives``: how much a PDF's streams inflate, counted first.

pdfminer (under pdfplumber) inflates each stream it reads (page content, object streams,
fonts) whole, with ``zlib.decompress``: a 20 MB PDF can hold a FlateDecode stream of 20 GB.
So, before a reader opens the file, every stream zlib can inflate is inflated here a chunk at
a time, its output counted and thrown away; more than ``max_inflated_bytes`` in all refuses
the file (the same ``upload.archive.too_large`` as a zip bomb). Images count too: pdfminer
does not decode them, but a hostile file can declare its content stream an image.

Streams are found by their ``stream`` keyword in the bytes rather than through the file's
cross-reference table, which a damaged or hostile file may lack or lie in; zlib itself says
where a stream's data ends. Not counted: Flate data wrapped in ASCII85 or hex, and LZW and
RunLength streams (filters of old PostScript converters, not of Word, LibreOffice or a
scanner's software).
"""

from __future__ import annotations

import re
import zlib

from core.archives import ArchiveRefused

__all__ = ["DEFAULT_MAX_INFLATED", "check_pdf_streams"]

_MIB = 1024 * 1024
# Text PDFs inflate to a few MB (a 200-page roadmap's content and fonts: ~15 MB); a PDF of
# lossless page images more, and such a scan could not be read anyway.
DEFAULT_MAX_INFLATED = 96 * _MIB
_CHUNK = 256 * 1024
_STREAM = re.compile(rb"stream\r?\n")


def check_pdf_streams(data: bytes, max_inflated_bytes: int = DEFAULT_MAX_INFLATED) -> None:
    """Raise ArchiveRefused when the file's zlib streams inflate to more than the limit."""
    total = 0
    for match in _STREAM.finditer(data):
        if data[match.start() - 3 : match.start()] == b"end":
            continue  # "endstream"
        total += _inflated_size(data, match.end(), max_inflated_bytes - total + 1)
        if total > max_inflated_bytes:
            raise ArchiveRefused("upload.archive.too_large", limit=str(max_inflated_bytes // _MIB))


def _inflated_size(data: bytes, start: int, budget: int) -> int:
    """Bytes the zlib stream at ``start`` inflates to, counted up to ``budget``; 0 if none."""
    inflater = zlib.decompressobj()
    size = 0
    position = start
    try:
        while position < len(data) and not inflater.eof and size < budget:
            pending = data[position : position + _CHUNK]
            position += len(pending)
            while pending and size < budget and not inflater.eof:
                size += len(inflater.decompress(pending, _CHUNK))
                pending = inflater.unconsumed_tail  # after the end: the bytes that follow
    except zlib.error:
        return size  # not zlib (an image, another filter) or damaged: counted as far as it went
    return size
