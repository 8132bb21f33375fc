"""/help lists exactly the menu commands the reader may use, read from the registrations."""

from __future__ import annotations

from datetime import datetime

import pytest
from aiogram import Router

from bot.commands import MENU, menu_permissions
from core.models import Role
from handlers import get_routers
from services.access import Actor
from storage.records import Person


def _actor(role: Role) -> Actor:
    person = Person(
        id=1,
        organisation_id=1,
        full_name="Шабанова Н.С.",
        name_key="шабанова н с",
        position=None,
        role=role,
        telegram_user_id=5,
        language_code="ru",
        is_reachable=True,
        is_active=True,
        is_admin=role is Role.ADMIN,
        is_head=False,
        created_at=datetime(2022, 9, 1),
    )
    return Actor(5, person, is_admin=role is Role.ADMIN)


@pytest.mark.parametrize(
    ("role", "usable"),
    [
        (Role.EXECUTOR, ["start", "tasks", "mydata", "forgetme", "help", "privacy", "cancel"]),
        (
            Role.OBSERVER,
            [
                "start",
                "tasks",
                "status",
                "report",
                "roadmap",
                "mydata",
                "forgetme",
                "help",
                "privacy",
                "cancel",
            ],
        ),
        (Role.COORDINATOR, list(MENU)),
        (Role.ADMIN, list(MENU)),
    ],
)
def test_each_role_gets_the_commands_it_may_use(role: Role, usable: list[str]) -> None:
    root = Router()
    root.include_routers(*get_routers())
    menu = menu_permissions(root)
    assert [name for name, _ in menu.commands] == list(MENU)  # every menu command is handled
    assert menu.usable_by(_actor(role)) == usable
