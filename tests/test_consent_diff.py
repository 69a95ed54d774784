"""What bot/consentlist.py adds for keeping the list current: comparing two lists, the
stale/error marks in a lookup's list info, and the fast path of reading plain values."""
from datetime import datetime, timedelta, timezone

from hypothesis import given, strategies as st

from bot.consentlist import ConsentList, School, _value, diff, parse
from bot.text import clean


def test_diff_added_removed_changed_kept():
    old = parse(b"naam,host\nCals College,cals\nHet Schoter,schoter\nHet Schoter,schoter\nVossius,vossius\n", source="a.csv")
    new = parse("naam,host,plaats\ncals  college,cals,\nVossius,vossius2,Amsterdam\nCarré College,carre,\n".encode(),
                source="b.csv")
    d = diff(old, new)
    assert [s.name for s in d.added] == ["Carré College"] and [s.name for s in d.removed] == ["Het Schoter"]
    assert [(a.name, b.name) for a, b in d.changed] == [("Cals College", "cals college"), ("Vossius", "Vossius")]
    assert d.changed[1][1].host == "vossius2.magister.net" and d.changed[1][1].city == "Amsterdam"
    assert d.kept == 2 and abs(d.dropped_share() - 1 / 3) < 1e-9
    assert diff(new, new).dropped_share() == 0 and diff(ConsentList((), "x"), new).dropped_share() == 0


def test_a_rename_on_the_same_host_is_a_rename_not_a_drop_and_an_add():
    old = parse(b"naam,host\nHet Cals College,cals\nVossius,vossius\nA Lyceum,x\nB College,x\nGone School,y\n",
                source="a.csv")
    new = parse(b"naam,host,vestigingscode\nCals College Nieuwegein,cals,\nVossius Gymnasium,vossius2,21AF00\n"
                b"A-Lyceum Noord,x,\nB College Zuid,x,\nNew School,z,\n", source="b.csv")
    d = diff(old, new)
    assert [(a.name, b.name) for a, b in d.renamed] == [("Het Cals College", "Cals College Nieuwegein"),
                                                         ("A Lyceum", "A-Lyceum Noord"), ("B College", "B College Zuid")]
    assert [s.name for s in d.removed] == ["Vossius", "Gone School"] and [s.name for s in d.added] == [
        "Vossius Gymnasium", "New School"]
    assert d.kept == 3 and abs(d.dropped_share() - 2 / 5) < 1e-9
    # the same vestigingscode: one school, whatever the host
    coded_old = parse(b"naam,host,vestigingscode\nSGL,a,20DP00\n", source="a.csv")
    coded_new = parse(b"naam,host,vestigingscode\nStedelijk Gymnasium Leiden,b,20DP00\n", source="b.csv")
    assert [(a.name, b.name) for a, b in diff(coded_old, coded_new).renamed] == [("SGL", "Stedelijk Gymnasium Leiden")]


def test_info_marks_a_stale_list_and_the_last_error():
    t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
    cl = ConsentList((School("X"),), "src", as_of=t0, stale_after_days=14)
    assert cl.info(now=t0 + timedelta(days=13))["stale"] is False
    assert cl.info(now=t0 + timedelta(days=15))["stale"] is True
    assert ConsentList((School("X"),), "src").info()["stale"] is False  # age unknown: not flagged
    failed = ConsentList((School("X"),), "src", error="HTTP 500")
    assert failed.info()["error"] == "HTTP 500" and cl.info()["error"] is None


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=40))
def test_the_fast_path_reads_values_as_clean_does(text):
    assert _value(text) == clean(text)
