"""Account ids: which messenger an account is on, from the number alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.messengers import (
    Messenger,
    is_group,
    max_chat_account,
    max_chat_of,
    max_user_account,
    max_user_of,
    messenger_of,
)

# Telegram: user ids have at most 52 significant bits; group and channel ids are negative,
# "-100" and up to 13 digits at most (above -2**53).
telegram_users = st.integers(min_value=1, max_value=2**52)
telegram_groups = st.integers(min_value=-(2**53), max_value=-1)
max_users = st.integers(min_value=0, max_value=2**62 - 1)
max_chats = st.integers(min_value=-(2**62) + 1, max_value=2**59 - 1)


@given(telegram_users)
def test_telegram_users_are_telegram_and_people(user_id: int) -> None:
    assert messenger_of(user_id) is Messenger.TELEGRAM and not is_group(user_id)


@given(telegram_groups)
def test_telegram_groups_are_telegram_and_groups(chat_id: int) -> None:
    assert messenger_of(chat_id) is Messenger.TELEGRAM and is_group(chat_id)


@given(max_users)
def test_max_users_round_trip_and_fit_a_bigint(user_id: int) -> None:
    account = max_user_account(user_id)
    assert messenger_of(account) is Messenger.MAX and not is_group(account)
    assert max_user_of(account) == user_id
    assert -(2**63) <= account < 2**63


@given(max_chats)
def test_max_chats_round_trip_and_fit_a_bigint(chat_id: int) -> None:
    account = max_chat_account(chat_id)
    assert messenger_of(account) is Messenger.MAX and is_group(account)
    assert max_chat_of(account) == chat_id
    assert -(2**63) <= account < 2**63


@pytest.mark.parametrize("user_id", [-1, 2**62])
def test_max_ids_out_of_range_are_refused(user_id: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        max_user_account(user_id)
