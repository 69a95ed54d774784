"""What every Slack entry point checks and sets up at start-up: the tokens a mode needs
(:func:`check_settings`), logging with the secrets masked (:func:`setup_logging`), and Slack
refusing a token or not answering as one line (:func:`slack_errors`, :func:`explain`)."""
from __future__ import annotations

import http.client
import logging
import sys
from contextlib import contextmanager
from typing import Iterator
from urllib.error import URLError

from ..config import Settings
from ..errors import BotError, ConfigError

DEFAULT_API_URL = "https://slack.com/api/"
"""slack_sdk's Web API base URL, named in messages when ``SLACK_API_URL`` is unset."""
_UNREACHABLE = (URLError, ConnectionError, TimeoutError, http.client.HTTPException)
"""What slack_sdk's urllib client raises when Slack does not answer (after its own retry):
refused, reset, DNS or TLS failure (as URLError), a timeout, a broken HTTP response."""



def check_settings(settings: Settings, *, http: bool) -> None:
    """Raise :class:`ConfigError` naming the first variable the mode needs and lacks."""
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is missing: the bot token (xoxb-…) from the app's "
                          "'OAuth & Permissions' page (see README, section Slack)")
    if http and not settings.slack_signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET is missing: HTTP mode (serve) verifies every request with it "
                          "('Basic Information' page)")
    if not http and not settings.slack_app_token:
        raise ConfigError("SLACK_APP_TOKEN is missing: Socket Mode needs an app-level token (xapp-…) with "
                          "connections:write; or run `python -m bot serve` for HTTP mode")


def setup_logging(settings: Settings) -> None:
    """Log to stderr at ``LOG_LEVEL`` (unless logging is set up already) and mask the
    Slack secrets in every record (:mod:`bot.slack.logs`)."""
    from .logs import install

    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=getattr(logging, settings.log_level, logging.INFO), stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install([settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret])


class SlackUnreachable(BotError):
    """Slack's Web API did not answer at start-up (network, proxy, ``SLACK_API_URL``)."""


def explain(error: BaseException, settings: Settings | None = None) -> BotError | None:
    """A one-line error for Slack refusing a token at start-up (:class:`ConfigError`) or not
    answering at all (:class:`SlackUnreachable`, naming the API URL of ``settings``), else ``None``."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from ..consent_source import display_url

    cause = error.__context__ if isinstance(error, BoltError) else error
    if isinstance(cause, _UNREACHABLE):
        reason = cause.reason if isinstance(cause, URLError) else cause
        why = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        url = display_url((settings.slack_api_url if settings else "") or DEFAULT_API_URL)
        return SlackUnreachable(f"cannot reach Slack at {url} ({str(why)[:120]}); check the network, "
                                "a proxy, or SLACK_API_URL")
    if isinstance(cause, SlackApiError):
        url = getattr(cause.response, "api_url", "") or ""
        method = url.rstrip("/").rsplit("/", 1)[-1]
        variable = "SLACK_APP_TOKEN" if method == "apps.connections.open" else "SLACK_BOT_TOKEN"
        return ConfigError(f"Slack refused {variable} ({method}: {cause.response.get('error')})")
    if isinstance(error, BoltError):
        return ConfigError(f"Slack app could not start: {str(error).splitlines()[0][:200]}")
    return None


@contextmanager
def slack_errors(settings: Settings) -> Iterator[None]:
    """Around the calls that reach Slack at start-up (``auth.test`` when the app is built,
    ``apps.connections.open`` in Socket Mode): what :func:`explain` can word is raised as
    that one-line :class:`~bot.errors.BotError`; anything else as it was."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    try:
        yield
    except (BoltError, SlackApiError, *_UNREACHABLE) as e:
        explained = explain(e, settings)
        if explained is None:
            raise
        raise explained from None
