"""The Slack adapter (the only package that imports slack_bolt). Built in a later step."""
from __future__ import annotations

from ..config import Settings
from ..errors import BotError


def run(settings: Settings, *, http: bool = False) -> int:
    """Run the Slack app (Socket Mode, or HTTP when ``http``)."""
    raise BotError("the Slack app is not available yet")
