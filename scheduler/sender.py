"""The outbox sender: delivers claimed outbox rows to Telegram, paced, and says what happened.

The tick claims rows and turns them into :class:`OutgoingMessage`. :meth:`Sender.stream` asks
the tick for more whenever its queues run low and reports each result as soon as it is known;
:meth:`Sender.send_all` (one batch) returns one :class:`SendResult` per message, in the same
order. Neither raises (except on cancellation). What each outcome means for the row:

- ``SENT``: delivered; ``message_id`` is Telegram's id of the message.
- ``BLOCKED``: the person blocked the bot, deleted their account, or the chat is gone
  (403, or a 400 "chat not found" / "user is deactivated" / "PEER_ID_INVALID"): mark them
  unreachable. The chat's later messages in the batch come back BLOCKED without a call.
- ``RETRY``: not delivered this time (Telegram busy or down, network trouble, or held back to
  keep one chat's messages in order): try again on a later tick, after ``retry_after`` seconds
  when set. A RETRY whose ``error`` starts with "not sent" was never attempted.
- ``FAILED``: Telegram refused the message itself (bad HTML, too long, ...): retrying won't help.

A 5xx or a timeout may come after Telegram delivered the message (a lost answer); Telegram has no
idempotency key, so such a message can arrive twice. That is the only way to a duplicate.

The sender alone decides about retries. It calls the session's transport
(``bot.session.make_request``) below the session's request middlewares, so the bot's
``RetryRequestMiddleware`` never sees these calls: that middleware would sleep out a 429 inside
one call while the other workers kept sending (earning more 429s), and it would multiply the
sender's own attempts. Here a 429 pauses everyone through the Pacer, and the message is retried.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendDocument, SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

from core.messengers import Messenger, messenger_of
from scheduler.pacing import Pacer

logger = logging.getLogger(__name__)

__all__ = ["Delivery", "Feed", "OnResult", "OutgoingMessage", "SendResult", "Sender"]

# 400s that mean the chat cannot be reached at all, the same as a 403 for the outbox.
UNREACHABLE_400 = ("chat not found", "user is deactivated", "peer_id_invalid")


@dataclass(frozen=True)
class OutgoingMessage:
    key: str  # the outbox row's idempotency key (for logs)
    chat_id: int
    text: str  # HTML; a document's caption (up to 1,024 characters)
    reply_markup: InlineKeyboardMarkup | None = None
    document: tuple[str, bytes] | None = None  # (file name, content): sent as a file


class Delivery(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class SendResult:
    key: str
    delivery: Delivery
    message_id: int | None = None
    error: str | None = None
    retry_after: float | None = None


# A stream holds at most this many times ``low_water`` messages fed and not sent, however few
# of their chats may send now: what is fed may wait that long for its chat's turns.
BACKLOG_CAP = 4

# What a stream asks for more messages with (an empty answer: there are no more), and what it
# tells each message's result to, as soon as the result is known.
Feed = Callable[[], Awaitable[Sequence[OutgoingMessage]]]
OnResult = Callable[[OutgoingMessage, SendResult], Awaitable[None]]


@dataclass(eq=False)
class _Lane:
    """One chat's messages not yet sent, in order."""

    chat_id: int
    items: deque[OutgoingMessage] = field(default_factory=deque)
    queued: bool = False  # in the ready heap
    busy: bool = False  # a worker is sending its first message
    closed: SendResult | None = None  # the result its later messages share (blocked, retry)


@dataclass
class _Run:
    lanes: dict[int, _Lane] = field(default_factory=dict)
    # Per messenger, a heap of the lanes that may send, by when: each messenger has its own
    # workers, so one waiting out its pace holds back no other.
    ready: dict[Messenger, list[tuple[float, int, _Lane]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    waiting: int = 0  # messages fed and not yet taken by a worker
    fed_all: bool = False
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    order: Iterator[int] = field(default_factory=itertools.count)
    # Per messenger: messages given up on transient errors since its last success.
    transient_in_a_row: Counter[Messenger] = field(default_factory=Counter)
    down: set[Messenger] = field(default_factory=set)  # not even tried for the rest of the run
    stopped: str | None = None  # why the rest of the run is not even tried


@dataclass
class _Seen:
    """What one message has met so far: 429s, and server or network failures."""

    rate_limited: int = 0
    failed: int = 0

    @property
    def any(self) -> bool:
        return bool(self.rate_limited or self.failed)


class Sender:
    """Sends messages through one Bot per messenger, each paced by its own Pacer shared by
    the whole bot (a chat's account id says its messenger: core.messengers).

    Messages are kept in one queue per chat, and a free worker of the chat's messenger takes
    the chat that may send first (by the Pacer's per-chat limits): a chat sitting out its
    second does not hold back the others, so a batch over many chats runs at the Pacer's
    global rate, and one messenger's pace or outage holds back no other. Messages to one chat
    go one at a time, in the order they came.

    ``concurrency``: messages in flight at once per messenger (to different chats).
    ``max_attempts_5xx``: calls of one message ending in a 5xx or a network error (timeouts
    included) before it comes back RETRY; ``backoff`` holds the waits after the 1st, 2nd, ...
    ``max_attempts_429``: calls of one message answered 429 before it comes back RETRY.
    ``max_retry_after``: a 429 asking to wait longer than this ends the batch at once (the rest
    come back RETRY with retry_after) instead of holding the tick that long.
    ``give_up_after``: that many messages in a row given up on 5xx or network errors, with no
    success between them, mean that messenger is down: the rest of the batch is not tried
    there.
    """

    def __init__(
        self,
        bot: Bot,
        pacer: Pacer,
        *,
        messenger: Messenger = Messenger.TELEGRAM,
        concurrency: int = 8,
        max_attempts_5xx: int = 3,
        max_attempts_429: int = 3,
        max_retry_after: float = 30.0,
        backoff: Sequence[float] = (0.5, 1.0, 2.0),
        give_up_after: int = 16,
        request_timeout: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if concurrency < 1 or max_attempts_5xx < 1 or max_attempts_429 < 1 or give_up_after < 1:
            raise ValueError("concurrency, attempts and give_up_after must be at least 1")
        if not backoff:
            raise ValueError("backoff needs at least one delay")
        self._bot = bot
        self._pacer = pacer
        # Each messenger its own bot and its own limits: a chat's account id says which.
        self._routes: dict[Messenger, tuple[Bot, Pacer]] = {messenger: (bot, pacer)}
        self._concurrency = concurrency
        self._max_attempts_5xx = max_attempts_5xx
        self._max_attempts_429 = max_attempts_429
        self._max_retry_after = max_retry_after
        self._backoff = tuple(backoff)
        self._give_up_after = give_up_after
        self._request_timeout = request_timeout
        self._sleep = sleep

    def add_messenger(self, messenger: Messenger, bot: Bot, pacer: Pacer) -> None:
        """Messages to this messenger's chats go through ``bot``, paced by ``pacer``."""
        self._routes[messenger] = (bot, pacer)

    def _pacer_for(self, chat_id: int) -> Pacer:
        route = self._routes.get(messenger_of(chat_id))
        return route[1] if route is not None else self._pacer

    async def send_all(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """One result per message, in order. Messages to one chat go in order, one at a time."""
        if not messages:
            return []
        started = time.monotonic()
        positions: dict[int, deque[int]] = defaultdict(deque)
        for index, message in enumerate(messages):
            positions[id(message)].append(index)
        results: list[SendResult | None] = [None] * len(messages)
        pending = [list(messages)]

        async def feed() -> Sequence[OutgoingMessage]:
            return pending.pop() if pending else ()

        async def collect(message: OutgoingMessage, result: SendResult) -> None:
            results[positions[id(message)].popleft()] = result

        await self.stream(feed, collect, low_water=len(messages))
        done = [
            result
            or SendResult(messages[index].key, Delivery.RETRY, error="not sent: sender error")
            for index, result in enumerate(results)
        ]
        counts = Counter(result.delivery for result in done)
        logger.info(
            "sent a batch of %s in %.1f s: %s sent, %s blocked, %s to retry, %s failed",
            len(done),
            time.monotonic() - started,
            counts[Delivery.SENT],
            counts[Delivery.BLOCKED],
            counts[Delivery.RETRY],
            counts[Delivery.FAILED],
        )
        return done

    async def stream(self, feed: Feed, on_result: OnResult, *, low_water: int) -> None:
        """Sends what ``feed`` gives until it gives nothing, telling ``on_result`` each outcome.

        ``feed`` is asked again whenever fewer than ``low_water`` fed messages wait for a
        worker, or too few chats wait to keep the global rate while each sits out its second
        (up to ``BACKLOG_CAP`` times ``low_water`` waiting): the pipe stays full without
        taking everything at once. A worker waits for ``on_result`` before its next send: a
        slow ``on_result`` (a database write) holds the sending back rather than letting
        unrecorded results pile up. Neither ``feed`` nor
        ``on_result`` failing takes the stream down: the error is logged, feeding stops, and a
        message whose result was not heard of is for its owner to retry.
        """
        run = _Run()
        try:
            async with asyncio.TaskGroup() as workers:
                workers.create_task(self._feed(run, feed, max(1, low_water)))
                for messenger in Messenger:
                    # One worker where there is no bot: it only says the messages wait.
                    count = self._concurrency if messenger in self._routes else 1
                    for _ in range(count):
                        workers.create_task(self._work(run, on_result, messenger))
        except Exception:  # a bug here: never take the tick down with it
            logger.exception("the sender failed; unfinished messages will be retried")

    async def _feed(self, run: _Run, feed: Feed, low_water: int) -> None:
        try:
            while run.stopped is None:
                async with run.changed:
                    await run.changed.wait_for(
                        lambda: self._hungry(run, low_water) or run.stopped is not None
                    )
                if run.stopped is not None:
                    break
                if self._pacer.pause_remaining() > self._max_retry_after:
                    break  # a long flood wait: what is not taken yet waits for a later tick
                try:
                    messages = await feed()
                except Exception:
                    logger.exception("could not get more messages to send")
                    break
                if not messages:
                    break
                async with run.changed:
                    self._add(run, messages)
                    run.changed.notify_all()
        finally:
            run.fed_all = True
            async with run.changed:
                run.changed.notify_all()

    def _hungry(self, run: _Run, low_water: int) -> bool:
        """Whether to ask for more: few messages wait, or too few chats wait to keep the
        global rate while each sits out its second between two sends (up to a cap)."""
        if run.waiting < low_water:
            return True
        if run.waiting >= BACKLOG_CAP * low_water:
            return False
        lanes = [entry for heap in run.ready.values() for entry in heap]
        rate = sum(pacer.global_per_second for _bot, pacer in self._routes.values())
        if len(lanes) < 2 * rate:
            return True
        now = self._pacer.now()
        ready_now = sum(1 for ready, _order, _lane in lanes if ready <= now)
        return ready_now < self._concurrency

    def _add(self, run: _Run, messages: Sequence[OutgoingMessage]) -> None:
        for message in messages:
            lane = run.lanes.get(message.chat_id)
            if lane is None:
                lane = run.lanes[message.chat_id] = _Lane(message.chat_id)
            lane.items.append(message)
            run.waiting += 1
            self._queue(run, lane)

    def _queue(self, run: _Run, lane: _Lane) -> None:
        if lane.items and not lane.queued and not lane.busy:
            ready = self._pacer_for(lane.chat_id).chat_ready_at(lane.chat_id)
            heap = run.ready[messenger_of(lane.chat_id)]
            heapq.heappush(heap, (ready, next(run.order), lane))
            lane.queued = True

    async def _next(self, run: _Run, messenger: Messenger) -> _Lane | None:
        async with run.changed:
            heap = run.ready[messenger]
            await run.changed.wait_for(lambda: bool(heap) or run.fed_all)
            if not heap:
                return None
            _ready, _order, lane = heapq.heappop(heap)
            lane.queued = False
            lane.busy = True
            return lane

    async def _work(self, run: _Run, on_result: OnResult, messenger: Messenger) -> None:
        while (lane := await self._next(run, messenger)) is not None:
            message = lane.items.popleft()
            run.waiting -= 1
            outcomes = [(message, await self._outcome(message, lane, run))]
            if lane.closed is not None:  # the rest share its fate, now and whatever comes later
                while lane.items:
                    rest = lane.items.popleft()
                    run.waiting -= 1
                    outcomes.append((rest, self._shared(rest, lane.closed)))
            for sent, result in outcomes:
                try:
                    await on_result(sent, result)
                except Exception:
                    logger.exception("could not record the result of %s", sent.key)
            async with run.changed:
                lane.busy = False
                if lane.closed is None:
                    self._queue(run, lane)
                run.changed.notify_all()

    async def _outcome(self, message: OutgoingMessage, lane: _Lane, run: _Run) -> SendResult:
        if lane.closed is not None:
            return self._shared(message, lane.closed)
        if run.stopped is not None:
            return SendResult(message.key, Delivery.RETRY, error=f"not sent: {run.stopped}")
        messenger = messenger_of(message.chat_id)
        if messenger in run.down:
            return SendResult(
                message.key, Delivery.RETRY, error=f"not sent: {messenger} looks unavailable"
            )
        result = await self._deliver(message)
        self._watch_outage(result, run, messenger)
        if result.delivery in (Delivery.BLOCKED, Delivery.RETRY):
            lane.closed = result
        return result

    def _watch_outage(self, result: SendResult, run: _Run, messenger: Messenger) -> None:
        if result.delivery is Delivery.SENT:
            run.transient_in_a_row[messenger] = 0
        elif result.delivery is Delivery.RETRY and result.retry_after is None:
            run.transient_in_a_row[messenger] += 1
            if (
                run.transient_in_a_row[messenger] >= self._give_up_after
                and messenger not in run.down
            ):
                run.down.add(messenger)
                if run.down >= set(self._routes) and run.stopped is None:
                    run.stopped = f"{messenger} looks unavailable"
                logger.error(
                    "%s messages in a row could not be sent to %s, not trying the rest of "
                    "this batch there; last error: %s",
                    run.transient_in_a_row[messenger],
                    messenger,
                    result.error,
                )

    @staticmethod
    def _shared(message: OutgoingMessage, first: SendResult) -> SendResult:
        """A later message to a chat whose earlier one did not go."""
        if first.delivery is Delivery.BLOCKED:
            return SendResult(message.key, Delivery.BLOCKED, error=first.error)
        # Sending it now would put it before the one to be retried.
        return SendResult(
            message.key,
            Delivery.RETRY,
            error="not sent: an earlier message to this chat is to be retried",
            retry_after=first.retry_after,
        )

    async def _deliver(self, message: OutgoingMessage) -> SendResult:
        try:
            return await self._attempts(message)
        except Exception as error:  # never lose the batch over one message
            logger.exception("unexpected error sending %s", message.key)
            return SendResult(message.key, Delivery.FAILED, error=self._describe(error))

    async def _attempts(self, message: OutgoingMessage) -> SendResult:
        method: SendMessage | SendDocument
        if message.document is None:
            method = SendMessage(
                chat_id=message.chat_id,
                text=message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=message.reply_markup,
            )
        else:
            name, content = message.document
            method = SendDocument(
                chat_id=message.chat_id,
                document=BufferedInputFile(content, filename=name),
                caption=message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=message.reply_markup,
            )
        route = self._routes.get(messenger_of(message.chat_id))
        if route is None:
            # Linked on a messenger this instance has no token for: kept until it has one.
            error = f"not sent: no bot for {messenger_of(message.chat_id)} is configured"
            return SendResult(message.key, Delivery.RETRY, error=error)
        bot, pacer = route
        seen = _Seen()
        while True:
            if not await pacer.wait_turn(message.chat_id, max_pause=self._max_retry_after):
                return self._paused(message, seen, pacer)
            result = await self._attempt(message, method, seen, bot, pacer)
            if result is not None:
                return result

    def _paused(self, message: OutgoingMessage, seen: _Seen, pacer: Pacer) -> SendResult:
        """Someone's 429 asked for a long wait: leave the message to a later tick."""
        paused = pacer.pause_remaining()
        tried = "" if seen.any else "not sent: "
        return SendResult(
            message.key,
            Delivery.RETRY,
            error=f"{tried}Telegram asked the bot to wait {paused:.0f} s",
            retry_after=paused,
        )

    async def _attempt(
        self,
        message: OutgoingMessage,
        method: SendMessage | SendDocument,
        seen: _Seen,
        bot: Bot,
        pacer: Pacer,
    ) -> SendResult | None:
        """One call to the messenger: what came of it, or None when it is worth another."""
        try:
            sent = await bot.session.make_request(bot, method, timeout=self._request_timeout)
        except TelegramRetryAfter as error:
            return self._rate_limited(message, error, seen, pacer)
        except TelegramForbiddenError as error:
            return SendResult(message.key, Delivery.BLOCKED, error=self._describe(error))
        except TelegramBadRequest as error:
            if any(text in error.message.lower() for text in UNREACHABLE_400):
                return SendResult(message.key, Delivery.BLOCKED, error=self._describe(error))
            return self._refused(message, error)
        except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as error:
            # ClientDecodeError: an answer that is not JSON, such as a proxy's 502 page.
            return await self._server_error(message, error, seen)
        except TelegramAPIError as error:
            return self._refused(message, error)
        return SendResult(message.key, Delivery.SENT, message_id=sent.message_id)

    def _rate_limited(
        self, message: OutgoingMessage, error: TelegramRetryAfter, seen: _Seen, pacer: Pacer
    ) -> SendResult | None:
        """A 429 pauses everyone on that messenger; the message waits its turn again unless it
        has had enough."""
        seen.rate_limited += 1
        wait = float(error.retry_after)
        pacer.pause_all(wait)
        logger.warning(
            "429 sending %s: everyone waits %s s (attempt %s)",
            message.key,
            wait,
            seen.rate_limited,
        )
        if seen.rate_limited >= self._max_attempts_429 or wait > self._max_retry_after:
            return SendResult(
                message.key, Delivery.RETRY, error=self._describe(error), retry_after=wait
            )
        return None

    async def _server_error(
        self, message: OutgoingMessage, error: Exception, seen: _Seen
    ) -> SendResult | None:
        """Telegram or the network failed: back off and try again, a few times."""
        seen.failed += 1
        if seen.failed >= self._max_attempts_5xx:
            logger.warning(
                "giving up on %s for now after %s attempts: %s",
                message.key,
                seen.failed,
                self._describe(error),
            )
            return SendResult(message.key, Delivery.RETRY, error=self._describe(error))
        await self._sleep(self._backoff[min(seen.failed, len(self._backoff)) - 1])
        return None

    def _refused(self, message: OutgoingMessage, error: TelegramAPIError) -> SendResult:
        """Telegram refused the message itself: sending it again would not help."""
        logger.warning("Telegram refused %s: %s", message.key, error.message)
        return SendResult(message.key, Delivery.FAILED, error=self._describe(error))

    def _describe(self, error: Exception) -> str:
        """The error for the outbox row and the log, without the token (some network errors
        quote the request URL, and the URL holds the token)."""
        text = " ".join(str(getattr(error, "message", None) or error).split())
        for bot, _pacer in self._routes.values():
            text = text.replace(bot.token, "<token>")
        return f"{type(error).__name__}: {text}"
