"""Who answers for a body or group a roadmap names, per organisation.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "responsible_people",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organisation_id", "name_key", "person_id"),
    )
    with op.batch_alter_table("responsible_people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_responsible_people_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("responsible_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responsible_people_person_id"))
    op.drop_table("responsible_people")
