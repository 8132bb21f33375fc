"""Every roadmap under tests/data/roadmaps parses as pinned (tests/roadmap/corpus.py).

The seeds in every form (text export, Word, PDF, the scan): a change to the importer that
helps one of them shows here for all the others. A failure prints the changed rows; when the
change is deliberate and right, re-pin with `PYTHONPATH=. python -m tests.roadmap.pin`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.roadmap.corpus import (
    PIN_COMMAND,
    PINNED,
    changes,
    inputs,
    name,
    output,
    pin_path,
    pinned,
)

INPUTS = inputs()


def test_the_corpus_has_every_seed_in_every_form() -> None:
    kinds = {path.suffix for path in INPUTS}
    assert {".txt", ".docx", ".pdf"} <= kinds
    assert len(INPUTS) >= 16  # five seeds as .txt, .docx and .pdf, and a scan


@pytest.mark.parametrize("path", INPUTS, ids=name)
def test_parse_is_as_pinned(path: Path) -> None:
    expected = pinned(path)
    if expected is None:
        pytest.fail(f"{name(path)} has no pinned output: run `{PIN_COMMAND}` and review it")
    actual = output(path)
    if actual != expected:
        pytest.fail(
            f"{name(path)} parses differently from its pin. Changed rows:\n"
            f"{changes(expected, actual)}\n"
            f"If the change is deliberate and right, re-pin: `{PIN_COMMAND} {path}`"
        )


def test_every_pin_has_its_input() -> None:
    pins = {path.relative_to(PINNED).as_posix() for path in PINNED.rglob("*.json")}
    assert pins == {pin_path(path).relative_to(PINNED).as_posix() for path in INPUTS}
