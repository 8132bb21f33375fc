"""MAX: a person's MAX account and chosen messenger; MAX message ids.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("max_account_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("messenger", sa.String(length=10), nullable=True))
        batch.create_unique_constraint("uq_people_max_account_id", ["max_account_id"])
    op.create_table(
        "max_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mid", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_max_messages")),
        sa.UniqueConstraint("mid", name=op.f("uq_max_messages_mid")),
    )


def downgrade() -> None:
    op.drop_table("max_messages")
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint("uq_people_max_account_id", type_="unique")
        batch.drop_column("messenger")
        batch.drop_column("max_account_id")
