"""Parsing consent lists (bot/consentlist.py): formats, encodings, headers, bad rows."""
import json

import pytest
from hypothesis import given, settings, strategies as st

from bot.consentlist import host_in, load, normalize_host, parse
from bot.errors import ConsentListError


def names(cl):
    return [s.name for s in cl.schools]


@pytest.mark.parametrize("text", [
    "name,magister_host\nCals College,cals.magister.net\nCarré College,carre.magister.net\n",
    "naam;host\nCals College;https://cals.magister.net/\nCarré College;carre\n",
    "School\tURL\nCals College\tcals.magister.net\nCarré College\tcarre.magister.net\n",
    "\ufeffNaam,Magister\r\nCals College,cals.magister.net\r\nCarré College,carre.magister.net\r\n",
])
def test_csv_dialects_and_headers(text):
    cl = parse(text.encode("utf-8"), source="x.csv")
    assert names(cl) == ["Cals College", "Carré College"]
    assert [s.host for s in cl.schools] == ["cals.magister.net", "carre.magister.net"]


def test_windows_1252_bytes():
    cl = parse("naam;plaats\nCarré College;Zoë\n".encode("cp1252"), source="x.csv")
    assert cl.schools[0].name == "Carré College" and cl.schools[0].city == "Zoë"


def test_brin_and_vestigingscode():
    cl = parse(b"naam,instellingscode,vestigingscode\nX,20ab,20AB01\nY,,21CD00\n", source="x.csv")
    assert (cl.schools[0].brin, cl.schools[0].vestigingscode) == ("20AB", "20AB01")
    assert cl.schools[1].brin == "21CD"


def test_rows_without_a_name_are_reported_not_dropped_silently():
    cl = parse(b"name,host\nCals College,cals\n,nameless.magister.net\n\nX,not a host!\n", source="x.csv")
    assert names(cl) == ["Cals College", "X"]
    assert cl.faults == ("row 2: no school name",)
    assert cl.warnings == ("row 4: 'not a host!' is no Magister host (kept without host)",)  # kept: not skipped


def test_json_list_and_object():
    a = parse(json.dumps([{"name": "Cals College", "host": "cals"}]), source="u.json")
    b = parse(json.dumps({"updated": "x", "schools": [{"naam": "Cals College"}, {"naam": None}, 5]}),
              source="https://example.nl/export")
    assert names(a) == names(b) == ["Cals College"]
    assert len(b.faults) == 2


def test_yaml_with_metadata():
    cl = parse("example: true\nas_of: 2026-11-01\nschools:\n  - {name: Cals College}\n", source="l.yaml")
    assert cl.example and cl.as_of.isoformat().startswith("2026-11-01")


@pytest.mark.parametrize("data,msg", [
    (b"", "empty"), (b"   \n", "empty"), (b"<!DOCTYPE html><html></html>", "HTML"),
    (b"foo,bar\n1,2\n", "no name column"), (b"name\n\n", "no valid school"),
    (b"[1, 2", "not valid JSON"), (b'{"a": 1}', "expected a list"),
])
def test_unusable_lists_are_refused(data, msg):
    with pytest.raises(ConsentListError, match=msg):
        parse(data, source="x")


def test_bundled_example_list():
    cl = load()
    assert cl.example and len(cl.schools) >= 10 and cl.as_of is not None
    assert cl.info()["example"] is True


def test_missing_file():
    with pytest.raises(ConsentListError, match="No such file"):
        load("/nonexistent/list.csv")


def test_normalize_host():
    assert normalize_host("https://Cals.Magister.net/#/agenda") == "cals.magister.net"
    assert normalize_host("cals") == "cals.magister.net"
    assert normalize_host("not a host") == ""


@pytest.mark.parametrize("text", ["https://evil.com/cals.magister.net", "zie evil.nl/x/cals.magister.net",
                                  "evil.com?u=cals.magister.net", "https://x.nl/#cals.magister.net",
                                  "info@cals.magister.net", "cals.magister.net.evil.nl"])
def test_a_magister_host_inside_another_url_is_no_host(text):
    # Taking the path of another site for a school's tenant would answer for the wrong school.
    assert host_in(text) == "" and normalize_host(text) == ""


@pytest.mark.parametrize("text", ["cals.magister.net", "(https://www.cals.magister.net/#/vandaag)",
                                  "heeft \"cals.magister.net\" toestemming?"])
def test_a_magister_host_in_a_sentence_is_found(text):
    assert host_in(text) == "cals.magister.net"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=500))
def test_any_bytes_parse_or_raise_consent_list_error(data):
    try:
        cl = parse(data, source="x.csv")
    except ConsentListError:
        return
    assert all(s.name for s in cl.schools)


# -- an unclosed quote, values that are no text --------------------------------------------------
UNCLOSED = 'name,host\n"Cals College,cals.magister.net\nVossius Gymnasium,vossius\n'


def test_an_unclosed_quote_is_a_fault_with_its_row_not_one_school_named_after_the_rest_of_the_file():
    with pytest.raises(ConsentListError, match=r"no valid school in the list \(1 rows skipped: row 1: the name runs "
                                               r"over lines 2-3: a quote that is not closed\?\)"):
        parse(UNCLOSED.encode(), source="x.csv")
    cl = parse(UNCLOSED.replace("name,host\n", "name,host\nHet Schoter,schoter\n").encode(), source="x.csv")
    assert names(cl) == ["Het Schoter"]
    assert cl.faults == ("row 2: the name runs over lines 3-4: a quote that is not closed?",)


def test_a_line_break_in_a_column_the_bot_does_not_read_keeps_the_row_with_a_warning():
    cl = parse(b'name,opmerking,host\nCals College,"twee\nregels",cals\nVossius Gymnasium,,vossius\n', source="x.csv")
    assert names(cl) == ["Cals College", "Vossius Gymnasium"] and cl.faults == ()
    assert cl.warnings == ("row 1: column 'opmerking' runs over lines 2-3: a quote that is not closed?",)
    assert cl.schools[1].row == 3  # a row number stays the line number after the header


def test_yaml_values_that_are_no_text_are_row_faults_not_schools():
    cl = parse("schools:\n  - name: no\n  - name: 0123\n  - name: Cals College\n    plaats: 2026-01-01\n"
               "  - name: '0123'\n", source="l.yaml")
    assert names(cl) == ["Cals College", "0123"] and cl.schools[0].city == ""
    assert cl.faults == ("row 1: name is not text: put it in quotes (it was read as a boolean: False)",
                         "row 2: name is not text: put it in quotes (it was read as a number: 83)")
    assert cl.warnings == ("row 3: city is not text: put it in quotes (it was read as a date: 2026-01-01); "
                           "kept without it",)
    with pytest.raises(ConsentListError, match="row 1: name is not text"):
        parse("- name: yes\n", source="l.yaml")  # a list whose only "school" is a boolean


def test_yaml_duplicate_keys_refuse_the_list_with_their_lines():
    with pytest.raises(ConsentListError, match=r"^l\.yaml:3: duplicate key 'name' \(first on line 2\)$"):
        parse("schools:\n  - name: Cals College\n    name: Vossius Gymnasium\n", source="l.yaml")
    with pytest.raises(ConsentListError, match=r"^l\.yaml:2: duplicate key 'schools'"):
        parse("schools: []\nschools:\n  - name: Cals College\n", source="l.yaml")


def test_json_numbers_and_booleans_are_no_names():
    cl = parse(json.dumps([{"name": 12}, {"name": True}, {"name": "Cals College", "plaats": 3}]), source="l.json")
    assert names(cl) == ["Cals College"] and cl.schools[0].city == ""
    assert cl.faults == ("row 1: name is not text: put it in quotes (it was read as a number: 12)",
                         "row 2: name is not text: put it in quotes (it was read as a boolean: True)")
    assert cl.warnings == ("row 3: city is not text: put it in quotes (it was read as a number: 3); kept without it",)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_excel_unicode_text_utf16_with_bom_and_tabs_is_read(codec):
    # Excel's "Unicode Text" (.txt): UTF-16 with a byte order mark, tab-separated, CRLF.
    text = "Naam\tMagister\tPlaats\r\nCarré College\tcarre.magister.net\tZoëtermeer\r\nCals College\tcals\tNieuwegein\r\n"
    data = text.encode(codec) if codec == "utf-16" else "\ufeff".encode(codec) + text.encode(codec)
    cl = parse(data, source="lijst.txt")
    assert names(cl) == ["Carré College", "Cals College"] and cl.faults == () and cl.warnings == ()
    assert [(s.host, s.city) for s in cl.schools] == [("carre.magister.net", "Zoëtermeer"), ("cals.magister.net", "Nieuwegein")]
