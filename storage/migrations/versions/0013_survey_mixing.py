"""Survey answers wait in a pending pool until they are mixed; responses forget their day.

A response is stored at once, marked pending since the moment it came, and rewritten with
others under new keys once at least k are waiting or the mixing window ran out (see
services/survey_mixing.py). The day of a response told a copy of the database which answers
came on a quiet day; no report used it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ drops a column in place): a batch copy of the table
    # would lose its WITHOUT ROWID.
    op.drop_column("survey_responses", "day")
    op.add_column(
        "survey_responses",
        sa.Column("pending_since", storage.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_survey_responses_pending_since", "survey_responses", ["pending_since"], unique=False
    )
    # Responses of open surveys were written one transaction each, next to their tokens: into
    # the pool with them, so the first run of the job mixes them.
    op.execute(
        "UPDATE survey_responses SET pending_since = CURRENT_TIMESTAMP "
        "WHERE survey_id IN (SELECT id FROM surveys WHERE status = 'open')"
    )


def downgrade() -> None:
    op.drop_index("ix_survey_responses_pending_since", table_name="survey_responses")
    op.drop_column("survey_responses", "pending_since")
    # Every response gets the day it is downgraded: the real days are gone.
    op.add_column(
        "survey_responses",
        sa.Column("day", sa.Date(), nullable=False, server_default=sa.func.current_date()),
    )
