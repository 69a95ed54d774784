"""Command line: ``python -m bot knowledge export|import|history|drafts|publish …``.

=======================================  ===========================================================
``knowledge export --csv FILE``          every text as CSV (:mod:`bot.kbcsv`; ``-``: stdout)
``knowledge import --csv FILE``          add and update texts from a CSV, all rows or none;
                                         ``--dry-run`` checks only
``knowledge history [--limit N]``        the last changes, newest first (``--json``: a JSON array)
``knowledge drafts``                     the draft entries, not yet answered
``knowledge publish ID``                 publish a draft
=======================================  ===========================================================

``--knowledge DIR`` overrides ``KNOWLEDGE_DIR``; the history is kept in the bot's store
(``DATABASE_URL``, else ``DATA_DIR/bot.sqlite3``: the table ``knowledge_changes``, which the
running bot writes too), or in ``DATA_DIR/knowledge-history.jsonl`` when the store cannot be
opened (said on standard error); ``--as NAME`` says who made an edit (default
``cli:<login>``). Exit status: 0 done, 1 a fault (one line on standard error; an import
lists its faulty rows on standard output first), 2 bad usage.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TextIO

from .config import Settings
from .errors import BotError
from .kbcsv import export_csv, import_csv
from .kbedit import KnowledgeEditor
from .kbhistory import ChangeLog, JsonlChangeLog
from .knowledge import DEFAULT_DIR, FILES, load_knowledge
from .store import Store, StoreChangeLog, StoreError


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's own default must not wipe out a --knowledge given before it
    common.add_argument("--knowledge", metavar="DIR", type=Path, default=argparse.SUPPRESS,
                        help="knowledge base directory (default: $KNOWLEDGE_DIR)")
    p = argparse.ArgumentParser(prog="python -m bot knowledge", parents=[common],
                                description="Edit the knowledge base without opening YAML.")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ex = sub.add_parser("export", parents=[common], help="write every text as CSV")
    ex.add_argument("--csv", metavar="FILE", required=True, help="output file (UTF-8 with BOM, for Excel), or -")
    im = sub.add_parser("import", parents=[common], help="add and update texts from a CSV (all rows or none)")
    im.add_argument("--csv", metavar="FILE", required=True, help="input file (UTF-8; ',' or ';' separated), or -")
    im.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    im.add_argument("--as", dest="who", metavar="NAME", help="who makes the change (default cli:<login>)")
    hi = sub.add_parser("history", parents=[common], help="the last changes, newest first")
    hi.add_argument("--limit", type=int, default=50, metavar="N", help="how many (default 50)")
    hi.add_argument("--json", action="store_true", help="print a JSON array")
    sub.add_parser("drafts", parents=[common], help="list the draft entries")
    pu = sub.add_parser("publish", parents=[common], help="publish a draft entry")
    pu.add_argument("entry_id", metavar="ID")
    pu.add_argument("--as", dest="who", metavar="NAME", help="who makes the change (default cli:<login>)")
    return p


def _who(args: argparse.Namespace) -> str:
    if getattr(args, "who", None):
        return args.who
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "cli"


def main(argv: list[str] | None = None, *, settings: Settings | None = None,
         stdin: TextIO | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``knowledge`` with ``argv`` (the words after ``knowledge``; default
    ``sys.argv[2:]``) and return the exit status (0, 1 or 2; never raises for a fault or
    bad usage). ``settings`` default to :meth:`Settings.from_env`; the streams to ``sys``'s."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(sys.argv[2:] if argv is None else argv)
    except SystemExit as e:  # argparse: usage (2) or --help (0)
        return e.code if isinstance(e.code, int) else 2
    if getattr(args, "limit", 1) < 1:
        print("error: --limit must be at least 1", file=stderr)
        return 2
    store: Store | None = None
    try:
        settings = settings or Settings.from_env()
        directory = getattr(args, "knowledge", None) or settings.knowledge_dir or DEFAULT_DIR
        try:
            store = Store.from_settings(settings)
            history: ChangeLog = StoreChangeLog(store)
        except StoreError as e:
            print(f"warning: {e}; the history is kept in {settings.data_dir}/knowledge-history.jsonl", file=stderr)
            history = JsonlChangeLog.in_data_dir(settings.data_dir)
        return _run(args, Path(directory), history, stdin, stdout, stderr)
    except BotError as e:
        print(f"error: {e}", file=stderr)
        return 1
    except BrokenPipeError:
        raise  # `| head`: python -m bot ends quietly with 141
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        print(f"error: {where}{e.strerror or e}", file=stderr)
        return 1
    finally:
        if store is not None:
            store.close()


def _run(args: argparse.Namespace, directory: Path, history: ChangeLog, stdin: TextIO, stdout: TextIO,
         stderr: TextIO) -> int:
    if args.action == "export":
        kb = load_knowledge(directory)
        if args.csv == "-":
            n = export_csv(kb, stdout)
        else:
            target = Path(args.csv).resolve()
            if target.parent == directory.resolve() and target.name in FILES:
                raise BotError(f"schrijf de export niet over {target.name} / will not write the export over {target.name}")
            with open(args.csv, "w", encoding="utf-8-sig", newline="") as f:
                n = export_csv(kb, f)
        print(f"{n} rijen geschreven / rows written", file=stderr)
        return 0
    if args.action == "import":
        source = getattr(stdin, "buffer", stdin) if args.csv == "-" else args.csv
        report = import_csv(directory, source, who=_who(args), changelog=history, dry_run=args.dry_run)
        lines = report.lines()
        for line in lines[:-1]:
            print(line, file=stdout)
        if not report.ok:
            print(f"error: {lines[-1]}", file=stderr)
            return 1
        print(lines[-1], file=stdout)
        return 0
    if args.action == "history":
        changes = history.changes(args.limit)
        if args.json:
            print(json.dumps([c.to_json() for c in changes], ensure_ascii=False, indent=1), file=stdout)
        elif not changes:
            print("nog geen wijzigingen / no changes yet", file=stdout)
        for c in changes if not args.json else ():
            what = f"{c.entry_id or 'out-of-scope'}" + (f" ({c.language})" if c.language else "")
            texts = " | ".join(_short(t) for t in c.texts)
            print(f"{c.when:%Y-%m-%d %H:%M} UTC  {c.who}  {c.action}  {what}" + (f": {texts}" if texts else ""),
                  file=stdout)
        return 0
    if args.action == "drafts":
        kb = load_knowledge(directory)
        if not kb.drafts:
            print("geen concepten / no drafts", file=stdout)
        for e in kb.drafts:
            english = "" if "en" in e.question and "en" in e.answer else "  (Engels ontbreekt / English missing)"
            print(f"{e.id}: {_short(e.question['nl'])}{english}", file=stdout)
        return 0
    result = KnowledgeEditor(directory, history).publish(args.entry_id, who=_who(args))
    print(f"gepubliceerd / published: {result.entry_id}", file=stdout)
    return 0


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"
