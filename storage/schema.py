"""Tables. Alembic migrations in ``storage/migrations`` must match this (a test compares them)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from storage.types import UTCDateTime

# Named constraints let Alembic alter them later, SQLite's batch mode included.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(500), nullable=False),
    Column("kind", String(20), nullable=False),
    Column(
        "parent_id",
        Integer,
        ForeignKey("organisations.id", ondelete="RESTRICT"),
        nullable=True,
        index=True,
    ),
    Column("timezone", String(64), nullable=False),
    # This organisation's own reminder days ("7,3,1,0") and morning ("09:00"); empty means
    # the instance's settings.
    Column("reminder_offsets", String(50), nullable=True),
    Column("reminder_time", String(5), nullable=True),
    # "quarter", "half_year" or "off": the execution report sent after each period; empty
    # means every quarter.
    Column("report_cadence", String(20), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "organisation_id",
        Integer,
        ForeignKey("organisations.id", ondelete="RESTRICT"),
        nullable=True,
    ),
    # As the documents write it ("Шабанова Н.С."); name_key matches it regardless of
    # initials order, spacing, case and ё.
    Column("full_name", String(300), nullable=False),
    Column("name_key", String(300), nullable=False),
    Column("position", String(500), nullable=True),
    Column("role", String(20), nullable=False),
    Column("telegram_user_id", BigInteger, nullable=True, unique=True),
    # The MAX account (core.messengers.max_user_account), and the messenger reminders go to
    # when both are linked: "telegram" or "max" (empty: the one linked, Telegram if both).
    Column("max_account_id", BigInteger, nullable=True, unique=True),
    Column("messenger", String(10), nullable=True),
    Column("language_code", String(10), nullable=True),
    Column("is_reachable", Boolean, nullable=False, server_default=true()),
    Column("is_active", Boolean, nullable=False, server_default=true()),
    Column("is_admin", Boolean, nullable=False, server_default=false()),
    # The head of their organisation ("руководители ОО" resolve to the heads of schools).
    Column("is_head", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime(), nullable=False),
    # Consent to the processing of personal data given on linking: which text and when.
    Column("consent_version", String(20), nullable=True),
    Column("consent_at", UTCDateTime(), nullable=True),
)

Index("ix_people_organisation_name_key", people.c.organisation_id, people.c.name_key)

roadmaps = Table(
    "roadmaps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "organisation_id",
        Integer,
        ForeignKey("organisations.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("title", Text, nullable=False),
    # Matches a corrected file to the roadmap it replaces (case, spaces and quotes folded).
    Column("title_key", String(500), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("source_name", String(300), nullable=False),
    Column("imported_by_telegram_id", BigInteger, nullable=True),
    Column("imported_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "roadmap_id",
        Integer,
        ForeignKey("roadmaps.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # A step of a larger activity points at it; steps carry their own deadline and people.
    Column(
        "parent_id",
        Integer,
        ForeignKey("activities.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    Column("position", Integer, nullable=False),
    Column("number", String(50), nullable=True),
    Column("section", Text, nullable=True),
    Column("title", Text, nullable=False),
    Column("result", Text, nullable=True),
    Column("deadline_text", Text, nullable=False),
    Column("deadline_kind", String(20), nullable=False),
    Column("deadline_start", Date, nullable=True),
    Column("deadline_due", JSON, nullable=False),
    Column("deadline_warnings", JSON, nullable=False),
    # Set by a coordinator in the chat: a re-import keeps it unless the cell text changed.
    Column("deadline_manual", Boolean, nullable=False, server_default=false()),
    Column("responsible_text", Text, nullable=False),
    Column("responsible_warnings", JSON, nullable=False),
    # People chosen in the chat instead of those the file names: a re-import keeps them.
    Column("responsible_manual", Boolean, nullable=False, server_default=false()),
    Column("source_ref", String(100), nullable=False),
    # Removed by a re-import: kept (with its history) rather than deleted.
    Column("is_removed", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

activity_assignees = Table(
    "activity_assignees",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "activity_id",
        Integer,
        ForeignKey("activities.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("position", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", String(500), nullable=False),
    Column("job_title", String(500), nullable=True),
    Column(
        "person_id",
        Integer,
        ForeignKey("people.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    Column("is_lead", Boolean, nullable=False, server_default=false()),
)

activity_history = Table(
    "activity_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "activity_id",
        Integer,
        ForeignKey("activities.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("happened_at", UTCDateTime(), nullable=False),
    Column("actor_telegram_id", BigInteger, nullable=True),
    Column("event", String(30), nullable=False),
    Column("details", JSON, nullable=False),
)

# Who answers for a body or group a roadmap names («РМК», «рабочая группа»): the people a
# coordinator picked, per organisation, under the name's key. Applied to every roadmap of the
# organisation and those below it, re-imports included.
responsible_people = Table(
    "responsible_people",
    metadata,
    Column(
        "organisation_id",
        Integer,
        ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name_key", String(200), primary_key=True),
    Column(
        "person_id",
        Integer,
        ForeignKey("people.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("name", String(300), nullable=False),  # as first written, to show
    Column("created_at", UTCDateTime(), nullable=False),
)

invites = Table(
    "invites",
    metadata,
    Column("id", Integer, primary_key=True),
    # Only a hash is kept: a copy of the database does not hand out working links.
    Column("code_hash", String(64), nullable=False, unique=True),
    Column(
        "person_id",
        Integer,
        ForeignKey("people.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_by_telegram_id", BigInteger, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
    Column("used_by_telegram_id", BigInteger, nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "activity_id",
        Integer,
        ForeignKey("activities.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "roadmap_id",
        Integer,
        ForeignKey("roadmaps.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # Who the task is for, stable across re-imports: "people:3,7" (named executors sharing
    # it) or "head:12" (a role group fanned out to one school head).
    Column("executor_key", String(200), nullable=False),
    # Which due date of the activity (a monthly activity has one task per month).
    Column("occurrence", Integer, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("planned_due_on", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("status_changed_at", UTCDateTime(), nullable=False),
    Column("done_at", UTCDateTime(), nullable=True),
    Column("done_by_person_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    # Retired by a re-import that no longer has this activity, executor or date.
    Column("is_cancelled", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("activity_id", "executor_key", "occurrence"),
)

Index("ix_tasks_status_due", tasks.c.status, tasks.c.due_on)

task_executors = Table(
    "task_executors",
    metadata,
    Column("task_id", Integer, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "person_id",
        Integer,
        ForeignKey("people.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("is_lead", Boolean, nullable=False, server_default=false()),
)

task_events = Table(
    "task_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "task_id", Integer, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("happened_at", UTCDateTime(), nullable=False),
    Column("actor_person_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("actor_telegram_id", BigInteger, nullable=True),
    Column("event", String(30), nullable=False),
    Column("details", JSON, nullable=False),
)

task_evidence = Table(
    "task_evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "task_id", Integer, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("kind", String(20), nullable=False),
    # A link, a comment, or the messenger's file id for a document or photo.
    Column("value", Text, nullable=False),
    Column("file_name", String(300), nullable=True),
    Column("added_by_person_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("added_at", UTCDateTime(), nullable=False),
)

postponements = Table(
    "postponements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "task_id", Integer, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("requested_by_person_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("from_due_on", Date, nullable=False),
    Column("new_due_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("decided_by_telegram_id", BigInteger, nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("decision_reason", Text, nullable=True),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    # task:person:kind:local day — one reminder per key, whatever restarts or instances do.
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("task_id", Integer, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("local_day", Date, nullable=False),
    Column("planned_at", UTCDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=True),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=True),
    # The sent message, so a later change (done, moved) can edit it instead of sending anew.
    Column("message_id", BigInteger, nullable=True),
    # What a summary lists (the tasks a person missed while the bot was down).
    Column("payload", JSON, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

Index("ix_outbox_status_planned", outbox.c.status, outbox.c.planned_at)
Index("ix_outbox_task", outbox.c.task_id)

# Surveys. The survey itself is not personal: an ordinary id and a creation time are fine.
surveys = Table(
    "surveys",
    metadata,
    Column("id", Integer, primary_key=True),
    # None: created by an administrator who belongs to no organisation.
    Column(
        "organisation_id",
        Integer,
        ForeignKey("organisations.id", ondelete="RESTRICT"),
        nullable=True,
        index=True,
    ),
    # The deep-link code (`/start <code>`): random, so links cannot be guessed or counted.
    Column("code", String(10), nullable=False, unique=True),
    Column("definition", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    # The last day answers are accepted, in the organisation's zone.
    Column("closes_on", Date, nullable=True),
    Column("opened_on", Date, nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

# The three tables below hold answers, so they must not say who answered or in what order:
# random keys, no autoincrement, no timestamps, no user ids. SQLite would still number every
# row in insertion order (the hidden rowid); WITHOUT ROWID stores rows by their random key.

# Only stops a second answer: the token is HMAC(secret, survey id + user id), and nothing here
# points at the response it came with.
survey_participations = Table(
    "survey_participations",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("survey_id", Integer, ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False),
    sqlite_with_rowid=False,
)

survey_responses = Table(
    "survey_responses",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "survey_id",
        Integer,
        ForeignKey("surveys.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # Set while the response waits in the pending pool (services/survey_mixing.py): the moment
    # it came, so the pool is mixed before the window runs out. Mixing rewrites the response
    # under a new key with this empty; no other time is kept, not even the day.
    Column("pending_since", UTCDateTime(), nullable=True, index=True),
    # What the respondent declared about themselves, when asked.
    Column("role", String(20), nullable=True),
    Column("class_name", String(100), nullable=True),
    sqlite_with_rowid=False,
)

# One row per chosen option (multiple choice has several), or one holding the number (scale)
# or the text (free text); the "Другое" option's row also holds the respondent's words.
survey_answers = Table(
    "survey_answers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "response_id",
        String(32),
        ForeignKey("survey_responses.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("question_id", String(100), nullable=False),
    # The place of this choice within the answer, so an answer reads back exactly as given.
    Column("position", Integer, nullable=False),
    Column("choice", String(100), nullable=True),
    Column("number", Integer, nullable=True),
    Column("text", Text, nullable=True),
    # The coordinator hid this text before publishing: no report or export shows it.
    Column("hidden", Boolean, nullable=False, server_default=false()),
    sqlite_with_rowid=False,
)


# Which running instance does a job only one may do at a time (send the outbox at Telegram's
# overall rate; take updates by long polling), until when: renewed while it runs, free for
# another once it lapses.
leases = Table(
    "leases",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("holder", String(100), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)


# MAX names messages by strings ("mid"); the bot's handlers and the outbox by integers, as
# Telegram does. Each MAX message the bot sent or was sent gets a number here, kept across
# restarts so a reminder card can still be edited (bot/max/ids.py).
max_messages = Table(
    "max_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mid", String(200), nullable=False, unique=True),
)
