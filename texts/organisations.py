"""The words for organisations and the schools lists that fill them (chat and terminal alike)."""

from __future__ import annotations

from core.i18n import gettext as _
from core.models import OrganisationKind
from schools import ProblemKind, SchoolsReadError


def kind_label(kind: OrganisationKind) -> str:
    if kind is OrganisationKind.REGION:
        return _("orgs.kind.region")
    if kind is OrganisationKind.MUNICIPALITY:
        return _("orgs.kind.municipality")
    return _("orgs.kind.school")


def indent(depth: int) -> str:
    """The margin of a line in the tree of organisations."""
    return "    " * depth


def problem_reason(kind: ProblemKind) -> str:
    """Why a row of a schools list was skipped or its head left as they were."""
    if kind is ProblemKind.NO_SCHOOL:
        return _("orgs.import.problem.no_school")
    if kind is ProblemKind.LONG_NAME:
        return _("orgs.import.problem.long_name")
    if kind is ProblemKind.DUPLICATE:
        return _("orgs.import.problem.duplicate")
    if kind is ProblemKind.NO_HEAD:
        return _("orgs.import.problem.no_head")
    return _("orgs.import.problem.bad_head")


def schools_error_text(error: SchoolsReadError) -> str:
    """Why a file cannot be read as a schools list."""
    return _(f"orgs.import.error.{error.code}").format(**error.params)
