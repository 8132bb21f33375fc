"""Which messenger an account is on, from its id alone.

The rules and the storage keep one integer per messenger account (a person's, or a chat's):
the *account id*. A Telegram account's is Telegram's own id (user ids have at most 52
significant bits, group chat ids are negative and above -2**53), so nothing stored before MAX
came changes. A MAX account's id is MAX's id moved into a range Telegram never uses: users from
``2**60`` up, chats from ``-2**60`` down. The mapping is arithmetic, so it needs no table and
both directions are pure; MAX ids outside what fits are refused (``ValueError``).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "MAX_FILE_PREFIX",
    "Messenger",
    "is_group",
    "max_chat_account",
    "max_chat_of",
    "max_user_account",
    "max_user_of",
    "messenger_of",
    "messenger_of_file",
]


class Messenger(StrEnum):
    TELEGRAM = "telegram"
    MAX = "max"


_MAX_USERS = 2**60
_MAX_CHATS = -(2**60)
_SPAN = 2**62  # MAX user ids 0 .. 2**62 - 1; MAX chat ids -2**62 + 1 .. 2**59 - 1
_TELEGRAM_FLOOR = -(2**59)  # below: a MAX chat


# A MAX file as the bot keeps it (evidence) starts so; Telegram's file ids never do.
MAX_FILE_PREFIX = "max:"


def messenger_of_file(file_id: str) -> Messenger:
    """Which messenger keeps a file the bot was sent (a file id works only there)."""
    return Messenger.MAX if file_id.startswith(MAX_FILE_PREFIX) else Messenger.TELEGRAM


def max_user_account(user_id: int) -> int:
    """The account id of a MAX user (and of their dialog with the bot)."""
    if not 0 <= user_id < _SPAN:
        raise ValueError(f"MAX user id out of range: {user_id}")
    return _MAX_USERS + user_id


def max_chat_account(chat_id: int) -> int:
    """The account id of a MAX group chat (MAX's chat ids of groups are negative)."""
    if not -_SPAN < chat_id < 2**59:
        raise ValueError(f"MAX chat id out of range: {chat_id}")
    return _MAX_CHATS + chat_id


def messenger_of(account: int) -> Messenger:
    if account >= _MAX_USERS or account < _TELEGRAM_FLOOR:
        return Messenger.MAX
    return Messenger.TELEGRAM


def is_group(account: int) -> bool:
    """A group chat, not a person (on either messenger)."""
    if account >= _MAX_USERS:
        return False
    return account < 0


def max_user_of(account: int) -> int:
    """MAX's user id behind a MAX user account."""
    if account < _MAX_USERS:
        raise ValueError(f"not a MAX user account: {account}")
    return account - _MAX_USERS


def max_chat_of(account: int) -> int:
    """MAX's chat id behind a MAX chat account."""
    if account >= _TELEGRAM_FLOOR:
        raise ValueError(f"not a MAX chat account: {account}")
    return account - _MAX_CHATS
