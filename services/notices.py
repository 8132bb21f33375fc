"""Notices: what the bot tells someone other than the person acting, and the one way it goes.

A notice is planned into the outbox in the same transaction as the change it reports (a
«выполнено», a request to move a deadline, an invite answered, a survey closed), so the two
commit together: nothing is told of a change that rolled back, and nothing committed goes
untold. The outbox is then sent like any reminder (paced, retried on 429 and network errors, a
person who blocked the bot marked unreachable) and worded in the recipient's language when it
is sent. Services call ``plan_notices`` inside their transaction and ``NoticeBell.ring()``
after it: the bell sends at once what the minute tick would otherwise send within a minute.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from storage.records import PlannedMessage
from storage.repositories import Repositories


class NoticeKind(StrEnum):
    """The outbox kind of each notice (at most 20 characters, as the column holds); its
    words are chosen by kind when it is sent."""

    TASK_DONE = "task_done"
    TASK_UNDONE = "task_undone"
    TASK_CANNOT = "task_cannot"
    POSTPONE_ASKED = "postpone_asked"
    POSTPONE_APPROVED = "postpone_approved"
    POSTPONE_REJECTED = "postpone_rejected"
    TASK_NUDGE = "task_nudge"  # a coordinator's «Напомнить»: the card itself
    INVITE_LINKED = "invite_linked"
    INVITE_DECLINED = "invite_declined"
    SURVEY_CLOSED = "survey_closed"
    FORGET_ASKED = "forget_asked"  # a person asks to be erased


NOTICE_KINDS = frozenset(kind.value for kind in NoticeKind)


def is_notice(kind: str) -> bool:
    return kind in NOTICE_KINDS


async def plan_notices(
    repositories: Repositories,
    kind: NoticeKind,
    chat_ids: Iterable[int],
    now: datetime,
    *,
    payload: dict[str, Any],
    task_id: int | None = None,
    event: str | None = None,
) -> tuple[int, ...]:
    """Plans this notice to each chat (once per chat) in the caller's transaction; the chats.

    ``event`` names the change for the outbox key, so planning it again (a retried job) is
    one notice, not two; without it each call is a new event. Whether a chat's person blocked
    the bot is the sending's business: it is checked when the notice goes.
    """
    chats = tuple(dict.fromkeys(chat_ids))
    if not chats:
        return chats
    event = event or secrets.token_hex(8)
    people = await repositories.people.by_accounts(chats)
    await repositories.outbox.plan(
        [
            PlannedMessage(
                key=f"{kind.value}:{event}:{chat}",
                kind=kind.value,
                task_id=task_id,
                person_id=people[chat].id if chat in people else None,
                chat_id=chat,
                local_day=now.date(),
                planned_at=now,
                payload=payload,
            )
            for chat in chats
        ],
        now,
    )
    return chats


class NoticeBell:
    """Rung after a transaction that planned notices: whoever listens sends them now.

    Nobody listening (a command-line run, a test of a service) loses nothing: the outbox keeps
    the notices for the minute tick.
    """

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def listen(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def ring(self) -> None:
        for listener in self._listeners:
            listener()
