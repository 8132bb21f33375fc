"""Survey definitions as YAML: the format people write, read node by node to keep line numbers.

The file is composed (``yaml.compose``), not loaded, so every value still knows its line,
and scalars are taken as the text written: "да", "5" and "Нет" mean what a person means,
whatever YAML 1.1 would make of "no" or "on". Unknown fields are refused by name and line,
which is how a typo like ``requried`` gets caught instead of silently ignored.

    title: Кружки и внеурочные занятия
    intro: Опрос займёт 2 минуты.
    audience: все                 # родители / обучающиеся / все
    classes: 5а, 5б, 6а           # or a list; leave out to not ask the class
    questions:
      - text: Вы или ваш ребёнок ходите в школьные кружки?
        kind: один вариант        # один вариант / несколько вариантов / шкала / текст
        options:
          - Да
          - text: Нет
            goto: 3               # a question number (or id), or "конец"
      - text: Какие кружки вам интересны?
        kind: несколько вариантов
        options:
          - Спорт
          - text: Никакие
            exclusive: да         # ticking it clears the others, and another clears it
      - text: Насколько удобно расписание?
        kind: шкала
        scale: {high: 10, low_label: Неудобно, high_label: Очень удобно}
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from surveys.building import AUDIENCE_WORDS, END_WORD, KIND_WORDS, NO, YES
from surveys.model import DEFAULT_TEXT_LIMIT, END, Option, Question, Scale, SurveyDefinition
from surveys.source import (
    DefinitionError,
    Place,
    RawOption,
    RawQuestion,
    RawSurvey,
    Scalar,
    shown,
)

_SURVEY_KEYS = ("title", "intro", "audience", "ask_role", "classes", "questions")
_QUESTION_KEYS = ("id", "text", "kind", "required", "options", "other", "scale", "max_length")
_OPTION_KEYS = ("text", "goto", "exclusive")
_SCALE_KEYS = ("low", "high", "low_label", "high_label")
_NULL_TAG = "tag:yaml.org,2002:null"
# The format nests five deep (survey, questions, a question, its options, an option); well past
# that is no survey. PyYAML composes recursively: without a limit a few thousand brackets end in
# a RecursionError instead of a message that names the line.
MAX_DEPTH = 32

_Fields = dict[str, tuple[Node, Node]]


def read_yaml(text: str) -> RawSurvey:
    """What a YAML file says, value by value with lines; DefinitionError names a bad line."""
    if not text.strip():
        raise DefinitionError("survey.file.empty")
    try:
        root = yaml.compose(text, Loader=_DepthLimitedLoader)
    except _TooDeep as error:
        raise Place(line=error.line).error("too_deep", limit=MAX_DEPTH) from None
    except yaml.MarkedYAMLError as error:
        raise Place(line=_error_line(error, text)).error("yaml_syntax") from None
    except yaml.YAMLError:
        raise Place(line=1).error("yaml_syntax") from None
    if root is None:
        raise DefinitionError("survey.file.empty")
    fields = _mapping(root, _SURVEY_KEYS)
    raw = RawSurvey(place=_place(root))
    for name in ("title", "intro", "audience", "ask_role"):
        _put(raw.fields, name, fields)
    if "classes" in fields:
        raw.classes = _scalars(fields["classes"][1])
    if "questions" in fields:
        key, node = fields["questions"]
        raw.questions_place = _place(key)
        if _is_null(node):
            return raw
        if not isinstance(node, SequenceNode):
            raise _place(node).error("not_list")
        raw.questions = [_question(item) for item in node.value]
    return raw


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _DepthLimitedLoader(yaml.SafeLoader):
    """The safe loader, refusing a node nested deeper than MAX_DEPTH before it recurses on."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise _TooDeep(event.start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _error_line(error: yaml.MarkedYAMLError, text: str) -> int:
    """The line to look at: where the parser choked, or, when it only noticed at the end of
    the file (an unclosed quote or bracket), where the unfinished thing began."""
    mark = error.problem_mark
    if error.context_mark is not None and (mark is None or mark.index >= len(text.rstrip())):
        mark = error.context_mark
    return mark.line + 1 if mark is not None else 1


def _place(node: Node) -> Place:
    return Place(line=node.start_mark.line + 1)


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG


def _mapping(node: Node, allowed: tuple[str, ...]) -> _Fields:
    if not isinstance(node, MappingNode):
        raise _place(node).error("not_mapping")
    fields: _Fields = {}
    for key, value in node.value:
        name = key.value.strip().casefold() if isinstance(key, ScalarNode) else ""
        if name not in allowed:
            written = key.value if isinstance(key, ScalarNode) else "…"
            raise _place(key).error(
                "unknown_key", name=shown(str(written)), allowed=", ".join(allowed)
            )
        if name in fields:
            raise _place(key).error("duplicate_key", name=shown(name))
        fields[name] = (key, value)
    return fields


def _scalar(node: Node) -> Scalar | None:
    if _is_null(node):
        return None
    if not isinstance(node, ScalarNode):
        raise _place(node).error("not_text")
    return Scalar(str(node.value), _place(node))


def _put(target: dict[str, Scalar], name: str, fields: _Fields, as_name: str = "") -> None:
    if name in fields:
        scalar = _scalar(fields[name][1])
        if scalar is not None:
            target[as_name or name] = scalar


def _scalars(node: Node) -> list[Scalar]:
    if isinstance(node, SequenceNode):
        items = (_scalar(item) for item in node.value)
        return [item for item in items if item is not None]
    scalar = _scalar(node)
    return [scalar] if scalar is not None else []


def _question(node: Node) -> RawQuestion:
    fields = _mapping(node, _QUESTION_KEYS)
    raw = RawQuestion(place=_place(node))
    for name in ("id", "text", "kind", "required", "other", "max_length"):
        _put(raw.fields, name, fields)
    if "scale" in fields:
        _scale(raw, fields["scale"][1])
    if "options" in fields:
        key, value = fields["options"]
        raw.options_place = _place(key)
        if not _is_null(value):
            if not isinstance(value, SequenceNode):
                raise _place(value).error("not_list")
            raw.options = [_option(item) for item in value.value]
    return raw


def _scale(raw: RawQuestion, node: Node) -> None:
    """``scale: 10`` is the short form of ``scale: {high: 10}``."""
    if isinstance(node, ScalarNode):
        high = _scalar(node)
        if high is not None:
            raw.fields["scale_high"] = high
        return
    fields = _mapping(node, _SCALE_KEYS)
    _put(raw.fields, "low", fields, as_name="scale_low")
    _put(raw.fields, "high", fields, as_name="scale_high")
    _put(raw.fields, "low_label", fields)
    _put(raw.fields, "high_label", fields)


def _option(node: Node) -> RawOption:
    """An option is its label, or ``{text: label, goto: question, exclusive: да}``."""
    if not isinstance(node, MappingNode):
        return RawOption(_scalar(node) or Scalar("", _place(node)))
    fields = _mapping(node, _OPTION_KEYS)
    label, goto, exclusive = (
        _scalar(fields[name][1]) if name in fields else None
        for name in ("text", "goto", "exclusive")
    )
    return RawOption(label or Scalar("", _place(node)), goto, exclusive)


def dump_yaml(definition: SurveyDefinition) -> str:
    """The definition in the format people write; reading it back gives the same definition.

    Only what differs from the defaults is written, as a person would write it.
    """
    document: dict[str, Any] = {"title": definition.title}
    if definition.intro:
        document["intro"] = definition.intro
    document["audience"] = AUDIENCE_WORDS[definition.audience]
    if not definition.segments.ask_role:
        document["ask_role"] = NO
    if definition.segments.classes:
        document["classes"] = list(definition.segments.classes)
    positional = all(q.id == str(n) for n, q in enumerate(definition.questions, start=1))
    document["questions"] = [
        _dump_question(question, positional=positional) for question in definition.questions
    ]
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _dump_question(question: Question, *, positional: bool) -> dict[str, Any]:
    item: dict[str, Any] = {} if positional else {"id": question.id}
    item["text"] = question.text
    item["kind"] = KIND_WORDS[question.kind]
    if not question.required:
        item["required"] = NO
    if question.options:
        item["options"] = [_dump_option(option, positional) for option in question.options]
    if question.other:
        item["other"] = YES
    if question.scale is not None:
        item["scale"] = _dump_scale(question.scale)
    if question.max_length != DEFAULT_TEXT_LIMIT:
        item["max_length"] = question.max_length
    return item


def _dump_option(option: Option, positional: bool) -> str | dict[str, Any]:
    if not option.goto and not option.exclusive:
        return option.label
    item: dict[str, Any] = {"text": option.label}
    if option.goto:
        item["goto"] = _dump_goto(option.goto, positional)
    if option.exclusive:
        item["exclusive"] = YES
    return item


def _dump_goto(target: str, positional: bool) -> str | int:
    if target == END:
        return END_WORD
    return int(target) if positional else target


def _dump_scale(scale: Scale) -> dict[str, Any]:
    dumped: dict[str, Any] = {}
    if scale.low != Scale.low:
        dumped["low"] = scale.low
    dumped["high"] = scale.high
    for name in ("low_label", "high_label"):
        if getattr(scale, name):
            dumped[name] = getattr(scale, name)
    return dumped


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, and texts with line breaks as ``|`` blocks: the way
    a person writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)
