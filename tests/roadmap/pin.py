"""Re-pin the roadmap corpus: `PYTHONPATH=. python -m tests.roadmap.pin [FILE ...]`.

Writes tests/data/expected/corpus/*.json from the importer's current output (every input, or
the files named) and prints, for each pin that changed, the diff of its rows. Run it only
after a deliberate change to the importer, and read that diff before committing: see
tests/roadmap/corpus.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.roadmap.corpus import changes, inputs, name, output, pin_path, pinned, serialised


def main(arguments: list[str]) -> int:
    paths = [Path(argument).resolve() for argument in arguments] or inputs()
    for path in paths:
        before, now = pinned(path), output(path)
        if before == now:
            print(f"unchanged  {name(path)}")
            continue
        target = pin_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(serialised(now), encoding="utf-8")
        print(f"{'new' if before is None else 'changed':<10} {name(path)}")
        if before is not None:
            print(changes(before, now))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
