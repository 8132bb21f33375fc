"""Where survey definitions come from: a YAML file, the .xlsx template, or a built-in template.

Every way in ends in the same checks (``validate``), and every refusal is a DefinitionError
naming the line (YAML) or the cell (.xlsx) to fix, in words from the locale catalogs.
The built-in templates are YAML files in ``surveys/templates``, in the very format people
write, so what the coordinator downloads to adapt reads the same as what ships.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import PurePath

from surveys.building import build, first_problem
from surveys.classes import parse_class_list
from surveys.model import SurveyDefinition
from surveys.source import DefinitionError, RawSurvey
from surveys.xlsx_template import is_survey_workbook, read_xlsx
from surveys.yaml_format import dump_yaml, read_yaml

__all__ = [
    "DefinitionError",
    "Template",
    "builtin_template",
    "builtin_templates",
    "dump_yaml",
    "is_survey_workbook",
    "load_definition",
    "load_xlsx",
    "load_yaml",
    "parse_class_list",
    "sample_files",
    "validate",
    "with_classes",
]

# Key and season of each built-in template, in the order a coordinator is offered them.
_TEMPLATES = (("awareness", "autumn"), ("effectiveness", "spring"))
_SAMPLES = ("survey.xlsx", "survey.yaml")


@dataclass(frozen=True)
class Template:
    key: str  # "awareness", "effectiveness"; catalog key survey.template.<key> describes it
    title: str
    season: str  # "autumn" or "spring": when the roadmaps plan this survey
    definition: SurveyDefinition


def load_yaml(text: str | bytes) -> SurveyDefinition:
    """A definition from YAML; DefinitionError names the line."""
    if isinstance(text, bytes):
        text = _decode(text)
    return _checked(read_yaml(text))


def load_xlsx(data: bytes) -> SurveyDefinition:
    """A definition from the .xlsx template; DefinitionError names the sheet and cell."""
    if not data.strip():
        raise DefinitionError("survey.file.empty")
    return _checked(read_xlsx(data))


def load_definition(filename: str, data: bytes) -> SurveyDefinition:
    """A definition from an uploaded file, by its extension (.yaml, .yml, .xlsx)."""
    extension = PurePath(filename).suffix.casefold()
    if extension in (".yaml", ".yml"):
        return load_yaml(data)
    if extension == ".xlsx":
        return load_xlsx(data)
    raise DefinitionError("survey.file.unsupported")


def validate(definition: SurveyDefinition) -> None:
    """Raises DefinitionError when the definition breaks a rule.

    A definition that came from no file is located in its YAML form (``dump_yaml``), the
    file a coordinator would download to fix it.
    """
    problem = first_problem(definition)
    if problem is None:
        return
    _, source = build(read_yaml(dump_yaml(definition)))
    raise source.error(problem)


def with_classes(definition: SurveyDefinition, classes: tuple[str, ...]) -> SurveyDefinition:
    """The definition asking the class from this list (normalised); () stops asking it."""
    normalised = parse_class_list(", ".join(classes)) if classes else ()
    return replace(definition, segments=replace(definition.segments, classes=normalised))


def builtin_templates() -> list[Template]:
    return list(_templates())


def builtin_template(key: str) -> Template | None:
    return next((template for template in _templates() if template.key == key), None)


def sample_files() -> list[tuple[str, bytes]]:
    """The files a coordinator downloads to write a survey: (file name, content)."""
    folder = resources.files("surveys") / "samples"
    return [(name, (folder / name).read_bytes()) for name in _SAMPLES]


@cache
def _templates() -> tuple[Template, ...]:
    folder = resources.files("surveys") / "templates"
    templates = []
    for key, season in _TEMPLATES:
        definition = load_yaml((folder / f"{key}.yaml").read_bytes())
        templates.append(Template(key, definition.title, season, definition))
    return tuple(templates)


def _checked(raw: RawSurvey) -> SurveyDefinition:
    definition, source = build(raw)
    problem = first_problem(definition)
    if problem is not None:
        raise source.error(problem)
    return definition


def _decode(data: bytes) -> str:
    """UTF-8 as editors save it today, else Windows-1251 as Notepad on a school PC may."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")
