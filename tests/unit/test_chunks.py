from __future__ import annotations

import pytest

from storage.chunks import MAX_PARAMETERS, chunked, rows_per_statement


def test_chunked_covers_every_item_once_in_order() -> None:
    items = list(range(12_345))
    pieces = list(chunked(items, 5_000))
    assert [len(piece) for piece in pieces] == [5_000, 5_000, 2_345]
    assert [item for piece in pieces for item in piece] == items


def test_chunked_of_nothing_is_nothing() -> None:
    assert list(chunked([], 10)) == []


def test_chunked_refuses_a_zero_size() -> None:
    with pytest.raises(ValueError, match="positive"):
        list(chunked([1], 0))


def test_rows_per_statement_stays_under_the_driver_limits() -> None:
    assert rows_per_statement(10) * 10 <= MAX_PARAMETERS < 32_766
    assert rows_per_statement(100_000) == 1
