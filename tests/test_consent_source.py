"""Fetching, validating, caching and refreshing the consent list (bot/consent_source.py),
against a real HTTP server on 127.0.0.1:0. Each case ends with the right list in use and a
clear status; no case loses the last good list."""
import json
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.config import Settings
from bot.consent_source import (CACHE_FILE, STATUS_FILE, ConsentSource, FetchError, FetchPolicy, Refresher, display_url,
                                fetch, on_added, short_url)
from bot.core import Bot
from consent_http import Answer, ListServer

# Short backoff, and timeouts a busy machine never reaches; the timeout tests set their own.
FAST = FetchPolicy(connect_timeout=5.0, read_timeout=5.0, total_timeout=10.0, attempts=2, backoff=0.01,
                   max_bytes=200_000)
GOOD = "naam;magister_host;plaats\nCals College;cals.magister.net;Nieuwegein\nCarré College;carre;Amersfoort\n" \
       "Vossius Gymnasium;vossius;Amsterdam\nBarlaeus Gymnasium;barlaeus;Amsterdam\nHet Schoter;schoter;Haarlem\n"
NAMES = ["Cals College", "Carré College", "Vossius Gymnasium", "Barlaeus Gymnasium", "Het Schoter"]


@pytest.fixture()
def srv():
    with ListServer() as s:
        yield s


def source(srv, tmp_path, path="/list.csv", **kw):
    kw.setdefault("policy", FAST)
    return ConsentSource(url=srv.url(path), data_dir=tmp_path / "data", **kw)


def names(consent):
    return [s.name for s in consent.schools]


def started_with_good_list(srv, tmp_path, **kw):
    """A source whose last good list (GOOD) came from the server and is cached."""
    srv.set("/list.csv", Answer(body=GOOD.encode(), headers={"Content-Type": "text/csv", "ETag": '"v1"'}))
    src = source(srv, tmp_path, **kw)
    src.start()
    assert names(src.current) == NAMES
    return src


# -- the happy paths ------------------------------------------------------------------------
def test_good_csv_is_fetched_used_and_cached(srv, tmp_path):
    srv.set("/list.csv", Answer(body=GOOD.encode(), headers={"Content-Type": "text/csv; charset=utf-8",
                                                             "ETag": '"v1"', "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"}))
    src = source(srv, tmp_path)
    consent = src.start()
    assert names(consent) == NAMES and consent.schools[1].host == "carre.magister.net"
    assert consent.source == srv.url("/list.csv") and consent.error == "" and not consent.example
    cache = json.loads((tmp_path / "data" / CACHE_FILE).read_text(encoding="utf-8"))
    assert cache["etag"] == '"v1"' and cache["last_modified"].startswith("Mon, 02 Nov") and "Vossius" in cache["body"]
    status = src.status()
    assert status["result"] == "updated" and status["rows"] == 5 and status["last_error"] is None
    assert json.loads((tmp_path / "data" / STATUS_FILE).read_text())["result"] == "updated"


def test_json_object_with_a_list(srv, tmp_path):
    body = json.dumps({"generated": "2026-11-01", "scholen": [{"name": n, "url": f"https://x{i}.magister.net"}
                                                              for i, n in enumerate(NAMES)]})
    srv.set("/export", Answer(body=body.encode(), headers={"Content-Type": "application/json"}))
    consent = source(srv, tmp_path, path="/export").start()
    assert names(consent) == NAMES and consent.schools[0].host == "x0.magister.net"


def test_yaml_by_content_type(srv, tmp_path):
    body = "schools:\n" + "".join(f"  - naam: {n}\n" for n in NAMES)
    srv.set("/export", Answer(body=body.encode(), headers={"Content-Type": "application/yaml"}))
    assert names(source(srv, tmp_path, path="/export").start()) == NAMES


def test_bom_and_semicolons_whatever_the_content_type_says(srv, tmp_path):
    srv.set("/list.csv", Answer(body=b"\xef\xbb\xbf" + GOOD.encode(), headers={"Content-Type": "application/json"}))
    consent = source(srv, tmp_path).start()
    assert names(consent) == NAMES


def test_windows_1252_bytes_although_utf8_is_claimed(srv, tmp_path):
    srv.set("/list.csv", Answer(body=GOOD.encode("cp1252"), headers={"Content-Type": "text/csv; charset=utf-8"}))
    consent = source(srv, tmp_path).start()
    assert consent.schools[1].name == "Carré College"


def test_304_keeps_the_list_and_confirms_it(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    before = src.current
    srv.set("/list.csv", Answer(body=b"never sent", etag_304='"v1"'))
    result = src.refresh()
    assert result.status == "unchanged" and result.ok
    assert srv.requests[-1][1].get("If-None-Match") == '"v1"'
    assert result.consent.schools is before.schools  # same rows, no new parse
    assert result.consent.as_of >= before.as_of
    # A restart reads the confirmation time back from the status file.
    again = source(srv, tmp_path)
    assert again.start(fetch_missing=False).as_of == result.consent.as_of.replace(microsecond=0)


def test_same_bytes_without_validators_count_as_unchanged(srv, tmp_path):
    srv.set("/list.csv", Answer(body=GOOD.encode()))
    src = source(srv, tmp_path)
    src.start()
    assert src.refresh().status == "unchanged"
    # The server starts sending an ETag for the same bytes: kept, and sent from then on.
    srv.set("/list.csv", Answer(body=GOOD.encode(), headers={"ETag": '"v2"'}, etag_304='"v2"'))
    assert src.refresh().status == "unchanged"
    assert src.refresh().status == "unchanged" and srv.requests[-1][1].get("If-None-Match") == '"v2"'
    assert json.loads(src.cache_path.read_text(encoding="utf-8"))["etag"] == '"v2"'


def test_301_then_200(srv, tmp_path):
    srv.set("/old.csv", Answer(301, headers={"Location": "/list.csv"}))
    srv.set("/list.csv", Answer(body=GOOD.encode()))
    consent = source(srv, tmp_path, path="/old.csv").start()
    assert names(consent) == NAMES and srv.count("/old.csv") == 1 and srv.count("/list.csv") == 1


def test_a_redirect_loop_fails_clearly(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    srv.set("/list.csv", Answer(302, headers={"Location": "/list.csv"}))
    result = src.refresh()
    assert result.status == "failed" and "redirects" in result.error
    assert names(src.current) == NAMES and src.current.error == result.error


def test_500_then_200_is_retried(srv, tmp_path):
    srv.set("/list.csv", Answer(500, b"oops"), Answer(body=GOOD.encode()))
    src = source(srv, tmp_path)
    src.start(fetch_missing=False)
    assert src.refresh().status == "updated"
    assert names(src.current) == NAMES and srv.count("/list.csv") == 2
    assert src.status()["result"] == "updated"


def test_start_up_fetches_once_without_retries(srv, tmp_path):
    """Start-up never hangs on backoffs (a CLI call, a Slack start): the background refresh
    and `consent refresh` retry."""
    srv.set("/list.csv", Answer(500, b"oops"), Answer(body=GOOD.encode()))
    src = source(srv, tmp_path, policy=FetchPolicy(attempts=3, backoff=5.0))
    consent = src.start()
    assert srv.count("/list.csv") == 1 and consent.unavailable and "HTTP 500" in consent.error
    assert src.refresh().status == "updated" and names(src.current) == NAMES


def test_500_every_time_keeps_the_last_good_list(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    srv.set("/list.csv", Answer(503, b"down", headers={"Retry-After": "0"}))
    result = src.refresh()
    assert result.status == "failed" and "HTTP 503" in result.error and "2 attempts" in result.error
    assert names(src.current) == NAMES
    info = src.current.info()
    assert info["error"] and "HTTP 503" in info["error"]
    status = src.status()
    assert status["result"] == "failed" and "HTTP 503" in status["last_error"] and status["last_error_at"]


def test_a_slow_response_past_the_read_timeout(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    src.policy = replace(FAST, read_timeout=0.3)
    hold = threading.Event()  # never set: the server does not answer before the client gives up
    srv.set("/list.csv", Answer(body=GOOD.encode(), wait=hold))
    result = src.refresh()
    hold.set()
    assert result.status == "failed" and "timed out" in result.error
    assert srv.count("/list.csv") == 1 + FAST.attempts
    assert names(src.current) == NAMES


def test_a_truncated_body(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    longer = (GOOD + "".join(f"School {i};s{i}\n" for i in range(50))).encode()
    srv.set("/list.csv", Answer(body=longer, cut=len(GOOD) + 40))
    result = src.refresh()
    assert result.status == "failed" and "broke off" in result.error
    assert names(src.current) == NAMES


def test_an_empty_body(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    srv.set("/list.csv", Answer(body=b""))
    result = src.refresh()
    assert result.status == "refused" and "empty" in result.error and names(src.current) == NAMES


def test_html_instead_of_csv(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    srv.set("/list.csv", Answer(body=b"<!DOCTYPE html><html><body>Log in</body></html>",
                                headers={"Content-Type": "text/csv"}))
    result = src.refresh()
    assert result.status == "refused" and "HTML" in result.error and names(src.current) == NAMES


def test_garbled_bytes(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    srv.set("/list.csv", Answer(body=bytes(range(256)) * 20))
    result = src.refresh()
    assert result.status == "refused" and names(src.current) == NAMES


@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversized_body(srv, tmp_path, chunked):
    src = started_with_good_list(srv, tmp_path)
    huge = GOOD.encode() + b"".join(b"School %d;s%d\n" % (i, i) for i in range(30_000))
    srv.set("/list.csv", Answer(body=huge, chunked=chunked))
    result = src.refresh()
    assert result.status == "failed" and "limit" in result.error and names(src.current) == NAMES


def test_401_is_not_retried_and_names_the_token(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    srv.set("/list.csv", Answer(401, b"no"))
    n = srv.count("/list.csv")
    result = src.refresh()
    assert result.status == "failed" and "401" in result.error and "CONSENT_LIST_TOKEN" in result.error
    assert srv.count("/list.csv") == n + 1


def test_unreachable_host(tmp_path):
    with ListServer() as s:
        dead = s.url("/list.csv")  # the port is free again once the server is gone
    src = ConsentSource(url=dead, data_dir=tmp_path, policy=FAST)
    consent = src.start()
    # Never the made-up example in place of a configured source: no schools, no verdict, saying why.
    assert consent.unavailable and not consent.example and consent.schools == ()
    assert "cannot connect" in consent.error and consent.info()["unavailable"] is True
    assert src.status()["result"] == "failed"


# -- validation -------------------------------------------------------------------------------
def test_rows_without_a_name_are_reported_and_skipped(srv, tmp_path):
    srv.set("/list.csv", Answer(body=(GOOD + ";nameless.magister.net;\nNieuwe School;nieuw;Delft\n").encode()))
    src = source(srv, tmp_path)
    src.start()
    src.refresh(force=True)
    consent = src.current
    assert "Nieuwe School" in names(consent) and len(consent.schools) == 6
    assert consent.faults == ("row 6: no school name",)
    assert src.status()["rows_skipped"] == 1


def test_a_list_that_drops_too_much_is_refused_unless_forced(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    srv.set("/list.csv", Answer(body="naam\nCals College\nCarré College\nVossius Gymnasium\n".encode()))
    result = src.refresh()
    assert result.status == "refused" and "drops 2 of 5" in result.error and "--force" in result.error
    assert names(src.current) == NAMES
    forced = src.refresh(force=True)
    assert forced.status == "updated" and len(forced.removed) == 2 and names(src.current) == NAMES[:3]


def test_the_allowed_drop_is_configurable(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path, max_drop=0.5)
    srv.set("/list.csv", Answer(body="naam\nCals College\nCarré College\nVossius Gymnasium\n".encode()))
    assert src.refresh().status == "updated"


# -- start-up from the last good copy ---------------------------------------------------------
def test_start_up_with_the_source_unreachable_answers_from_the_cache(srv, tmp_path):
    started_with_good_list(srv, tmp_path)
    srv.close()
    src = ConsentSource(url=srv.url("/list.csv"), data_dir=tmp_path / "data", policy=FAST, stale_days=14)
    consent = src.start()  # no network at start-up when a copy exists
    assert names(consent) == NAMES and consent.error == "" and consent.age_days() < 1
    result = src.refresh()
    assert result.status == "failed" and names(src.current) == NAMES
    info = src.current.info()
    assert info["error"] and info["schools"] == 5 and info["stale"] is False
    # The failure is remembered: the next start-up says so too.
    again = ConsentSource(url=srv.url("/list.csv"), data_dir=tmp_path / "data", policy=FAST)
    assert "cannot connect" in again.start(fetch_missing=False).error


def test_an_old_copy_is_flagged_stale(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path, stale_days=14)
    later = datetime.now(timezone.utc) + timedelta(days=15)
    assert src.current.info(now=later)["stale"] is True and src.current.info()["stale"] is False


def test_a_cache_of_another_url_is_not_used(srv, tmp_path):
    started_with_good_list(srv, tmp_path)
    other = ConsentSource(url=srv.url("/other.csv"), data_dir=tmp_path / "data", policy=FAST)
    consent = other.start(fetch_missing=False)
    assert consent.unavailable and "not fetched yet" in consent.error


def test_a_broken_cache_file_is_reported_not_raised(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    src.cache_path.write_text('{"format": "magister-consent-cache/1", "body": ', encoding="utf-8")
    again = ConsentSource(url=srv.url("/list.csv"), data_dir=tmp_path / "data", policy=FAST)
    consent = again.start(fetch_missing=False)
    assert consent.unavailable and "cache" in consent.error


def test_fallback_to_the_configured_file(srv, tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_text("naam\nHet Schoter\n", encoding="utf-8")
    srv.set("/list.csv", Answer(500))
    src = ConsentSource(url=srv.url("/list.csv"), path=path, data_dir=tmp_path / "data", policy=FAST)
    consent = src.start()
    assert names(consent) == ["Het Schoter"] and "HTTP 500" in consent.error


# -- listeners, announcements, the background thread ------------------------------------------
def test_added_schools_are_announced_once_and_not_on_first_load(srv, tmp_path):
    announced = []
    srv.set("/list.csv", Answer(body=GOOD.encode()))
    src = source(srv, tmp_path)
    src.add_listener(on_added(announced.append))
    src.start()  # first load: every school is "new", none is news
    srv.set("/list.csv", Answer(body=(GOOD + "Nieuwe School;nieuw;Delft\n").encode()))
    src.refresh()
    src.refresh()  # unchanged: nothing more
    assert [[s.name for s in batch] for batch in announced] == [["Nieuwe School"]]
    src.remove_listener(src._listeners[-1])
    src.remove_listener(print)  # never added: no error
    srv.set("/list.csv", Answer(body=(GOOD + "Nieuwe School;nieuw;Delft\nNog Een;nogeen;Delft\n").encode()))
    src.refresh()
    assert len(announced) == 1  # removed listeners are not called


def test_a_failing_listener_does_not_undo_the_refresh(srv, tmp_path):
    srv.set("/list.csv", Answer(body=GOOD.encode()))
    src = source(srv, tmp_path)

    def boom(result):
        raise RuntimeError("slack is down")

    src.add_listener(boom)
    src.start()
    assert names(src.current) == NAMES


def test_refresher_runs_in_the_background_and_stops(srv, tmp_path):
    src = started_with_good_list(srv, tmp_path)
    seen = threading.Event()
    results = []

    def listener(result):
        results.append(result.status)
        if len(results) >= 2:
            seen.set()

    src.add_listener(listener)
    r = Refresher(src, every=0.05)
    r.start()
    assert seen.wait(10), "the refresher did not refresh twice"
    assert r.stop(timeout=10) and not r.running
    assert set(results) == {"unchanged"}
    assert Refresher(src, every=0).start() is None  # 0 minutes: off


def test_lookups_do_not_wait_for_a_refresh(srv, tmp_path):
    srv.set("/list.csv", Answer(body=GOOD.encode()))
    settings = Settings(consent_list_url=srv.url("/list.csv"), data_dir=tmp_path / "data")
    bot = Bot.from_settings(settings)
    assert bot.lookup("vossius gymnasium").status == "granted"
    hold = threading.Event()
    srv.set("/list.csv", Answer(body=(GOOD + "Nieuwe School;nieuw;Delft\n").encode(), wait=hold))
    bot.consent_source.policy = FetchPolicy(read_timeout=10, attempts=1)
    t = threading.Thread(target=bot.consent_source.refresh)
    t.start()
    try:
        # The refresh is stuck in the network; lookups answer from the current list meanwhile
        # (issue 9: the directory knows other schools called "Nieuwe School": a question, no grant).
        assert bot.lookup("nieuwe school").status in ("not_found", "ambiguous")
        assert bot.lookup("cals college").status == "granted"
        assert t.is_alive()
    finally:
        hold.set()
        t.join(15)
    assert bot.lookup("nieuwe school").status == "granted"  # swapped in by the listener
    assert bot.consent.info()["schools"] == 6


def test_a_failed_refresh_marks_the_bot_s_replies(srv, tmp_path):
    srv.set("/list.csv", Answer(body=GOOD.encode()))
    bot = Bot.from_settings(Settings(consent_list_url=srv.url("/list.csv"), data_dir=tmp_path / "data"))
    bot.consent_source.policy = FAST
    index = bot.schools.names
    srv.set("/list.csv", Answer(500))
    bot.consent_source.refresh()
    lk = bot.lookup("cals college")
    assert lk.status == "granted" and "HTTP 500" in lk.list_info["error"]
    assert bot.schools.names is index  # the same rows: no new index


# -- the pieces ---------------------------------------------------------------------------------
def test_the_bearer_token_is_sent_but_not_to_another_origin(tmp_path):
    with ListServer() as a, ListServer() as b:
        b.set("/list.csv", Answer(body=GOOD.encode()))
        a.set("/list.csv", Answer(302, headers={"Location": b.url("/list.csv")}))
        got = fetch(a.url("/list.csv"), token="s3cret", policy=FAST)
        assert got.body == GOOD.encode()
        assert a.requests[0][1].get("Authorization") == "Bearer s3cret"
        assert "Authorization" not in b.requests[0][1]


def test_fetch_raises_only_fetch_error(tmp_path):
    with pytest.raises(FetchError, match="Request URL|protocol|unsupported"):
        fetch("ftp://127.0.0.1/x.csv", policy=FAST)


def test_display_url_hides_secrets():
    assert display_url("https://user:pw@lists.example.nl:8443/a/l.csv?key=123#x") == "https://lists.example.nl:8443/a/l.csv"
    assert display_url("http://[::1]:8080/l.csv") == "http://[::1]:8080/l.csv"


def test_short_url_is_the_host_and_the_last_part_of_the_path():
    assert short_url("https://user:pw@lists.example.nl:8443/exports/2026/l.csv?key=123#x") == "lists.example.nl:8443/l.csv"
    assert short_url("https://lists.example.nl/export/") == "lists.example.nl/export"
    assert short_url("https://lists.example.nl") == "lists.example.nl"


def test_a_local_file_source_refreshes_when_the_file_changes(tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_text(GOOD, encoding="utf-8")
    src = ConsentSource(path=path, data_dir=tmp_path)
    src.start()
    assert src.refresh().status == "unchanged"
    path.write_text(GOOD + "Nieuwe School;nieuw;Delft\n", encoding="utf-8")
    result = src.refresh()
    assert result.status == "updated" and [s.name for s in result.added] == ["Nieuwe School"]
    path.write_text("", encoding="utf-8")
    bad = src.refresh()
    assert bad.status == "refused" and len(src.current.schools) == 6
    assert not (tmp_path / CACHE_FILE).exists()  # a file is its own copy


def test_the_example_has_nothing_to_refresh(tmp_path):
    src = ConsentSource(data_dir=tmp_path)
    assert src.start().example
    result = src.refresh()
    assert result.status == "no_source" and result.ok


def test_a_list_that_renames_schools_on_their_hosts_is_no_drop_and_announces_nothing(srv, tmp_path):
    """Issue 9: "Het Cals College" -> "Cals College" on cals.magister.net is one school renamed;
    before, two renames in five were 40% dropped, the list refused, and when forced announced as new."""
    srv.set("/list.csv", Answer(body=GOOD.encode()))
    src = source(srv, tmp_path)
    src.start()
    announced = []
    src.add_listener(on_added(announced.append))
    renamed = GOOD.replace("Cals College;", "Het Cals College Nieuwegein;").replace("Het Schoter;", "Schoter SG;")
    srv.set("/list.csv", Answer(body=renamed.encode()))
    result = src.refresh()
    assert result.status == "updated" and result.added == () and result.removed == ()
    assert [(a.name, b.name) for a, b in result.renamed] == [("Cals College", "Het Cals College Nieuwegein"),
                                                              ("Het Schoter", "Schoter SG")]
    assert announced == [] and result.to_json()["renamed"][0]["new"]["name"] == "Het Cals College Nieuwegein"
