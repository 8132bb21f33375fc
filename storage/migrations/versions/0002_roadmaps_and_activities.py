"""Roadmaps, their activities and steps, assignees and history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roadmaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.String(length=500), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("imported_by_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("imported_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_roadmaps_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmaps")),
    )
    with op.batch_alter_table("roadmaps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roadmaps_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=True),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("deadline_text", sa.Text(), nullable=False),
        sa.Column("deadline_kind", sa.String(length=20), nullable=False),
        sa.Column("deadline_start", sa.Date(), nullable=True),
        sa.Column("deadline_due", sa.JSON(), nullable=False),
        sa.Column("deadline_warnings", sa.JSON(), nullable=False),
        sa.Column("deadline_manual", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("responsible_text", sa.Text(), nullable=False),
        sa.Column("responsible_warnings", sa.JSON(), nullable=False),
        sa.Column("source_ref", sa.String(length=100), nullable=False),
        sa.Column("is_removed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["activities.id"],
            name=op.f("fk_activities_parent_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["roadmap_id"],
            ["roadmaps.id"],
            name=op.f("fk_activities_roadmap_id_roadmaps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activities_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_roadmap_id"), ["roadmap_id"], unique=False)

    op.create_table(
        "activity_assignees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("job_title", sa.String(length=500), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("is_lead", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_assignees_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_activity_assignees_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_assignees")),
    )
    with op.batch_alter_table("activity_assignees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_assignees_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_assignees_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "activity_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("happened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_history_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_history")),
    )
    with op.batch_alter_table("activity_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_history_activity_id"), ["activity_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("activity_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_history_activity_id"))

    op.drop_table("activity_history")
    with op.batch_alter_table("activity_assignees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_assignees_person_id"))
        batch_op.drop_index(batch_op.f("ix_activity_assignees_activity_id"))

    op.drop_table("activity_assignees")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_roadmap_id"))
        batch_op.drop_index(batch_op.f("ix_activities_parent_id"))

    op.drop_table("activities")
    with op.batch_alter_table("roadmaps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmaps_organisation_id"))

    op.drop_table("roadmaps")
