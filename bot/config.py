"""Settings from the environment (secrets only from there), as one frozen dataclass.

| variable                | meaning                                                    | default             |
|-------------------------|------------------------------------------------------------|---------------------|
| SLACK_BOT_TOKEN         | bot token (``xoxb-…``)                                      | unset: console      |
| SLACK_APP_TOKEN         | app-level token for Socket Mode (``xapp-…``)                | unset               |
| SLACK_SIGNING_SECRET    | signing secret for HTTP mode                               | unset               |
| PORT                    | HTTP port for ``serve``                                    | 3000                |
| KNOWLEDGE_DIR           | the knowledge base                                         | ``knowledge/``      |
| CONSENT_LIST_PATH       | a consent list file (CSV, JSON, YAML)                      | the bundled sample  |
| DATA_DIR                | where the bot keeps its state                              | ``./data``          |
| INSTITUTE_NAME          | the institute, signs request drafts                        | ""                  |
| INSTITUTE_EMAIL         | the institute's e-mail address, in drafts                  | ""                  |
| INSTITUTE_PHONE         | the institute's phone number, in drafts                    | ""                  |
| HELP_CONTACT            | whom to ask when the bot cannot answer (e.g. ``#magister``) | ""                  |
| LOG_LEVEL               | logging level                                              | INFO                |
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Mapping

from .errors import ConfigError

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
    data_dir: Path = Path("data")
    institute_name: str = ""
    institute_email: str = ""
    institute_phone: str = ""
    help_contact: str = ""
    log_level: str = "INFO"

    def __repr__(self) -> str:  # never print a secret
        shown = {f.name: ("***" if f.name.startswith("slack_") and getattr(self, f.name) else getattr(self, f.name))
                 for f in fields(self)}
        return f"Settings({shown})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Read the variables in this module's table from ``env`` (default ``os.environ``).

        Raises :class:`ConfigError` naming the variable when a token has the wrong shape
        or ``PORT`` is no port number. Empty values count as unset.
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
            data_dir=Path(get("DATA_DIR") or "data"),
            institute_name=get("INSTITUTE_NAME"),
            institute_email=get("INSTITUTE_EMAIL"),
            institute_phone=get("INSTITUTE_PHONE"),
            help_contact=get("HELP_CONTACT"),
            log_level=get("LOG_LEVEL").upper() or "INFO",
        )

    def with_(self, **changes) -> "Settings":
        """A copy with ``changes`` (e.g. command-line overrides)."""
        return replace(self, **changes)
