"""Every word the report prints is in both catalogs, with the same fields."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from reports.model import EvidenceKind, Status
from tests.reports.samples import catalog

PACKAGE = Path(__file__).resolve().parents[2] / "reports"
_FIELD = re.compile(r"\{(\w+)\}")


_KEY = re.compile(r"execution(\.[a-z_0-9]+)+")


def _constant_keys() -> set[str]:
    """Every string in reports/ that is a whole catalog key: arguments of `translate("…")`,
    and the keys kept in tables of columns."""
    keys = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _KEY.fullmatch(node.value)
            ):
                keys.add(node.value)
    return keys


def _built_keys() -> set[str]:
    """The keys the code builds from a value (f-strings), all of them."""
    return (
        {f"execution.status.{status.value}" for status in Status}
        | {"execution.status.none"}
        | {f"execution.evidence.{kind.value}" for kind in EvidenceKind}
        | {f"execution.period.quarter.{n}" for n in range(1, 5)}
        | {f"execution.period.half_year.{n}" for n in (1, 2)}
    )


def test_the_scan_finds_the_keys() -> None:
    assert len(_constant_keys()) > 60
    assert "execution.mark.overdue" in _constant_keys()


def test_every_key_is_in_both_catalogs() -> None:
    keys = _constant_keys() | _built_keys()
    for locale in ("ru", "en"):
        words = catalog(locale)
        assert sorted(key for key in keys if not words.get(key)) == [], locale


def test_no_key_of_the_report_is_left_unused() -> None:
    keys = _constant_keys() | _built_keys()
    unused = sorted(
        key for key in catalog("ru") if key.startswith("execution.") and key not in keys
    )
    assert unused == []


def test_fields_and_plural_forms_agree() -> None:
    russian, english = catalog("ru"), catalog("en")
    for key in _constant_keys() | _built_keys():
        assert set(_FIELD.findall(russian[key])) == set(_FIELD.findall(english[key])), key
    assert len(russian["execution.days"].split("|")) == 3
    assert len(english["execution.days"].split("|")) == 2
