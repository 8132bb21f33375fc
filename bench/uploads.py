"""Benchmark: memory of reading and parsing hostile and large uploads, one fresh process each.

    .venv/bin/python -m bench.uploads [--only NAME ...] [--keep DIR]

Every case's file is built first, in a subprocess, and written to a temporary directory
(bombs are written as a stream: building a 1 GiB bomb needs no 1 GiB). Then each case runs in
a fresh ``python -c`` subprocess that imports the readers, notes its RSS (``idle``), loads the
file and runs what the bot runs on an upload, ``read_roadmap`` then ``parse_roadmap``, and
reports its peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``). The upload's own bytes
are loaded after ``idle``, so they count against the goal: peak - idle <= 150 MB for any
upload of Telegram's 20 MB. (Linux carries ``ru_maxrss`` over from the parent into a child,
so this process imports no more than the child does and builds nothing itself.)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.archives import DEFAULT_LIMITS
from tests.roadmap import hostile

GOAL_MB = 150.0
_MIB = 1024 * 1024

_CHILD = """
import json, resource, sys, time
import docx, openpyxl, lxml.etree
from roadmap.importer import parse_roadmap
from roadmap.readers import read_roadmap
from roadmap.table import RoadmapReadError

def rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

idle = rss()
started = time.perf_counter()
path, name = sys.argv[1], sys.argv[2]
with open(path, "rb") as source:
    data = source.read()
try:
    raw = read_roadmap(data, name)
    parsed = parse_roadmap(raw)
    outcome = f"read: {len(parsed.activities)} activities"
except RoadmapReadError as error:
    outcome = f"refused: {error.code}"
print(json.dumps({"idle": idle, "peak": rss(), "seconds": time.perf_counter() - started,
                  "outcome": outcome}))
"""


@dataclass(frozen=True)
class Case:
    name: str
    file_name: str
    build: Callable[[], bytes]
    note: str


def _legit_docx(rows: int) -> bytes:
    from bench.import_docx import generate

    return generate(rows, 2022).data


def _worst_docx(element: str) -> bytes:
    """A .docx whose document.xml repeats ``element`` to just under the markup limit: the
    largest XML tree the checks let through. Random digits and whitespace keep the ratio real
    (a plain repetition would be refused as a bomb)."""
    rng = random.Random(12)
    sample = element.format(*(0,) * element.count("{}")).encode()
    count = (DEFAULT_LIMITS.max_markup - _markup_besides_document() - 1_000) // _markup(sample)

    def chunks() -> Iterator[bytes]:
        yield (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
            b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        )
        for _ in range(count):
            values = (rng.randrange(100) for _ in range(element.count("{}")))
            yield (element.format(*values) + " \n\t"[: rng.randrange(4)]).encode()
        yield b"</w:body></w:document>"

    return hostile._replace_member(hostile._base_docx(), "word/document.xml", chunks())


def _markup(xml: bytes) -> int:
    return xml.count(b"<") - xml.count(b"</") + 2 * xml.count(b"=")


def _markup_besides_document() -> int:
    with zipfile.ZipFile(io.BytesIO(hostile._base_docx())) as archive:
        return sum(
            _markup(archive.read(name))
            for name in archive.namelist()
            if name != "word/document.xml" and archive.read(name).lstrip().startswith(b"<")
        )


def _worst_rows_xlsx() -> bytes:
    """Empty rows of a sheet without <dimension>, as many as the markup limit lets through:
    what read-only openpyxl keeps one emptied element of per row. Whitespace varies so the
    ratio stays real."""
    rng = random.Random(13)
    rows = 2 * (DEFAULT_LIMITS.max_markup - 40_000)
    tail = ("<row/>" + " \n\t"[: rng.randrange(4)] for _ in range(rows))
    return hostile._replace_member(
        hostile._base_xlsx(), "xl/worksheets/sheet1.xml", hostile._sheet(iter(()), tail)
    )


def _many_members(size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
        index = 0
        while out.tell() < size * 52 // 120:  # local headers; the directory doubles it
            archive.writestr(f"word/media/m{index:07}.bin", b"")
            index += 1
    return out.getvalue()


def _big_cells(rows: int, size: int, separator: str) -> bytes:
    filler = "Подробное описание мероприятия. " * (size // rows // 60 + 1)
    lines = [hostile.TITLE, separator.join(hostile.HEADER)]
    for number in range(1, rows + 1):
        cells = list(hostile.row_cells(number))
        cells[1] += " " + filler
        lines.append(separator.join(cells))
    return "\n".join(lines).encode("utf-8")


def _pdfs() -> Any:
    """tests.roadmap.pdfs, imported where a file is built: it brings fpdf2 and matplotlib's
    font, and this process must import no more than the child that reads."""
    from tests.roadmap import pdfs

    return pdfs


def _legit_pdf(rows: int) -> bytes:
    return _pdfs().table_pdf(
        [
            (f"{number}.", hostile.row_cells(number)[1], "до 04.10.2022 г.", "Шабанова Н.С.")
            for number in range(1, rows + 1)
        ]
    )


CASES = (
    Case("bomb-docx", "plan.docx", lambda: hostile.bomb_docx(2**30), "document.xml -> 1 GiB"),
    Case("bomb-pdf", "plan.pdf", lambda: _pdfs().bomb_pdf(2**30), "content stream -> 1 GiB"),
    Case(
        "dense-pdf",
        "plan.pdf",
        lambda: _pdfs().dense_pdf(200, 40 * 1000),
        "200 pages of a glyph a byte, just under the page's glyph limit",
    ),
    Case(
        "heavy-pages-pdf",
        "plan.pdf",
        lambda: _pdfs().dense_pdf(200, 2 * 1024 * 1024 - 4096),
        "200 pages drawing one 2 MB stream of glyphs each",
    ),
    Case("legit-2000-pdf", "plan.pdf", lambda: _legit_pdf(2_000), "2,000 rows, 167 pages"),
    Case("bomb-xlsx", "plan.xlsx", lambda: hostile.bomb_xlsx(2**30), "sheet1.xml -> 1 GiB"),
    Case("rows-20000-docx", "plan.docx", lambda: hostile.rows_docx(20_000), "20,000 rows"),
    Case("rows-20000-xlsx", "plan.xlsx", lambda: hostile.rows_xlsx(20_000), "20,000 rows"),
    Case("rows-20000-csv", "plan.csv", lambda: hostile.rows_csv(20_000), "20,000 rows"),
    Case("nested-200-docx", "plan.docx", lambda: hostile.nested_docx(200), "200 deep"),
    Case("many-members", "plan.docx", lambda: _many_members(20 * _MIB), "20 MB of entries"),
    Case(
        "worst-elements-docx",
        "plan.docx",
        lambda: _worst_docx("<w:p/>"),
        "just under the markup limit, empty paragraphs",
    ),
    Case(
        "worst-attributes-docx",
        "plan.docx",
        lambda: _worst_docx('<w:p w:a="{}" w:b="{}" w:c="{}" w:d="{}"/>'),
        "just under the markup limit, 4 attributes each",
    ),
    Case("legit-4990-docx", "plan.docx", lambda: _legit_docx(4_990), "bench.import_docx file"),
    Case("legit-4990-xlsx", "plan.xlsx", lambda: hostile.rows_xlsx(4_990), "4,990 activities"),
    Case(
        "big-cells-csv",
        "plan.csv",
        lambda: _big_cells(4_990, 19 * _MIB, ";"),
        "19 MB, 4,990 rows",
    ),
    Case(
        "big-cells-txt",
        "plan.txt",
        lambda: _big_cells(4_990, 19 * _MIB, "\t"),
        "19 MB, 4,990 tab-separated rows",
    ),
    Case(
        "xlsx-empty-rows",
        "plan.xlsx",
        lambda: hostile.rows_xlsx(10, empty_rows_after=1_300_000),
        "10 rows, then 1.3 million formatted empty rows, no <dimension>",
    ),
    Case(
        "xlsx-worst-rows",
        "plan.xlsx",
        lambda: _worst_rows_xlsx(),
        "empty rows just under the markup limit, no <dimension>",
    ),
)


def _env() -> dict[str, str]:
    path = os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": path}


def _build(case: Case, path: Path) -> None:
    """In a subprocess of its own: this process stays small, and a child's ru_maxrss starts
    from its parent's (Linux keeps the high-water mark across fork and exec)."""
    subprocess.run(
        [sys.executable, "-m", "bench.uploads", "--build", case.name, str(path)],
        env=_env(),
        check=True,
    )


def _run(case: Case, path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), case.file_name],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="*", help="case names to run (default: all)")
    parser.add_argument("--keep", type=Path, help="also keep the built files in this folder")
    parser.add_argument("--build", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        name, target = args.build
        Path(target).write_bytes(next(case for case in CASES if case.name == name).build())
        return 0
    cases = [case for case in CASES if not args.only or case.name in args.only]
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}; goal: peak - idle <= {GOAL_MB:.0f} MB"
    )
    limits = DEFAULT_LIMITS
    print(
        f"limits: {limits.max_members} members, {limits.max_member_bytes // _MIB} MiB a member, "
        f"{limits.max_total_bytes // _MIB} MiB in all, ratio {limits.max_ratio}:1 over 1 MiB, "
        f"{limits.max_markup:,} markup nodes"
    )
    print()
    print(
        f"{'case':<24}{'upload':>10}{'idle MB':>9}{'peak-idle':>11}{'s':>7}  {'verdict':<8}outcome"
    )
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        for case in cases:
            started = time.perf_counter()
            path = Path(folder) / f"{case.name}-{case.file_name}"
            _build(case, path)
            built = time.perf_counter() - started
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / path.name).write_bytes(path.read_bytes())
            result = _run(case, path)
            size = f"{path.stat().st_size / 1024:,.0f} KB"
            if "error" in result:
                failed = True
                print(f"{case.name:<24}{size:>10}  crashed: {result['error']}")
                continue
            idle = float(str(result["idle"]))
            grown = float(str(result["peak"])) - idle
            verdict = "ok" if grown <= GOAL_MB else "OVER"
            failed = failed or verdict != "ok"
            print(
                f"{case.name:<24}{size:>10}{idle:>9.0f}{grown:>11.1f}"
                f"{float(str(result['seconds'])):>7.2f}  {verdict:<8}{result['outcome']}"
                f"  ({case.note}; built in {built:.1f} s)"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
