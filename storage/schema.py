"""Tables. Alembic migrations in ``storage/migrations`` must match this (a test compares them)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
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
    Column("language_code", String(10), nullable=True),
    Column("is_reachable", Boolean, nullable=False, server_default=true()),
    Column("is_active", Boolean, nullable=False, server_default=true()),
    Column("is_admin", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime(), nullable=False),
)

Index("ix_people_organisation_name_key", people.c.organisation_id, people.c.name_key)
