"""The question report (bot/report.py) on a seeded log, and the store's command line
(``python -m bot requests …``, ``python -m bot report questions``) end to end as a subprocess."""
import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.report import build_report, parse_since, question_report, render, render_requests
from bot.store import Store
from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)

# (days ago, text, status, entry_id, feedback)
SEED = [
    (2, "Kan een school de toestemming weer intrekken?", "no_match", None, None),
    (3, "kan school toestemming intrekken", "no_match", None, None),
    (5, "Toestemming intrekken door de school, kan dat?", "ambiguous", "school-refuses", None),
    (6, "mag een school de toestemming intrekken", "no_match", None, None),
    (4, "hoe lang duurt het voordat een school reageert", "ambiguous", "request-how", None),
    (9, "hoelang duurt het voor de school reageert?", "no_match", None, None),
    (1, "wat kost studyspace", "no_match", None, None),
    (1, "werkt studyspace op de ipad", "no_match", None, None),
    (3, "wanneer is de deadline", "answered", "deadline", -1),
    (4, "tot wanneer kan het nog", "answered", "deadline", -1),
    (5, "wat is de deadline", "answered", "deadline", 1),
    (2, "wie moet toestemming geven", "answered", "who-grants", 1),
    (6, "heeft de school het al geregeld", "answered", "who-grants", None),
    (7, "wat is een verwerkersovereenkomst", "answered", "dpa", None),
    (45, "Kan een school de toestemming weer intrekken?", "no_match", None, None),  # before --since 30d
    (40, "wat is de deadline", "answered", "deadline", -1),
]


def seed(store: Store, now: datetime) -> None:
    for days, text, status, entry, fb in SEED:
        qid = store.log_question(text, status, entry_id=entry, score=0.5, channel_type="im", user_id="U1",
                                 asked_at=now - timedelta(days=days))
        if fb:
            store.set_feedback(qid, fb)


@pytest.fixture()
def seeded(tmp_path):
    with Store(tmp_path / "data" / "bot.sqlite3") as s:
        seed(s, NOW)
        yield s


def test_report_groups_similar_unanswered_questions(seeded):
    report = question_report(seeded, NOW - timedelta(days=30), NOW)
    assert report.total == 14
    assert report.by_status == {"answered": 6, "ambiguous": 2, "no_match": 6}
    assert report.answer_rate == pytest.approx(6 / 14)
    assert (report.up, report.down) == (2, 2)
    groups = [set(g.questions) for g in report.groups]
    assert groups[0] == {"Kan een school de toestemming weer intrekken?", "kan school toestemming intrekken",
                         "Toestemming intrekken door de school, kan dat?", "mag een school de toestemming intrekken"}
    assert {"hoe lang duurt het voordat een school reageert", "hoelang duurt het voor de school reageert?"} in groups
    assert {"wat kost studyspace"} in groups and {"werkt studyspace op de ipad"} in groups
    assert len(report.groups) == 4 and sum(g.count for g in report.groups) == 8
    first = report.groups[0]
    assert first.count == 4 and first.statuses == {"no_match": 3, "ambiguous": 1}
    assert first.entries == {"school-refuses": 1} and first.last_asked == NOW - timedelta(days=2)


def test_report_lists_entries_with_negative_feedback(seeded):
    report = question_report(seeded, NOW - timedelta(days=30), NOW)
    [neg] = report.negative
    assert (neg.entry_id, neg.down, neg.up) == ("deadline", 2, 1)
    assert set(neg.questions) == {"wanneer is de deadline", "tot wanneer kan het nog"}
    # a longer period takes in the older 👎 and question too
    wide = question_report(seeded, NOW - timedelta(days=90), NOW)
    assert wide.negative[0].down == 3 and wide.groups[0].count == 5


def test_report_text_and_json(seeded):
    report = question_report(seeded, NOW - timedelta(days=30), NOW)
    text = render(report)
    assert text.startswith("Vragenrapport 2026-10-30 t/m 2026-11-29 (30 dagen)")
    assert "14 vragen" in text and "Antwoordpercentage: 43%" in text
    assert "4× (geen antwoord 3, twijfel 1" in text and "- kan school toestemming intrekken" in text
    assert "deadline: 👎 2, 👍 1" in text
    as_json = json.loads(json.dumps(report.to_json()))
    assert as_json["answer_rate"] == 0.429 and as_json["feedback"] == {"up": 2, "down": 2}
    assert as_json["groups"][0]["count"] == 4 and as_json["negative"][0]["entry_id"] == "deadline"


def test_empty_period_reports_no_questions(tmp_path):
    with Store(tmp_path / "bot.sqlite3") as s:
        report = question_report(s, NOW - timedelta(days=30), NOW)
    assert report.total == 0 and report.answer_rate is None and report.groups == ()
    assert "Geen vragen in deze periode." in render(report)


@pytest.mark.parametrize("text, expected", [
    ("30d", NOW - timedelta(days=30)), ("30", NOW - timedelta(days=30)), ("2w", NOW - timedelta(weeks=2)),
    ("12h", NOW - timedelta(hours=12)), ("2026-11-01", datetime(2026, 11, 1, tzinfo=timezone.utc)),
])
def test_parse_since(text, expected):
    assert parse_since(text, NOW) == expected


def test_parse_since_rejects_nonsense():
    with pytest.raises(ValueError, match="expected e.g. 30d"):
        parse_since("last month", NOW)


@pytest.mark.parametrize("text, message", [
    ("99999999d", "too long a period"), ("9999999999999w", "too long a period"), ("9" * 5000, "too long a period"),
    ("2026-12-25", "is in the future"), ("2026-12-01T12:00+01:00", "is in the future"),
])
def test_parse_since_refuses_a_period_out_of_range(text, message):
    with pytest.raises(ValueError, match=message):
        parse_since(text, NOW)


def test_render_requests_table(tmp_path):
    with Store(tmp_path / "bot.sqlite3") as s:
        r, _ = s.open_request("Cals College", host="cals", requested_by="U1", now=NOW - timedelta(days=20))
        s.mark_sent(r.id, now=NOW - timedelta(days=12))
        text = render_requests(s.list_requests(), NOW)
    head, row = text.splitlines()
    assert head.split()[:3] == ["nr", "status", "school"]
    assert "verstuurd" in row and "cals.magister.net" in row and row.rstrip().endswith("12")
    assert render_requests([]) == "Geen verzoeken.\n"


# -- the command line ------------------------------------------------------------------------
def run(*args, data_dir: Path, env=None):
    # No knowledge base and no Slack: the store commands need neither.
    return run_cli(*args, env={"DATA_DIR": str(data_dir), "KNOWLEDGE_DIR": str(data_dir / "no-knowledge-here"),
                               **(env or {})})


def test_cli_on_a_missing_database_prints_empty_lists_and_creates_nothing(tmp_path):
    data = tmp_path / "data"
    r = run("requests", "list", data_dir=data)
    assert (r.returncode, r.stdout, r.stderr) == (0, "Geen verzoeken.\n", "")
    assert json.loads(run("requests", "list", "--json", data_dir=data).stdout) == []
    r = run("requests", "export", "--csv", data_dir=data)
    assert r.returncode == 0 and r.stdout.splitlines() == [",".join(
        ["id", "school_name", "host", "code", "requested_by", "channel", "message_ts", "status", "created_at",
         "sent_at", "granted_at", "reminded_at", "note"])]
    r = run("report", "questions", "--json", data_dir=data)
    assert r.returncode == 0 and json.loads(r.stdout)["total"] == 0
    assert not data.exists()


def test_cli_lists_exports_and_reports_real_data(tmp_path):
    data = tmp_path / "data"
    now = datetime.now(timezone.utc)  # the command line reports up to the real now
    with Store(data / "bot.sqlite3") as s:
        seed(s, now)
        a, _ = s.open_request("Cals College", host="cals", requested_by="U1", now=now - timedelta(days=3))
        b, _ = s.open_request("Vossius Gymnasium", requested_by="U2", now=now - timedelta(days=30))
        s.mark_sent(b.id, now=now - timedelta(days=29))
        s.withdraw(a.id)

    r = run("requests", "list", data_dir=data)
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert "Vossius Gymnasium" in lines[1] and "Cals College" in lines[2] and "ingetrokken" in lines[2]
    got = json.loads(run("requests", "list", "--status", "open", "--json", data_dir=data).stdout)
    assert [x["school_name"] for x in got] == ["Vossius Gymnasium"] and got[0]["status"] == "sent"

    out = tmp_path / "verzoeken.csv"
    r = run("requests", "export", "--csv", str(out), data_dir=data)
    assert r.returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [x["school_name"] for x in rows] == ["Vossius Gymnasium", "Cals College"]

    r = run("report", "questions", data_dir=data)
    assert r.returncode == 0 and r.stderr == ""
    assert "14 vragen" in r.stdout and "Antwoordpercentage: 43%" in r.stdout and "deadline: 👎 2, 👍 1" in r.stdout
    report = json.loads(run("report", "questions", "--since", "90d", "--json", data_dir=data).stdout)
    assert report["total"] == 16 and report["groups"][0]["count"] == 5


def test_cli_bad_input_gives_one_clear_line(tmp_path):
    data = tmp_path / "data"
    r = run("report", "questions", "--since", "vorige maand", data_dir=data)
    assert r.returncode == 2 and "--since" in r.stderr and "Traceback" not in r.stderr
    r = run("requests", "list", "--status", "pending", data_dir=data)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    data.mkdir()
    (data / "bot.sqlite3").write_bytes(b"not a database" * 100)
    r = run("requests", "list", data_dir=data)
    assert r.returncode == 1 and r.stderr.startswith("error: store ") and "Traceback" not in r.stderr
    r = run("requests", "export", "--csv", str(tmp_path / "no" / "such" / "dir.csv"), data_dir=tmp_path / "empty")
    assert r.returncode == 1 and r.stderr.startswith("error: cannot write") and "Traceback" not in r.stderr


@pytest.mark.parametrize("since, message", [("99999999d", "too long a period"), ("2030-01-01", "is in the future")])
def test_cli_refuses_a_period_out_of_range_as_bad_usage(tmp_path, since, message):
    r = run("report", "questions", "--since", since, data_dir=tmp_path / "data")
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    last = r.stderr.splitlines()[-1]
    assert f"argument --since: '{since}'" in last and message in last


def test_an_export_never_overwrites_the_database(tmp_path):
    db = tmp_path / "bot.sqlite3"
    s = Store(db)
    s.open_request("Cals College")
    s.close()
    before = db.read_bytes()
    r = run("requests", "export", "--csv", str(db), data_dir=tmp_path)
    assert r.returncode == 1 and "will not write the export over the database" in r.stderr
    assert db.read_bytes() == before


def test_the_report_and_the_request_table_speak_english_when_asked():
    now = datetime(2026, 12, 3, tzinfo=timezone.utc)
    empty = build_report([], since=now - timedelta(days=7), until=now)
    assert render(empty, "en").splitlines()[1] == "No questions in this period."
    assert render(empty).splitlines()[1] == "Geen vragen in deze periode."
    assert render_requests([], lang="en") == "No requests.\n"
