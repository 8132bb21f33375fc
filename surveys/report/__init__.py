"""Survey results as files people open: PNG charts, XLSX, CSV and a DOCX report.

Pure renderers: they take `surveys.results.SurveyResults` (small counts already hidden) and a
`translate` function for every human word, and return bytes. No messenger, no database.
"""

from surveys.report.charts import chart_png, charts_for
from surveys.report.csv_export import build_csv
from surveys.report.docx_report import build_docx
from surveys.report.labels import ReportMeta, Translate
from surveys.report.xlsx import build_xlsx

__all__ = [
    "ReportMeta",
    "Translate",
    "build_csv",
    "build_docx",
    "build_xlsx",
    "chart_png",
    "charts_for",
]
