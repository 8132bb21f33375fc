"""Every filter runs on the event loop: aiogram sends a plain function (a bare `F.text` too)
to a worker thread on every check, a thread round trip per filter per update."""

from __future__ import annotations

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject

from handlers import get_routers


def _filters(router: Router) -> list[tuple[str, FilterObject]]:
    found: list[tuple[str, FilterObject]] = []
    for name, observer in (("message", router.message), ("callback_query", router.callback_query)):
        for event_filter in observer._handler.filters or []:
            found.append((f"{router.name} {name} router filter", event_filter))
        for handler in observer.handlers:
            callback = getattr(handler.callback, "__qualname__", repr(handler.callback))
            found.extend((f"{router.name} {callback}", item) for item in handler.filters or [])
    return found


def test_no_filter_is_sent_to_a_thread() -> None:
    in_threads = [
        f"{where}: {event_filter.callback!r}"
        for router in get_routers()
        for where, event_filter in _filters(router)
        if not event_filter.awaitable
    ]
    assert in_threads == []


def test_the_check_sees_a_bare_magic_filter() -> None:
    from aiogram import F

    router = Router(name="probe")
    router.message.filter(F.text)
    assert [where for where, item in _filters(router) if not item.awaitable] == [
        "probe message router filter"
    ]
