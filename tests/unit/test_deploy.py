"""deploy/: the compose file and the systemd unit keep what README «Развёртывание» promises."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT / "deploy"
SETTINGS = {name.upper() for name in Settings.model_fields}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def unit() -> dict[str, list[str]]:
    """The unit's directives, each with its values in order (a directive may repeat)."""
    directives: dict[str, list[str]] = {}
    for line in (DEPLOY / "roadmap-bot.service").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith(("#", "[")):
            name, _, value = line.partition("=")
            directives.setdefault(name.strip(), []).append(value.strip())
    return directives


def test_the_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"bot", "postgres", "redis", "caddy"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["caddy"]["image"] == "caddy:2"
    assert services["bot"]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert services["bot"]["command"] == ["python", "-m", "bot", "run"]


def test_every_service_has_a_health_check_and_the_bot_waits_for_them(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name in ("bot", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    bot_check = " ".join(services["bot"]["healthcheck"]["test"])
    assert "python" in bot_check and "http://127.0.0.1:{port}/healthz" in bot_check
    # Telegram's webhook port, else MAX's (a bot on MAX alone); the probe is valid Python.
    assert "(8080, 8081)" in bot_check
    compile(services["bot"]["healthcheck"]["test"][-1], "healthcheck", "exec")
    assert services["bot"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert services["caddy"]["depends_on"] == {"bot": {"condition": "service_healthy"}}


def test_redis_never_writes_to_disk(compose: dict[str, Any]) -> None:
    command = compose["services"]["redis"]["command"]
    assert command[0] == "redis-server"
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert options == {"--save": "", "--appendonly": "no"}
    assert "volumes" not in compose["services"]["redis"]


def test_only_the_proxy_publishes_ports(compose: dict[str, Any]) -> None:
    published = {name: service.get("ports") for name, service in compose["services"].items()}
    assert published == {
        "bot": None,
        "postgres": None,
        "redis": None,
        "caddy": ["80:80", "443:443"],
    }


def test_the_bot_gets_only_settings_it_knows(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    environment = bot["environment"]
    assert set(environment) <= SETTINGS
    assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://roadmap:")
    assert environment["DATABASE_URL"].endswith("@postgres:5432/roadmap")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["DATA_DIR"] == "/data"
    assert environment["WEBHOOK_URL"].startswith("https://")
    assert "bot-data:/data" in bot["volumes"]
    assert bot["env_file"] == ".env"


def test_the_data_lives_in_named_volumes(compose: dict[str, Any]) -> None:
    assert set(compose["volumes"]) == {"postgres-data", "bot-data", "caddy-data", "caddy-config"}
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert "caddy-data:/data" in compose["services"]["caddy"]["volumes"]


def test_caddy_passes_on_the_webhook_path_alone() -> None:
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    code = [line.split("#")[0].strip() for line in caddyfile.splitlines()]
    code = [line for line in code if line]
    assert "{$BOT_DOMAIN} {" in code
    assert "handle {$WEBHOOK_PATH} {" in code
    assert "dynamic a bot 8080 {" in code
    assert code.count("reverse_proxy {") == 1  # nothing but the webhook reaches the bot
    assert "respond 404" in code


def test_the_image_installs_every_package_with_postgres_and_redis() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        name.rstrip("*") for name in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = set(re.findall(r"^COPY (\w+)/ \1/$", dockerfile, flags=re.MULTILINE))
    assert copied == packages
    extras = set(pyproject["project"]["optional-dependencies"])
    assert {"postgres", "redis"} <= extras
    assert "[postgres,redis]" in dockerfile
    assert dockerfile.splitlines()[-1] == 'CMD ["python", "-m", "bot", "run"]'
    assert re.search(r"^USER roadmap-bot$", dockerfile, flags=re.MULTILINE)
    assert dockerfile.count("FROM python:3.11-slim") == 2


def test_the_systemd_unit(unit: dict[str, list[str]]) -> None:
    expected = {
        "User": "roadmap-bot",
        "WorkingDirectory": "/opt/roadmap-bot",
        "EnvironmentFile": "/opt/roadmap-bot/.env",
        "ExecStart": "/opt/roadmap-bot/.venv/bin/python -m bot run",
        "Restart": "on-failure",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ReadWritePaths": "/opt/roadmap-bot/data",
        "PrivateTmp": "yes",
        "UMask": "0077",
        "WantedBy": "multi-user.target",
    }
    assert {name: unit.get(name) for name in expected} == {
        name: [value] for name, value in expected.items()
    }
