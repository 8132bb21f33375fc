"""The roadmap corpus: every file under tests/data/roadmaps, and its parse pinned as JSON.

One pinned file per input, under tests/data/expected/corpus/ at the input's own relative path
plus ``.json`` (``pdf/school-tech-cluster-2022.pdf.json``). It holds what
``python -m bot import FILE --dry-run --format json`` prints (``roadmap_to_json``), warnings as
codes rather than sentences so that rewording a message changes no pin; a file the importer
refuses pins its refusal (``{"refused": "pdf_scanned", "params": {}}``).

tests/roadmap/test_corpus.py compares every input with its pin, so an improvement for one kind
of file cannot silently change another. After a deliberate change, re-pin and review the
printed diff (it is the same one the failing test shows) before committing the new pins:

    PYTHONPATH=. python -m tests.roadmap.pin                  # every input
    PYTHONPATH=. python -m tests.roadmap.pin FILE [FILE ...]  # some of them
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from roadmap.importer import PeriodMissing, parse_roadmap, roadmap_to_json
from roadmap.readers import RoadmapReadError, read_roadmap
from roadmap.warnings import ParseWarning

ROOT = Path(__file__).resolve().parents[2]
ROADMAPS = ROOT / "tests" / "data" / "roadmaps"
PINNED = ROOT / "tests" / "data" / "expected" / "corpus"
# What the importer is given; the README beside the roadmaps is not one of them.
SUFFIXES = frozenset({".txt", ".docx", ".xlsx", ".csv", ".pdf"})
PIN_COMMAND = "PYTHONPATH=. python -m tests.roadmap.pin"

Json = dict[str, Any]


def inputs() -> list[Path]:
    """Every roadmap of the corpus, in a stable order."""
    return sorted(
        path for path in ROADMAPS.rglob("*") if path.is_file() and path.suffix in SUFFIXES
    )


def name(path: Path) -> str:
    return path.relative_to(ROADMAPS).as_posix()


def pin_path(path: Path) -> Path:
    return PINNED / f"{name(path)}.json"


def code(warning: ParseWarning) -> str:
    return warning.code


@cache
def output(path: Path) -> Json:
    """The parse of one input, as pinned."""
    try:
        parsed = parse_roadmap(read_roadmap(path.read_bytes(), path.name))
    except RoadmapReadError as error:
        return {"refused": error.code, "params": error.params}
    except PeriodMissing:
        return {"refused": "period_missing", "params": {}}
    return roadmap_to_json(parsed, code)


def pinned(path: Path) -> Json | None:
    target = pin_path(path)
    if not target.is_file():
        return None
    data: Json = json.loads(target.read_text(encoding="utf-8"))
    return data


def serialised(data: Json) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _rows(data: Json) -> Iterator[tuple[str, Json]]:
    for activity in data.get("activities", []):
        yield "", activity
        for step in activity["steps"]:
            yield "↳ ", step


def _lines(data: Json) -> list[str]:
    """One line per field of every row, each naming its row: a diff shows what changed where."""
    lines = [
        f"{key}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in data.items()
        if key != "activities"
    ]
    for mark, row in _rows(data):
        where = f"{mark}{row['source']}"
        for key, value in row.items():
            if key not in ("source", "steps"):
                lines.append(f"{where} | {key}: {json.dumps(value, ensure_ascii=False)}")
    return lines


def changes(expected: Json | None, actual: Json) -> str:
    """The changed rows, as a unified diff of one line per field."""
    diff = difflib.unified_diff(
        _lines(expected or {}), _lines(actual), "pinned", "now", n=1, lineterm=""
    )
    return "\n".join(diff)
