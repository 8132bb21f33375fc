"""The access rules as the bot applies them: each command, as each kind of user."""

from __future__ import annotations

import pytest

from core.models import Role
from tests.chat.conftest import ChatBot
from tests.fakebot import FakeUser
from tests.harness import ADMIN, STRANGER, add_person

USERS = {
    "coordinator": (FakeUser(8001, "Координатор"), Role.COORDINATOR),
    "observer": (FakeUser(8002, "Наблюдатель"), Role.OBSERVER),
    "executor": (FakeUser(8003, "Исполнитель"), Role.EXECUTOR),
}
REFUSAL = "недоступно"
# Command → the users it answers rather than refuses.
ALLOWED = {
    "/roadmap": {"admin", "coordinator", "observer"},
    "/people": {"admin", "coordinator"},
    "/help": {"admin", "coordinator", "observer", "executor", "stranger"},
}


@pytest.mark.parametrize(("command", "allowed"), ALLOWED.items(), ids=list(ALLOWED))
async def test_a_command_answers_whom_it_allows_and_refuses_the_rest(
    bot: ChatBot, command: str, allowed: set[str]
) -> None:
    users = {"admin": ADMIN, "stranger": STRANGER}
    for name, (user, role) in USERS.items():
        await add_person(bot, user, role)
        users[name] = user
    for name, user in users.items():
        reply = await bot.ask(user, command)
        refused = REFUSAL in (reply.plain_text or "")
        assert refused is (name not in allowed), (command, name, reply.plain_text)
