"""`python -m bot survey`: create from a file, open, list with live counts, close."""

from __future__ import annotations

import asyncio
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.__main__ import build_parser
from bot.cli_org import run_org
from bot.cli_survey import plain, run_survey
from bot.i18n import create_i18n
from bot.settings import Settings
from bot.survey_secret import load_survey_secret
from core.clock import SystemClock
from services.access import Actor
from services.surveys import SubmitOutcome, SurveyService
from storage.database import Database
from surveys.model import Answer, QuestionKind, RespondentRole, Segment, SurveyDefinition
from tests.cli import run_cli

PROJECT = Path(__file__).resolve().parents[2]
SAMPLE = PROJECT / "surveys" / "samples" / "survey.yaml"


class Terminal:
    """Runs the CLI in this process, as `python -m bot` would, and keeps what it printed."""

    def __init__(self, tmp_path: Path) -> None:
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=tmp_path / "data",
            timezone="Asia/Vladivostok",
            survey_secret=None,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self.parser = build_parser()
        self.i18n = create_i18n()

    def __call__(self, *args: str) -> int:
        self.out.clear()
        self.err.clear()
        arguments = self.parser.parse_args(args)
        run = run_survey if arguments.command == "survey" else run_org
        return run(
            arguments,
            self.settings,
            self.i18n,
            "ru",
            out=self.out.append,
            err=self.err.append,
        )

    @property
    def printed(self) -> str:
        return "\n".join(self.out)

    @property
    def complained(self) -> str:
        return "\n".join(self.err)


@pytest.fixture
def terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Terminal:
    monkeypatch.delenv("SURVEY_SECRET", raising=False)
    return Terminal(tmp_path)


def _answers(definition: SurveyDefinition) -> dict[str, Answer]:
    answers = {}
    for question in definition.questions:
        if question.kind is QuestionKind.SCALE:
            answers[question.id] = Answer(number=3)
        elif question.kind is QuestionKind.TEXT:
            answers[question.id] = Answer(text="Шахматы")
        else:
            answers[question.id] = Answer(choices=(question.options[0].key,))
    return answers


async def _answer(settings: Settings, survey_id: int, users: range) -> list[SubmitOutcome]:
    database = Database.from_url(settings.resolved_database_url)
    try:
        service = SurveyService(
            database, SystemClock(), load_survey_secret(settings), settings.zone
        )
        survey = await service.get_for_manager(Actor(0, None, is_admin=True), survey_id)
        definition = survey.survey.definition
        segment = Segment(RespondentRole.PARENT, definition.segments.classes[0])
        return [
            await service.submit(survey_id, user, segment, _answers(definition)) for user in users
        ]
    finally:
        await database.close()


def test_create_open_list_and_close(terminal: Terminal) -> None:
    assert terminal("org", "add", "МБОУ «СОШ №2»") == 0
    assert terminal("survey", "list") == 0
    assert "Опросов пока нет" in terminal.printed

    assert terminal("survey", "create", str(SAMPLE), "--org", "мбоу  «сош №2»") == 0, (
        terminal.complained
    )
    assert terminal.printed.startswith(
        "Создан черновик опроса №1 «Кружки и внеурочные занятия» для «МБОУ «СОШ №2»», вопросов: 5."
    )
    assert "python -m bot survey open 1 --closes " in terminal.printed
    assert terminal("survey", "list") == 0
    assert terminal.printed.startswith("№1 «Кружки и внеурочные занятия» — черновик; ")
    assert "МБОУ «СОШ №2»; ответов: 0; код ссылки: s_" in terminal.printed

    closes = date.today() + timedelta(days=10)
    assert terminal("survey", "open", "1", "--closes", closes.strftime("%d.%m.%Y")) == 0, (
        terminal.complained
    )
    assert f"открыт, ответы принимаются до {closes:%d.%m.%Y} включительно" in terminal.printed
    outcomes = asyncio.run(_answer(terminal.settings, 1, range(9_000_001, 9_000_004)))
    assert outcomes == [SubmitOutcome.ACCEPTED] * 3
    assert asyncio.run(_answer(terminal.settings, 1, range(9_000_001, 9_000_002))) == [
        SubmitOutcome.ALREADY_ANSWERED
    ]
    assert terminal("survey", "list") == 0
    assert f"открыт до {closes:%d.%m.%Y} включительно" in terminal.printed
    assert "ответов: 3" in terminal.printed

    assert terminal("survey", "close", "1") == 0, terminal.complained
    assert "Опрос №1 «Кружки и внеурочные занятия» закрыт" in terminal.printed
    assert terminal.printed.endswith("Ответов: 3.")
    # Closing twice is harmless; opening again is refused in words.
    assert terminal("survey", "close", "1") == 0
    assert terminal("survey", "open", "1", "--closes", closes.strftime("%d.%m.%Y")) == 1
    assert "уже закрыт" in terminal.complained
    assert asyncio.run(_answer(terminal.settings, 1, range(9_000_010, 9_000_011))) == [
        SubmitOutcome.CLOSED
    ]


def test_refusals_say_what_to_fix(terminal: Terminal, tmp_path: Path) -> None:
    assert terminal("org", "add", "Управление образования", "--kind", "municipality") == 0
    assert terminal("org", "add", "МБОУ «СОШ №1»", "--parent", "Управление образования") == 0
    assert terminal("org", "add", "МБОУ «СОШ №1»") == 0

    missing = tmp_path / "нет такого.yaml"
    assert terminal("survey", "create", str(missing), "--org", "1") == 1
    assert f"Не удалось прочитать файл {missing}" in terminal.complained

    broken = tmp_path / "опрос.yaml"
    broken.write_text(
        "title: Опрос\naudience: родители\nquestions:\n  - text: Вопрос\n    kind: гадание\n",
        encoding="utf-8",
    )
    assert terminal("survey", "create", str(broken), "--org", "1") == 1
    assert terminal.complained.startswith("Опрос не создан, в файле опрос.yaml есть ошибка: ")
    assert "5" in terminal.complained  # the line of the unknown kind
    assert "<" not in terminal.complained and "Traceback" not in terminal.complained

    assert terminal("survey", "create", str(SAMPLE), "--org", "Нет такой") == 1
    assert "Организация «Нет такой» не найдена" in terminal.complained
    assert terminal("survey", "create", str(SAMPLE), "--org", "МБОУ «СОШ №1»") == 2
    assert "номера: 2, 3" in terminal.complained and "--org 2" in terminal.complained
    assert terminal("survey", "list") == 0
    assert "Опросов пока нет" in terminal.printed

    assert terminal("survey", "create", str(SAMPLE), "--org", "3") == 0
    assert terminal("survey", "open", "1", "--closes", "когда-нибудь") == 2
    assert "Не удалось понять дату «когда-нибудь»" in terminal.complained
    past = date.today() - timedelta(days=3)
    assert terminal("survey", "open", "1", "--closes", past.strftime("%d.%m.%Y")) == 1
    assert "не может быть раньше сегодняшнего дня" in terminal.complained
    assert terminal("survey", "close", "1") == 1
    assert "ещё не открыт" in terminal.complained
    assert terminal("survey", "open", "7", "--closes", "31.12.2099") == 1
    assert "Опрос №7 не найден" in terminal.complained


def test_plain_drops_tags_and_entities() -> None:
    assert plain("<b>Строка 5</b>: «a &lt; b» &amp; <i>c</i>") == "Строка 5: «a < b» & c"


def test_registered_in_the_command_line(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path, "survey", "list", env={"LANG": "ru_RU.UTF-8", "TIMEZONE": "Asia/Vladivostok"}
    )
    assert result.returncode == 0, result.stderr
    assert "Опросов пока нет" in result.stdout
    secret = tmp_path / "data" / "survey_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
