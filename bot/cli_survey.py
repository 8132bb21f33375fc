"""`python -m bot survey list|create|open|close`: surveys from a terminal, as the chat runs them.

The terminal acts as an administrator (whoever runs it owns the database) through the same
SurveyService the bot uses, so a survey opened here takes answers exactly as one opened in
the chat. The arguments are in `bot.cli_arguments`, imported at every start; this module only
when a survey command runs. Its texts come from the catalogs (`core.i18n`), not the messenger.
"""

from __future__ import annotations

import argparse
import html
import re
from datetime import date, timedelta
from pathlib import Path

from bot.cli_common import CliRefusal, Print, run_refusable
from bot.settings import Settings
from bot.survey_secret import load_survey_secret
from core.clock import SystemClock
from core.dates import parse_day
from core.deeplinks import DeepLink, DeepLinkKind
from core.errors import UserFacingError
from core.i18n import Translators
from core.i18n import gettext as _
from core.organisation_names import clean_name
from services.access import AccessDenied, Actor
from services.organisations import named
from services.people import DEFAULT_INVITE_TTL, PeopleService
from services.surveys import SurveyOverview, SurveyService
from storage.database import Database
from storage.migrate import upgrade_to_head
from storage.records import Organisation, Survey
from surveys.loading import DefinitionError, load_definition
from surveys.model import SurveyStatus
from texts.render import day

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2


_TERMINAL = Actor(telegram_user_id=0, person=None, is_admin=True)
# The closing date suggested after `create`: two weeks is what the roadmaps usually give.
_SUGGESTED_DAYS = 14
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")


def plain(text: str) -> str:
    """A chat message (HTML parse mode) as a terminal line."""
    return html.unescape(_TAG_RE.sub("", text))


def _said(error: UserFacingError) -> str:
    return plain(_(error.key).format(**error.params))


def _payload(survey: Survey) -> str:
    return DeepLink(DeepLinkKind.SURVEY, survey.code).payload()


def _status(survey: Survey) -> str:
    if survey.status is SurveyStatus.OPEN and survey.closes_on is not None:
        return _("cli.survey.status.open").format(closes=day(survey.closes_on))
    if survey.status is SurveyStatus.CLOSED and survey.closed_on is not None:
        return _("cli.survey.status.closed").format(closed=day(survey.closed_on))
    return _("cli.survey.status.draft")


def _organisation_name(organisations: dict[int, Organisation], survey: Survey) -> str:
    organisation = organisations.get(survey.organisation_id or 0)
    return organisation.name if organisation is not None else _("cli.survey.no_org")


def _find_organisation(organisations: list[Organisation], wanted: str) -> Organisation:
    """By its number, or by its name when that is unique."""
    wanted = clean_name(wanted)
    if wanted.isdigit():
        found = [o for o in organisations if o.id == int(wanted)]
    else:
        found = named(organisations, wanted)
    if not found:
        raise CliRefusal(_("cli.survey.org_not_found").format(name=wanted), EXIT_NOT_FOUND)
    if len(found) > 1:
        numbers = ", ".join(str(o.id) for o in found)
        raise CliRefusal(
            _("cli.survey.org_ambiguous").format(name=wanted, numbers=numbers, first=found[0].id),
            EXIT_USAGE,
        )
    return found[0]


async def _overview(surveys: SurveyService, survey_id: int) -> SurveyOverview:
    try:
        return await surveys.get_for_manager(_TERMINAL, survey_id)
    except AccessDenied:
        raise CliRefusal(_("cli.survey.not_found").format(id=survey_id), EXIT_NOT_FOUND) from None


async def _list(surveys: SurveyService, people: PeopleService, out: Print) -> None:
    overviews = await surveys.list_for(_TERMINAL)
    if not overviews:
        out(_("cli.survey.none"))
        return
    organisations = {o.id: o for o in await people.organisations(_TERMINAL)}
    for overview in overviews:
        survey = overview.survey
        out(
            _("cli.survey.line").format(
                id=survey.id,
                title=survey.title,
                status=_status(survey),
                org=_organisation_name(organisations, survey),
                responses=overview.responses,
                payload=_payload(survey),
            )
        )


async def _create(
    surveys: SurveyService,
    people: PeopleService,
    arguments: argparse.Namespace,
    definition_file: tuple[str, bytes],
    out: Print,
) -> None:
    name, data = definition_file
    try:
        definition = load_definition(name, data)
    except DefinitionError as error:
        raise CliRefusal(
            _("cli.survey.bad_file").format(path=name, problem=_said(error)), EXIT_NOT_FOUND
        ) from None
    organisation = _find_organisation(await people.organisations(_TERMINAL), arguments.org)
    survey = await surveys.create(_TERMINAL, definition, organisation.id)
    suggested = await surveys.today_of(survey) + timedelta(days=_SUGGESTED_DAYS)
    out(
        _("cli.survey.created").format(
            id=survey.id,
            title=survey.title,
            org=organisation.name,
            questions=len(definition.questions),
            example=day(suggested),
        )
    )


async def _open(surveys: SurveyService, survey_id: int, closes_on: date, out: Print) -> None:
    await _overview(surveys, survey_id)
    survey = await surveys.open(_TERMINAL, survey_id, closes_on)
    payload = _payload(survey)
    assert survey.closes_on is not None
    out(
        _("cli.survey.opened").format(
            id=survey.id, title=survey.title, closes=day(survey.closes_on), payload=payload
        )
    )


async def _close(surveys: SurveyService, survey_id: int, out: Print) -> None:
    await _overview(surveys, survey_id)
    survey = await surveys.close(_TERMINAL, survey_id)
    overview = await _overview(surveys, survey.id)
    assert survey.closed_on is not None
    out(
        _("cli.survey.closed").format(
            id=survey.id,
            title=survey.title,
            closed=day(survey.closed_on),
            responses=overview.responses,
        )
    )


def _closing_day(arguments: argparse.Namespace) -> date:
    closes_on = parse_day(arguments.closes, date.today())
    if closes_on is None:
        raise CliRefusal(_("cli.survey.bad_date").format(text=arguments.closes), EXIT_USAGE)
    return closes_on


def _read(path: Path) -> tuple[str, bytes]:
    try:
        return path.name, path.read_bytes()
    except OSError:
        raise CliRefusal(_("cli.survey.unreadable").format(path=path), EXIT_NOT_FOUND) from None


async def _run(arguments: argparse.Namespace, settings: Settings, out: Print) -> None:
    # Read and checked before the database opens, so a typo creates no database file.
    command = arguments.survey_command
    closes_on = _closing_day(arguments) if command == "open" else None
    definition_file = _read(arguments.file) if command == "create" else None
    secret = load_survey_secret(settings)
    database = Database.from_url(settings.resolved_database_url)
    try:
        await upgrade_to_head(database.engine)
        clock = SystemClock()
        surveys = SurveyService(database, clock, secret, settings.zone)
        people = PeopleService(database, clock, DEFAULT_INVITE_TTL)
        try:
            if command == "list":
                await _list(surveys, people, out)
            elif command == "create":
                assert definition_file is not None
                await _create(surveys, people, arguments, definition_file, out)
            elif command == "open":
                assert closes_on is not None
                await _open(surveys, arguments.id, closes_on, out)
            else:
                await _close(surveys, arguments.id, out)
        except UserFacingError as error:
            raise CliRefusal(_said(error), EXIT_NOT_FOUND) from None
    finally:
        await database.close()


def run_survey(
    arguments: argparse.Namespace,
    settings: Settings,
    catalogs: Translators,
    locale: str,
    out: Print = print,
    err: Print = print,
) -> int:
    """Exit code: 0 done, 1 not found or refused (bad file, closed survey), 2 a wrong argument."""
    return run_refusable(lambda: _run(arguments, settings, out), catalogs, locale, err)
