"""The roadmap's execution report (отчёт о выполнении мероприятий дорожной карты): a pure model
the service fills, and its DOCX, XLSX and PNG renderings."""

from reports.docx import build_docx
from reports.matrix import Matrix, matrix_png, school_matrix
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
from reports.xlsx import build_xlsx

__all__ = [
    "Evidence",
    "EvidenceKind",
    "ExecutionReport",
    "Matrix",
    "Occurrence",
    "Period",
    "PeriodKind",
    "Row",
    "Status",
    "Summary",
    "build_docx",
    "build_xlsx",
    "matrix_png",
    "period_of",
    "school_matrix",
    "summarise",
]
