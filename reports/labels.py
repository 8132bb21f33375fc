"""The words, marks and colours every execution report prints, in one place so DOCX, XLSX and
the PNG matrix agree. Words come from the catalogs through `translate` (the bot passes the
reader's language; the terminal `core.i18n.Catalogs.translator`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core.dates import format_day
from core.i18n import Translate
from core.plurals import plural
from reports.model import (
    Evidence,
    EvidenceKind,
    Occurrence,
    Period,
    PeriodKind,
    Row,
    Status,
    Summary,
    summarise,
)

__all__ = ["Translate"]

DASH = "—"

# Light fills for spreadsheet cells (text stays readable on them) and stronger ones for the
# PNG matrix; a short symbol for each status where a word does not fit (and for readers who
# do not tell red from green).
STATUS_FILL = {
    Status.DONE: "C6EFCE",
    Status.IN_PROGRESS: "DDEBF7",
    Status.OVERDUE: "FFC7CE",
    Status.UPCOMING: "EDEDED",
    Status.CANNOT: "FFE699",
}
STATUS_COLOUR = {
    Status.DONE: "#57BB8A",
    Status.IN_PROGRESS: "#6FA8DC",
    Status.OVERDUE: "#E06666",
    Status.UPCOMING: "#D9D9D9",
    Status.CANNOT: "#F6B26B",
}
NO_TASK_COLOUR = "#FFFFFF"
STATUS_SYMBOL = {
    Status.DONE: "✓",
    Status.IN_PROGRESS: "…",
    Status.OVERDUE: "!",
    Status.UPCOMING: "○",
    Status.CANNOT: "✕",
}

# A cell lists this many occurrences one by one; more are summed up («выполнено 25 из 30»).
DETAIL_LIMIT = 8
# Names listed after «Просрочено:» in a summed-up cell before «и ещё N».
NAMES_LIMIT = 10
# Evidence that is a web address; anything else sent as a link is printed as text.
_WEB = re.compile(r"https?://\S+\Z", re.IGNORECASE)


def status_word(status: Status | None, translate: Translate) -> str:
    """«Выполнено», …; None is a row without any task («Без отметки»)."""
    return translate(f"execution.status.{status.value if status else 'none'}")


def days_text(count: int, translate: Translate) -> str:
    """«1 день», «3 дня», «5 дней»."""
    return plural(count, translate("execution.days"))


def percent_text(share: float | None, translate: Translate) -> str:
    """«64 %»; never «100 %» unless all, nor «0 %» unless none: 99.6 % shows as 99 %."""
    if share is None:
        return DASH
    value = round(share * 100)
    if value == 100 and share < 1:
        value = 99
    elif value == 0 and share > 0:
        value = 1
    return translate("execution.percent").format(value=value)


def period_label(period: Period, translate: Translate) -> str:
    """«I квартал 2027 года», «2026/2027 учебный год», «с 01.09.2026 по 31.12.2026»."""
    if period.kind in (PeriodKind.QUARTER, PeriodKind.HALF_YEAR):
        key = f"execution.period.{period.kind.value}.{period.number}"
        return translate(key).format(year=period.start.year)
    if period.kind is PeriodKind.SCHOOL_YEAR:
        return translate("execution.period.school_year").format(
            start=period.start.year, end=period.end.year
        )
    return translate("execution.period.custom").format(
        start=format_day(period.start), end=format_day(period.end)
    )


def period_phrase(period: Period, translate: Translate) -> str:
    """The period after the title: «за I квартал 2027 года», «за период с … по …»."""
    key = (
        "execution.title.for_dates"
        if period.kind is PeriodKind.CUSTOM
        else "execution.title.for_period"
    )
    return translate(key).format(period=period_label(period, translate))


def evidence_text(kind: EvidenceKind, text: str, translate: Translate) -> str:
    return translate(f"execution.evidence.{kind.value}").format(text=text)


def timeliness_text(occurrence: Occurrence, translate: Translate) -> str:
    """«в срок», «с опозданием на 3 дня»; empty for what is not done."""
    if occurrence.status is not Status.DONE:
        return ""
    if occurrence.on_time:
        return translate("execution.mark.on_time")
    return translate("execution.mark.late").format(days=days_text(occurrence.late_days, translate))


def standing_text(occurrence: Occurrence, at: date, translate: Translate) -> str:
    """The first line of a mark: the status in words with its dates."""
    status = occurrence.status
    due = format_day(occurrence.due)
    if status is Status.DONE and occurrence.done_on is not None:
        done = translate("execution.mark.done").format(date=format_day(occurrence.done_on))
        return f"{done}, {timeliness_text(occurrence, translate)}"
    if status is Status.OVERDUE:
        return translate("execution.mark.overdue").format(
            days=days_text(occurrence.overdue_days(at), translate), due=due
        )
    if status is Status.CANNOT:
        return translate("execution.mark.cannot").format(due=due)
    if status is Status.IN_PROGRESS:
        return translate("execution.mark.in_progress").format(due=due)
    return translate("execution.mark.upcoming").format(due=due)


@dataclass(frozen=True)
class MarkLine:
    """A line of a mark; `link` is a web address to append to `text` (clickable in DOCX)."""

    text: str
    link: str = ""

    def __str__(self) -> str:
        return self.text + self.link


def _evidence_line(item: Evidence, translate: Translate) -> MarkLine:
    if item.kind is EvidenceKind.LINK and _WEB.match(item.text):
        return MarkLine(evidence_text(item.kind, "", translate), item.text)
    return MarkLine(evidence_text(item.kind, item.text, translate))


def evidence_lines(occurrence: Occurrence, translate: Translate) -> list[MarkLine]:
    """«Ссылка: …», «Файл: …», «Комментарий: …», in the order they were given."""
    return [_evidence_line(item, translate) for item in occurrence.evidence]


def mark_details(occurrence: Occurrence, translate: Translate) -> list[MarkLine]:
    """What follows the standing: postponement, reason, evidence, who confirmed."""
    lines = []
    if occurrence.postponed_from is not None:
        postponed = translate("execution.mark.postponed").format(
            old=format_day(occurrence.postponed_from), new=format_day(occurrence.due)
        )
        lines.append(MarkLine(postponed))
    if occurrence.reason:
        reason = translate("execution.mark.reason").format(reason=occurrence.reason)
        lines.append(MarkLine(reason))
    lines.extend(evidence_lines(occurrence, translate))
    if occurrence.confirmed_by:
        confirmed = translate("execution.mark.confirmed").format(name=occurrence.confirmed_by)
        lines.append(MarkLine(confirmed))
    return lines


def occurrence_label(row: Row, occurrence: Occurrence) -> str:
    """What tells an occurrence from the row's others: its school when the row is fanned out
    to schools, else its executors when they differ; and its date when one school or one set
    of executors has several. Empty for a row of one occurrence."""
    occurrences = row.occurrences
    if len(occurrences) < 2:
        return ""
    by_school = len({item.school for item in occurrences}) > 1
    by_executors = not by_school and len({item.executors for item in occurrences}) > 1

    def who(item: Occurrence) -> str:
        if by_school:
            return item.school or ""
        return ", ".join(item.executors) if by_executors else ""

    parts = [who(occurrence)]
    dues: dict[str, set[date]] = {}
    for item in occurrences:
        dues.setdefault(who(item), set()).add(item.due)
    if any(len(days) > 1 for days in dues.values()):
        parts.append(format_day(occurrence.due))
    return " — ".join(part for part in parts if part)


def _names(occurrences: Sequence[Occurrence], translate: Translate) -> str:
    """Schools (or dates, for one executor's repeated task), each once, in the row's order."""
    names = list(dict.fromkeys(item.school or format_day(item.due) for item in occurrences))
    shown = ", ".join(names[:NAMES_LIMIT])
    if len(names) > NAMES_LIMIT:
        more = translate("execution.mark.more").format(count=len(names) - NAMES_LIMIT)
        shown = f"{shown} {more}"
    return shown


def summed_up_mark(row: Row, translate: Translate) -> list[str]:
    """A crowded cell in a few lines: «Выполнено 25 из 30 (в срок 20, с опозданием 5)»,
    «Просрочено: Школа 3, Школа 7», «Не может быть выполнено: …», counts of the rest."""
    summary = summarise(row.occurrences)
    done = translate("execution.mark.summary").format(done=summary.done, total=summary.total)
    if summary.done_late:
        done += " " + translate("execution.mark.summary_split").format(
            on_time=summary.done_on_time, late=summary.done_late
        )
    elif summary.done:
        done += " " + translate("execution.mark.summary_on_time")
    lines = [done]
    for status in (Status.OVERDUE, Status.CANNOT):
        which = [item for item in row.occurrences if item.status is status]
        if which:
            lines.append(f"{status_word(status, translate)}: {_names(which, translate)}")
    for status, count in (
        (Status.IN_PROGRESS, summary.in_progress),
        (Status.UPCOMING, summary.upcoming),
    ):
        if count:
            lines.append(f"{status_word(status, translate)}: {count}")
    return lines


def summary_lines(summary: Summary, rows: int, translate: Translate) -> list[tuple[str, str]]:
    """The summary as (label, value) pairs, in the order every document prints them."""
    return [
        (translate("execution.summary.rows"), str(rows)),
        (translate("execution.summary.total"), str(summary.total)),
        (translate("execution.summary.done"), str(summary.done)),
        (translate("execution.summary.done_on_time"), str(summary.done_on_time)),
        (translate("execution.summary.done_late"), str(summary.done_late)),
        (translate("execution.summary.overdue"), str(summary.overdue)),
        (translate("execution.summary.in_progress"), str(summary.in_progress)),
        (translate("execution.summary.upcoming"), str(summary.upcoming)),
        (translate("execution.summary.cannot"), str(summary.cannot)),
        (
            translate("execution.summary.share_on_time"),
            percent_text(summary.share_on_time, translate),
        ),
    ]


def share_note(summary: Summary, translate: Translate) -> str:
    return translate("execution.summary.share_note").format(
        on_time=summary.done_on_time, judged=summary.judged
    )


def period_note(period: Period, translate: Translate) -> str:
    return translate("execution.summary.period_note").format(
        start=format_day(period.start), end=format_day(period.end)
    )
