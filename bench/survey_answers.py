"""Benchmark: respondents answering a survey through the bot's real dispatcher, in answers/s.

    .venv/bin/python -m bench.survey_answers [--respondents 1000] [--concurrency 50]

A 10-question survey (single choice, multiple choice, scales 1–5 and 1–10, «Другое», free
text; parents and students of four classes) is created and opened through SurveyService in a
fresh SQLite file in a temporary directory (memory FSM), and, when TEST_DATABASE_URL and
TEST_REDIS_URL are both set, once more in a fresh PostgreSQL database with the FSM in Redis
(the database is created and dropped; the bench's keys in Redis are deleted before and after).
Then ``--respondents`` simulated people answer it,
``--concurrency`` at a time, each as a person would: ``/start s_<code>``, «Начать», role, class,
the ten questions (ticks, «Готово», typed answers), «Отправить». Every update goes through
``bot.app.create_dispatcher`` (the real middlewares, routers, memory FSM and services) by
``dispatcher.feed_update``; the bot's HTTP session is replaced by an in-process stub that answers
every Bot API method with a plausible ok result (no network), and the simulated person reads the
next button's data from what the bot last sent or edited. Then the very same updates are fed,
with the same concurrency, to two bare aiogram Dispatchers: one whose handler does nothing, and
one whose handler does what a minimal button handler must (answers the callback query and edits
one message with a four-button keyboard; a typed message gets the edit alone): the baseline.

Printed: updates and answers per second, p50/p95/max latency of one answer (the update that
records a question's answer and moves on; ten per respondent), CPU (time.process_time: every
thread of the process, aiosqlite's and asyncpg's included) and wall time per update, the ratio
edit-handler CPU / bot CPU (the goal: at least 0.5), PostgreSQL + Redis against SQLite (the
goal: at most 1.5×), the Bot API calls the bot made, and a check that every respondent's
answers were stored once. Building the simulated updates is timed apart and left out. A
«Отправить» answered with the bot's apology is pressed once more, as a person would, and
counted. Exit code 1 when a response
is missing or the bot logged an error (each is printed on one line, without its traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder
from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import create_dispatcher, create_planning, freeze_start_up_objects
from bot.i18n import create_i18n
from bot.settings import Settings
from core.clock import SystemClock
from core.deeplinks import DeepLink, DeepLinkKind
from handlers.callbacks import AnswerCallback
from services.access import Actor
from services.surveys import SurveyService
from services.tasks import TaskService
from storage.database import Database
from storage.migrate import upgrade_to_head
from surveys.model import (
    Audience,
    Option,
    Question,
    QuestionKind,
    Scale,
    Segments,
    SurveyDefinition,
)

TOKEN = "123456:BENCH"
BOT_ID = 123456
FIRST_USER_ID = 10_000_000
ADMIN = Actor(1, None, is_admin=True)
CLASSES = ("5 «а»", "5 «б»", "9 «а»", "10 «б»")
POSTGRES, REDIS = "TEST_DATABASE_URL", "TEST_REDIS_URL"


def _options(*labels: str) -> tuple[Option, ...]:
    return tuple(Option(str(number), label) for number, label in enumerate(labels, start=1))


SINGLE, MULTIPLE, SCALE, TEXT = (
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.SCALE,
    QuestionKind.TEXT,
)
DEFINITION = SurveyDefinition(
    title="Профильные классы: что вы о них знаете",
    intro="Десять коротких вопросов, это займёт пару минут.",
    audience=Audience.BOTH,
    segments=Segments(ask_role=True, classes=CLASSES),
    questions=(
        Question("1", "Вы слышали о профильных классах?", SINGLE, options=_options("Да", "Нет")),
        Question(
            "2",
            "Откуда вы о них узнали?",
            MULTIPLE,
            options=_options("От учителей", "На собрании", "На сайте школы", "В чате класса"),
            other=True,
        ),
        Question(
            "3",
            "Насколько вам интересно?",
            SCALE,
            scale=Scale(1, 5, "совсем не интересно", "очень интересно"),
        ),
        Question(
            "4",
            "Планируете ли вы профильный класс?",
            SINGLE,
            options=_options("Да", "Возможно", "Нет", "Трудно сказать"),
        ),
        Question(
            "5",
            "Какое направление ближе?",
            SINGLE,
            options=_options("Инженерное", "IT", "Медицинское", "Педагогическое"),
            other=True,
        ),
        Question(
            "6",
            "Хватает ли информации?",
            SCALE,
            scale=Scale(1, 10, "совсем не хватает", "хватает полностью"),
        ),
        Question(
            "7",
            "О чём рассказать подробнее?",
            MULTIPLE,
            options=_options("Поступление", "Учёба", "Практика", "Вузы-партнёры", "Нагрузка"),
        ),
        Question(
            "8",
            "Где удобнее получать новости?",
            SINGLE,
            options=_options("Чат класса", "Соцсети школы", "Сайт", "Собрания"),
        ),
        Question(
            "9", "Участвовали ли вы в днях открытых дверей?", SINGLE, options=_options("Да", "Нет")
        ),
        Question("10", "Что бы вы предложили школе?", TEXT, required=False, max_length=300),
    ),
)
ANSWERS_PER_RESPONDENT = len(DEFINITION.questions)


# ---------------------------------------------------------------------------- the stub Bot API


@dataclass
class Screen:
    """What one chat shows: the bot's last sent or edited message with its buttons."""

    message_id: int
    text: str
    markup: InlineKeyboardMarkup | None


class StubSession(BaseSession):
    """Answers every method at once with a plausible result; remembers each chat's screen."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.screens: dict[int, Screen] = {}
        self._next_message_id = 1_000_000

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        self.calls[type(method).__name__] += 1
        if isinstance(method, SendMessage | EditMessageText):
            chat_id = int(method.chat_id or 0)
            if isinstance(method, SendMessage):
                self._next_message_id += 1
                message_id = self._next_message_id
            else:
                message_id = int(method.message_id or 0)
            markup = (
                method.reply_markup
                if isinstance(method.reply_markup, InlineKeyboardMarkup)
                else None
            )
            self.screens[chat_id] = Screen(message_id, method.text or "", markup)
            message = Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=Chat(id=chat_id, type="private"),
                text=method.text,
                reply_markup=markup,
            )
            return message.as_(bot)  # type: ignore[return-value]
        return True  # type: ignore[return-value]

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (aiogram's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("the benchmark downloads nothing")
        yield b""  # pragma: no cover

    async def close(self) -> None:
        return None


def make_bot(session: StubSession) -> Bot:
    return Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


# ---------------------------------------------------------------------------- respondents


@dataclass
class Feed:
    """Builds updates as Telegram would send them, and times what the dispatcher does."""

    bot: Bot
    dispatcher: Dispatcher
    session: StubSession
    next_update: int = 0
    next_incoming: int = 0
    answer_ms: list[float] = field(default_factory=list)
    update_ms: list[float] = field(default_factory=list)
    # Every update fed, per person, for the bare replay: as JSON text, so that what the
    # simulated people keep does not weigh on the bot's garbage collector (a bot keeps no
    # updates; hundreds of thousands of kept objects would make its full collections slow).
    sent: dict[int, list[str]] = field(default_factory=dict)
    answer_updates: set[int] = field(default_factory=set)  # update ids
    # «Отправить» answered with the apology (the review stays): pressed once more, as people do.
    submit_retries: int = 0
    # Time spent building the simulated updates: the bench's work, not the bot's.
    build_cpu: float = 0.0
    build_wall: float = 0.0
    # CPU seconds and count per kind of update; meaningful one person at a time only, when no
    # other person's update runs while this one waits.
    kind_cpu: Counter[str] = field(default_factory=Counter)
    kind_count: Counter[str] = field(default_factory=Counter)

    def _timed_build(self, cpu: float, wall: float) -> None:
        self.build_cpu += time.process_time() - cpu
        self.build_wall += time.perf_counter() - wall

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Респондент", "language_code": "ru"}

    def _update(self, user_id: int, payload: dict[str, Any]) -> Update:
        self.next_update += 1
        update = Update.model_validate(
            {"update_id": self.next_update, **payload}, context={"bot": self.bot}
        )
        self.sent.setdefault(user_id, []).append(update.model_dump_json(exclude_unset=True))
        return update

    def text(self, user_id: int, text: str) -> Update:
        cpu, wall = time.process_time(), time.perf_counter()
        self.next_incoming += 1
        message: dict[str, Any] = {
            "message_id": self.next_incoming,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": self._user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        update = self._update(user_id, {"message": message})
        self._timed_build(cpu, wall)
        return update

    def press(self, user_id: int, label: str) -> Update:
        """A tap on the first button of the chat's screen whose text contains `label`."""
        cpu, wall = time.process_time(), time.perf_counter()
        screen = self.session.screens[user_id]
        markup = screen.markup
        data = next(
            button.callback_data
            for row in (markup.inline_keyboard if markup else [])
            for button in row
            if label in button.text
        )
        query = {
            "id": secrets.token_hex(8),
            "from": self._user(user_id),
            "chat_instance": str(user_id),
            "data": data,
            "message": {
                "message_id": screen.message_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Roadmap"},
                "text": screen.text,
            },
        }
        update = self._update(user_id, {"callback_query": query})
        self._timed_build(cpu, wall)
        return update

    async def feed(self, update: Update, *, answer: bool = False) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        await self.dispatcher.feed_update(self.bot, update)
        elapsed = (time.perf_counter() - started) * 1000
        kind = _kind(update)
        self.kind_cpu[kind] += time.process_time() - cpu
        self.kind_count[kind] += 1
        self.update_ms.append(elapsed)
        if answer:
            self.answer_ms.append(elapsed)
            self.answer_updates.add(update.update_id)


def _kind(update: Update) -> str:
    if update.callback_query is not None:
        return f"button {AnswerCallback.unpack(update.callback_query.data or '').action.name}"
    text = update.message.text if update.message is not None else None
    return "/start s_…" if (text or "").startswith("/start") else "typed text"


def _labels(feed: Feed, user_id: int) -> list[str]:
    markup = feed.session.screens[user_id].markup
    return [button.text for row in (markup.inline_keyboard if markup else []) for button in row]


async def respondent(feed: Feed, user_id: int, code: str, rng: random.Random) -> None:
    """One person, start to «Отправить», choosing at random among what the screen offers."""
    await feed.feed(feed.text(user_id, f"/start {DeepLink(DeepLinkKind.SURVEY, code).payload()}"))
    await feed.feed(feed.press(user_id, "Начать"))
    await feed.feed(feed.press(user_id, rng.choice(["Родитель", "Обучающийся"])))
    await feed.feed(feed.press(user_id, rng.choice([*CLASSES, "Не хочу указывать"])))
    for question in DEFINITION.questions:
        if question.kind is QuestionKind.TEXT:
            await feed.feed(feed.text(user_id, "Больше встреч с вузами"), answer=True)
            continue
        if question.kind is QuestionKind.SCALE:
            assert question.scale is not None
            number = str(rng.randint(question.scale.low, question.scale.high))
            await feed.feed(feed.press(user_id, number), answer=True)
            continue
        labels = [option.label for option in question.options]
        if question.kind is QuestionKind.SINGLE:
            if question.other and rng.random() < 0.2:
                await feed.feed(feed.press(user_id, "Другое"))
                await feed.feed(feed.text(user_id, "Своё направление"), answer=True)
            else:
                await feed.feed(feed.press(user_id, rng.choice(labels)), answer=True)
            continue
        for label in rng.sample(labels, rng.randint(1, 2)):
            await feed.feed(feed.press(user_id, label))
        await feed.feed(feed.press(user_id, "Готово"), answer=True)
    if not any("Отправить" in label for label in _labels(feed, user_id)):
        raise RuntimeError(
            f"respondent {user_id} did not reach the review: {_labels(feed, user_id)}"
        )
    await feed.feed(feed.press(user_id, "Отправить"))
    if any("Отправить" in label for label in _labels(feed, user_id)):
        feed.submit_retries += 1
        await feed.feed(feed.press(user_id, "Отправить"))


async def in_parallel(count: int, concurrency: int, job: Any) -> float:
    """Runs job(index) for every index, `concurrency` at a time; returns the wall time."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(count):
        queue.put_nowait(index)

    async def worker() -> None:
        while not queue.empty():
            await job(queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


# ---------------------------------------------------------------------------- the runs


@dataclass(frozen=True)
class Run:
    name: str
    seconds: float
    cpu_seconds: float
    updates: int
    answers: int
    answer_ms: Sequence[float]

    @property
    def answers_per_second(self) -> float:
        return self.answers / self.seconds

    @property
    def updates_per_second(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_ms(self) -> float:
        """CPU per update, every thread of the process."""
        return self.cpu_seconds / self.updates * 1000

    @property
    def wall_ms(self) -> float:
        return self.seconds / self.updates * 1000


def percentile(values: Sequence[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


@dataclass(frozen=True)
class Backend:
    """Where the bot keeps its data and its conversations for one run."""

    name: str
    database_url: str
    redis_url: str | None = None


@contextlib.asynccontextmanager
async def sqlite_backend(directory: Path) -> AsyncIterator[Backend]:
    yield Backend("SQLite, memory FSM", f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}")


@contextlib.asynccontextmanager
async def postgres_redis_backend(base_url: str, redis_url: str) -> AsyncIterator[Backend]:
    """A database of its own, created and dropped; the bench's FSM keys cleared around."""
    name = f"bench_{secrets.token_hex(4)}"
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    redis = Redis.from_url(redis_url)

    async def clear_keys() -> None:
        keys = [key async for key in redis.scan_iter(match=f"fsm:{BOT_ID}:*")]
        if keys:
            await redis.delete(*keys)

    try:
        await clear_keys()
        url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
        yield Backend("PostgreSQL + Redis FSM", url, redis_url)
    finally:
        await clear_keys()
        await redis.aclose()
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.dispose()


async def bot_run(
    respondents: int, concurrency: int, backend: Backend, directory: Path
) -> tuple[Run, Feed, int]:
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        data_dir=directory,
        timezone="Asia/Vladivostok",
        # The simulated people tap far faster than people do; the flood limit is not measured.
        throttle_burst=1000,
    )
    clock = SystemClock()
    database = Database.from_url(
        settings.resolved_database_url, pool_size=settings.database_pool_size
    )
    await upgrade_to_head(database.engine)
    planning = create_planning(settings)
    surveys = SurveyService(database, clock, secrets.token_bytes(32), settings.zone)
    dispatcher = create_dispatcher(
        settings=settings,
        database=database,
        clock=clock,
        i18n=create_i18n(),
        planning=planning,
        tasks=TaskService(database, clock, planning),
        surveys=surveys,
    )
    survey = await surveys.create(ADMIN, DEFINITION)
    today = clock.now().astimezone(settings.zone).date()
    survey = await surveys.open(ADMIN, survey.id, today + timedelta(days=30))
    session = StubSession()
    feed = Feed(make_bot(session), dispatcher, session)
    freeze_start_up_objects()  # as `python -m bot run` does before serving

    async def one(index: int) -> None:
        await respondent(feed, FIRST_USER_ID + index, survey.code, random.Random(index))

    try:
        cpu = time.process_time()
        seconds = await in_parallel(respondents, concurrency, one)
        cpu = time.process_time() - cpu
        (_, responses) = await surveys.responses_for(ADMIN, survey.id)
        complete = sum(1 for response in responses if len(response.answers) == 10)
    finally:
        await dispatcher.storage.close()
        await database.close()
    run = Run(
        f"bot, {backend.name}",
        seconds - feed.build_wall,
        cpu - feed.build_cpu,
        len(feed.update_ms),
        len(feed.answer_ms),
        feed.answer_ms,
    )
    return run, feed, complete


async def _nothing(event: TelegramObject) -> None:
    return None


def _keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for number in range(1, 5):
        builder.button(text=f"Вариант {number}", callback_data=f"bench:{number}")
    builder.adjust(1)
    return builder.as_markup()


async def _edit_callback(callback: CallbackQuery, bot: Bot) -> None:
    # Through this dispatcher's bot: the recorded updates are bound to the real run's.
    await bot.answer_callback_query(callback.id)
    if isinstance(callback.message, Message):
        await bot.edit_message_text(
            text="Вопрос 2 из 10",
            chat_id=callback.message.chat.id,
            message_id=callback.message.message_id,
            reply_markup=_keyboard(),
        )


async def _edit_message(message: Message, bot: Bot) -> None:
    await bot.edit_message_text(
        text="Вопрос 2 из 10",
        chat_id=message.chat.id,
        message_id=message.message_id + 1,
        reply_markup=_keyboard(),
    )


async def bare_run(recorded: Feed, concurrency: int, *, edit: bool) -> Run:
    """The same updates, in the same per-person order, to one bare handler."""
    router = Router()
    router.message.register(_edit_message if edit else _nothing)
    router.callback_query.register(_edit_callback if edit else _nothing)
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    session = StubSession()
    bot = make_bot(session)
    people = [
        [Update.model_validate_json(update, context={"bot": bot}) for update in updates]
        for updates in recorded.sent.values()
    ]
    answer_ms: list[float] = []
    counted = 0

    async def one(index: int) -> None:
        nonlocal counted
        for update in people[index]:
            started = time.perf_counter()
            await dispatcher.feed_update(bot, update)
            if update.update_id in recorded.answer_updates:
                answer_ms.append((time.perf_counter() - started) * 1000)
            counted += 1

    cpu = time.process_time()
    seconds = await in_parallel(len(people), concurrency, one)
    cpu = time.process_time() - cpu
    name = "bare: answer + edit" if edit else "bare: does nothing"
    return Run(name, seconds, cpu, counted, len(answer_ms), answer_ms)


def report(runs: Sequence[Run]) -> None:
    print(
        f"{'':32}{'updates':>8}{'upd/s':>7}{'answers/s':>10}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'CPU ms/upd':>11}{'wall ms/upd':>12}"
    )
    for run in runs:
        print(
            f"{run.name:32}{run.updates:8d}{run.updates_per_second:7.0f}"
            f"{run.answers_per_second:10.0f}{percentile(run.answer_ms, 0.5):8.2f}"
            f"{percentile(run.answer_ms, 0.95):8.2f}{max(run.answer_ms):8.2f}"
            f"{run.cpu_ms:11.3f}{run.wall_ms:12.3f}"
        )


class OneLine(logging.Formatter):
    """A logged failure as one line: its last traceback line says what went wrong."""

    def formatException(self, ei: Any) -> str:
        error = ei[1]
        return f"  {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


class ErrorCount(logging.Handler):
    """Counts what the bot logs at ERROR (its error handler's "update … failed"), for the check."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass(frozen=True)
class Measured:
    real: Run
    bare: Run
    edit: Run
    feed: Feed
    complete: int


async def measure(
    respondents: int, concurrency: int, backend: Backend, directory: Path
) -> Measured:
    real, feed, complete = await bot_run(respondents, concurrency, backend, directory)
    bare = await bare_run(feed, concurrency, edit=False)
    edit = await bare_run(feed, concurrency, edit=True)
    return Measured(real, bare, edit, feed, complete)


def report_kinds(results: Sequence[Measured]) -> None:
    """CPU per kind of update, one person at a time: where the bot's time goes."""
    print()
    print(
        f"{'CPU ms per update, by kind':28}" + "".join(f"{r.real.name[5:]:>26}" for r in results)
    )
    first = results[0].feed
    for kind, _ in sorted(first.kind_cpu.items(), key=lambda item: -item[1]):
        cells = []
        for result in results:
            feed = result.feed
            each = feed.kind_cpu[kind] / feed.kind_count[kind] * 1000
            cells.append(f"{each:11.3f} ms × {feed.kind_count[kind]:<6}")
        share = first.kind_cpu[kind] / sum(first.kind_cpu.values()) * 100
        print(f"{kind:28}" + "".join(f"{cell:>26}" for cell in cells) + f"  ({share:.0f} %)")


async def main_async(args: argparse.Namespace) -> int:
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
        f"Python {platform.python_version()}, aiogram {version('aiogram')}, "
        f"SQLAlchemy {version('sqlalchemy')}, aiosqlite {version('aiosqlite')}"
    )
    postgres_url, redis_url = os.environ.get(POSTGRES), os.environ.get(REDIS)
    with_postgres = bool(postgres_url and redis_url)
    print(
        f"{args.respondents} respondents × {ANSWERS_PER_RESPONDENT} questions, "
        f"{args.concurrency} at a time; Bot API stubbed in process; SQLite in a temporary "
        "directory with the memory FSM"
        + (", then PostgreSQL with the FSM in Redis" if with_postgres else "")
        + ("" if with_postgres else f" (set {POSTGRES} and {REDIS} for PostgreSQL + Redis)")
    )
    results: list[Measured] = []
    with tempfile.TemporaryDirectory(prefix="bench-survey-") as directory:
        async with sqlite_backend(Path(directory)) as backend:
            results.append(
                await measure(args.respondents, args.concurrency, backend, Path(directory))
            )
        if postgres_url and redis_url:
            async with postgres_redis_backend(postgres_url, redis_url) as backend:
                results.append(
                    await measure(args.respondents, args.concurrency, backend, Path(directory))
                )
    print()
    report([run for result in results for run in (result.real, result.bare, result.edit)])
    print()
    for result in results:
        ratio = result.edit.cpu_ms / result.real.cpu_ms
        print(
            f"{result.real.name}: CPU per update {result.real.cpu_ms:.3f} ms, the bare "
            f"edit handler {result.edit.cpu_ms:.3f} ms: ratio {ratio:.2f} (goal ≥ 0.5)"
        )
    if len(results) == 2:
        ratio = results[1].real.cpu_ms / results[0].real.cpu_ms
        wall = results[1].real.wall_ms / results[0].real.wall_ms
        print(
            f"PostgreSQL + Redis against SQLite: CPU per update ×{ratio:.2f} (goal ≤ 1.5), "
            f"wall time per update ×{wall:.2f}"
        )
    if args.concurrency > 1:
        print(
            f"(an answer's latency includes waiting for the other {args.concurrency - 1} "
            "respondents' updates on the one event loop)"
        )
    else:
        report_kinds(results)
    ok = not errors.records
    for result in results:
        calls = ", ".join(
            f"{name} {count}" for name, count in sorted(result.feed.session.calls.items())
        )
        print(f"Bot API calls, {result.real.name}: {calls}")
        ok = ok and result.complete == args.respondents
        print(
            f"  stored responses with all 10 answers: {result.complete} of {args.respondents}; "
            f"«Отправить» pressed again after an apology: {result.feed.submit_retries}"
        )
    print(f"errors logged by the bot: {len(errors.records)} {'(ok)' if ok else '(WRONG)'}")
    for message in sorted({record.getMessage() for record in errors.records})[:5]:
        print(f"  {message}")
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.survey_answers", description=__doc__)
    parser.add_argument("--respondents", type=int, default=1000, help="simulated people")
    parser.add_argument("--concurrency", type=int, default=50, help="people answering at once")
    args = parser.parse_args(argv)
    if args.respondents < 1 or args.concurrency < 1:
        parser.error("--respondents and --concurrency must be positive")
    console = logging.StreamHandler()
    console.setFormatter(OneLine("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[console])
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
