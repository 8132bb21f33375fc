"""Surveys: who may manage them, when they take answers, and one anonymous submit.

A respondent is known here only long enough to compute their participation token, an HMAC of
the survey and their Telegram id under a secret kept outside the database. The response is
stored apart from the token, under a random id, with what they said about themselves only, and
mixed among others soon after (services/survey_mixing.py): a copy of the database cannot tell
who answered what (DESIGN.md, "Anonymous surveys"; README, «Анонимность»).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.dates import format_day
from core.errors import UserFacingError
from services.access import AccessDenied, Actor, Permission, allows, organisation_scope
from services.memo import Memo, keep_recent
from services.notices import NoticeBell, NoticeKind, plan_notices
from services.recipients import organisation_coordinators
from services.survey_mixing import MixingPolicy, SurveyMixing
from storage.database import Database
from storage.records import FreeText, Survey
from storage.repositories import Repositories
from surveys.model import (
    OTHER,
    Answer,
    Question,
    QuestionKind,
    Response,
    Scale,
    Segment,
    SurveyDefinition,
    SurveyStatus,
)
from surveys.report.labels import ReportMeta
from surveys.results import DEFAULT_K

CODE_LENGTH = 10
_CODE_ALPHABET = string.ascii_letters + string.digits
# A clash among 62**10 codes is all but impossible; a few tries cover it without a loop forever.
_CODE_ATTEMPTS = 5
# A respondent's link and «Начать» read the survey and its organisation's zone from memory.
# This process forgets them at once when it writes either table; another instance's change (a
# survey closed there) shows here within this long, and «Отправить» always checks the database.
SURVEY_MEMORY_TTL = timedelta(seconds=30)
_SURVEY_MEMORY_SIZE = 256


class SurveyRefused(UserFacingError):
    """A survey cannot do that now (closing date in the past, already closed, not open)."""


@dataclass(frozen=True)
class TextReview:
    """The typed answers of a survey for the coordinator to check before publishing."""

    survey: Survey
    # In the survey's order of questions, then by their random keys; hidden ones too.
    texts: list[FreeText]
    # Fewer than k responses: results show nothing yet, and neither does the review.
    withheld: bool
    k: int = DEFAULT_K


@dataclass(frozen=True)
class SurveyOverview:
    survey: Survey
    responses: int  # counted when asked, so the coordinator sees the live number


class SubmitOutcome(StrEnum):
    ACCEPTED = "accepted"
    ALREADY_ANSWERED = "already"
    CLOSED = "closed"  # closed, past its closing date, or still a draft
    NOT_FOUND = "not_found"


def participation_token(secret: bytes, survey_id: int, telegram_user_id: int) -> str:
    """Stops a second answer without naming the person: useless without the secret."""
    message = f"{survey_id}:{telegram_user_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def new_code() -> str:
    """A deep-link code: random, so links cannot be guessed from one another."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _check_text(text: str | None, limit: int) -> None:
    if text is not None and len(text) > limit:
        raise ValueError("the text is longer than the question allows")


def _clean_answer(definition: SurveyDefinition, question_id: str, answer: Answer) -> Answer:
    """The answer if it fits its question; ValueError for anything a handler would not send."""
    question = definition.question(question_id)
    assert question is not None
    _ANSWER_CHECKS[question.kind](question, answer)
    return answer


def _check_scale(question: Question, answer: Answer) -> None:
    scale = question.scale or Scale()
    if answer.choices or answer.text is not None or answer.number is None:
        raise ValueError("a scale takes a number only")
    if not scale.low <= answer.number <= scale.high:
        raise ValueError("the number is outside the scale")


def _check_free_text(question: Question, answer: Answer) -> None:
    if answer.choices or answer.number is not None or not (answer.text or "").strip():
        raise ValueError("free text takes text only")
    _check_text(answer.text, question.max_length)


def _check_choices(question: Question, answer: Answer) -> None:
    choices = answer.choices
    if answer.number is not None or not choices or len(set(choices)) != len(choices):
        raise ValueError("a choice takes one or more distinct option keys")
    if question.kind is QuestionKind.SINGLE and len(choices) != 1:
        raise ValueError("a single choice takes exactly one option")
    if not all(question.takes_choice(key) for key in choices):
        raise ValueError("not an option of this question")
    if answer.text is not None and OTHER not in choices:
        raise ValueError("only «Другое» carries text")
    exclusive = [key for key in choices if (option := question.option(key)) and option.exclusive]
    if exclusive and len(choices) > 1:
        raise ValueError("an exclusive option goes alone")
    _check_text(answer.text, question.max_length)


_ANSWER_CHECKS: dict[QuestionKind, Callable[[Question, Answer], None]] = {
    QuestionKind.SINGLE: _check_choices,
    QuestionKind.MULTIPLE: _check_choices,
    QuestionKind.SCALE: _check_scale,
    QuestionKind.TEXT: _check_free_text,
}


def clean_answers(
    definition: SurveyDefinition, answers: Mapping[str, Answer]
) -> dict[str, Answer]:
    """Answers to questions the survey has, checked against them; the rest is dropped."""
    return {
        question_id: _clean_answer(definition, question_id, answer)
        for question_id, answer in answers.items()
        if definition.question(question_id) is not None
    }


def _check_segment(definition: SurveyDefinition, segment: Segment) -> None:
    if segment.class_name is not None and segment.class_name not in definition.segments.classes:
        raise ValueError("not a class of this survey")


class SurveyService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        secret: bytes,
        default_zone: ZoneInfo,
        bell: NoticeBell | None = None,
        mixing: MixingPolicy | None = None,
    ) -> None:
        if not secret:
            raise ValueError("the survey secret is empty")
        self.mixing = SurveyMixing(database, clock, mixing or MixingPolicy())
        self._bell = bell or NoticeBell()
        self._database = database
        self._clock = clock
        self._secret = secret
        self._default_zone = default_zone
        self._by_code: Memo[str, Survey | None] = Memo(
            database, clock, ("surveys",), ttl=SURVEY_MEMORY_TTL, size=_SURVEY_MEMORY_SIZE
        )
        # Survey id -> the survey as read once: only its definition and organisation are used
        # (they never change); its status and dates are always the database's or a Memo's.
        self._known: dict[int, Survey] = {}
        self._zones: Memo[int, ZoneInfo] = Memo(
            database, clock, ("organisations",), ttl=SURVEY_MEMORY_TTL, size=_SURVEY_MEMORY_SIZE
        )

    async def _zone(self, repositories: Repositories, survey: Survey) -> ZoneInfo:
        if survey.organisation_id is None:
            return self._default_zone
        organisation = await repositories.organisations.get(survey.organisation_id)
        return ZoneInfo(organisation.timezone) if organisation else self._default_zone

    async def _remembered_zone(self, survey: Survey) -> ZoneInfo:
        """The zone as `_zone` finds it, from memory when it can (see SURVEY_MEMORY_TTL)."""

        async def load() -> ZoneInfo:
            async with self._database.transaction() as repositories:
                return await self._zone(repositories, survey)

        if survey.organisation_id is None:
            return self._default_zone
        return await self._zones.get(survey.organisation_id, load)

    async def _today(self, repositories: Repositories, survey: Survey) -> date:
        return self._clock.now().astimezone(await self._zone(repositories, survey)).date()

    async def zone_of(self, survey: Survey) -> ZoneInfo:
        """The organisation's zone (the instance's for a survey without one)."""
        async with self._database.transaction() as repositories:
            return await self._zone(repositories, survey)

    async def today_of(self, survey: Survey) -> date:
        """Today where the survey's organisation is: closing dates are counted in it."""
        async with self._database.transaction() as repositories:
            return await self._today(repositories, survey)

    async def _require(self, actor: Actor, survey_id: int, permission: Permission) -> Survey:
        """The survey if this actor may see (VIEW) or change (MANAGE) it; else AccessDenied."""
        if not allows(permission, actor):
            raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            survey = await repositories.surveys.get(survey_id)
        scope = await organisation_scope(self._database, actor)
        if survey is None or (scope is not None and survey.organisation_id not in scope):
            raise AccessDenied("access.denied")
        return survey

    async def create(
        self,
        actor: Actor,
        definition: SurveyDefinition,
        organisation_id: int | None = None,
    ) -> Survey:
        """A draft in the actor's organisation, or in `organisation_id` if they manage it."""
        if not allows(Permission.MANAGE, actor):
            raise AccessDenied("access.denied")
        if organisation_id is None and actor.person is not None:
            organisation_id = actor.person.organisation_id
        scope = await organisation_scope(self._database, actor)
        if scope is not None and organisation_id not in scope:
            raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            for _ in range(_CODE_ATTEMPTS):
                code = new_code()
                if await repositories.surveys.by_code(code) is None:
                    break
            else:
                raise RuntimeError("no free survey code")  # pragma: no cover
            return await repositories.surveys.add(
                organisation_id=organisation_id,
                code=code,
                definition=definition,
                now=self._clock.now(),
            )

    async def list_for(self, actor: Actor) -> list[SurveyOverview]:
        """Surveys of the organisations this actor sees, newest first, with live counts."""
        if not allows(Permission.VIEW, actor):
            raise AccessDenied("access.denied")
        scope = await organisation_scope(self._database, actor)
        async with self._database.transaction() as repositories:
            found = await repositories.surveys.in_organisations(scope)
            counts = await repositories.surveys.count_responses([s.id for s in found])
        return [SurveyOverview(survey, counts[survey.id]) for survey in found]

    async def get_for_manager(self, actor: Actor, survey_id: int) -> SurveyOverview:
        survey = await self._require(actor, survey_id, Permission.VIEW)
        async with self._database.transaction() as repositories:
            counts = await repositories.surveys.count_responses([survey.id])
        return SurveyOverview(survey, counts[survey.id])

    async def open(self, actor: Actor, survey_id: int, closes_on: date) -> Survey:
        """A draft starts taking answers until `closes_on`; an open survey gets a new date."""
        survey = await self._require(actor, survey_id, Permission.MANAGE)
        async with self._database.transaction() as repositories:
            today = await self._today(repositories, survey)
            if closes_on < today:
                raise SurveyRefused("survey.service.closes_in_past", today=format_day(today))
            opened = await repositories.surveys.open(
                survey.id, opened_on=today, closes_on=closes_on
            ) or await repositories.surveys.set_closes_on(survey.id, closes_on)
        if opened is None:
            raise SurveyRefused("survey.service.not_draft")
        return opened

    async def close(self, actor: Actor, survey_id: int) -> Survey:
        """Open -> closed today. Closing a closed survey again changes nothing."""
        survey = await self._require(actor, survey_id, Permission.MANAGE)
        if survey.status is SurveyStatus.CLOSED:
            return survey
        async with self._database.transaction() as repositories:
            closed = await self._close(repositories, survey)
        if closed is not None:
            await self.mixing.forget_old_versions()
            return closed
        # A closed one (by the job, meanwhile) is fine; a draft was never open.
        async with self._database.transaction() as repositories:
            current = await repositories.surveys.get(survey.id)
        if current is not None and current.status is SurveyStatus.CLOSED:
            return current
        raise SurveyRefused("survey.service.not_open")

    async def _close(self, repositories: Repositories, survey: Survey) -> Survey | None:
        """Closes today and forgets who took part; None when it was not open any more."""
        closed = await repositories.surveys.close(
            survey.id, await self._today(repositories, survey)
        )
        if closed is not None:
            await repositories.surveys.seal(survey.id)
        return closed

    async def close_due(self, admin_ids: Collection[int] = ()) -> list[Survey]:
        """For the scheduler: every open survey whose last day has passed where it is.

        Each closes in its own transaction on a conditional update, so two instances (or
        a hand on the button) racing the job close it once; running again closes nothing.
        Its coordinators are told in the same transaction (a survey of no organisation was
        made by an administrator: ``admin_ids`` are told).
        """
        async with self._database.transaction() as repositories:
            candidates = await repositories.surveys.open_surveys()
        closed: list[Survey] = []
        for survey in candidates:
            async with self._database.transaction() as repositories:
                today = await self._today(repositories, survey)
                if survey.closes_on is None or survey.closes_on >= today:
                    continue
                done = await self._close(repositories, survey)
                if done is not None:
                    await self._tell_closed(repositories, done, admin_ids)
            if done is not None:
                closed.append(done)
        if closed:
            await self.mixing.forget_old_versions()
            self._bell.ring()
        return closed

    async def _tell_closed(
        self, repositories: Repositories, survey: Survey, admin_ids: Collection[int]
    ) -> None:
        counts = await repositories.surveys.count_responses([survey.id])
        people = (
            await organisation_coordinators(repositories, survey.organisation_id)
            if survey.organisation_id is not None
            else []
        )
        # Nobody to tell there (no organisation: an administrator made it): the administrators.
        chats = [p.account for p in people if p.account is not None]
        await plan_notices(
            repositories,
            NoticeKind.SURVEY_CLOSED,
            chats or sorted(admin_ids),
            self._clock.now(),
            payload={
                "survey_id": survey.id,
                "title": survey.title,
                "closes_on": survey.closes_on.isoformat() if survey.closes_on else None,
                "responses": counts.get(survey.id, 0),
            },
            event=f"survey{survey.id}",
        )

    async def by_code(self, code: str) -> Survey | None:
        """For respondents' links: from memory (see SURVEY_MEMORY_TTL)."""
        if len(code) != CODE_LENGTH:
            return None

        async def load() -> Survey | None:
            async with self._database.transaction() as repositories:
                survey = await repositories.surveys.by_code(code)
            if survey is not None:
                self._remember(survey)
            return survey

        return await self._by_code.get(code, load)

    async def has_answered(self, survey_id: int, telegram_user_id: int) -> bool:
        token = participation_token(self._secret, survey_id, telegram_user_id)
        async with self._database.transaction() as repositories:
            return await repositories.surveys.has_participation(token)

    async def accepts_answers(self, survey: Survey) -> bool:
        """Open, and today (where the organisation is) is not past the closing date.

        A first look for a respondent (the link, «Начать»): the survey and the zone may come
        from memory; «Отправить» decides in its own transaction."""
        zone = await self._remembered_zone(survey)
        return _accepts(survey, self._clock.now().astimezone(zone).date())

    async def submit(
        self,
        survey_id: int,
        telegram_user_id: int,
        segment: Segment,
        answers: Mapping[str, Answer],
    ) -> SubmitOutcome:
        """The token and the response commit together, or neither does: the response waits
        in the pending pool until it is mixed (services/survey_mixing.py).

        ValueError for answers that do not fit the survey (handlers never send them).

        A survey's definition and organisation never change once it exists, so a survey this
        process has read needs no read here: the token goes in only if the survey still takes
        answers (one conditional INSERT decides, in the database), then the response and its
        answers. The organisation's zone, for "today", may come from memory (see
        SURVEY_MEMORY_TTL).
        """
        token = participation_token(self._secret, survey_id, telegram_user_id)
        known = self._known.get(survey_id)
        if known is None:
            return await self._submit_unknown(survey_id, token, segment, answers)
        today = self._clock.now().astimezone(await self._remembered_zone(known)).date()
        cleaned = clean_answers(known.definition, answers)
        _check_segment(known.definition, segment)
        # Immediate: dozens of parents press «Отправить» at once after a post in a class chat.
        async with self._database.transaction(immediate=True, writes_first=True) as repositories:
            if await repositories.surveys.add_participation_if_open(survey_id, token, today):
                await repositories.surveys.add_response(
                    survey_id, segment, cleaned, now=self._clock.now()
                )
                return SubmitOutcome.ACCEPTED
            survey = await repositories.surveys.get(survey_id)
            if survey is None:
                return SubmitOutcome.NOT_FOUND
            if not _accepts(survey, today):
                return SubmitOutcome.CLOSED
            return SubmitOutcome.ALREADY_ANSWERED

    async def _submit_unknown(
        self, survey_id: int, token: str, segment: Segment, answers: Mapping[str, Answer]
    ) -> SubmitOutcome:
        """`submit` for a survey this process has not read yet: read in the transaction."""
        async with self._database.transaction(immediate=True) as repositories:
            survey = await repositories.surveys.get(survey_id)
            if survey is None:
                return SubmitOutcome.NOT_FOUND
            self._remember(survey)
            today = await self._today(repositories, survey)
            if not _accepts(survey, today):
                return SubmitOutcome.CLOSED
            cleaned = clean_answers(survey.definition, answers)
            _check_segment(survey.definition, segment)
            if not await repositories.surveys.add_participation(survey.id, token):
                return SubmitOutcome.ALREADY_ANSWERED
            await repositories.surveys.add_response(
                survey.id, segment, cleaned, now=self._clock.now()
            )
        return SubmitOutcome.ACCEPTED

    def _remember(self, survey: Survey) -> None:
        """Keeps what never changes about a survey: its definition and organisation."""
        keep_recent(self._known, survey.id, survey, _SURVEY_MEMORY_SIZE)

    async def responses_for(self, actor: Actor, survey_id: int) -> tuple[Survey, list[Response]]:
        """The responses as published: texts the coordinator hid are not among them."""
        survey = await self._require(actor, survey_id, Permission.VIEW)
        async with self._database.transaction() as repositories:
            return survey, await repositories.surveys.responses(survey.id)

    async def report_meta(self, survey: Survey) -> ReportMeta:
        """What a report says besides the numbers: the organisation's name, the period, today
        where the organisation is."""
        async with self._database.transaction() as repositories:
            organisation = (
                await repositories.organisations.get(survey.organisation_id)
                if survey.organisation_id is not None
                else None
            )
            today = await self._today(repositories, survey)
        return ReportMeta(
            title=survey.title,
            generated_on=today,
            opened_on=survey.opened_on,
            closed_on=survey.closed_on,
            closes_on=survey.closes_on,
            organisation=organisation.name if organisation is not None else None,
        )

    async def texts_for_review(self, actor: Actor, survey_id: int) -> TextReview:
        """Free-text and «Другое» answers, for someone who may manage the survey."""
        survey = await self._require(actor, survey_id, Permission.MANAGE)
        async with self._database.transaction() as repositories:
            texts = await repositories.surveys.free_texts(survey.id)
            responses = (await repositories.surveys.count_responses([survey.id]))[survey.id]
        order = {question.id: index for index, question in enumerate(survey.definition.questions)}
        texts.sort(key=lambda text: (order.get(text.question_id, len(order)), text.id))
        return TextReview(survey, texts, 0 < responses < DEFAULT_K)

    async def hide_text(self, actor: Actor, survey_id: int, answer_id: str, hidden: bool) -> bool:
        """Hides a typed answer from every report and export (or shows it again); False when
        the survey has no such answer (a stale button: sealing renames every answer)."""
        survey = await self._require(actor, survey_id, Permission.MANAGE)
        async with self._database.transaction() as repositories:
            return await repositories.surveys.set_hidden(survey.id, answer_id, hidden)


def _accepts(survey: Survey, today: date) -> bool:
    return (
        survey.status is SurveyStatus.OPEN
        and survey.closes_on is not None
        and today <= survey.closes_on
    )
