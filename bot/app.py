"""Assembly of the running bot: the same for `python -m bot` and for the end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import DisabledEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.commands import menu_permissions, register_commands
from bot.data_dir import secure_data_dir
from bot.fsm import create_fsm_storage
from bot.i18n import DEFAULT_LOCALE, CatalogI18n, LanguageMiddleware, create_i18n
from bot.maxbot import (
    MaxPoller,
    create_max_bot,
    max_client,
    max_feeder,
    webhook_route,
)
from bot.maxbot.updates import USED_UPDATE_TYPES
from bot.middlewares import AccessMiddleware, CommandsLeaveWaits
from bot.planning import create_planning as create_planning
from bot.settings import Settings, SettingsError, require_a_messenger
from bot.survey_secret import load_survey_secret
from bot.telegram import create_bot
from bot.throttling import ThrottlingMiddleware, TokenBuckets
from bot.webhook import health_app, health_routes, serve, webhook_app
from core.clock import Clock, SystemClock
from core.messengers import Messenger
from handlers import get_routers
from scheduler.backup import BACKUP_HOUR, BACKUP_MINUTE, BackupJob
from scheduler.notices import NoticeDelivery
from scheduler.pacing import Pacer
from scheduler.retention import ACTS_FOLDER, RetentionJob
from scheduler.sender import Sender
from scheduler.setup import create_scheduler
from scheduler.survey_closing import SurveyClosingJob
from scheduler.tick import ReminderTick
from services.access import ActorDirectory
from services.instances import (
    MAX_POLLING,
    MAX_POLLING_TTL,
    NIGHTLY_TTL,
    POLLING,
    POLLING_RENEW,
    POLLING_TTL,
    RETENTION,
    SENDER,
    SENDER_TTL,
    Lease,
    exclusive,
    instance_id,
    keep_renewing,
    take_polling,
)
from services.notices import NoticeBell
from services.org_import import OrgImportService
from services.people import PeopleService
from services.personal_data import ERASED_NAME_KEY, PrivacyService
from services.reminders import Planning, SummaryCadence
from services.reports import ReportService
from services.roadmaps import RoadmapService
from services.survey_definitions import SurveyDefinitions
from services.survey_mixing import MixingPolicy
from services.surveys import SurveyService
from services.tasks import TaskService
from storage.database import Database, sqlite_file
from storage.migrate import upgrade_to_head

logger = logging.getLogger(__name__)

# Surveys close at midnight where each school is; a few minutes late is fine, a query is cheap.
SURVEY_CLOSING_MINUTES = 5
FIRST_TICK_AFTER = timedelta(seconds=10)
# Webhook mode: how often an instance looks for notices another instance planned.
NOTICE_POLL_SECONDS = 5
# How long to wait between attempts to reach Telegram at start, growing up to the last value.
_CONNECT_BACKOFF_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


def create_dispatcher(
    settings: Settings,
    database: Database,
    clock: Clock,
    i18n: CatalogI18n,
    planning: Planning,
    tasks: TaskService,
    surveys: SurveyService,
    bell: NoticeBell | None = None,
) -> Dispatcher:
    storage = create_fsm_storage(settings)
    dispatcher = Dispatcher(
        storage=storage,
        # Two updates of one person reaching two instances take turns on their state.
        events_isolation=events_isolation(storage),
        settings=settings,
        database=database,
        clock=clock,
        roadmaps=RoadmapService(database, clock, planning),
        reports=ReportService(database, clock),
        people=PeopleService(
            database, clock, timedelta(days=settings.invite_ttl_days), planning, bell
        ),
        org_import=OrgImportService(database, clock),
        privacy=PrivacyService(
            database, clock, i18n.gettext(ERASED_NAME_KEY, locale=DEFAULT_LOCALE), bell
        ),
        tasks=tasks,
        surveys=surveys,
        survey_definitions=SurveyDefinitions(database),
    )
    actors = ActorDirectory(database, settings.administrators, clock)
    access = AccessMiddleware(actors)
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.middleware(access)
    LanguageMiddleware(i18n).setup(dispatcher)
    throttling = ThrottlingMiddleware(
        TokenBuckets(rate=settings.throttle_rate, burst=settings.throttle_burst)
    )
    for observer in (dispatcher.message, dispatcher.callback_query):
        # Outer, after the language is known: refusals are worded in the user's language.
        observer.outer_middleware(throttling)
    dispatcher.message.outer_middleware(CommandsLeaveWaits())
    dispatcher.include_routers(*get_routers())
    dispatcher["menu"] = menu_permissions(dispatcher)
    return dispatcher


def events_isolation(storage: BaseStorage) -> BaseEventIsolation:
    """With Redis (several instances), a lock per person and chat in Redis: two updates of one
    person reaching two instances take turns on their state. Without, aiogram's default."""
    if isinstance(storage, RedisStorage):
        return RedisEventIsolation(redis=storage.redis)
    return DisabledEventIsolation()


def _ring(notices: NoticeDelivery) -> Callable[[], Awaitable[None]]:
    async def ring() -> None:
        notices.ring()

    return ring


def freeze_start_up_objects() -> None:
    """What start-up built (aiogram's and pydantic's types, the catalogs, the dispatcher)
    lives as long as the process: out of the cyclic collector's sight (`gc.freeze`), so its
    full collections go over what updates create, not over the hundreds of thousands of
    objects that never die. Call once, when everything is built, right before serving."""
    gc.collect()
    gc.freeze()


@dataclass
class Application:
    settings: Settings
    clock: Clock
    database: Database
    i18n: CatalogI18n
    # The Telegram bot; without BOT_TOKEN, the MAX bot.
    bot: Bot
    dispatcher: Dispatcher
    scheduler: AsyncIOScheduler
    tick: ReminderTick
    notices: NoticeDelivery
    surveys: SurveyService
    survey_closing: SurveyClosingJob
    polling_lease: Lease
    # The MAX bot (an aiogram Bot speaking MAX: bot/maxbot) when MAX_TOKEN is set.
    max_bot: Bot | None = None
    _closed: bool = field(default=False, init=False)
    _max_runner: web.AppRunner | None = field(default=None, init=False)  # its webhook
    _max_poller: MaxPoller | None = field(default=None, init=False)
    _max_polling: asyncio.Task[None] | None = field(default=None, init=False)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _stop_task: asyncio.Task[None] | None = field(default=None, init=False)

    @classmethod
    async def create(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        *,
        pacer: Pacer | None = None,
        session: BaseSession | None = None,
    ) -> Application:
        """``pacer``: how sends are spaced; Telegram's limits unless a test that is not about
        pacing passes a faster one. ``session``: how the bot reaches the Bot API; HTTP unless
        a test drives the bot in-process."""
        require_a_messenger(settings)
        secure_data_dir(settings)
        # Before the database opens: a broken secret stops the start with nothing to undo.
        survey_secret = load_survey_secret(settings)
        clock = clock or SystemClock()
        holder = instance_id()
        database = Database.from_url(
            settings.resolved_database_url, pool_size=settings.database_pool_size
        )
        try:
            await upgrade_to_head(database.engine)
        except BaseException:
            await database.close()
            raise
        i18n = create_i18n()
        planning = create_planning(settings)
        # Services ring after planning a notice; the delivery sends it at once.
        bell = NoticeBell()
        tasks = TaskService(database, clock, planning, bell)
        surveys = SurveyService(
            database,
            clock,
            survey_secret,
            settings.zone,
            bell,
            MixingPolicy(window=timedelta(seconds=settings.survey_mix_seconds)),
        )
        telegram_bot = (
            create_bot(settings.bot_token.get_secret_value(), settings.telegram_api_base, session)
            if settings.bot_token is not None
            else None
        )
        max_bot = (
            create_max_bot(settings.max_token.get_secret_value(), settings.max_api_base, database)
            if settings.max_token is not None
            else None
        )
        bot = telegram_bot or max_bot
        assert bot is not None
        scheduler = create_scheduler(settings.zone)
        sender = Sender(
            bot,
            pacer or Pacer(global_per_second=settings.send_rate),
            messenger=Messenger.TELEGRAM if telegram_bot is not None else Messenger.MAX,
        )
        if telegram_bot is not None and max_bot is not None:
            sender.add_messenger(
                Messenger.MAX, max_bot, Pacer(global_per_second=settings.max_send_rate)
            )
        tick = ReminderTick(
            database,
            clock,
            tasks,
            sender,
            i18n,
            group_over=settings.reminder_group_over,
            planning=planning,
            summaries=SummaryCadence(settings.coordinator_summary),
            reports=ReportService(database, clock),
            acts_dir=settings.data_dir / ACTS_FOLDER,
            lease=Lease(database, clock, SENDER, holder, SENDER_TTL),
        )
        scheduler.add_job(
            tick.run,
            "interval",
            minutes=1,
            id="reminder-tick",
            replace_existing=True,
            # Soon after a start (once it has settled, so sends are not bunched by its own
            # start-up): what fell due while the bot was down goes without a minute's wait.
            next_run_time=datetime.now(settings.zone) + FIRST_TICK_AFTER,
        )
        notices = NoticeDelivery(tick)
        bell.listen(notices.ring)
        if settings.webhook_url is not None:
            # Notices planned by another instance are sent by the one holding the sender
            # lease: it looks for them every few seconds, not only at its minute tick.
            scheduler.add_job(
                _ring(notices), "interval", seconds=NOTICE_POLL_SECONDS, id="notice-poll"
            )
        survey_closing = SurveyClosingJob(surveys, settings.admin_ids)
        scheduler.add_job(
            survey_closing.run,
            "interval",
            minutes=SURVEY_CLOSING_MINUTES,
            id="survey-closing",
            replace_existing=True,
        )
        scheduler.add_job(
            surveys.mixing.run,
            "interval",
            seconds=surveys.mixing.policy.period.total_seconds(),
            id="survey-mixing",
            replace_existing=True,
        )
        privacy = PrivacyService(
            database, clock, i18n.gettext(ERASED_NAME_KEY, locale=DEFAULT_LOCALE), bell
        )
        retention = RetentionJob(
            privacy,
            settings.retention_months,
            settings.data_dir,
            i18n.translator(DEFAULT_LOCALE),
        )
        scheduler.add_job(
            exclusive(Lease(database, clock, RETENTION, holder, NIGHTLY_TTL), retention.run),
            "cron",
            hour=3,
            minute=30,
            id="retention",
            replace_existing=True,
        )
        database_file = sqlite_file(settings.resolved_database_url)
        if database_file is not None and settings.backup_keep > 0:
            backup = BackupJob(
                database_file,
                settings.resolved_backup_dir,
                settings.backup_keep,
                clock,
                settings.zone,
            )
            scheduler.add_job(
                backup.run,
                "cron",
                hour=BACKUP_HOUR,
                minute=BACKUP_MINUTE,
                id="backup",
                replace_existing=True,
            )
        dispatcher = create_dispatcher(
            settings, database, clock, i18n, planning, tasks, surveys, bell
        )
        # Handlers that give out links (invites, surveys) give one for each messenger.
        dispatcher["messengers"] = {
            messenger: messenger_bot
            for messenger, messenger_bot in (
                (Messenger.TELEGRAM, telegram_bot),
                (Messenger.MAX, max_bot),
            )
            if messenger_bot is not None
        }
        # With polling (or whatever feeds updates): notices go while the bot takes updates.
        dispatcher.startup.register(notices.start)
        dispatcher.shutdown.register(notices.stop)
        return cls(
            settings=settings,
            clock=clock,
            database=database,
            i18n=i18n,
            bot=bot,
            dispatcher=dispatcher,
            scheduler=scheduler,
            tick=tick,
            notices=notices,
            surveys=surveys,
            survey_closing=survey_closing,
            polling_lease=Lease(database, clock, POLLING, holder, POLLING_TTL),
            max_bot=max_bot,
        )

    @property
    def telegram(self) -> bool:
        return self.settings.bot_token is not None

    async def run(self) -> None:
        """Telegram: webhook mode when WEBHOOK_URL is set, long polling otherwise; MAX beside
        it (webhook when MAX_WEBHOOK_URL is set, long polling otherwise); MAX alone without
        BOT_TOKEN."""
        if not self.telegram:
            await self.run_max_only()
        elif self.settings.webhook_url is not None:
            await self.run_webhook()
        else:
            await self.run_polling()

    async def run_max_only(self, *, handle_signals: bool = True) -> None:
        """Only MAX (no BOT_TOKEN): until SIGINT/SIGTERM or `request_stop()`. /healthz is on
        MAX's webhook port in webhook mode, on 127.0.0.1:HEALTH_PORT otherwise (if set)."""
        health: web.AppRunner | None = None
        try:
            self._listen_for_signals(handle_signals)
            self.scheduler.start()
            if not await self._start_max():
                return
            if self.settings.max_webhook_url is None and self.settings.health_port is not None:
                health = await serve(health_app(self), "127.0.0.1", self.settings.health_port)
            await self.dispatcher.emit_startup(bot=self.bot)
            try:
                await self._stopping.wait()
            finally:
                await self.dispatcher.emit_shutdown(bot=self.bot)
        finally:
            self._stop_listening(handle_signals)
            await self._stop_max()
            if health is not None:
                await health.cleanup()
            await self.aclose()

    async def _start_max(self) -> bool:
        """Connects to MAX and starts taking its updates (a webhook subscription or long
        polling); False when asked to stop meanwhile. Nothing to do without MAX_TOKEN."""
        if self.max_bot is None:
            return True
        if not await self._wait_for_messenger(self.max_bot, "MAX_TOKEN"):
            return False
        client = max_client(self.max_bot)
        feeder = max_feeder(self.max_bot, self.dispatcher)
        settings = self.settings
        if settings.max_webhook_url is not None and settings.max_webhook_secret is not None:
            app = web.Application()
            app.add_routes([webhook_route(feeder, settings.max_webhook_secret.get_secret_value())])
            app.add_routes(health_routes(self))
            self._max_runner = await serve(app, settings.webhook_host, settings.max_webhook_port)
            await client.subscribe(
                settings.max_webhook_url,
                settings.max_webhook_secret.get_secret_value(),
                USED_UPDATE_TYPES,
            )
            logger.info(
                "MAX webhook: listening on %s:%s", settings.webhook_host, settings.max_webhook_port
            )
        else:
            # Long polling answers nothing while a subscription (from webhook mode) exists.
            for subscription in await client.subscriptions():
                await client.unsubscribe(subscription.url)
            lease = Lease(self.database, self.clock, MAX_POLLING, instance_id(), MAX_POLLING_TTL)
            self._max_poller = MaxPoller(client, feeder, lease)
            self._max_polling = asyncio.create_task(self._max_poller.run())
        return True

    async def _stop_max(self) -> None:
        if self._max_polling is not None:
            self._max_polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._max_polling
            self._max_polling = None
        if self._max_poller is not None:
            await self._max_poller.drain()
            self._max_poller = None
        if self._max_runner is not None:
            await self._max_runner.cleanup()
            self._max_runner = None

    async def run_webhook(self, *, handle_signals: bool = True) -> None:
        """Serves the webhook (and /healthz) until SIGINT/SIGTERM or `request_stop()`."""
        settings = self.settings
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        runner: web.AppRunner | None = None
        try:
            self._listen_for_signals(handle_signals)
            self.scheduler.start()
            if not await self._wait_for_telegram():
                return
            await self._register_commands()
            if not await self._start_max():
                return
            app = webhook_app(self)
            setup_application(app, self.dispatcher, bot=self.bot)
            runner = await serve(app, settings.webhook_host, settings.webhook_port)
            # Updates wait at Telegram while no instance answers: none is dropped.
            await self.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=self.dispatcher.resolve_used_update_types(),
                drop_pending_updates=False,
            )
            logger.info(
                "webhook: listening on %s:%s", settings.webhook_host, settings.webhook_port
            )
            await self._stopping.wait()
        finally:
            self._stop_listening(handle_signals)
            await self._stop_max()
            if runner is not None:
                await runner.cleanup()
            await self.aclose()

    def _listen_for_signals(self, handle_signals: bool) -> None:
        """SIGINT and SIGTERM stop the bot cleanly (a test drives `request_stop` instead)."""
        if handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self.request_stop)

    def _stop_listening(self, handle_signals: bool) -> None:
        if handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)

    async def _register_commands(self) -> None:
        try:
            await register_commands(self.bot, self.i18n)
        except TelegramAPIError as error:
            # The menu is a convenience; the bot still works without it.
            logger.warning("could not register the command menu: %s", error)

    async def run_polling(self, *, handle_signals: bool = True) -> None:
        """Until SIGINT/SIGTERM (or `request_stop()`); then everything is closed."""
        renewing: asyncio.Task[None] | None = None
        health: web.AppRunner | None = None
        try:
            self._listen_for_signals(handle_signals)
            # Before anything else: a second poller of the same bot is refused here.
            await take_polling(self.polling_lease)
            renewing = asyncio.create_task(keep_renewing(self.polling_lease, POLLING_RENEW))
            self.scheduler.start()
            if not await self._wait_for_telegram():
                return
            await self._register_commands()
            # A webhook left from webhook mode would make Telegram refuse getUpdates.
            await self.bot.delete_webhook(drop_pending_updates=False)
            if not await self._start_max():
                return
            if self.settings.health_port is not None:
                health = await serve(health_app(self), "127.0.0.1", self.settings.health_port)
            await self.dispatcher.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                allowed_updates=self.dispatcher.resolve_used_update_types(),
            )
        finally:
            self._stop_listening(handle_signals)
            await self._stop_max()
            if health is not None:
                await health.cleanup()
            if renewing is not None:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
                with contextlib.suppress(Exception):
                    await self.polling_lease.release()
            await self.aclose()

    async def _wait_for_telegram(self) -> bool:
        """Retries getMe while Telegram is unreachable; False when asked to stop meanwhile."""
        return await self._wait_for_messenger(self.bot, "BOT_TOKEN")

    async def _wait_for_messenger(self, bot: Bot, variable: str) -> bool:
        """Retries getMe while the messenger is unreachable; False when asked to stop
        meanwhile. A refused token stops the start, naming its variable."""
        attempt = 0
        while not self._stopping.is_set():
            try:
                me = await bot.me()
            except TelegramUnauthorizedError:
                raise SettingsError(variable, f"settings.rejected.{variable.lower()}") from None
            except TelegramAPIError as error:
                delay = _CONNECT_BACKOFF_SECONDS[min(attempt, len(_CONNECT_BACKOFF_SECONDS) - 1)]
                logger.warning("%s is unreachable (%s); retrying in %s s", variable, error, delay)
                attempt += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=delay)
                continue
            logger.info("connected as @%s (id %s)", me.username, me.id)
            return not self._stopping.is_set()
        return False

    def request_stop(self) -> None:
        """Safe to call from a signal handler, before, during or after polling."""
        if self._stopping.is_set():
            return
        logger.info("stopping")
        self._stopping.set()
        self._stop_task = asyncio.get_running_loop().create_task(self._stop_polling())

    async def _stop_polling(self) -> None:
        # Before polling starts this raises; run_polling then sees _stopping instead.
        with contextlib.suppress(RuntimeError):
            await self.dispatcher.stop_polling()

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.notices.stop()
        await self.bot.session.close()
        if self.max_bot is not None and self.max_bot is not self.bot:
            await self.max_bot.session.close()
        await self.dispatcher.storage.close()
        await self.database.close()
        logger.info("stopped")
