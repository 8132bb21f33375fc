"""The roadmap's execution report (отчёт о выполнении мероприятий дорожной карты): a pure model
the service fills, and its DOCX, XLSX and PNG renderings."""

from reports.model import (
    Evidence,
    EvidenceKind,
    ExecutionReport,
    Occurrence,
    Period,
    PeriodKind,
    Row,
    Status,
    Summary,
    period_of,
    summarise,
)

__all__ = [
    "Evidence",
    "EvidenceKind",
    "ExecutionReport",
    "Occurrence",
    "Period",
    "PeriodKind",
    "Row",
    "Status",
    "Summary",
    "period_of",
    "summarise",
]
