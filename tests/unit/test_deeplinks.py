from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.deeplinks import DeepLink, DeepLinkKind, parse_start_payload


def test_round_trip() -> None:
    link = DeepLink(DeepLinkKind.INVITE, "AbC-123_x")
    assert link.payload() == "i_AbC-123_x"
    assert parse_start_payload(link.payload()) == link


@pytest.mark.parametrize("payload", ["", "i_", "x_abc", "abc", "i abc", "i_абв", "i_" + "a" * 63])
def test_foreign_payloads_are_not_ours(payload: str) -> None:
    assert parse_start_payload(payload) is None


def test_payload_over_telegram_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="64"):
        DeepLink(DeepLinkKind.SURVEY, "a" * 63).payload()


@given(st.text(max_size=80))
def test_parse_never_raises(payload: str) -> None:
    link = parse_start_payload(payload)
    if link is not None:
        assert link.payload() == payload
