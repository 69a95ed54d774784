"""The state several workers share (bot/store.py, bot/shared.py): claimed keys, drafts with an
expiry, consent-list snapshots and their version, on both engines (a real SQLite file and a
real PostgreSQL database, tests/conftest.py's ``db_location``). Two ``Store`` objects on one
database stand for two workers; tests/test_pg_concurrency.py runs real processes."""
import hashlib
import threading
from datetime import datetime, timedelta, timezone

import pytest

from bot.consent_source import CachedList
from bot.drafts import Draft
from bot.shared import (ConsentFollower, SharedDrafts, SharedSeen, cached_list, consent_from_snapshot,
                        from_payload, snapshot_args, to_payload)
from bot.state import DraftRecord
from bot.store import MAX_DRAFT_CHARS, SCHEMA_VERSION, ConsentVersion, Store

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
LIST_V1 = "name,host\nCals College,cals.magister.net\nVossius Gymnasium,vossius.magister.net\n"
LIST_V2 = LIST_V1 + "Barlaeus Gymnasium,barlaeus.magister.net\n"


@pytest.fixture()
def store(db_location):
    with Store(db_location) as s:
        yield s


@pytest.fixture()
def two(db_location):
    """Two stores on one database, as two workers would have."""
    a, b = Store(db_location), Store(db_location)
    yield a, b
    a.close()
    b.close()


def test_a_fresh_database_is_at_the_current_version_on_both_engines(two):
    a, b = two
    assert a.schema_version() == b.schema_version() == SCHEMA_VERSION


# -- claims ----------------------------------------------------------------------------------
def test_a_key_is_claimed_once_across_stores(two):
    a, b = two
    assert a.claim("event:Ev001", now=T0) is True
    assert b.claim("event:Ev001", now=T0) is False and a.claim("event:Ev001") is False
    assert b.claim("msg:C1:1700000000.000100") is True


def test_claiming_several_keys_wins_only_when_all_are_new_and_claims_them_all(two):
    a, b = two
    assert a.claim("event:Ev1", "msg:C1:1.1") is True
    # the same message delivered again as another event (app_mention and message.im)
    assert b.claim("event:Ev2", "msg:C1:1.1") is False
    assert a.claim("event:Ev2") is False  # claimed all the same, as SeenSet.first_time remembers all
    assert SharedSeen(b).first_time("event:Ev3", "") is True and SharedSeen(a).first_time("", "event:Ev3") is False
    assert SharedSeen(a).first_time() is True


def test_bad_claim_keys_are_value_errors(store):
    for bad in ("", "   ", "x" * 501):
        with pytest.raises(ValueError):
            store.claim(bad)
    assert store.claim("x" * 500) is True


def test_claims_are_purged_after_a_day(store):
    store.claim("event:old", now=T0 - timedelta(hours=25))
    store.claim("event:new", now=T0 - timedelta(hours=23))
    assert store.purge_claims(now=T0) == 1
    assert store.claim("event:old", now=T0) is True  # forgotten: claimable again
    assert store.claim("event:new", now=T0) is False
    assert store.purge_claims(3600, now=T0 + timedelta(hours=2)) == 2


def test_many_threads_claiming_the_same_keys_win_each_once(two):
    a, b = two
    barrier = threading.Barrier(8)
    won: list[list[str]] = [[] for _ in range(8)]

    def work(n):
        s = a if n % 2 else b
        barrier.wait()
        for i in range(40):
            if s.claim(f"event:{i}"):
                won[n].append(f"event:{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    all_won = [k for w in won for k in w]
    assert sorted(all_won) == sorted(f"event:{i}" for i in range(40))


# -- drafts ----------------------------------------------------------------------------------
def test_a_draft_saved_by_one_store_is_read_and_edited_through_another(two):
    a, b = two
    draft_id = a.save_draft({"school": "Cals College", "body": "Geachte heer,\n…", "n": 1}, now=T0)
    assert len(draft_id) == 12 and draft_id.replace("-", "").replace("_", "").isalnum()
    assert b.get_draft(draft_id, now=T0) == {"school": "Cals College", "body": "Geachte heer,\n…", "n": 1}
    b.put_draft(draft_id, {"school": "Cals College", "body": "Bewerkt", "n": 2}, now=T0 + timedelta(minutes=5))
    assert a.get_draft(draft_id, now=T0 + timedelta(minutes=6))["body"] == "Bewerkt"
    assert a.get_draft("unknown-id") is None


def test_a_draft_expires_and_an_edit_extends_it(store):
    draft_id = store.save_draft({"v": 1}, ttl_s=3600, now=T0)
    assert store.get_draft(draft_id, now=T0 + timedelta(minutes=59)) == {"v": 1}
    assert store.get_draft(draft_id, now=T0 + timedelta(minutes=60)) is None
    store.put_draft(draft_id, {"v": 2}, ttl_s=3600, now=T0 + timedelta(minutes=30))
    assert store.get_draft(draft_id, now=T0 + timedelta(minutes=89)) == {"v": 2}
    assert store.purge_drafts(now=T0 + timedelta(minutes=89)) == 0
    assert store.purge_drafts(now=T0 + timedelta(minutes=90)) == 1
    store.put_draft(draft_id, {"v": 3}, now=T0)  # a button clicked after its draft was purged: restored
    assert store.get_draft(draft_id, now=T0) == {"v": 3}


def test_bad_draft_payloads_are_value_errors_and_store_nothing(store):
    for bad in ([1, 2], {"x": object()}, {"x": float("nan")}, {"x": "y" * MAX_DRAFT_CHARS}):
        with pytest.raises(ValueError):
            store.save_draft(bad)
    with pytest.raises(ValueError):
        store.put_draft("", {"v": 1})
    assert store.purge_drafts(now=T0 + timedelta(days=400)) == 0


def test_shared_drafts_keep_a_draft_record_with_its_draft_as_the_slack_app_has_it(two):
    a, b = two
    rec = DraftRecord(Draft("Verzoek koppeling", "Beste applicatiebeheerder,\n\nGraag …", "Cals College",
                            "ict@cals.nl"), "cals college", "U0ANNE01", "C0TEAM01", "1700000000.000100",
                      "cals.magister.net", "20KS00")
    worker1, worker2 = SharedDrafts(a, DraftRecord), SharedDrafts(b, DraftRecord)
    draft_id = worker1.add(rec)
    assert worker2.get(draft_id) == rec
    edited = DraftRecord(Draft("Verzoek koppeling", "Bewerkte tekst", "Cals College", "ict@cals.nl"),
                         rec.school_query, rec.user, rec.channel, rec.thread_ts, rec.host, rec.code)
    worker2.put(draft_id, edited)  # saved in the modal on one worker …
    assert worker1.get(draft_id).draft.body == "Bewerkte tekst"  # … is what the other posts
    assert worker1.get("nope") is None
    b.put_draft("odd", {"something": "else"})
    assert worker1.get("odd") is None  # another shape (another version of the bot): not a record


def test_payload_round_trip_of_nested_dataclasses_and_tuples():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Inner:
        names: tuple[str, ...]

    @dataclass(frozen=True)
    class Outer:
        inner: Inner
        n: int = 0

    value = Outer(Inner(("a", "b")), 3)
    assert from_payload(Outer, to_payload(value)) == value
    assert from_payload(Outer, {"inner": {"names": ["x"]}, "extra": 1}) == Outer(Inner(("x",)))
    with pytest.raises(TypeError):
        to_payload({"not": "a dataclass"})


# -- consent-list snapshots ------------------------------------------------------------------
def cached(text: str, at: datetime, etag: str = '"v1"') -> CachedList:
    return CachedList("https://lijst.example/consent.csv?key=geheim", at, text, "csv", etag,
                      "Mon, 02 Nov 2026 09:00:00 GMT", hashlib.sha256(text.encode()).hexdigest(), "text/csv")


def test_no_list_stored_yet(store):
    assert store.consent_version() == ConsentVersion(0, None)
    assert store.latest_consent_list() is None


def test_a_stored_list_is_the_newest_for_every_store_with_its_validators(two):
    leader, worker = two
    snap = leader.save_consent_list(**snapshot_args(cached(LIST_V1, T0)))
    assert worker.consent_version() == ConsentVersion(snap.id, T0)
    got = worker.latest_consent_list()
    assert got == snap and (got.etag, got.last_modified, got.fmt) == ('"v1"', "Mon, 02 Nov 2026 09:00:00 GMT", "csv")
    assert cached_list(got) == cached(LIST_V1, T0)  # what a new leader's conditional fetch starts from
    listed = consent_from_snapshot(got, "lijst.example/consent.csv")
    assert [s.name for s in listed.schools] == ["Cals College", "Vossius Gymnasium"]
    assert listed.source == "lijst.example/consent.csv" and listed.as_of == T0 and listed.error == ""


def test_a_new_list_gets_a_new_version_and_old_ones_are_pruned(store):
    ids = [store.save_consent_list(**snapshot_args(cached(LIST_V1 + f"School {i},s{i}.magister.net\n",
                                                          T0 + timedelta(hours=i))), keep=3).id
           for i in range(5)]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert store.consent_version().list_id == ids[-1]
    assert "School 4" in store.latest_consent_list().body


def test_the_same_bytes_again_confirm_the_newest_instead_of_a_new_version(store):
    first = store.save_consent_list(**snapshot_args(cached(LIST_V1, T0)))
    again = store.save_consent_list(**snapshot_args(cached(LIST_V1, T0 + timedelta(hours=1), etag='"v1b"')))
    assert again.id == first.id and again.confirmed_at == T0 + timedelta(hours=1) and again.etag == '"v1b"'
    assert again.fetched_at == T0


def test_checks_change_the_version_and_carry_a_failure(two):
    leader, worker = two
    snap = leader.save_consent_list(**snapshot_args(cached(LIST_V1, T0)))
    before = worker.consent_version()
    assert leader.record_consent_check(snap.id, at=T0 + timedelta(hours=1), etag='"v1c"') is True  # a 304
    confirmed = worker.latest_consent_list()
    assert worker.consent_version() != before
    assert (confirmed.confirmed_at, confirmed.etag, confirmed.error) == (T0 + timedelta(hours=1), '"v1c"', "")
    leader.record_consent_check(snap.id, at=T0 + timedelta(hours=2), error="lijst.example: HTTP 503")
    failed = worker.latest_consent_list()
    assert failed.confirmed_at == T0 + timedelta(hours=1) and failed.error == "lijst.example: HTTP 503"
    assert failed.checked_at == T0 + timedelta(hours=2) and failed.body == LIST_V1  # still in use
    assert consent_from_snapshot(failed, "lijst").error == "lijst.example: HTTP 503"
    assert leader.record_consent_check(snap.id + 99, at=T0) is False


def test_a_list_body_with_nul_characters_is_stored(store):
    snap = store.save_consent_list("lijst.csv", LIST_V1.replace("Cals", "Ca\x00ls"), fetched_at=T0)
    assert "\x00" not in snap.body
    assert "Cals College" in [s.name for s in consent_from_snapshot(snap, "lijst").schools]


def test_a_follower_picks_up_a_new_list_when_its_check_is_due(two):
    leader, worker = two
    now = [0.0]
    follower = ConsentFollower(worker, name="lijst.example/consent.csv", every_s=2.0, clock=lambda: now[0])
    assert follower.current() is None
    leader.save_consent_list(**snapshot_args(cached(LIST_V1, T0)))
    now[0] = 1.0
    assert follower.current() is None  # not due yet: no query
    now[0] = 2.0
    assert len(follower.current().schools) == 2
    first = follower.version
    leader.save_consent_list(**snapshot_args(cached(LIST_V2, T0 + timedelta(hours=1))))
    now[0] = 3.0
    assert len(follower.current().schools) == 2
    now[0] = 4.0
    assert [s.name for s in follower.current().schools][-1] == "Barlaeus Gymnasium"
    assert follower.version.list_id > first.list_id
    assert follower.check() is False  # nothing new


def test_a_follower_keeps_its_list_when_a_stored_one_does_not_parse_or_the_store_fails(two):
    leader, worker = two
    follower = ConsentFollower(worker, name="lijst", every_s=0)
    leader.save_consent_list(**snapshot_args(cached(LIST_V1, T0)))
    assert follower.check() is True
    leader.save_consent_list("lijst.json", '{"not": "a list"', fetched_at=T0, fmt="json")
    assert follower.check() is False and len(follower.current().schools) == 2
    worker.close()
    assert follower.check() is False and len(follower.current().schools) == 2
