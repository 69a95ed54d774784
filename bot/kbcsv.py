"""The knowledge base as a spreadsheet: CSV export and an import that never half-applies.

The format, one text a row, with a header row:

=========  ==================================================================================
entry_id   the entry's id; empty for ``out_of_scope``
language   ``nl`` or ``en``
kind       ``question``, ``answer`` (one per entry and language), ``alternate``, ``keyword``
           (lists) or ``out_of_scope`` (a question the bot must not answer)
text       the text: any Unicode, line breaks and tabs included; no other control characters
=========  ==================================================================================

:func:`export_csv` writes every text (drafts included) in file order, comma-separated,
quoted where needed (Python's ``csv``, ``QUOTE_MINIMAL``); the command line writes UTF-8
with a byte order mark, so that Excel shows accents and emoji. :func:`import_csv` reads
UTF-8 with or without that mark, separated by ``,``, ``;`` (Excel in a Dutch locale) or a
tab, columns in any order (others ignored); it **adds** the list texts it does not have yet
(after normalisation) and **sets** a question or answer that differs; it never deletes.
Line breaks inside a cell (``\\r\\n``, ``\\r``) become ``\\n``; white space at either end of a
text is dropped (as the knowledge base does). Rows are numbered as a spreadsheet shows them:
the header is row 1.

Every row is checked before anything is written: garbled CSV or encoding, a wrong number
of cells, an unknown entry id, language or kind, an empty text, a control character, a
duplicate row, a phrasing another entry has. One fault and nothing changes; otherwise every
row is applied in one atomic write per file (:meth:`bot.kbedit.KnowledgeEditor.apply`).
So an export imported again changes nothing, not a byte.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

from .kbedit import EditRefused, EditResult, KnowledgeEditor, Row, rows, tidy
from .kbhistory import ChangeLog
from .knowledge import KnowledgeBase
from .text import normalize

COLUMNS = ("entry_id", "language", "kind", "text")
DELIMITERS = (",", ";", "\t")


def write_rows(items: list[Row], file: TextIO) -> int:
    """Write the header and ``items`` to ``file`` (a text stream opened with
    ``newline=""``); returns the number of rows written (without the header)."""
    w = csv.writer(file, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for r in items:
        w.writerow((r.entry_id, r.language, r.kind, r.text))
    return len(items)


def export_csv(kb: KnowledgeBase, file: TextIO) -> int:
    """Write every text of ``kb`` (:func:`bot.kbedit.rows`) to ``file`` in the module's
    format; returns the number of rows."""
    return write_rows(rows(kb), file)


@dataclass(frozen=True)
class RowFault:
    """Why row ``row`` (spreadsheet numbering, header = 1; 0: the file or the knowledge
    base as a whole) cannot be imported (Dutch / English)."""

    row: int
    reason: str

    def __str__(self) -> str:
        return f"rij {self.row}: {self.reason}" if self.row else self.reason


@dataclass
class ImportReport:
    """The outcome of :func:`import_csv`: the ``rows`` read (blank ones not counted), how
    many were ``added``, ``updated`` (a question or answer) or ``unchanged`` (there already),
    the ``faults`` (any: nothing was written) and the editor's ``result``."""

    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    faults: list[RowFault] = field(default_factory=list)
    result: EditResult = field(default_factory=EditResult)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.faults

    def lines(self) -> list[str]:
        """The report for a person: one line a fault, then the totals."""
        out = [str(f) for f in self.faults]
        if self.faults:
            out.append(f"niets geïmporteerd: {len(self.faults)} fout(en) / nothing imported: {len(self.faults)} fault(s)")
            return out
        if self.dry_run:
            done = "proefdraai, niets geschreven / dry run, nothing written"
        elif self.result.written:
            names = ", ".join(p.name for p in self.result.written)
            done = f"geschreven / written: {names}"
        else:
            done = "niets veranderd / nothing changed"
        out.append(f"{self.rows} rijen / rows: {self.added} toegevoegd / added, {self.updated} gewijzigd / updated, "
                   f"{self.unchanged} ongewijzigd / unchanged; {done}")
        return out


def read_csv(data: bytes | str) -> tuple[list[tuple[int, Row]], list[RowFault]]:
    """Parse a CSV in the module's format: ``([(row number, Row)], faults)``. Blank rows are
    skipped; texts come as they are (the editor tidies them). A fault in the encoding or
    the header stops the reading; one in a row is reported and the reading goes on."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            return [], [RowFault(0, f"regel {line}: geen UTF-8 (byte 0x{data[e.start]:02x}); sla het bestand op als "
                                    f"'CSV UTF-8' / line {line}: not UTF-8: save the file as 'CSV UTF-8'")]
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        return [], [RowFault(0, f"regel {line}: NUL-teken, dit is geen tekstbestand / line {line}: NUL byte, not a text file")]
    first = text.split("\n", 1)[0]
    header, delimiter = None, ","
    for d in DELIMITERS:
        cells = [c.strip().lower() for c in next(csv.reader([first], delimiter=d), [])]
        if set(COLUMNS) <= set(cells):
            header, delimiter = cells, d
            break
    if header is None:
        return [], [RowFault(1, f"de kopregel moet de kolommen {', '.join(COLUMNS)} hebben / "
                                f"the header row must name the columns {', '.join(COLUMNS)}")]
    at = {c: header.index(c) for c in COLUMNS}
    out: list[tuple[int, Row]] = []
    faults: list[RowFault] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    n = 0
    try:
        next(reader)
        for n, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) < len(header) or any(c.strip() for c in cells[len(header):]):
                faults.append(RowFault(n, f"{len(cells)} cellen, verwacht {len(header)} / {len(cells)} cells, "
                                          f"expected {len(header)}"))
                continue
            out.append((n, Row(cells[at["entry_id"]].strip(), cells[at["language"]].strip().lower(),
                               cells[at["kind"]].strip().lower(), cells[at["text"]])))
    except csv.Error as e:
        faults.append(RowFault(n + 1, f"onleesbare CSV ({e}) / garbled CSV"))
    return out, faults


def _duplicates(parsed: list[tuple[int, Row]]) -> tuple[list[tuple[int, Row]], list[RowFault]]:
    """The rows without the ones that repeat an earlier row (the same entry, language and
    kind for a question or answer; the same normalised text too for a list), and a fault
    for each of those."""
    seen: dict[tuple, int] = {}
    keep, faults = [], []
    for n, r in parsed:
        key = (r.entry_id, r.language, r.kind)
        if r.kind not in ("question", "answer"):
            key += (normalize(tidy(r.text)),)
        if key in seen:
            faults.append(RowFault(n, f"dubbel: zelfde als rij {seen[key]} / duplicate of row {seen[key]}"))
            continue
        seen[key] = n
        keep.append((n, r))
    return keep, faults


def import_csv(directory: Path | str, file: Path | str | BinaryIO | TextIO, *, who: str,
               changelog: ChangeLog | None = None, dry_run: bool = False) -> ImportReport:
    """Import the CSV ``file`` (a path or an open file) into the knowledge base in
    ``directory``, all rows or none (see the module's docstring); ``dry_run`` checks
    everything and writes nothing. Never raises for a fault in the file or the knowledge
    base: they are in :attr:`ImportReport.faults`. Raises :class:`OSError` when ``file``
    cannot be read."""
    if isinstance(file, (str, Path)):
        data: bytes | str = Path(file).read_bytes()
    else:
        data = file.read()
    parsed, faults = read_csv(data)
    parsed, more = _duplicates(parsed)
    faults += more
    report = ImportReport(rows=len(parsed) + len(more), dry_run=dry_run)
    editor = KnowledgeEditor(directory, changelog)
    try:
        result, verdicts = editor.apply([r for _, r in parsed], who=who, dry_run=dry_run or bool(faults))
    except EditRefused as e:
        report.faults = faults + [RowFault(0, f) for f in e.faults]
        return report
    faults += [RowFault(n, reason) for (n, _), (verdict, reason) in zip(parsed, verdicts) if verdict == "fault"]
    report.faults = sorted(faults, key=lambda f: f.row)
    if report.faults:
        return report
    report.result = result
    for verdict, _ in verdicts:
        if verdict == "add":
            report.added += 1
        elif verdict == "set":
            report.updated += 1
        else:
            report.unchanged += 1
    return report
