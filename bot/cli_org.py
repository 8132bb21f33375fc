"""`python -m bot org add|list|reminders|import`, `person add`: who is who, from a terminal.

Their arguments are in `bot.cli_arguments`: the parser is built at every start, this module
only when one of these commands runs. It says what the chat says (`texts/`, the catalogs
through `core.i18n`) without importing the messenger.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cli_common import CliRefusal, Print, run_refusable
from bot.settings import Settings
from core.clock import SystemClock
from core.i18n import Translators
from core.i18n import gettext as _
from core.models import OrganisationKind, Role
from core.organisation_names import NAME_MAX_LENGTH, NAME_MIN_LENGTH, clean_name, name_fits
from reminders.schedule import parse_offsets
from roadmap.responsible import normalise_person_name, person_key
from schools import SchoolsReadError, SchoolsTable, read_schools
from services.access import Actor
from services.org_import import OrgImportPlan, OrgImportService
from services.organisations import named, sibling_named, tree
from services.people import DEFAULT_INVITE_TTL, PeopleService, may_contain
from storage.database import Database
from storage.migrate import upgrade_to_head
from storage.records import Organisation
from texts.organisations import indent, kind_label, problem_reason, schools_error_text

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2


# Whoever runs the terminal owns the database, so the commands act as an administrator would.
_TERMINAL = Actor(telegram_user_id=0, person=None, is_admin=True)


def _role_label(role: Role) -> str:
    if role is Role.COORDINATOR:
        return _("cli.person.role_coordinator")
    if role is Role.OBSERVER:
        return _("cli.person.role_observer")
    return _("cli.person.role_executor")


def _line(organisation: Organisation) -> str:
    return _("orgs.line").format(
        name=organisation.name,
        kind=kind_label(organisation.kind),
        timezone=organisation.timezone,
    )


def _find(organisations: list[Organisation], name: str) -> Organisation:
    found = named(organisations, name)
    if not found:
        raise CliRefusal(_("cli.org.not_found").format(name=clean_name(name)), EXIT_NOT_FOUND)
    if len(found) > 1:
        raise CliRefusal(
            _("cli.org.ambiguous").format(name=clean_name(name), count=len(found)), EXIT_USAGE
        )
    return found[0]


async def _org_add(
    service: PeopleService, arguments: argparse.Namespace, settings: Settings, out: Print
) -> None:
    name = clean_name(arguments.name)
    kind = OrganisationKind(arguments.kind)
    organisations = await service.organisations(_TERMINAL)
    parent = _find(organisations, arguments.parent) if arguments.parent else None
    if parent is not None and not may_contain(parent.kind, kind):
        raise CliRefusal(
            _("cli.org.wrong_parent").format(
                parent=parent.name, parent_kind=kind_label(parent.kind), kind=kind_label(kind)
            ),
            EXIT_USAGE,
        )
    parent_id = parent.id if parent is not None else None
    timezone = arguments.timezone or (parent.timezone if parent else settings.timezone)
    existing = sibling_named(organisations, name, parent_id)
    if existing is not None:
        out(_("cli.org.exists").format(name=existing.name))
        return
    created = await service.add_organisation(
        None,
        name=name,
        kind=kind,
        timezone=timezone,
        parent_id=parent_id,
    )
    out(_("cli.org.added").format(line=_line(created)))


async def _org_list(service: PeopleService, out: Print) -> None:
    organisations = await service.organisations(_TERMINAL)
    if not organisations:
        out(_("cli.org.none"))
        return
    counts = Counter(
        entry.person.organisation_id
        for entry in await service.people(_TERMINAL)
        if entry.person.is_active
    )
    for row in tree(organisations):
        organisation = row.organisation
        out(
            indent(row.depth)
            + _("cli.org.list_line").format(
                name=organisation.name,
                kind=kind_label(organisation.kind),
                timezone=organisation.timezone,
                people=counts[organisation.id],
            )
        )


async def _person_add(service: PeopleService, arguments: argparse.Namespace, out: Print) -> None:
    full_name = normalise_person_name(arguments.name)
    assert full_name is not None  # _check_arguments
    organisation = _find(await service.organisations(_TERMINAL), arguments.org)
    key = person_key(full_name)
    same = [
        entry.person
        for entry in await service.people(_TERMINAL)
        if entry.person.organisation_id == organisation.id and entry.person.name_key == key
    ]
    if same:
        person = same[0]
        out(_("cli.person.exists").format(name=person.full_name, org=organisation.name))
    else:
        person = await service.add_person(
            full_name=full_name,
            name_key=key,
            organisation_id=organisation.id,
            role=Role(arguments.role),
            position=clean_name(arguments.position) if arguments.position else None,
        )
        out(
            _("cli.person.added").format(
                name=person.full_name, org=organisation.name, role=_role_label(person.role)
            )
        )
    if arguments.head:
        person = await service.make_head(_TERMINAL, person.id)
        out(_("cli.person.head_set").format(name=person.full_name, org=organisation.name))


def _reminder_values(
    arguments: argparse.Namespace,
) -> tuple[tuple[int, ...] | None, time | None]:
    offsets: tuple[int, ...] | None = None
    morning: time | None = None
    try:
        if arguments.offsets:
            offsets = parse_offsets(arguments.offsets)
            if offsets is None:
                raise ValueError
        if arguments.reminder_time:
            morning = time.fromisoformat(arguments.reminder_time)
    except ValueError:
        raise CliRefusal(_("cli.org.bad_reminders"), EXIT_USAGE) from None
    return offsets, morning


async def _org_reminders(
    service: PeopleService, arguments: argparse.Namespace, out: Print
) -> None:
    offsets, morning = _reminder_values(arguments)
    organisation = _find(await service.organisations(_TERMINAL), arguments.name)
    updated = await service.set_reminders(_TERMINAL, organisation.id, offsets, morning)
    out(
        _("cli.org.reminders_set").format(
            name=updated.name,
            offsets=updated.reminder_offsets or "—",
            time=updated.reminder_time or "—",
        )
    )


def _read_list(path: Path) -> SchoolsTable:
    try:
        data = path.read_bytes()
    except OSError:
        raise CliRefusal(_("cli.import.unreadable").format(path=path), EXIT_NOT_FOUND) from None
    try:
        return read_schools(data, path.name)
    except SchoolsReadError as error:
        raise CliRefusal(schools_error_text(error), EXIT_NOT_FOUND) from None


def _print_plan(plan: OrgImportPlan, out: Print) -> None:
    out(
        _("cli.org.import_summary").format(
            parent=plan.parent.name,
            total=len(plan.schools),
            added=plan.added,
            updated=plan.updated,
            unchanged=plan.unchanged,
            heads_new=plan.heads_new,
            heads_changed=plan.heads_changed,
        )
    )
    for problem in plan.problems:
        out(
            _("cli.org.import_problem").format(
                line=problem.line, text=problem.text, reason=problem_reason(problem.kind)
            )
        )


async def _org_import(
    database: Database, service: PeopleService, arguments: argparse.Namespace, out: Print
) -> None:
    table: SchoolsTable = arguments.schools_table
    parent = _find(await service.organisations(_TERMINAL), arguments.parent)
    if not may_contain(parent.kind, OrganisationKind.SCHOOL):
        raise CliRefusal(
            _("cli.org.import_wrong_parent").format(
                parent=parent.name, kind=kind_label(parent.kind)
            ),
            EXIT_USAGE,
        )
    loader = OrgImportService(database, SystemClock())
    if arguments.dry_run:
        _print_plan(await loader.preview(parent.id, table), out)
        out(_("cli.org.import_dry"))
        return
    result = await loader.apply(parent.id, table)
    _print_plan(result.plan, out)
    out(_("cli.org.import_done"))


def _check_arguments(arguments: argparse.Namespace) -> None:
    """What can be refused without opening the database (which would create its file)."""
    if arguments.command == "person":
        if normalise_person_name(arguments.name) is None:
            raise CliRefusal(
                _("cli.person.bad_name").format(name=clean_name(arguments.name)), EXIT_USAGE
            )
        return
    if arguments.org_command == "reminders":
        _reminder_values(arguments)
        return
    if arguments.org_command == "import":
        # Read (and refused) before the database is opened; _org_import takes it from here.
        arguments.schools_table = _read_list(arguments.file)
        return
    if arguments.org_command != "add":
        return
    if not name_fits(clean_name(arguments.name)):
        raise CliRefusal(
            _("cli.org.bad_name").format(min=NAME_MIN_LENGTH, max=NAME_MAX_LENGTH), EXIT_USAGE
        )
    if arguments.timezone:
        try:
            ZoneInfo(arguments.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CliRefusal(
                _("cli.org.bad_timezone").format(timezone=arguments.timezone), EXIT_USAGE
            ) from None


async def _run(arguments: argparse.Namespace, settings: Settings, out: Print) -> None:
    database = Database.from_url(settings.resolved_database_url)
    try:
        await upgrade_to_head(database.engine)
        service = PeopleService(database, SystemClock(), DEFAULT_INVITE_TTL)
        if arguments.command == "person":
            await _person_add(service, arguments, out)
        elif arguments.org_command == "list":
            await _org_list(service, out)
        elif arguments.org_command == "reminders":
            await _org_reminders(service, arguments, out)
        elif arguments.org_command == "import":
            await _org_import(database, service, arguments, out)
        else:
            await _org_add(service, arguments, settings, out)
    finally:
        await database.close()


def run_org(
    arguments: argparse.Namespace,
    settings: Settings,
    catalogs: Translators,
    locale: str,
    out: Print = print,
    err: Print = print,
) -> int:
    """Exit code: 0 done (or already there), 1 an organisation not found or a file unreadable,
    2 a wrong argument."""

    async def checked() -> None:
        _check_arguments(arguments)
        await _run(arguments, settings, out)

    return run_refusable(checked, catalogs, locale, err)
