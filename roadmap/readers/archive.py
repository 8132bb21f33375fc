"""The zip limits of core.archives, refused as RoadmapReadErrors the upload flow can explain."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence

from core.archives import ArchiveRefused, check_declared, check_markup
from roadmap.table import RoadmapReadError

_CODES = {
    "upload.archive.too_large": "archive_too_large",
    "upload.archive.too_complex": "archive_too_complex",
}


def declared_sizes_checked(data: bytes, file_format: str) -> None:
    """Members, sizes and ratios as the zip declares them; nothing is inflated."""
    try:
        check_declared(data)
    except ArchiveRefused as error:
        raise refusal(error) from error
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise RoadmapReadError("corrupt", format=file_format) from error


def markup_checked(data: bytes, file_format: str, streamed: Sequence[str] = ()) -> None:
    """The XML a reader will hold as a tree, counted while inflating a chunk at a time."""
    try:
        check_markup(data, streamed=streamed)
    except ArchiveRefused as error:
        raise refusal(error) from error
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise RoadmapReadError("corrupt", format=file_format) from error


def unreadable(error: Exception, file_format: str) -> RoadmapReadError:
    """What a reader's failure to open a package means for the person who sent it: a cell
    whose text is over the XML parser's limit (about 10 MB in one node) is not a damaged file
    and is said so; anything else is damage."""
    if "Text node too long" in str(error) or "huge text node" in str(error).lower():
        return RoadmapReadError("cell_too_large", format=file_format)
    return RoadmapReadError("corrupt", format=file_format)


def refusal(error: ArchiveRefused) -> RoadmapReadError:
    params = {name: str(value) for name, value in error.params.items()}
    return RoadmapReadError(_CODES.get(error.key, "archive_too_large"), **params)
