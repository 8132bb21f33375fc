"""The arguments of `org`, `person` and `survey`, apart from the commands themselves.

Every start of `python -m bot` builds the whole parser (`--help` lists every command), while
only `org`, `person` and `survey` need what their commands import (schools lists, survey
files, their services); so their arguments live here and their commands are imported when
they run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from core.models import OrganisationKind, Role

# The roles `person add` offers.
PERSON_ROLES = (Role.COORDINATOR, Role.EXECUTOR, Role.OBSERVER)


def add_org_arguments(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], say: Callable[[str], str]
) -> None:
    """`org add`, `org list` and `person add` on the main parser's subcommands."""
    org = subparsers.add_parser("org", help=say("cli.org"))
    org_commands = org.add_subparsers(dest="org_command", metavar="COMMAND", required=True)
    add = org_commands.add_parser("add", help=say("cli.org.add"))
    add.add_argument("name", help=say("cli.org.name"))
    add.add_argument(
        "--kind",
        choices=[kind.value for kind in OrganisationKind],
        default=OrganisationKind.SCHOOL.value,
        help=say("cli.org.kind"),
    )
    add.add_argument("--parent", help=say("cli.org.parent"))
    add.add_argument("--timezone", help=say("cli.org.timezone"))
    org_commands.add_parser("list", help=say("cli.org.list"))
    reminders = org_commands.add_parser("reminders", help=say("cli.org.reminders"))
    reminders.add_argument("name", help=say("cli.org.name"))
    reminders.add_argument("--offsets", help=say("cli.org.offsets"))
    reminders.add_argument("--time", dest="reminder_time", help=say("cli.org.time"))
    load = org_commands.add_parser("import", help=say("cli.org.import"))
    load.add_argument("file", type=Path, help=say("cli.org.import_file"))
    load.add_argument("--parent", required=True, help=say("cli.org.import_parent"))
    load.add_argument("--dry-run", action="store_true", help=say("cli.org.import_dry_run"))

    person = subparsers.add_parser("person", help=say("cli.person"))
    person_commands = person.add_subparsers(
        dest="person_command", metavar="COMMAND", required=True
    )
    person_add = person_commands.add_parser("add", help=say("cli.person.add"))
    person_add.add_argument("name", help=say("cli.person.name"))
    person_add.add_argument("--org", required=True, help=say("cli.person.org"))
    person_add.add_argument(
        "--role",
        choices=[role.value for role in PERSON_ROLES],
        default=Role.EXECUTOR.value,
        help=say("cli.person.role"),
    )
    person_add.add_argument("--position", help=say("cli.person.position"))
    person_add.add_argument("--head", action="store_true", help=say("cli.person.head"))


def add_report_arguments(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], say: Callable[[str], str]
) -> None:
    """`roadmap list` and `report ROADMAP_ID` on the main parser's subcommands."""
    roadmap = subparsers.add_parser("roadmap", help=say("cli.roadmap"))
    commands = roadmap.add_subparsers(dest="roadmap_command", metavar="COMMAND", required=True)
    commands.add_parser("list", help=say("cli.roadmap.list"))
    report = subparsers.add_parser("report", help=say("cli.report"))
    report.add_argument("roadmap_id", type=int, help=say("cli.report.id"))
    when = report.add_mutually_exclusive_group()
    when.add_argument("--at", help=say("cli.report.at"))
    when.add_argument("--period", help=say("cli.report.period"))
    report.add_argument(
        "--format", choices=("docx", "xlsx"), default="docx", help=say("cli.report.format")
    )
    report.add_argument("--out", required=True, help=say("cli.report.out"))


def add_survey_arguments(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], say: Callable[[str], str]
) -> None:
    """`survey list|create|open|close` on the main parser's subcommands."""
    survey = subparsers.add_parser("survey", help=say("cli.survey"))
    commands = survey.add_subparsers(dest="survey_command", metavar="COMMAND", required=True)
    commands.add_parser("list", help=say("cli.survey.list"))
    create = commands.add_parser("create", help=say("cli.survey.create"))
    create.add_argument("file", type=Path, help=say("cli.survey.file"))
    create.add_argument("--org", required=True, help=say("cli.survey.org"))
    opening = commands.add_parser("open", help=say("cli.survey.open"))
    opening.add_argument("id", type=int, help=say("cli.survey.id"))
    opening.add_argument("--closes", required=True, help=say("cli.survey.closes"))
    closing = commands.add_parser("close", help=say("cli.survey.close"))
    closing.add_argument("id", type=int, help=say("cli.survey.id"))


def add_backup_arguments(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], say: Callable[[str], str]
) -> None:
    """`backup [--to DIR]` and `restore FILE` on the main parser's subcommands."""
    backup = subparsers.add_parser("backup", help=say("cli.backup"))
    backup.add_argument("--to", type=Path, metavar="DIR", help=say("cli.backup.to"))
    restore = subparsers.add_parser("restore", help=say("cli.restore"))
    restore.add_argument("file", type=Path, help=say("cli.restore.file"))
