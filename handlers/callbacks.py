"""Every button's data: typed, versioned by prefix, ids only (Telegram allows 64 bytes)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from core.models import OrganisationKind
from services.views import RowView

# Bounds on what a button may carry: data outside them (forged, or from no version of this
# bot) fails to unpack, so the press is answered as a stale button, never reaches a query.
RowId = Annotated[int, Field(ge=0, le=2**31 - 1)]  # a database id (0: none)
Page = Annotated[int, Field(ge=0, le=100_000)]
# A person's account (core.messengers): a Telegram user id, or a MAX user's account id.
AccountId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Small = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]  # an index or a number on a scale


class ImportAction(StrEnum):
    CONFIRM = "ok"
    CANCEL = "no"
    ORGANISATION = "org"  # «Другая организация»: the organisations one may import into


class ImportCallback(CallbackData, prefix="imp1"):
    action: ImportAction
    # Ties the button to one preview: a button from an older preview is refused.
    nonce: str


class ImportOrganisationCallback(CallbackData, prefix="impo1"):
    """An organisation picked for the import previewed (0: the one its title names, new)."""

    nonce: str
    organisation_id: RowId = 0


class RoadmapPageCallback(CallbackData, prefix="rmp2"):
    roadmap_id: RowId
    page: Page
    view: RowView = RowView.TABLE


class BodyAction(StrEnum):
    ASK = "a"  # «Кто отвечает за …?»: index is the name's place in the roadmap's list
    TOGGLE = "t"  # a person ticked or unticked: person_id
    DONE = "d"
    CANCEL = "x"


class BodyCallback(CallbackData, prefix="bdy1"):
    action: BodyAction
    roadmap_id: RowId = 0
    index: Page = 0
    person_id: RowId = 0


class SetDeadlineCallback(CallbackData, prefix="rmd1"):
    activity_id: RowId


class SetPeopleCallback(CallbackData, prefix="rmw1"):
    """«Кто отвечает»: the people picker for one row of /roadmap."""

    activity_id: RowId


class PeopleAction(StrEnum):
    PAGE = "pg"
    OPEN = "op"
    INVITE = "in"
    UNLINK = "ul"
    DEACTIVATE = "de"
    ACTIVATE = "ac"
    MAKE_HEAD = "hd"
    MAKE_COORDINATOR = "co"
    MAKE_EXECUTOR = "ex"
    MERGE_PICK = "mp"
    MERGE = "mg"
    ERASE_ASK = "ea"
    ERASE = "er"


class PeopleCallback(CallbackData, prefix="ppl1"):
    action: PeopleAction
    person_id: RowId = 0
    page: Page = 0
    # The duplicate merged into person_id.
    other_id: RowId = 0


class InviteAnswerCallback(CallbackData, prefix="inv1"):
    invite_id: RowId
    accept: bool


class ConsentAgainCallback(CallbackData, prefix="cns2"):
    """Agreeing (or not) by a person already linked with no consent on record."""

    agree: bool


class ConsentCallback(CallbackData, prefix="cns1"):
    """Agreeing (or not) to the processing of personal data before an invite links."""

    invite_id: RowId
    agree: bool


class OrgAction(StrEnum):
    ADD = "add"
    REMINDERS = "rem"
    RENAME = "ren"
    REPORTS = "rep"  # how often the execution report comes by itself


class OrgChoiceCallback(CallbackData, prefix="orgc1"):
    """The organisation picked for a setting (which one: the action)."""

    action: OrgAction
    organisation_id: RowId


class OrgCallback(CallbackData, prefix="org1"):
    action: OrgAction


class OrgKindCallback(CallbackData, prefix="orgk1"):
    kind: OrganisationKind


class OrgParentCallback(CallbackData, prefix="orgp1"):
    # None: the top level, no parent (administrators only).
    parent_id: RowId | None = None


class TaskAction(StrEnum):
    OPEN = "o"
    LIST = "l"
    DONE = "d"
    PROGRESS = "p"
    POSTPONE = "m"
    CANNOT = "c"
    UNDO = "u"
    ATTACH = "a"
    NO_EVIDENCE = "n"
    HISTORY = "h"
    REMIND = "r"
    SHOW_EVIDENCE = "e"
    EVIDENCE_FOR = "f"  # the task a file sent unasked reports on


class TaskCallback(CallbackData, prefix="tsk1"):
    action: TaskAction
    task_id: RowId = 0
    page: Page = 0


class PostponeDecisionCallback(CallbackData, prefix="ppd1"):
    postponement_id: RowId
    approve: bool


class ReportPeriod(StrEnum):
    """The period a /report button asks for (ASK: the question which one)."""

    ASK = "a"
    TODAY = "t"  # the whole roadmap as it stands today
    QUARTER = "q"  # this calendar quarter
    LAST_QUARTER = "l"
    HALF_YEAR = "h"
    SCHOOL_YEAR = "y"
    CUSTOM = "c"  # typed: «с 01.09.2022 по 31.12.2022»


class ReportCallback(CallbackData, prefix="rep1"):
    """/report: which roadmap (0: the list of them) and which period."""

    roadmap_id: RowId = 0
    period: ReportPeriod = ReportPeriod.ASK


class ResultsAction(StrEnum):
    SUMMARY = "s"
    CHARTS = "g"
    XLSX = "x"
    CSV = "c"
    DOCX = "d"
    PDF = "p"


class ResultsCallback(CallbackData, prefix="svr1"):
    """Results of one survey (the /surveys card links here too); access is checked on press."""

    survey_id: RowId
    action: ResultsAction


class TextReviewAction(StrEnum):
    OPEN = "o"  # from the results: the first page as a message of its own
    PAGE = "p"
    HIDE = "h"
    SHOW = "s"  # hidden before, shown again


# An answer's stored key: 32 random hex digits, nothing of the person who wrote it.
AnswerKey = Annotated[str, Field(pattern=r"^([0-9a-f]{32})?$")]


class TextReviewCallback(CallbackData, prefix="svt1"):
    """The free-text answers of a survey, a page at a time, each with a hide/show button;
    whether this person may is checked at press time."""

    action: TextReviewAction
    survey_id: RowId
    page: Page = 0
    answer: AnswerKey = ""


class SurveyAction(StrEnum):
    LIST = "l"
    CARD = "o"
    REFRESH = "r"
    NEW = "n"
    FROM_FILE = "f"
    NO_CLASSES = "x"
    OPEN = "s"
    EXTEND = "e"
    CLOSE = "c"
    CLOSE_CONFIRM = "cc"
    LINK = "k"
    POST = "p"


class SurveyCallback(CallbackData, prefix="svm1"):
    """/surveys: the list, a survey's card and its actions; access is checked on press."""

    action: SurveyAction
    survey_id: RowId = 0
    page: Page = 0


class SurveyTemplateCallback(CallbackData, prefix="svmt1"):
    key: str


class SurveyClosingCallback(CallbackData, prefix="svmd1"):
    """A quick closing date: the day the button shows (ISO), so a late press means that day."""

    survey_id: RowId
    closes_on: str
    page: Page = 0


class SurveyPostCallback(CallbackData, prefix="svmp1"):
    """The group picker: only the coordinator who sent /survey (user_id) may pick."""

    survey_id: RowId
    user_id: AccountId


class AnswerAction(StrEnum):
    START = "go"
    ROLE = "r"  # value: index in RespondentRole
    CLASS = "c"  # value: index in the survey's classes
    NO_CLASS = "nc"
    CHOOSE = "p"  # single choice; value: option index
    TOGGLE = "t"  # multiple choice; value: option index, -1 for «Другое»
    OTHER = "o"
    DONE = "d"
    RATE = "s"  # value: the number
    SKIP = "k"
    KEEP = "n"
    BACK = "b"
    SUBMIT = "ok"
    CANCEL = "x"


class AnswerCallback(CallbackData, prefix="sva2"):
    """A respondent's button. Indexes, not option keys (a file may name keys at length); the
    message it sits on and the step number tell a current button from an old or doubled one.
    Nothing in it is the respondent's own, so one keyboard serves everyone on that step."""

    step: Page
    action: AnswerAction
    value: Small = 0


class OrgImportAction(StrEnum):
    START = "go"
    PARENT = "pa"
    CONFIRM = "ok"
    CANCEL = "no"


class OrgImportCallback(CallbackData, prefix="orgi1"):
    """A button of the schools-list load; the nonce ties it to one preview or question."""

    action: OrgImportAction
    nonce: str = ""
    parent_id: RowId = 0
