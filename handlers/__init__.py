"""aiogram routers, one module per feature, in the order the dispatcher tries them."""

from __future__ import annotations

from aiogram import Router

from handlers import errors, fallback, start


def get_routers() -> list[Router]:
    # The fallback goes last: it answers whatever no feature took.
    return [errors.router, start.router, fallback.router]
