"""Command line: ``python -m bot [ask|school|draft|console|serve|requests|report|consent|schools|knowledge] …``.

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
import os
import shlex
import sys
from pathlib import Path
from typing import Callable, Iterable, TextIO

from .config import Settings
from .consentlist import ConsentList
from .core import Bot, KnowledgeBot
from .errors import BotError
from .render import (diff_text, import_text, links_text, lookup_text, refresh_report, reply_text, rows_notice,
                     rows_text, status_report, update_text)
from .replies import Reply

log = logging.getLogger("bot")

EXIT_BROKEN_PIPE = 141
"""Exit status when the reader of standard output went away (128 + SIGPIPE), as a shell
reports for ``yes | head -1``: a ``set -o pipefail`` script sees that output was cut off,
where 0 would claim every line was delivered."""


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
    _store_parsers(sub, common)
    _list_parsers(sub, common)
    # Only for --help: `knowledge …` goes to bot.kbcli before this parser (see _knowledge_argv).
    sub.add_parser("knowledge", help="edit the knowledge base: export|import|history|drafts|publish "
                                     "(python -m bot knowledge --help)")
    return p


def _knowledge_argv(argv: list[str]) -> list[str] | None:
    """The words for :func:`bot.kbcli.main` when the command of ``argv`` is ``knowledge``
    (options before it kept: ``--knowledge DIR knowledge history``), else ``None``."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in ("--knowledge", "--consent-list") else 1
    if i < len(argv) and argv[i] == "knowledge":
        return argv[:i] + argv[i + 1:]
    return None


# Commands that read no knowledge base or no consent list (``(command, action)``; action
# ``None``: every action). The options are accepted everywhere, as the README promises, and
# refused here with a reason rather than ignored.
_NO_KNOWLEDGE = {("requests", None), ("report", None), ("consent", None), ("schools", None)}
_NO_LIST = {("requests", None), ("report", None), ("consent", "diff"), ("schools", None), ("ask", None)}
_WHY = {"requests": "requests are kept in DATA_DIR", "report": "the report reads the question log in DATA_DIR",
        "ask": "it answers from the knowledge base alone",
        "consent": "it works on the consent list alone", "schools": "it works on the DUO school directory in DATA_DIR",
        "consent diff": "it compares the two files it is given"}


def _check_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit 2 (``parser.error``) when ``--knowledge`` or ``--consent-list`` is given to a
    command that does not use it."""
    command, action = args.command, getattr(args, "action", None)
    for option, attr, unused in (("--knowledge", "knowledge", _NO_KNOWLEDGE),
                                 ("--consent-list", "consent_list", _NO_LIST)):
        if hasattr(args, attr) and ((command, None) in unused or (command, action) in unused):
            name = f"{command} {action}" if action else command
            why = _WHY.get(name) or _WHY.get(command, "")
            parser.error(f"{option} does not apply to `{name}`: {why}")


def _items(args: argparse.Namespace, stdin: TextIO) -> tuple[Iterable[str], bool]:
    if args.text == ["-"]:
        return (line.rstrip("\r\n") for line in stdin), True
    return [" ".join(args.text)], False


def _emit(out: TextIO, obj: dict | str, as_json: bool) -> None:
    out.write((json.dumps(obj, ensure_ascii=False) if as_json else obj) + "\n")
    out.flush()


def _check_list(consent: ConsentList, args: argparse.Namespace) -> None:
    """Before a command that looks schools up: raise :class:`BotError` when the configured
    list has no good copy (never answer from made-up data instead); print one line on
    standard error when rows of the list were skipped (standard output keeps its contract)."""
    if consent.unavailable:
        raise BotError(f"consent list unavailable: {consent.error or consent.source}; "
                       "run `python -m bot consent refresh` when the source is back")
    named = getattr(args, "consent_list", None)
    hint = "python -m bot consent status" + (f" --consent-list {shlex.quote(str(named))}" if named else "")
    notice = rows_notice(consent, hint)
    if notice:
        print(notice, file=sys.stderr)


def run_batch(args: argparse.Namespace, bot: Bot | KnowledgeBot, stdin: TextIO, out: TextIO) -> int:
    """``ask``, ``school`` and ``draft``: one result per item, JSON or text (``ask`` needs a
    :class:`KnowledgeBot` only)."""
    items, streamed = _items(args, stdin)
    kb, contact = bot.kb, bot.settings.help_contact
    def ask(q: str) -> tuple[dict, str]:
        a = bot.ask(q)
        return a.to_json(), reply_text(Reply("answer", a.lang, answer=a), kb, contact)

    def school(q: str) -> tuple[dict, str]:
        lk = bot.lookup(q)
        return lk.to_json(), lookup_text(lk, "nl")

    handlers: dict[str, Callable[[str], tuple[dict, str]]] = {
        "ask": ask, "school": school, "draft": lambda q: _draft(bot, q, args)}
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


def _draft(bot: Bot, school: str, args: argparse.Namespace) -> tuple[dict, str]:
    reply = bot.draft_reply(school, sender=args.sender, sender_email=args.email, note=args.note)
    if reply.draft is None:
        return {"status": "usage", "error": "no school given"}, reply_text(reply, bot.kb)
    obj = reply.draft.to_json()
    obj["lookup"] = reply.lookup.to_json() if reply.lookup else None
    return obj, reply_text(reply, bot.kb)


def _store_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from .report import parse_since
    from .store import STATUSES

    def since(text: str):
        try:
            return parse_since(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    rq = sub.add_parser("requests", parents=[common], help="requests to schools: list or export (DATA_DIR/bot.sqlite3)")
    rq_sub = rq.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = rq_sub.add_parser("list", parents=[common], help="list requests, oldest first")
    ls.add_argument("--status", choices=("all", "open") + STATUSES, default="all",
                    help="only these (open = drafted or sent; default all)")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    ex = rq_sub.add_parser("export", parents=[common], help="export requests as CSV")
    ex.add_argument("--csv", action="store_true", required=True, help="CSV (the only format)")
    ex.add_argument("--status", choices=("all", "open") + STATUSES, default="all", help="only these (default all)")
    ex.add_argument("file", nargs="?", default="-", help="output file (UTF-8 with BOM, for Excel), or - for stdout")
    rp = sub.add_parser("report", parents=[common], help="reports from the question log")
    rp_sub = rp.add_subparsers(dest="action", metavar="REPORT", required=True)
    qs = rp_sub.add_parser("questions", parents=[common], help="unanswered questions grouped, 👎 entries, answer rate")
    qs.add_argument("--since", type=since, default="30d", help="period: 30d, 2w, 12h or a date (default 30d)")
    qs.add_argument("--json", action="store_true", help="print one JSON object")


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def run_store_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """``requests list|export`` and ``report questions``, from ``DATABASE_URL`` when set, else
    the SQLite file in ``DATA_DIR``: a missing file reads as empty (and is not created).
    Raises :class:`~bot.store.StoreError` for a broken or unreachable database."""
    from .report import build_report, question_report, render, render_requests
    from .store import Store, default_path, export_csv, utc_now

    path = default_path(settings.data_dir)
    store = Store.from_settings(settings) if settings.database_url or path.exists() else None
    try:
        if args.command == "report":
            now = utc_now()
            report = question_report(store, args.since, now) if store else build_report([], args.since, now)
            _emit(out, report.to_json() if args.json else render(report).rstrip("\n"), args.json)
            return 0
        requests = store.list_requests(args.status) if store else []
        if args.action == "list":
            _emit(out, [r.to_json() for r in requests] if args.json else render_requests(requests).rstrip("\n"),
                  args.json)
        elif args.file == "-":
            export_csv(requests, out)
        else:
            target = Path(args.file).resolve()
            if target.is_file() and (target.name.startswith(path.name) or _is_sqlite(target)):
                raise BotError(f"will not write the export over the database {args.file}: choose another file")
            try:
                with open(args.file, "w", encoding="utf-8-sig", newline="") as f:
                    export_csv(requests, f)
            except OSError as e:
                raise BotError(f"cannot write {args.file}: {e.strerror or e}") from None
            log.info("wrote %d requests to %s", len(requests), args.file)
        return 0
    finally:
        if store:
            store.close()


def _list_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cp = sub.add_parser("consent", parents=[common], help="the consent list: refresh, status, diff")
    c_sub = cp.add_subparsers(dest="action", metavar="ACTION", required=True)
    rf = c_sub.add_parser("refresh", parents=[common], help="fetch the list from its source now; keep it when it is good")
    rf.add_argument("--force", action="store_true",
                    help="accept a list that drops more schools than CONSENT_MAX_DROP allows")
    st = c_sub.add_parser("status", parents=[common], help="source, rows, fetched at, age, last error")
    df = c_sub.add_parser("diff", parents=[common], help="schools added and removed between two list files")
    df.add_argument("old", type=Path, help="the old list (CSV, JSON, YAML, or a consent-cache.json)")
    df.add_argument("new", type=Path, help="the new list")
    lk = c_sub.add_parser("links", parents=[common],
                          help="each list entry's school(s) in the DUO directory, with the kind of link and the evidence")
    lk.add_argument("--unlinked", action="store_true", help="only the entries without a link")
    sp = sub.add_parser("schools", parents=[common], help="the DUO school directory")
    s_sub = sp.add_subparsers(dest="action", metavar="ACTION", required=True)
    im = s_sub.add_parser("import", parents=[common], help="import a DUO school file (raw or cleaned CSV) into DATA_DIR")
    im.add_argument("file", type=Path, help="the DUO file")
    im.add_argument("--replace", action="store_true", help="replace the directory instead of adding to it")
    up = s_sub.add_parser("update", parents=[common],
                          help="fetch DUO's current files (DIRECTORY_URLS) into DATA_DIR; keep the last good copy")
    up.add_argument("--force", action="store_true",
                    help="accept a directory that drops more locations than CONSENT_MAX_DROP allows")
    for p in (rf, st, df, im, lk, up):
        p.add_argument("--json", action="store_true", help="print one JSON object")


def run_list_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """``consent refresh|status|diff|links`` and ``schools import|update``. Exit status 1 when a
    refresh or an update was refused or failed (the current list or directory stays in use);
    raises :class:`BotError` for an unreadable file."""
    from . import consentlist, directory
    from .consent_source import ConsentSource, read_list

    if args.command == "schools" and args.action == "update":
        result = directory.update(settings, force=args.force)
        _emit(out, result.to_json() if args.json else update_text(result), args.json)
        return 0 if result.ok else 1
    if args.command == "schools":
        read = directory.read_file(args.file)
        path = directory.default_path(settings)
        current = directory.Directory.load(path) if path.exists() and not args.replace else directory.Directory(())
        merged = current.merge(read.schools, replace_all=args.replace)
        try:
            merged.directory.save(path)
        except OSError as e:
            raise BotError(f"cannot write {path}: {e.strerror or e}") from None
        warned = rows_text((), read.warnings, limit=None)
        _emit(out, {"file": read.source, "read": len(read.schools), "added": merged.added, "updated": merged.updated,
                    "unchanged": merged.unchanged, "total": len(merged.directory), "path": str(path),
                    "faults": list(read.faults), "warnings": list(read.warnings)}
              if args.json else "\n".join(x for x in (import_text(read, merged, path), warned) if x), args.json)
        return 0
    if args.action == "diff":
        old, new = read_list(args.old), read_list(args.new)
        changes = consentlist.diff(old, new)
        _emit(out, {"old": old.info(), "new": new.info(), "added": [s.to_json() for s in changes.added],
                    "removed": [s.to_json() for s in changes.removed], "kept": changes.kept,
                    "changed": [{"old": a.to_json(), "new": b.to_json()} for a, b in changes.changed],
                    "renamed": [{"old": a.to_json(), "new": b.to_json()} for a, b in changes.renamed],
                    "faults": {"old": list(old.faults), "new": list(new.faults)},
                    "warnings": {"old": list(old.warnings), "new": list(new.warnings)}}
              if args.json else _diff_text(old, new, changes), args.json)
        return 0
    if args.action == "links":
        return _links(args, settings, out)
    source = ConsentSource.from_settings(settings)
    source.start(fetch_missing=False)
    if args.action == "status":
        _emit(out, source.status() if args.json else status_report(source.status()), args.json)
        return 0
    result = source.refresh(force=args.force)
    _emit(out, result.to_json() if args.json else refresh_report(result, limit=None), args.json)
    return 0 if result.ok else 1


def _links(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """``consent links [--unlinked]``: the list in use linked to the directory. Raises
    :class:`BotError` when the list is unavailable or the directory or overrides unreadable."""
    from . import directory
    from .consent_source import ConsentSource
    from .linking import OVERRIDES_FILE, read_overrides
    from .schools import SchoolMatcher

    consent = ConsentSource.from_settings(settings).start(fetch_missing=True)
    _check_list(consent, args)
    d = directory.load_default(settings)
    path = Path(settings.data_dir) / OVERRIDES_FILE
    matcher = SchoolMatcher(consent, directory=d, overrides=read_overrides(path))
    links = matcher.links
    if args.json:
        groups = d.groups() if len(d) else []

        def duo(g: int) -> dict:
            x = groups[g]
            return {"name": x.shown, "duo_name": x.name, "city": x.city, "brin": x.brin,
                    "vestigingscodes": list(x.codes), "sector": x.sector}

        rows = [{"entry": consent.schools[lk.entry].to_json(), "kind": lk.kind.value if lk.kind else None,
                 "evidence": [e.value for e in lk.evidence], "schools": [duo(g) for g in lk.groups],
                 "candidates": [duo(g) for g in lk.candidates]}
                for lk in links.links if not (args.unlinked and lk.linked)]
        _emit(out, {"list": consent.info(), "directory": d.info(), "counts": links.counts(), "overrides": str(path),
                    "links": rows}, True)
    else:
        _emit(out, links_text(consent, d, links, path, unlinked_only=args.unlinked), False)
    return 0


def _diff_text(old: ConsentList, new: ConsentList, changes) -> str:
    """:func:`bot.render.diff_text`, then each list's rows kept with a warning."""

    lines = [diff_text(old, new, changes)]
    lines += [f"{cl.source}: " + rows_text((), cl.warnings, limit=None) for cl in (old, new) if cl.warnings]
    return "\n".join(lines)


def console(bot: Bot, settings: Settings, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """The interactive console (:mod:`bot.backends.console`) on ``bot``, with the request store
    ``DATA_DIR/bot.sqlite3`` (without it, logged, when it cannot be opened): every flow of
    Slack, in a terminal. A refresh asked for there grants requests as the Slack app does."""
    from .backends.console import ConsoleBackend
    from .conversation import Conversation
    from .jobs import Jobs
    from .store import Store, StoreError

    try:
        store: Store | None = Store.from_settings(settings)
    except StoreError as e:
        log.error("request tracking is off: %s", e)
        store = None
    backend = ConsoleBackend(Conversation(bot, store), stdin, out)
    jobs = Jobs(backend.conversation, backend)  # no threads: a refresh typed here tells of its grants
    try:
        return backend.run()
    finally:
        jobs.close()
        if store is not None:
            store.close()


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m bot``; returns the exit status.

    Output cut off by its reader (``… | head -1``) ends the run quietly with status
    :data:`EXIT_BROKEN_PIPE`, like any Unix filter killed by SIGPIPE."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")
    try:
        return _main(argv)
    except BrokenPipeError:
        # Nobody reads stdout any more: point it at devnull so the flush at exit cannot fail again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    forwarded = _knowledge_argv(argv)
    if forwarded is not None:
        if any(a == "--consent-list" or a.startswith("--consent-list=") for a in forwarded):
            print("python -m bot: error: --consent-list does not apply to `knowledge`: it edits the knowledge "
                  "base alone", file=sys.stderr)
            return 2
        from .kbcli import main as knowledge_main

        return knowledge_main(forwarded)
    parser = _parser()
    args = parser.parse_args(argv)
    _check_options(parser, args)
    try:
        settings = Settings.from_env()
        logging.basicConfig(level=getattr(logging, settings.log_level, logging.INFO), stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        overrides = {}
        if getattr(args, "knowledge", None):
            overrides["knowledge_dir"] = args.knowledge
        if getattr(args, "consent_list", None):
            overrides["consent_list_path"] = args.consent_list
            overrides["consent_list_url"] = ""  # a list named on the command line beats $CONSENT_LIST_URL
        settings = settings.with_(**overrides)
        command = args.command
        if command == "serve" or (command is None and (settings.slack_bot_token or settings.slack_app_token)):
            from .slack import run  # only the Slack modes need slack_bolt; it names a missing token

            return run(settings, http=command == "serve")
        if command in ("requests", "report"):  # the store only: no knowledge base, no Slack
            return run_store_command(args, settings, sys.stdout)
        if command in ("consent", "schools"):  # the list's source and the directory: no knowledge base
            return run_list_command(args, settings, sys.stdout)
        if command == "ask":
            # The knowledge base alone: no consent list (no fetch, no error when there is none),
            # no directory, no school index.
            return run_batch(args, KnowledgeBot.from_settings(settings), sys.stdin, sys.stdout)
        bot = Bot.from_settings(settings)
        if command in (None, "console"):
            # As in Slack: with no good list, questions are answered and lookups give no verdict.
            if bot.consent.unavailable:
                print(f"warning: consent list unavailable: {bot.consent.error or bot.consent.source}; questions "
                      "are answered, lookups give no verdict", file=sys.stderr)
            else:
                _check_list(bot.consent, args)
            return console(bot, settings, sys.stdin, sys.stdout)  # the streams of now, not of import time
        _check_list(bot.consent, args)
        return run_batch(args, bot, sys.stdin, sys.stdout)
    except BotError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
