"""A free-text answer the coordinator hid before publishing: kept, but in no report.

A flag on the answer row itself, so hiding adds nothing that could link answers to a person
or order them (see DESIGN.md, "Anonymous surveys").

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: SQLite's table keeps WITHOUT ROWID (a batch
    # copy would rebuild it).
    op.add_column(
        "survey_answers",
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("survey_answers", recreate="never") as batch_op:
        batch_op.drop_column("hidden")
