"""Settings from the environment (secrets only from there), as one frozen dataclass.

| variable                | meaning                                                    | default             |
|-------------------------|------------------------------------------------------------|---------------------|
| SLACK_BOT_TOKEN         | bot token (``xoxb-…``)                                      | unset: console      |
| SLACK_APP_TOKEN         | app-level token for Socket Mode (``xapp-…``)                | unset               |
| SLACK_SIGNING_SECRET    | signing secret for HTTP mode                               | unset               |
| PORT                    | HTTP port for ``serve``                                    | 3000                |
| KNOWLEDGE_DIR           | the knowledge base                                         | ``knowledge/``      |
| CONSENT_LIST_PATH       | a consent list file (CSV, JSON, YAML)                      | the bundled sample  |
| CONSENT_LIST_NAME       | what replies call the list (never a server path)           | file name, URL host+file |
| DATA_DIR                | where the bot keeps its state                              | ``./data``          |
| DATABASE_URL            | secret: PostgreSQL for several workers (``postgres://…``)   | unset: ``DATA_DIR/bot.sqlite3`` |
| CONSENT_LIST_URL        | the consent list at a URL (CSV, JSON, YAML); beats the path | unset               |
| CONSENT_LIST_TOKEN      | secret: sent as ``Authorization: Bearer …`` to that URL     | unset               |
| CONSENT_REFRESH_MINUTES | minutes between background refreshes (Slack modes); 0: off | 60                  |
| CONSENT_MAX_DROP        | refuse a new list that drops more than this share (or "%") | 0.2                 |
| CONSENT_STALE_DAYS      | a list older than this is flagged as stale; 0: never       | 14                  |
| DIRECTORY_PATH          | the school directory file (an empty file: no directory)    | DATA_DIR/schools.csv, else the embedded snapshot |
| DIRECTORY_URLS          | DUO's location files for ``schools update`` (comma-separated) | DUO's VO, PO and special education files |
| ADMIN_USER_IDS          | Slack user ids that may refresh the list (comma-separated) | none                |
| ANNOUNCE_CHANNEL        | Slack channel for "Nieuw op de lijst: …"                   | unset: no announcements |
| INSTITUTE_NAME          | the institute, signs request drafts                        | ""                  |
| INSTITUTE_EMAIL         | the institute's e-mail address, in drafts                  | ""                  |
| INSTITUTE_PHONE         | the institute's phone number, in drafts                    | ""                  |
| HELP_CONTACT            | whom to ask when the bot cannot answer (e.g. ``#magister``) | ""                  |
| LOG_LEVEL               | logging level: DEBUG, INFO, WARNING, ERROR or CRITICAL     | INFO                |
| SLACK_API_URL           | Slack Web API base URL (GovSlack, a proxy, tests)          | slack_sdk's default |
| REQUEST_REMINDER_DAYS   | days after sending before the requester is reminded (once); 0: off | 14            |
| QUESTION_RETENTION_DAYS | days a logged question is kept                             | 180                 |
| REVIEW_DAY              | weekday of the admins' review DM, 1 (Monday) .. 7; 0: off   | 1                   |
| REVIEW_HOUR             | hour (UTC, 0..23) of that DM                                | 8                   |
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Mapping

from .db import display_url, is_postgres_url
from .errors import ConfigError

_SECRETS = frozenset({"consent_list_token"})  # hidden by Settings.__repr__, like every slack_* field
_TOKEN_SHAPES = {
    "SLACK_BOT_TOKEN": re.compile(r"^xoxb-[A-Za-z0-9-]+$"),
    "SLACK_APP_TOKEN": re.compile(r"^xapp-[A-Za-z0-9-]+$"),
    "SLACK_SIGNING_SECRET": re.compile(r"^[0-9a-f]{16,}$"),
}


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment. Build with :meth:`from_env`."""

    slack_bot_token: str = ""
    slack_app_token: str = ""
    slack_signing_secret: str = ""
    port: int = 3000
    knowledge_dir: Path | None = None
    consent_list_path: Path | None = None
    consent_list_name: str = ""
    data_dir: Path = Path("data")
    consent_list_url: str = ""
    consent_list_token: str = ""
    consent_refresh_minutes: float = 60.0
    consent_max_drop: float = 0.2
    consent_stale_days: float = 14.0
    directory_path: Path | None = None
    directory_urls: tuple[str, ...] = ()
    admin_user_ids: tuple[str, ...] = ()
    announce_channel: str = ""
    institute_name: str = ""
    institute_email: str = ""
    institute_phone: str = ""
    help_contact: str = ""
    log_level: str = "INFO"
    slack_api_url: str = ""
    request_reminder_days: float = 14.0
    question_retention_days: float = 180.0
    database_url: str = ""
    review_day: int = 1
    review_hour: int = 8

    def __repr__(self) -> str:  # never print a secret
        shown = {f.name: ("***" if (f.name.startswith("slack_") or f.name in _SECRETS) and getattr(self, f.name)
                          else getattr(self, f.name))
                 for f in fields(self)}
        if self.database_url:  # the host and database help; the password stays out
            shown["database_url"] = display_url(self.database_url)
        return f"Settings({shown})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Read the variables in this module's table from ``env`` (default ``os.environ``).

        Raises :class:`ConfigError` naming the variable when a token has the wrong shape,
        ``PORT`` is no port number, ``LOG_LEVEL`` no logging level, or a number, share, URL
        or user id list is malformed. Empty values count as unset.
        """
        env = os.environ if env is None else env
        get = lambda k: (env.get(k) or "").strip()  # noqa: E731
        for name, shape in _TOKEN_SHAPES.items():
            if get(name) and not shape.match(get(name)):
                raise ConfigError(f"{name} is malformed (expected {shape.pattern.strip('^$').split('[')[0] or 'hex'}…)")
        port = get("PORT") or "3000"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"PORT must be a port number, got {port[:20]!r}")
        return cls(
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            port=int(port),
            knowledge_dir=Path(get("KNOWLEDGE_DIR")) if get("KNOWLEDGE_DIR") else None,
            consent_list_path=Path(get("CONSENT_LIST_PATH")) if get("CONSENT_LIST_PATH") else None,
            consent_list_name=get("CONSENT_LIST_NAME"),
            data_dir=Path(get("DATA_DIR") or "data"),
            consent_list_url=_list_url(get("CONSENT_LIST_URL"), get("CONSENT_LIST_TOKEN")),
            consent_list_token=get("CONSENT_LIST_TOKEN"),
            consent_refresh_minutes=_number("CONSENT_REFRESH_MINUTES", get("CONSENT_REFRESH_MINUTES"), 60.0),
            consent_max_drop=_share("CONSENT_MAX_DROP", get("CONSENT_MAX_DROP"), 0.2),
            consent_stale_days=_number("CONSENT_STALE_DAYS", get("CONSENT_STALE_DAYS"), 14.0),
            directory_path=Path(get("DIRECTORY_PATH")) if get("DIRECTORY_PATH") else None,
            directory_urls=_urls("DIRECTORY_URLS", get("DIRECTORY_URLS")),
            admin_user_ids=_user_ids(get("ADMIN_USER_IDS")),
            announce_channel=get("ANNOUNCE_CHANNEL"),
            institute_name=get("INSTITUTE_NAME"),
            institute_email=get("INSTITUTE_EMAIL"),
            institute_phone=get("INSTITUTE_PHONE"),
            help_contact=get("HELP_CONTACT"),
            log_level=_log_level(get("LOG_LEVEL")),
            slack_api_url=_api_url(get("SLACK_API_URL")),
            request_reminder_days=_number("REQUEST_REMINDER_DAYS", get("REQUEST_REMINDER_DAYS"), 14.0),
            question_retention_days=_number("QUESTION_RETENTION_DAYS", get("QUESTION_RETENTION_DAYS"), 180.0),
            database_url=_database_url(get("DATABASE_URL")),
            review_day=_whole("REVIEW_DAY", get("REVIEW_DAY"), 1, 0, 7),
            review_hour=_whole("REVIEW_HOUR", get("REVIEW_HOUR"), 8, 0, 23),
        )

    def with_(self, **changes) -> "Settings":
        """A copy with ``changes`` (e.g. command-line overrides)."""
        return replace(self, **changes)


def _database_url(value: str) -> str:
    """``DATABASE_URL`` as given when it is a PostgreSQL URL (``postgres://`` as Heroku gives
    it, ``postgresql://``, ``postgresql+psycopg://``); ``""`` when unset. ConfigError naming
    only the scheme otherwise (the rest may hold the password)."""
    if not value:
        return ""
    if not is_postgres_url(value):
        scheme = value.split("://", 1)[0][:20] if "://" in value else "none"
        raise ConfigError(f"DATABASE_URL must be a postgresql:// URL (got scheme {scheme!r}); "
                          "unset it to keep the SQLite file in DATA_DIR")
    return value


def _api_url(value: str) -> str:
    """``SLACK_API_URL`` with the trailing slash slack_sdk expects; ``""`` when unset."""
    if not value:
        return ""
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL, got {value[:40]!r}")
    return value if value.endswith("/") else value + "/"


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(value: str) -> str:
    """``LOG_LEVEL`` as one of :data:`LOG_LEVELS` (any case; ``WARN`` = ``WARNING``); ``"INFO"``
    when unset. ConfigError otherwise: logging would quietly fall back on INFO."""
    if not value:
        return "INFO"
    level = {"WARN": "WARNING"}.get(value.upper(), value.upper())
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {value[:20]!r}")
    return level


def _number(name: str, value: str, default: float) -> float:
    """A number >= 0 from variable ``name`` (``default`` when unset); ConfigError otherwise."""
    if not value:
        return default
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {value[:20]!r}") from None
    if not 0 <= number < float("inf"):
        raise ConfigError(f"{name} must be a number of at least 0, got {value[:20]!r}")
    return number


def _whole(name: str, value: str, default: int, low: int, high: int) -> int:
    """A whole number ``low..high`` from variable ``name`` (``default`` when unset);
    ConfigError naming it otherwise."""
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {value[:20]!r}")
    return int(value)


def _share(name: str, value: str, default: float) -> float:
    """A share 0..1 from ``"0.2"`` or ``"20%"``; ConfigError naming ``name`` otherwise."""
    if value.endswith("%"):
        share = _number(name, value[:-1].strip(), default * 100) / 100
    else:
        share = _number(name, value, default)
    if share > 1:
        raise ConfigError(f"{name} must be a share between 0 and 1 (or a percentage), got {value[:20]!r}")
    return share


def _list_url(url: str, token: str) -> str:
    """``CONSENT_LIST_URL``, checked: http(s), and https when a token would go with it
    (plain http only to this machine, for tests)."""
    if not url:
        return ""
    m = re.match(r"^(https?)://([^\s/:?#]+)", url)
    if not m:
        raise ConfigError(f"CONSENT_LIST_URL must be an http(s) URL, got {url[:60]!r}")
    if token and m.group(1) == "http" and m.group(2) not in ("127.0.0.1", "localhost", "[::1]"):
        raise ConfigError("CONSENT_LIST_URL must use https when CONSENT_LIST_TOKEN is set (the token would travel unencrypted)")
    return url


def _urls(name: str, value: str) -> tuple[str, ...]:
    """Comma-separated http(s) URLs from variable ``name``; ConfigError naming it otherwise."""
    urls = tuple(x.strip() for x in value.split(",") if x.strip())
    bad = [u for u in urls if not re.match(r"^https?://[^\s/]+", u)]
    if bad:
        raise ConfigError(f"{name} must be http(s) URLs separated by commas, got {bad[0][:60]!r}")
    return urls


def _user_ids(value: str) -> tuple[str, ...]:
    """``"U123, W456"`` -> ``("U123", "W456")``; ConfigError for anything but Slack user ids."""
    ids = tuple(x.strip() for x in value.split(",") if x.strip())
    bad = [x for x in ids if not re.match(r"^[UW][A-Z0-9]{2,}$", x)]
    if bad:
        raise ConfigError(f"ADMIN_USER_IDS must be Slack user ids such as U0123ABCD, got {bad[0][:20]!r}")
    return ids
