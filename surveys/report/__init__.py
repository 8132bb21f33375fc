"""Survey results as files people open: PNG charts, XLSX, CSV, and a DOCX and PDF report.

Pure renderers: they take `surveys.results.SurveyResults` (small counts already hidden) and a
`translate` function for every human word, and return bytes. No messenger, no database.

The names are loaded on first use: the services need `ReportMeta` alone, and the terminal's
commands should not wait for matplotlib, python-docx and fpdf2 to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from surveys.report.charts import PAGE, PHONE, ChartStyle, chart_png, charts_for
    from surveys.report.csv_export import build_csv
    from surveys.report.docx_report import build_docx
    from surveys.report.labels import ReportMeta, Translate
    from surveys.report.pdf_report import build_pdf
    from surveys.report.xlsx import build_xlsx

_WHERE = {
    "PAGE": "charts",
    "PHONE": "charts",
    "ChartStyle": "charts",
    "chart_png": "charts",
    "charts_for": "charts",
    "build_csv": "csv_export",
    "build_docx": "docx_report",
    "ReportMeta": "labels",
    "Translate": "labels",
    "build_pdf": "pdf_report",
    "build_xlsx": "xlsx",
}

__all__ = [
    "PAGE",
    "PHONE",
    "ChartStyle",
    "ReportMeta",
    "Translate",
    "build_csv",
    "build_docx",
    "build_pdf",
    "build_xlsx",
    "chart_png",
    "charts_for",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
