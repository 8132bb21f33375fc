"""Enumerations shared by storage, services and handlers."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    EXECUTOR = "executor"
    OBSERVER = "observer"


class OrganisationKind(StrEnum):
    REGION = "region"
    MUNICIPALITY = "municipality"
    SCHOOL = "school"
