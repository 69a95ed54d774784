"""The bot's one base error class and its kinds.

Every error the core raises on purpose derives from :class:`BotError`; its ``str()`` is a
one-line message fit for a user or a log (the command line prints it and exits 1).
"""
from __future__ import annotations


class BotError(Exception):
    """Base class of every error the bot raises on purpose; ``str(e)`` is one line."""


class KnowledgeError(BotError):
    """The knowledge base (``knowledge/*.yaml``) is broken.

    ``faults`` lists every fault found, each ``"file:line: entry 'id': what is wrong"``;
    ``str(e)`` names the first and how many more there are.
    """

    def __init__(self, faults: list[str]):
        self.faults = list(faults)
        more = f" (and {len(faults) - 1} more)" if len(faults) > 1 else ""
        super().__init__(f"knowledge base: {faults[0]}{more}")


class ConsentListError(BotError):
    """A consent list could not be read or holds no usable school."""


class ConfigError(BotError):
    """A setting from the environment is missing or malformed (names the variable)."""


class DeliveryFailed(BotError):
    """A backend could not deliver a reply (it has logged why)."""


class CannotPost(DeliveryFailed):
    """A backend may not post in that channel (e.g. Slack: the bot is not in it)."""
