"""Benchmark: the outbox sender against a fake Bot API that enforces Telegram's global limit.

    .venv/bin/python -m bench.sender [--chats 3000] [--limit 30] [--rate 25 [29 ...]]
                                     [--concurrency 8]

For each ``--rate`` (the Pacer's global messages per second), a fresh fake Bot API server
(tests/fakebot) answers 429 with retry_after 1 to any sendMessage beyond ``--limit`` successful
ones in a rolling second, as Telegram does; one message goes to each of ``--chats`` distinct
private chats through ``Sender(bot, Pacer(global_per_second=rate))`` with its other defaults,
over real HTTP on localhost. Printed per rate: messages per second, the 429s the server
answered, request latency (one sendMessage round trip, every attempt), delivery latency (from
the start of the batch to the message's successful answer: mostly waiting for its turn), the
total time, the busiest rolling second the server saw, and whether every chat got exactly one
message. The exit code is 1 when a chat got none or more than one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.utils.keyboard import InlineKeyboardBuilder

from scheduler.pacing import Pacer
from scheduler.sender import Delivery, OutgoingMessage, Sender
from tests.fakebot import DEFAULT_TOKEN, FakeBotAPI


class TimedSession(AiohttpSession):
    """Times every request the sender makes; notes when each chat's send succeeded."""

    def __init__(self, api: TelegramAPIServer) -> None:
        super().__init__(api=api)
        self.durations: list[float] = []
        self.delivered_at: dict[int, float] = {}

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        started = time.perf_counter()
        ok = False
        try:
            result = await super().make_request(bot, method, timeout)
            ok = True
            return result
        finally:
            finished = time.perf_counter()
            self.durations.append(finished - started)
            if ok and isinstance(method, SendMessage) and isinstance(method.chat_id, int):
                self.delivered_at[method.chat_id] = finished


@dataclass(frozen=True)
class Run:
    rate: float
    chats: int
    sent: int
    other: dict[str, int]
    rejected_429: int
    seconds: float
    request_ms: tuple[float, float]
    delivery_s: tuple[float, float]
    peak_second: int
    exactly_once: bool
    wrong_chats: int

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds


def percentiles(values: Sequence[float]) -> tuple[float, float]:
    if len(values) < 2:
        value = values[0] if values else float("nan")
        return value, value
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94]


def busiest_second(moments: Sequence[float]) -> int:
    """The most moments in any rolling second (t - 1, t], as the server's limiter counts."""
    ordered = sorted(moments)
    best = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def messages_for(chats: int) -> list[OutgoingMessage]:
    out = []
    for chat_id in range(1, chats + 1):
        keyboard = InlineKeyboardBuilder()
        keyboard.button(text="✅ Выполнено", callback_data=f"v1:done:{chat_id}")
        keyboard.button(text="⏳ В работе", callback_data=f"v1:busy:{chat_id}")
        out.append(
            OutgoingMessage(
                key=f"reminder:{chat_id}:2022-09-20",
                chat_id=chat_id,
                text=(
                    "<b>Напоминание</b>: «Организовать проведение педагогического совета», "
                    f"срок <b>20.09.2022</b> (задача №{chat_id})"
                ),
                reply_markup=keyboard.as_markup(),
            )
        )
    return out


async def run_once(rate: float, chats: int, limit: int, concurrency: int) -> Run:
    async with FakeBotAPI() as api:
        api.rate_limit(limit)
        session = TimedSession(TelegramAPIServer.from_base(api.base_url))
        bot = Bot(
            DEFAULT_TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
        )
        sender = Sender(bot, Pacer(global_per_second=rate), concurrency=concurrency)
        messages = messages_for(chats)
        try:
            started = time.perf_counter()
            results = await sender.send_all(messages)
            seconds = time.perf_counter() - started
        finally:
            await session.close()
        outcomes = {kind.value: 0 for kind in Delivery}
        for result in results:
            outcomes[result.delivery.value] += 1
        sent = outcomes.pop(Delivery.SENT.value)
        per_chat = [len(api.chats.get(chat_id, [])) for chat_id in range(1, chats + 1)]
        stray = [chat_id for chat_id in api.chats if not 1 <= chat_id <= chats]
        accepted = [
            call.finished
            for call in api.calls_to("sendMessage")
            if call.ok and call.finished is not None
        ]
        return Run(
            rate=rate,
            chats=chats,
            sent=sent,
            other={kind: count for kind, count in outcomes.items() if count},
            rejected_429=api.rejected_429,
            seconds=seconds,
            request_ms=tuple(v * 1000 for v in percentiles(session.durations)),  # type: ignore[arg-type]
            delivery_s=percentiles([t - started for t in session.delivered_at.values()]),
            peak_second=busiest_second(accepted),
            exactly_once=all(count == 1 for count in per_chat) and not stray,
            wrong_chats=sum(count != 1 for count in per_chat) + len(stray),
        )


def report(run: Run, limit: int) -> None:
    print(f"--- Pacer(global_per_second={run.rate:g}), server limit {limit}/s")
    print(f"messages/s          {run.per_second:8.2f}   ({run.sent} sent in {run.seconds:.2f} s)")
    print(f"429s from server    {run.rejected_429:8d}")
    print(f"request latency     p50 {run.request_ms[0]:6.1f} ms   p95 {run.request_ms[1]:6.1f} ms")
    print(f"delivery latency    p50 {run.delivery_s[0]:6.1f} s    p95 {run.delivery_s[1]:6.1f} s")
    print(f"total time          {run.seconds:8.2f} s")
    print(f"busiest second      {run.peak_second:8d}   (accepted sends, server's rolling second)")
    if run.other:
        print(f"not sent            {run.other}")
    verdict = "yes" if run.exactly_once else f"NO ({run.wrong_chats} chats wrong)"
    print(f"each chat exactly 1 {verdict:>8}")
    print()


async def main_async(args: argparse.Namespace) -> int:
    print(
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"aiogram {version('aiogram')}, aiohttp {version('aiohttp')}; "
        "client and fake server share one event loop"
    )
    print(
        f"{args.chats} private chats, one message each; server: {args.limit} sendMessage per "
        f"rolling second, then 429 retry_after 1; Sender(concurrency={args.concurrency}), "
        "other settings at their defaults"
    )
    print()
    runs = []
    for rate in args.rate:
        run = await run_once(rate, args.chats, args.limit, args.concurrency)
        report(run, args.limit)
        runs.append(run)
    if len(runs) > 1:
        print("rate   msg/s  429s  req p50/p95 ms  delivery p50/p95 s  total s  peak/s  once")
        for run in runs:
            print(
                f"{run.rate:4g}  {run.per_second:6.2f}  {run.rejected_429:4d}  "
                f"{run.request_ms[0]:6.1f} {run.request_ms[1]:6.1f}  "
                f"{run.delivery_s[0]:8.1f} {run.delivery_s[1]:8.1f}  "
                f"{run.seconds:7.2f}  {run.peak_second:6d}  "
                f"{'yes' if run.exactly_once else 'NO'}"
            )
    return 0 if all(run.exactly_once for run in runs) else 1


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sender", description=__doc__)
    parser.add_argument("--chats", type=int, default=3000, help="distinct private chats")
    parser.add_argument("--limit", type=int, default=30, help="server's sends per second")
    parser.add_argument(
        "--rate",
        type=float,
        nargs="+",
        default=[25.0],
        help="the Pacer's global rate; several values run one after another (e.g. 25 29)",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="Sender concurrency")
    args = parser.parse_args(argv)
    if args.chats < 1 or args.limit < 1 or min(args.rate) <= 0:
        parser.error("--chats, --limit and --rate must be positive")
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
