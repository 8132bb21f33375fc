"""The access rules as the bot applies them: each command, as each kind of user."""

from __future__ import annotations

from core.models import Role
from tests.e2e.conftest import ADMIN, STRANGER, RunningBot, add_person
from tests.fakebot import FakeUser

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


async def test_each_command_as_each_user(running_bot: RunningBot) -> None:
    users = {"admin": ADMIN, "stranger": STRANGER}
    for name, (user, role) in USERS.items():
        await add_person(running_bot, user, role)
        users[name] = user
    for command, allowed in ALLOWED.items():
        for name, user in users.items():
            reply = await running_bot.ask(user, command)
            refused = REFUSAL in reply.plain_text
            assert refused is (name not in allowed), (command, name, reply.plain_text)
