"""``manifest.yaml`` and the code agree: the events, the slash command, interactivity and
exactly the scopes the code needs, checked against the declarations, the Web API methods the
code calls, and the served app's behaviour."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.slack.app import API_SCOPES, SCOPES
from bot.slack.http import EVENTS_PATH
from bot.slack.listeners import COMMAND, EVENTS

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / "manifest.yaml").read_text(encoding="utf-8"))


def test_manifest_events_command_and_interactivity_match_the_code():
    settings = MANIFEST["settings"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == sorted(EVENTS)
    assert "message.channels" not in settings["event_subscriptions"]["bot_events"]  # a mention would arrive twice
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert settings["interactivity"]["is_enabled"] is True
    for url in (command["url"], settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]):
        assert url.startswith("https://") and url.endswith(EVENTS_PATH)
    home = MANIFEST["features"]["app_home"]
    assert home["home_tab_enabled"] is True  # App Home
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is False  # DMs
    assert MANIFEST["features"]["bot_user"]["display_name"]


def test_manifest_requests_exactly_the_scopes_the_code_needs():
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(SCOPES)
    assert "user" not in MANIFEST["oauth_config"]["scopes"]
    # every scope is there for an event, the command or a method the code calls
    reasons = {s for scopes in API_SCOPES.values() for s in scopes} | {s for s in EVENTS.values() if s} | {"commands"}
    assert set(SCOPES) == reasons


def _methods_called() -> set[str]:
    """Web API methods called in bot/slack/ (``client.chat_postMessage(`` -> ``chat.postMessage``)."""
    called = set()
    for path in (ROOT / "bot" / "slack").glob("*.py"):
        for name in re.findall(r"\bclient\.([a-z]+_[A-Za-z_]+)\(", path.read_text(encoding="utf-8")):
            called.add(name.replace("_", ".", 1).replace("_", "."))
    return called


def test_every_web_api_method_the_code_calls_is_declared_with_its_scopes():
    called = _methods_called()
    assert called, "the scan found no calls: the pattern is broken"
    assert called <= set(API_SCOPES), called - set(API_SCOPES)
    assert set(API_SCOPES) - called == {"auth.test"}  # Bolt calls auth.test itself


def test_the_served_app_handles_what_the_manifest_subscribes_and_nothing_else(slack, fake_slack):
    events = {
        "app_mention": {"type": "app_mention", "user": "U0ANNE01", "text": "<@UBOT0001> help", "ts": "1.1", "channel": "C1"},
        "message.im": {"type": "message", "channel_type": "im", "user": "U0ANNE01", "text": "help", "ts": "1.2",
                       "channel": "D1"},
        "app_home_opened": {"type": "app_home_opened", "user": "U0ANNE01", "tab": "home"},
    }
    assert set(events) == set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    for ev in events.values():
        assert slack.event(ev).status_code == 200
    fake_slack.wait("chat.postMessage", n=2)
    fake_slack.wait("views.publish")
    # an event the manifest does not subscribe is not handled (Bolt answers 404)
    assert slack.event({"type": "reaction_added", "user": "U0ANNE01", "reaction": "+1"}).status_code == 404
    # the declared command is handled; another is not
    assert slack.command("help").status_code == 200
    assert slack.post(b"command=%2Fother&text=x", "application/x-www-form-urlencoded").status_code == 404
