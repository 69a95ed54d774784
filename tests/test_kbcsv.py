"""The knowledge base as CSV: export, and an import that validates every row first (bot/kbcsv.py)."""
from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.kbcsv import COLUMNS, export_csv, import_csv, read_csv, write_rows
from bot.kbedit import KnowledgeEditor, Row, tidy
from bot.kbhistory import JsonlChangeLog
from bot.knowledge import CONTROL, load_knowledge
from bot.text import normalize
from kbfiles import bundled_kb, changed_lines, small_kb, snapshot

HEADER = "entry_id,language,kind,text\n"


def exported(directory) -> bytes:
    buf = io.StringIO(newline="")
    export_csv(load_knowledge(directory), buf)
    return buf.getvalue().encode("utf-8-sig")


def test_export_then_import_changes_no_byte_of_the_bundled_knowledge_base(tmp_path):
    d = bundled_kb(tmp_path / "kb")
    KnowledgeEditor(d).add_draft("Wat kost de koppeling?", "Niets.", who="U1")  # a draft without English too
    before = snapshot(d)
    data = exported(d)
    report = import_csv(d, io.BytesIO(data), who="U1")
    assert report.ok and report.added == report.updated == 0 and report.unchanged == report.rows > 5000
    assert report.result.written == ()
    assert snapshot(d) == before


def test_export_lists_every_text_with_its_entry_language_and_kind(tmp_path):
    d = small_kb(tmp_path / "kb")
    text = exported(d).decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1:5] == ["deadline,nl,question,Wat is de deadline?", "deadline,en,question,What is the deadline?",
                          "deadline,nl,answer,Sinds 18 december 2018.", "deadline,en,answer,Since 18 December 2018."]
    assert "accreditation,nl,keyword,keuring" in lines and ",en,out_of_scope,homework deadline maths" in lines


def test_an_import_adds_and_updates_in_one_write_per_file(tmp_path):
    d = small_kb(tmp_path / "kb")
    history = JsonlChangeLog(tmp_path / "h.jsonl")
    before = snapshot(d)
    csv_text = (HEADER + "deadline,nl,alternate,tot welke datum?\n" + "deadline,nl,alternate,uiterste datum\n"
                + "accreditation,en,answer,Magister assesses the party's software.\n" + ",en,out_of_scope,what is for lunch\n")
    report = import_csv(d, io.StringIO(csv_text), who="U1", changelog=history)
    assert (report.ok, report.rows, report.added, report.updated, report.unchanged) == (True, 4, 2, 1, 1)
    assert sorted(p.name for p in report.result.written) == ["faq.yaml", "out-of-scope.yaml"]
    after = snapshot(d)
    assert changed_lines(before["faq.yaml"], after["faq.yaml"]) == [
        '+        - "tot welke datum?"',
        '-      en: "Magister assesses the party."',
        '+      en: "Magister assesses the party\'s software."']
    assert [(c.action, c.previous) for c in reversed(history.changes())] == [
        ("add_alternates", ()), ("set_answer", ("Magister assesses the party.",)), ("add_out_of_scope", ())]


def test_one_bad_row_applies_nothing_and_is_reported_by_its_row_number(tmp_path):
    d = small_kb(tmp_path / "kb")
    before = snapshot(d)
    csv_text = HEADER + "deadline,nl,alternate,tot welke datum?\n" + "dedline,nl,alternate,typo in the id\n"
    report = import_csv(d, io.StringIO(csv_text), who="U1")
    assert not report.ok and [str(f) for f in report.faults] == ["rij 3: onbekende entry-id 'dedline' / unknown entry id"]
    assert report.lines()[-1].startswith("niets geïmporteerd: 1 fout(en)")
    assert report.result.changes == () and snapshot(d) == before


@pytest.mark.parametrize("row,reason", [
    ("nope,nl,alternate,x y", "onbekende entry-id 'nope'"),
    (",nl,alternate,x y", "entry_id ontbreekt"),
    ("deadline,fr,alternate,x y", "onbekende taal 'fr'"),
    ("deadline,nl,phrase,x y", "onbekende soort 'phrase'"),
    ("deadline,nl,alternate,   ", "lege tekst"),
    ("deadline,nl,alternate,!!!", "geen woorden"),
    ("deadline,nl,alternate,tot\x1bwanneer", "U+001B"),
    ("deadline,nl,alternate,wat keurt magister", "staat al bij entry 'accreditation'"),
    ("deadline,nl,alternate,hoe laat is het", "out-of-scope"),
    ("deadline,nl,out_of_scope,x y", "laat entry_id leeg"),
    (",nl,out_of_scope,uiterste datum", "staat al bij entry 'deadline'"),
    ("deadline,nl,question,Wat keurt Magister?", "staat al bij entry 'accreditation'"),
    ("deadline,nl,alternate,x,y", "5 cellen, verwacht 4"),
    ("deadline,nl", "2 cellen, verwacht 4"),
])
def test_each_kind_of_fault_names_its_row(tmp_path, row, reason):
    d = small_kb(tmp_path / "kb")
    before = snapshot(d)
    report = import_csv(d, io.StringIO(HEADER + "deadline,nl,alternate,tot welke datum?\n" + row + "\n"), who="U1")
    assert [f.row for f in report.faults] == [3] and reason in report.faults[0].reason, report.faults
    assert snapshot(d) == before


def test_duplicate_rows_are_faults(tmp_path):
    d = small_kb(tmp_path / "kb")
    rows = ["deadline,nl,alternate,tot welke datum?", "deadline,nl,alternate,Tot welke  datum", "deadline,nl,answer,A.",
            "deadline,nl,answer,B.", ",nl,out_of_scope,wat eten we", ",nl,out_of_scope,wat eten we?"]
    report = import_csv(d, io.StringIO(HEADER + "\n".join(rows) + "\n"), who="U1")
    assert [(f.row, f.reason.split(" / ")[0]) for f in report.faults] == [
        (3, "dubbel: zelfde als rij 2"), (5, "dubbel: zelfde als rij 4"), (7, "dubbel: zelfde als rij 6")]


def test_excel_csv_with_bom_semicolons_crlf_and_a_line_break_in_a_cell(tmp_path):
    d = small_kb(tmp_path / "kb")
    data = ("\ufeffText;Kind;Language;Entry_ID;Opmerking\r\n"
            '"tot welke datum;\r\nprecies?";alternate;NL;deadline;nieuw\r\n'
            ";;;;\r\n").encode("utf-8")
    report = import_csv(d, io.BytesIO(data), who="U1")
    assert report.ok and report.added == 1 and report.rows == 1
    assert load_knowledge(d).entry("deadline").alternates["nl"][-1] == "tot welke datum;\nprecies?"


@pytest.mark.parametrize("data,reason", [
    ("entry_id,language,kind,text\ndeadline,nl,alternate,café\n".encode("cp1252"), "regel 2: geen UTF-8"),
    (b"entry_id,language,kind,text\ndeadline,nl,alternate,x\x00y\n", "regel 2: NUL"),
    (b"id,taal,soort,tekst\ndeadline,nl,alternate,x\n", "de kopregel moet"),
    (b"", "de kopregel moet"),
    (b'entry_id,language,kind,text\ndeadline,nl,alternate,"open quote\n', "onleesbare CSV"),
    (b'entry_id,language,kind,text\ndeadline,nl,alternate,"a"b\n', "onleesbare CSV"),
])
def test_garbled_files_are_refused_with_the_place(tmp_path, data, reason):
    d = small_kb(tmp_path / "kb")
    before = snapshot(d)
    report = import_csv(d, io.BytesIO(data), who="U1")
    assert not report.ok and reason in str(report.faults[0]), report.faults
    assert snapshot(d) == before


def test_a_dry_run_checks_everything_and_writes_nothing(tmp_path):
    d = small_kb(tmp_path / "kb")
    before = snapshot(d)
    report = import_csv(d, io.StringIO(HEADER + "deadline,nl,alternate,tot welke datum?\n"), who="U1", dry_run=True)
    assert report.ok and report.added == 1 and report.result.written == ()
    assert "proefdraai" in report.lines()[-1] and snapshot(d) == before


def test_the_english_of_a_draft_can_be_imported(tmp_path):
    d = small_kb(tmp_path / "kb")
    eid = KnowledgeEditor(d).add_draft("Wat kost de koppeling?", "Niets.", who="U1").entry_id
    report = import_csv(d, io.StringIO(HEADER + f"{eid},en,question,What does it cost?\n{eid},en,answer,Nothing.\n"),
                        who="U1")
    assert report.ok and report.updated == 2
    KnowledgeEditor(d).publish(eid, who="U1")
    assert load_knowledge(d).entry(eid).answer_text("en") == "Nothing."


# -- round trips of any text ---------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60),
                min_size=1, max_size=5))
def test_the_csv_layer_round_trips_any_text_but_nul(texts):
    """Quotes, ';', ',', line breaks, emoji and control characters come back exactly (what
    the knowledge base accepts is decided after, see below). NUL is refused (no text file has
    one) and a lone surrogate cannot be written in UTF-8 at all (the editor refuses it)."""
    items = [Row("deadline", "nl", "alternate", t) for t in texts]
    buf = io.StringIO(newline="")
    write_rows(items, buf)
    parsed, faults = read_csv(buf.getvalue().encode("utf-8-sig"))
    assert faults == [] and [r for _, r in parsed] == items


# Any text the knowledge base can hold: no control character but a line break and a tab.
_kb_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).map(
    lambda s: CONTROL.sub("", s)).filter(lambda s: tidy(s) and normalize(tidy(s)) and tidy(s) == s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_kb_text)
def test_any_text_the_knowledge_base_holds_survives_export_and_import(tmp_path_factory, text):
    d = small_kb(tmp_path_factory.mktemp("kb"))
    result = KnowledgeEditor(d).add_phrasings("deadline", "en", [text], who="U1")
    assert result.added == [tidy(text)] or result.skipped  # skipped: another entry has it already
    before = snapshot(d)
    data = exported(d)
    texts = [r.text for _, r in read_csv(data)[0] if (r.entry_id, r.language, r.kind) == ("deadline", "en", "alternate")]
    assert texts[-1] == load_knowledge(d).entry("deadline").alternates["en"][-1]
    report = import_csv(d, io.BytesIO(data), who="U1")
    assert report.ok and report.added == report.updated == 0, report.faults
    assert snapshot(d) == before


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.text(st.characters(blacklist_characters="\r\x00"), max_size=10), control=st.sampled_from([chr(c) for c in (*range(1, 9), 11, 12, *range(14, 32), 127, 0x85, 0x9f)]),
       after=st.text(st.characters(blacklist_characters="\r\x00"), max_size=10))
def test_a_control_character_in_an_import_is_refused_by_its_code_point(tmp_path_factory, before, control, after):
    """Control characters (but line breaks and tabs) are refused, never dropped quietly: the
    row is named with the code point. ``\\r`` is a line break: it becomes ``\\n``."""
    d = small_kb(tmp_path_factory.mktemp("kb"))
    text = f"tot {before}{control}{after} wanneer"
    buf = io.StringIO(newline="")
    write_rows([Row("deadline", "nl", "alternate", text)], buf)
    report = import_csv(d, io.StringIO(buf.getvalue()), who="U1")
    first = CONTROL.search(text).group()
    assert [f.row for f in report.faults] == [2] and f"U+{ord(first):04X}" in report.faults[0].reason
