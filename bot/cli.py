"""Command line: ``python -m bot [ask|school|draft|console|serve] …``.

With no command: Slack when tokens are set (see README), else the interactive console.
``ask``, ``school`` and ``draft`` print a readable answer, or one JSON object with
``--json``; with ``-`` as the argument they read one item a line from standard input and
print one line per item, in order (the contract of ``../shared/eval/*_eval.py``).
Errors print one line on standard error and exit 1; bad usage exits 2.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Callable, Iterable, TextIO

from .config import Settings
from .core import Bot
from .errors import BotError
from .render import HELP, T, list_line, lookup_text, reply_text

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--knowledge", metavar="DIR", type=Path, default=argparse.SUPPRESS,
                        help="knowledge base directory (default: $KNOWLEDGE_DIR or ./knowledge)")
    common.add_argument("--consent-list", metavar="PATH", type=Path, default=argparse.SUPPRESS,
                        help="consent list file: CSV, JSON or YAML (default: $CONSENT_LIST_PATH or the bundled example)")
    p = argparse.ArgumentParser(prog="python -m bot", parents=[common],
                                description="Magister-koppeling bot: answers, school lookups and request drafts.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, helptext, arg in (("ask", "answer a question from the knowledge base", "QUESTION"),
                                ("school", "look up whether a school granted access", "QUERY"),
                                ("draft", "draft a request to a school's applicatiebeheerder", "SCHOOL")):
        sp = sub.add_parser(name, parents=[common], help=helptext, description=helptext)
        sp.add_argument("text", nargs="+", metavar=arg, help=f"the {arg.lower()}, or - to read one a line from stdin")
        sp.add_argument("--json", action="store_true", help="print JSON (one object a line)")
        if name == "draft":
            sp.add_argument("--sender", default="", help="your name, signs the request")
            sp.add_argument("--email", default="", help="your e-mail address")
            sp.add_argument("--note", default="", help="a personal note to add")
    sub.add_parser("console", parents=[common], help="interactive console (no Slack needed)")
    sub.add_parser("serve", parents=[common], help="serve the Slack app over HTTP on $PORT")
    return p


def _items(args: argparse.Namespace, stdin: TextIO) -> tuple[Iterable[str], bool]:
    if args.text == ["-"]:
        return (line.rstrip("\r\n") for line in stdin), True
    return [" ".join(args.text)], False


def _emit(out: TextIO, obj: dict | str, as_json: bool) -> None:
    out.write((json.dumps(obj, ensure_ascii=False) if as_json else obj) + "\n")
    out.flush()


def run_batch(args: argparse.Namespace, bot: Bot, stdin: TextIO, out: TextIO) -> int:
    """``ask``, ``school`` and ``draft``: one result per item, JSON or text."""
    items, streamed = _items(args, stdin)
    kb, contact = bot.kb, bot.settings.help_contact
    handlers: dict[str, Callable[[str], tuple[dict, str]]] = {
        "ask": lambda q: ((a := bot.ask(q)).to_json(), reply_text(_as_reply("answer", a), kb, contact)),
        "school": lambda q: ((lk := bot.lookup(q)).to_json(), lookup_text(lk, "nl")),
        "draft": lambda q: _draft(bot, q, args),
    }
    handle = handlers[args.command]
    for item in items:
        try:
            as_json, as_text = handle(item)
        except Exception as e:  # one bad item must not lose the others
            log.exception("failed on %r", item[:80])
            as_json, as_text = {"status": "error", "error": str(e)[:200]}, f"Fout: {e}"
        _emit(out, as_json if args.json else as_text, args.json)
        if not args.json and streamed:
            out.write("\n")
    return 0


def _as_reply(kind: str, answer):
    from .core import Reply

    return Reply(kind, answer.lang, answer=answer)


def _draft(bot: Bot, school: str, args: argparse.Namespace) -> tuple[dict, str]:
    reply = bot.draft_reply(school, sender=args.sender, sender_email=args.email, note=args.note)
    if reply.draft is None:
        return {"status": "usage", "error": "no school given"}, reply_text(reply, bot.kb)
    obj = reply.draft.to_json()
    obj["lookup"] = reply.lookup.to_json() if reply.lookup else None
    return obj, reply_text(reply, bot.kb)


def console(bot: Bot, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """The interactive console: questions, ``school <naam>``, ``verzoek <school>``, ``help``, ``quit``."""
    interactive = stdin.isatty()
    out.write("Magister-koppeling bot (console). Typ een vraag, `school <naam>`, `verzoek <school>`, `help` of `quit`.\n")
    out.write(list_line(bot.consent.info(), "nl").strip("_") + "\n")
    while True:
        if interactive:
            out.write("\n> ")
        out.flush()
        line = stdin.readline()
        if not line:
            out.write("\n")
            return 0
        text = line.strip()
        if not text:
            continue
        if text.lower() in ("quit", "exit", "stop", "q", ":q", "bye", "doei"):
            out.write("Tot ziens!\n")
            return 0
        try:
            reply = bot.handle(text)
            out.write(reply_text(reply, bot.kb, bot.settings.help_contact) + "\n")
        except Exception:  # the console keeps going, whatever one message does
            log.exception("failed on %r", text[:80])
            out.write("Er ging iets mis met dit bericht; probeer het anders te formuleren.\n")
        if not interactive:
            out.write("\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m bot``; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        logging.basicConfig(level=getattr(logging, settings.log_level, logging.INFO), stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        overrides = {}
        if getattr(args, "knowledge", None):
            overrides["knowledge_dir"] = args.knowledge
        if getattr(args, "consent_list", None):
            overrides["consent_list_path"] = args.consent_list
        settings = settings.with_(**overrides)
        command = args.command
        if command in (None, "serve") and settings.slack_bot_token:
            from .slack import run  # only the Slack modes need slack_bolt

            return run(settings, http=command == "serve")
        if command == "serve":
            raise BotError("serve needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see README)")
        bot = Bot.from_settings(settings)
        if command in (None, "console"):
            return console(bot)
        return run_batch(args, bot, sys.stdin, sys.stdout)
    except BotError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
