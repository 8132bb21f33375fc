"""Settings from the environment and `.env` (every variable is documented in `.env.example`)."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.messengers import max_user_account

# What @BotFather issues: the bot's numeric id, a colon, then the secret part.
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,200}$")
_URL_RE = re.compile(r"^https?://[^\s/]+(/\S*)?$")
SURVEY_SECRET_MIN_LENGTH = 16
_WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_REDIS_URL_RE = re.compile(r"^(rediss?://\S+|unix://\S+)$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    bot_token: SecretStr | None = None
    database_url: str | None = None
    # PostgreSQL connections per instance (as many again at a peak); unused on SQLite.
    database_pool_size: int = Field(default=10, ge=1, le=100)
    data_dir: Path = Path("data")
    telegram_api_base: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    timezone: str = "Asia/Vladivostok"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    invite_ttl_days: int = Field(default=14, ge=1, le=365)
    # Months after a roadmap's period end before personal data of its closed tasks is erased;
    # 0: never.
    retention_months: int = Field(default=12, ge=0, le=1200)
    throttle_rate: float = Field(default=1.0, gt=0, le=100)
    throttle_burst: int = Field(default=8, ge=1, le=1000)
    reminder_offsets: Annotated[tuple[int, ...], NoDecode] = (7, 3, 1, 0)
    reminder_time: time = time(9, 0)
    escalate_after_days: int = Field(default=2, ge=1, le=30)
    coordinator_summary: Literal["daily", "weekly", "off"] = "weekly"
    # More reminders than this to one person on one morning go as one list, not as cards.
    reminder_group_over: int = Field(default=3, ge=1, le=100)
    # Messages a second the scheduler sends in all: just under Telegram's 30.
    send_rate: float = Field(default=29.0, gt=0, le=30)
    # The key of survey participation tokens; empty: generated once into SURVEY_SECRET_FILE.
    survey_secret: SecretStr | None = None
    # Where that generated key lives; empty: DATA_DIR/survey_secret. Elsewhere, a copy of the
    # data folder alone cannot tell who answered a survey.
    survey_secret_file: Path | None = None
    # Seconds at most a survey response waits before it is mixed among at least 5 others
    # (services/survey_mixing.py): until then a copy of the database files could tie it to
    # the respondent.
    survey_mix_seconds: int = Field(default=600, ge=1, le=86_400)
    # Conversation state (survey answers in progress among it) in Redis instead of memory,
    # so several instances share it and a restart loses nobody's half-filled survey.
    redis_url: SecretStr | None = None
    # Who runs this bot under 152-ФЗ (the school or the education department) and how to reach
    # them: shown by /privacy and before a person gives consent on linking.
    operator_name: str = Field(default="", max_length=300)
    operator_contacts: str = Field(default="", max_length=500)
    # Webhook mode instead of long polling: Telegram posts updates to WEBHOOK_URL (https, as the
    # reverse proxy serves it); the bot listens on WEBHOOK_HOST:WEBHOOK_PORT at that URL's path
    # and takes only requests carrying WEBHOOK_SECRET in Telegram's secret-token header.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # Polling mode: `GET /healthz` on 127.0.0.1 at this port; empty: no health endpoint (in
    # webhook mode it is on the webhook's port).
    health_port: int | None = Field(default=None, ge=1, le=65535)
    # Nightly SQLite backups (the online backup API, 0600) into BACKUP_DIR (empty:
    # DATA_DIR/backups), the newest BACKUP_KEEP of them kept; 0: no nightly backup.
    backup_dir: Path | None = None
    backup_keep: int = Field(default=14, ge=0, le=3650)
    # MAX (max.ru): the token of a bot the organisation registered on MAX's platform for
    # partners; Telegram, MAX or both run from one process on one database. MAX_API_BASE: another
    # API server (tests). MAX_WEBHOOK_URL (https): MAX posts updates there (the bot listens on
    # WEBHOOK_HOST:MAX_WEBHOOK_PORT, checking MAX_WEBHOOK_SECRET); empty: long polling.
    max_token: SecretStr | None = None
    max_api_base: str | None = None
    max_webhook_url: str | None = None
    max_webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    max_webhook_port: int = Field(default=8081, ge=1, le=65535)
    # MAX user ids of the bot's administrators (as ADMIN_IDS for Telegram).
    max_admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    # Messages a second to MAX (its documented limit is about 30 requests a second, edits and
    # answers included).
    max_send_rate: float = Field(default=20.0, gt=0, le=30)
    # `json`: one JSON object per log line (level, logger, message, time), for log collectors.
    log_format: Literal["text", "json"] = "text"

    @field_validator("survey_secret_file", mode="before")
    @classmethod
    def _empty_path_is_default(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator(
        "backup_dir",
        "health_port",
        "webhook_url",
        "webhook_secret",
        "max_token",
        "max_webhook_url",
        "max_webhook_secret",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_url", "max_webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        # Telegram posts to https only (a test server may be plain http on this machine).
        if not _URL_RE.match(value):
            raise ValueError("malformed")
        return value

    @field_validator("webhook_secret", "max_webhook_secret")
    @classmethod
    def _webhook_secret_shape(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        if value is None:
            # A webhook without its secret would take updates from anyone who finds the URL.
            url = "max_webhook_url" if info.field_name == "max_webhook_secret" else "webhook_url"
            if info.data.get(url) is not None:
                raise ValueError("missing")
            return None
        # Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if not _WEBHOOK_SECRET_RE.fullmatch(value.get_secret_value()):
            raise ValueError("malformed")
        return value

    @property
    def resolved_backup_dir(self) -> Path:
        return self.backup_dir if self.backup_dir is not None else self.data_dir / "backups"

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not _TOKEN_RE.match(value.strip()):
            # The value itself is never echoed: a mistyped token is still a secret.
            raise ValueError("malformed")
        return value.strip()

    @field_validator("max_token")
    @classmethod
    def _max_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and any(c.isspace() for c in value.get_secret_value().strip()):
            raise ValueError("malformed")  # never echoed, as the Telegram token
        return None if value is None else SecretStr(value.get_secret_value().strip())

    @field_validator("telegram_api_base", "max_api_base", mode="before")
    @classmethod
    def _api_base_shape(cls, value: object) -> object:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not _URL_RE.match(value.strip()):
            raise ValueError("malformed")
        return value.strip().rstrip("/")

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_url_shape(cls, value: object) -> object:
        if value is None or value == "":
            return None
        # A Redis URL may carry a password: like the token, it is never echoed.
        if not isinstance(value, str) or not _REDIS_URL_RE.match(value.strip()):
            raise ValueError("malformed")
        return value.strip()

    @field_validator("survey_secret", mode="before")
    @classmethod
    def _survey_secret_length(cls, value: object) -> object:
        if value is None or value == "":
            return None
        # Shorter keys could be guessed from one known token; the value is never echoed.
        if not isinstance(value, str) or len(value.strip()) < SURVEY_SECRET_MIN_LENGTH:
            raise ValueError("too short")
        return value.strip()

    @field_validator("admin_ids", "max_admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part for part in re.split(r"[,;\s]+", value) if part]
            if not all(re.fullmatch(r"-?\d{1,20}", part) for part in parts):
                raise ValueError("malformed")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _split_offsets(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part for part in re.split(r"[,;\s]+", value) if part]
            if not parts or not all(re.fullmatch(r"\d{1,3}", part) for part in parts):
                raise ValueError("malformed")
            return tuple(sorted({int(part) for part in parts}, reverse=True))
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("unknown") from error
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'roadmap.sqlite3'}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def administrators(self) -> frozenset[int]:
        """The administrators' accounts on both messengers (core.messengers)."""
        return self.admin_ids | {max_user_account(user_id) for user_id in self.max_admin_ids}


class SettingsError(Exception):
    """One bad setting: which environment variable, and the catalog key that says how to fix it."""

    def __init__(self, variable: str, key: str) -> None:
        super().__init__(variable)
        self.variable = variable
        self.key = key


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        raise SettingsError(field.upper(), f"settings.invalid.{field}") from None


def require_a_messenger(settings: Settings) -> None:
    """Telegram (BOT_TOKEN), MAX (MAX_TOKEN) or both; neither: which to set."""
    if settings.bot_token is None and settings.max_token is None:
        raise SettingsError("BOT_TOKEN", "settings.missing.bot_token")
