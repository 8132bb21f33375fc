"""Plain data the repositories return: no rows, no sessions, nothing lazy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.models import OrganisationKind, Role
from core.warnings import ParseWarning
from surveys.model import SurveyDefinition, SurveyStatus


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str
    kind: OrganisationKind
    parent_id: int | None
    timezone: str
    created_at: datetime
    reminder_offsets: str | None = None
    reminder_time: str | None = None
    report_cadence: str | None = None  # empty: every quarter


@dataclass(frozen=True)
class Person:
    id: int
    organisation_id: int | None
    full_name: str
    name_key: str
    position: str | None
    role: Role
    telegram_user_id: int | None
    language_code: str | None
    is_reachable: bool
    is_active: bool
    is_admin: bool
    is_head: bool
    created_at: datetime
    # The consent text (its version) the person agreed to on linking, and when.
    consent_version: str | None = None
    consent_at: datetime | None = None
    # The MAX account (core.messengers) and the messenger chosen for reminders, if any.
    max_account_id: int | None = None
    messenger: str | None = None

    @property
    def is_linked(self) -> bool:
        return self.telegram_user_id is not None or self.max_account_id is not None

    @property
    def account(self) -> int | None:
        """The account messages to this person go to: the chosen messenger's, else the one
        linked (Telegram when both and none chosen)."""
        if self.messenger == "max" and self.max_account_id is not None:
            return self.max_account_id
        return self.telegram_user_id if self.telegram_user_id is not None else self.max_account_id

    @property
    def accounts(self) -> tuple[int, ...]:
        """Every account linked to this person (Telegram first)."""
        return tuple(a for a in (self.telegram_user_id, self.max_account_id) if a is not None)

    def has_account(self, account: int) -> bool:
        return account in self.accounts


@dataclass(frozen=True)
class Roadmap:
    id: int
    organisation_id: int
    title: str
    title_key: str
    period_start: date
    period_end: date
    source_name: str
    imported_by_telegram_id: int | None
    imported_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ActivityFields:
    """What an import writes for one activity or step (everything but ids and timestamps)."""

    position: int
    number: str | None
    section: str | None
    title: str
    result: str | None
    deadline_text: str
    deadline_kind: str
    deadline_start: date | None
    deadline_due: tuple[date, ...]
    deadline_warnings: tuple[ParseWarning, ...]
    responsible_text: str
    responsible_warnings: tuple[ParseWarning, ...]
    source_ref: str


@dataclass(frozen=True)
class Activity:
    id: int
    roadmap_id: int
    parent_id: int | None
    fields: ActivityFields
    deadline_manual: bool
    is_removed: bool
    created_at: datetime
    updated_at: datetime
    responsible_manual: bool = False  # people chosen in the chat, kept over re-imports


@dataclass(frozen=True)
class AssigneeFields:
    position: int
    kind: str
    name: str
    job_title: str | None
    person_id: int | None
    is_lead: bool


@dataclass(frozen=True)
class Assignee:
    id: int
    activity_id: int
    fields: AssigneeFields


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    activity_id: int
    happened_at: datetime
    actor_telegram_id: int | None
    event: str
    details: dict[str, Any]


@dataclass(frozen=True)
class Invite:
    id: int
    code_hash: str
    person_id: int
    created_by_telegram_id: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by_telegram_id: int | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Task:
    id: int
    activity_id: int
    roadmap_id: int
    executor_key: str
    occurrence: int
    due_on: date
    planned_due_on: date
    status: str
    status_changed_at: datetime
    done_at: datetime | None
    done_by_person_id: int | None
    is_cancelled: bool
    created_at: datetime


@dataclass(frozen=True)
class TaskEvent:
    id: int
    task_id: int
    happened_at: datetime
    actor_person_id: int | None
    actor_telegram_id: int | None
    event: str
    details: dict[str, Any]


@dataclass(frozen=True)
class Evidence:
    id: int
    task_id: int
    kind: str
    value: str
    file_name: str | None
    added_by_person_id: int | None
    added_at: datetime


@dataclass(frozen=True)
class Postponement:
    id: int
    task_id: int
    requested_by_person_id: int | None
    requested_at: datetime
    from_due_on: date
    new_due_on: date
    reason: str
    status: str
    decided_by_telegram_id: int | None
    decided_at: datetime | None
    decision_reason: str | None


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    kind: str
    task_id: int | None
    person_id: int | None
    chat_id: int
    local_day: date
    planned_at: datetime
    status: str
    claimed_at: datetime | None
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    message_id: int | None
    payload: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True)
class PlannedMessage:
    """What a planner wants sent; the outbox keeps it under its key."""

    key: str
    kind: str
    task_id: int | None
    person_id: int | None
    chat_id: int
    local_day: date
    planned_at: datetime
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class FreeText:
    """A typed answer (free text or «Другое») as the coordinator reviews it: its random key,
    nothing that leads to whoever wrote it."""

    id: str
    question_id: str
    text: str
    hidden: bool


@dataclass(frozen=True)
class PendingPool:
    """A survey's responses waiting to be mixed (services/survey_mixing.py)."""

    survey_id: int
    pending: int
    mixed: int  # responses already mixed: what a small batch is padded with
    oldest: datetime  # when the longest-waiting one came


@dataclass(frozen=True)
class Survey:
    id: int
    organisation_id: int | None  # None: created by an administrator with no organisation
    code: str  # the deep-link code: 10 random characters of [A-Za-z0-9]
    definition: SurveyDefinition
    status: SurveyStatus
    closes_on: date | None  # the last day answers are accepted, in the organisation's zone
    opened_on: date | None
    closed_on: date | None
    created_at: datetime

    @property
    def title(self) -> str:
        return self.definition.title
