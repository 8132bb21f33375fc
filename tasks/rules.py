"""The rules of a task's life, in one place for handlers, jobs and the CLI alike."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum


class TaskStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANNOT_DO = "cannot_do"


class Bucket(StrEnum):
    OVERDUE = "overdue"
    THIS_WEEK = "this_week"
    LATER = "later"


class PostponementStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


# A mistaken "done" can be taken back for this long; after that it is a fact others rely on.
UNDO_WINDOW = timedelta(minutes=10)
# A deadline moved further than this is a new plan, not a postponement.
MAX_POSTPONEMENT = timedelta(days=366)

# Results that name a document or a publication: the report is the point, so ask for it.
_EVIDENCE_WORDS = re.compile(
    r"размещ|сайт|протокол|приказ|отч[её]т|справк|аналитическ|ссылк|публикац|опубликова",
    re.IGNORECASE,
)


def is_open(status: TaskStatus) -> bool:
    """Still someone's work: on their list, counted as open, overdue when late. "Cannot do" is
    open too: it waits for the coordinator's answer."""
    return status is not TaskStatus.DONE


def gets_reminders(status: TaskStatus) -> bool:
    """Open, and nobody has said it cannot be done: reminders are planned for it."""
    return status in (TaskStatus.PENDING, TaskStatus.IN_PROGRESS)


def may_undo(status: TaskStatus, done_at: datetime | None, now: datetime) -> bool:
    return status is TaskStatus.DONE and done_at is not None and now - done_at <= UNDO_WINDOW


def bucket(due: date, today: date) -> Bucket:
    """Просрочено / На этой неделе (to Sunday) / Позже."""
    if due < today:
        return Bucket.OVERDUE
    if due <= today + timedelta(days=6 - today.weekday()):
        return Bucket.THIS_WEEK
    return Bucket.LATER


def evidence_expected(result: str | None) -> bool:
    return bool(result and _EVIDENCE_WORDS.search(result))


class PostponementProblem(StrEnum):
    NOT_FUTURE = "not_future"
    SAME_DAY = "same_day"
    EARLIER = "earlier"  # before the current deadline: a move is for more time, never less
    TOO_FAR = "too_far"
    EMPTY_REASON = "empty_reason"


def earliest_postponement(current_due: date, today: date) -> date:
    """The first day a deadline may move to: after today and after the deadline itself."""
    return max(today, current_due) + timedelta(days=1)


def postponement_problem(
    current_due: date, new_due: date, today: date, reason: str | None = None
) -> PostponementProblem | None:
    """What is wrong with a requested new date (and reason), or None when it may be asked."""
    if new_due <= today:
        return PostponementProblem.NOT_FUTURE
    if new_due == current_due:
        return PostponementProblem.SAME_DAY
    if new_due < current_due:
        return PostponementProblem.EARLIER
    if new_due - today > MAX_POSTPONEMENT:
        return PostponementProblem.TOO_FAR
    if reason is not None and not reason.strip():
        return PostponementProblem.EMPTY_REASON
    return None
