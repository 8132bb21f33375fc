"""Lists of schools and their heads (CSV or Excel), read into plain rows; no database here."""

from schools.names import school_key
from schools.reader import (
    MAX_ROWS,
    ProblemKind,
    RowProblem,
    SchoolColumn,
    SchoolRow,
    SchoolsReadError,
    SchoolsTable,
    find_schools_header,
    is_schools_list,
    read_schools,
)

__all__ = [
    "MAX_ROWS",
    "ProblemKind",
    "RowProblem",
    "SchoolColumn",
    "SchoolRow",
    "SchoolsReadError",
    "SchoolsTable",
    "find_schools_header",
    "is_schools_list",
    "read_schools",
    "school_key",
]
