"""Keep Slack secrets out of the logs, whatever a library prints.

slack_sdk already hides the ``Authorization`` header; :class:`SecretFilter` is the second
line: it replaces the configured tokens and signing secret, and anything shaped like a
Slack token (``xoxb-…``, ``xapp-…``), by ``***`` in every record a handler emits.
"""
from __future__ import annotations

import logging
import re
from typing import Iterable

_TOKEN = re.compile(r"\bx(?:ox[abposre]|app)-[A-Za-z0-9-]{6,}")


class SecretFilter(logging.Filter):
    """A handler filter that rewrites a record's message with ``secrets`` masked."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__("secrets")
        self.secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret and token-shaped string replaced by ``***``."""
        for s in self.secrets:
            text = text.replace(s, "***")
        return _TOKEN.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's to report
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def install(secrets: Iterable[str], logger: logging.Logger | None = None) -> SecretFilter:
    """Add one :class:`SecretFilter` to every handler of ``logger`` (default: root), once."""
    logger = logger or logging.getLogger()
    flt = SecretFilter(secrets)
    for handler in logger.handlers:
        handler.filters = [f for f in handler.filters if not isinstance(f, SecretFilter)]
        handler.addFilter(flt)
    return flt
