"""The conversation's work outside a message: after each consent-list refresh, and on a timer.

:class:`Jobs` does three things, each callable directly (the tests pass ``now``), and tells
users through a :class:`~bot.backends.base.Backend` (``send``):

* after a refresh: open requests whose school is now on the list become granted
  (:meth:`~bot.store.Store.close_granted`) and each requester gets a DM ("Het Cals College
  heeft toestemming gegeven", in the language of their latest question); schools new on the
  list are announced in ``ANNOUNCE_CHANNEL``. The refresh's listener (:meth:`Jobs.on_refresh`)
  runs under the consent source's lock, so it only records in the store and collects the
  news; :meth:`Jobs.flush` sends it once the refresh is done (the background refresh, and an
  admin's ``lijst vernieuwen``, call it). Nothing slow, no message and no retry after a 429,
  happens while that lock is held.
* :meth:`Jobs.sweep`: one reminder per sent request after ``REQUEST_REMINDER_DAYS`` without
  consent (a DM with the draft, ready to send again), the question log's purge after
  ``QUESTION_RETENTION_DAYS``, and the purge of answered events (a day old) and expired drafts.
* :meth:`Jobs.review`: the admins' weekly review DM (``REVIEW_DAY``, ``REVIEW_HOUR``; see
  :meth:`bot.review.Review.weekly`: once a week, also across workers).
* :meth:`Jobs.start` runs the refresh (every ``CONSENT_REFRESH_MINUTES``; 0: off), the
  sweep (hourly) and the knowledge tick (every :data:`KNOWLEDGE_EVERY` seconds: an edited
  knowledge base is reloaded, by every worker, and the leader sends the review DM when due)
  on daemon threads (:class:`~bot.periodic.Periodic`). Lookups never wait for
  either: the list is swapped in by the bot's own refresh listener.

Several workers on one PostgreSQL database (``DATABASE_URL``) behave as one bot:

* one of them leads (:class:`~bot.leader.Leader`, started with the threads): only the leader's
  timers refresh the list and sweep, checked at every tick, so another worker takes over when
  the leader dies;
* every worker follows the newest list in the store (:class:`~bot.shared.ConsentFollower`,
  a version check every :data:`FOLLOW_EVERY` seconds), and any refresh, the leader's or an
  admin's on whichever worker, starts from that list and stores what it fetched
  (:meth:`Jobs.refresh`). A change is announced once, whichever worker fetched it (the
  announcement is claimed in the store), and each grant is made once (the store's
  ``close_granted``), so each requester gets one DM.

On SQLite (one process) the process always leads and there is nothing to follow.

Every backend or store failure here is logged; none stops a thread. Under gunicorn
``--preload`` the app is built in the master process, which serves nothing and forks the
workers: :meth:`Jobs.start_when_serving` starts the threads (and the leader's election) in
each worker (right after the fork, or at its first request), with a store connection of its own.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from datetime import datetime, timedelta

from .backends.base import Backend
from .consent_source import RefreshResult, on_added
from .consentlist import ConsentList, School
from .conversation import Conversation
from .errors import DeliveryFailed
from .leader import Leader
from .names import identity_key
from .periodic import Periodic
from .replies import Reply, Where
from .shared import ConsentFollower, cached_list, snapshot_args
from .store import ConsentSnapshot, Request, Store, StoreError, utc_now

log = logging.getLogger("bot.jobs")

SWEEP_EVERY = 3600.0
"""Seconds between two sweeps (reminders, question purge)."""
FIRST_SWEEP_AFTER = 30.0
"""Seconds after start-up before the first sweep."""
FIRST_REFRESH_AFTER = 60.0
"""Seconds after start-up before the first background refresh (at most; sooner when the
refresh interval is shorter): the list from start-up may be an old copy."""
KNOWLEDGE_EVERY = 10.0
"""Seconds between two looks at the knowledge base's files (three ``stat`` calls) and at
whether the review DM is due."""
LANG_LOOKBACK_DAYS = 90
"""How far back a requester's questions are read to choose the language of a DM."""
FOLLOW_EVERY = 2.0
"""Seconds between two checks of the stored list's version (PostgreSQL: every worker)."""


class Jobs:
    """Refresh listener, sweep and background threads of one :class:`Conversation` (whose
    ``store`` may be ``None``: then requests are neither granted nor reminded), telling users
    through ``backend``. ``leader`` is the election this process takes part in (set by
    :meth:`start`; ``None``: this process leads)."""

    def __init__(self, conversation: Conversation, backend: Backend):
        self.conversation = conversation
        self.backend = backend
        self.bot = conversation.bot
        self.settings = conversation.settings
        self.leader: Leader | None = None
        self._refresher: Periodic | None = None
        self._sweeper: Periodic | None = None
        self._follower: ConsentFollower | None = None
        self._following: Periodic | None = None
        self._knowledge: Periodic | None = None
        self._lock = threading.Lock()
        self._news = threading.Lock()
        self._consent_lock = threading.RLock()  # a refresh and taking up a stored list, one at a time
        self._granted: list[Request] = []
        self._added: list[School] = []
        self._started_pid: int | None = None
        self._serving = False
        self._built_pid = os.getpid()
        self._inherited: list[Store] = []
        self._announce = on_added(self._keep_added)
        source = self.bot.consent_source
        if source is not None:
            source.add_listener(self.on_refresh)
        conversation.refresh_list = self.refresh

    @property
    def store(self) -> Store | None:
        return self.conversation.store

    @property
    def leads(self) -> bool:
        """Whether this process runs the background refresh and sweep (always, with no election)."""
        return self.leader is None or self.leader.is_leader

    @property
    def running(self) -> bool:
        """Whether the background threads run in this process (:meth:`start`)."""
        return self._started_pid == os.getpid()

    @property
    def shared(self) -> bool:
        """Whether the consent list is shared with other workers through the store (PostgreSQL)."""
        store = self.store
        return store is not None and store.dialect == "postgresql"

    # -- after a refresh ------------------------------------------------------------------------
    def refresh(self) -> RefreshResult | None:
        """Refresh the consent list, then send what it brought (:meth:`flush`). With a shared
        store the refresh starts from the newest stored list (:meth:`follow`) and what it
        found is stored for every worker (:meth:`share`). ``None`` when there is no source."""
        source = self.bot.consent_source
        if source is None:
            return None
        try:
            with self._consent_lock:
                if self.shared:
                    self.follow()
                result = source.refresh()
                if self.shared:
                    self.share(result)
            return result
        finally:
            self.flush()

    def _background_refresh(self) -> None:
        if self.leads:
            self.refresh()

    def on_refresh(self, result: RefreshResult) -> None:
        """The consent source's listener (on the refreshing thread, under its lock): grant,
        and keep the news for :meth:`flush`."""
        granted = self.grant(result)
        with self._news:
            self._granted += granted
        if self.settings.announce_channel:
            self._announce(result)

    def _keep_added(self, schools: tuple[School, ...]) -> None:
        with self._news:
            self._added += schools

    def grant(self, result: RefreshResult, now: datetime | None = None) -> list[Request]:
        """Close the open requests whose school is on the refreshed list (the store only; the
        DMs go out with :meth:`flush`). Only for a list its source confirmed (updated or
        unchanged), never the example list."""
        store = self.store
        if store is None or result.status not in ("updated", "unchanged") or result.consent.example:
            return []
        try:
            matcher = self.bot.schools
            codes = matcher.linked_codes() if matcher.consent is result.consent else ()
            return store.close_granted(result.consent, now, codes)
        except StoreError as e:
            log.error("requests not checked against the new list: %s", e)
            return []

    def flush(self) -> None:
        """Send the news collected since the last flush: a DM to each requester whose request
        was granted, and the announcement of the schools new on the list."""
        with self._news:
            granted, self._granted = self._granted, []
            added, self._added = tuple(self._added), []
        langs = self._langs({r.requested_by for r in granted}) if granted else {}
        for r in granted:
            log.info("request %d for %r granted; telling user=%s", r.id, r.school_name, r.requested_by)
            lang = langs.get(r.requested_by, "nl")
            self._tell(Where(user=r.requested_by), Reply("granted", lang, request=r), "granted")
        if added and self._first_announcement(added) and \
                self._tell(Where(self.settings.announce_channel), Reply("announce", schools=added), "announce"):
            log.info("announced %d new school(s) in %s", len(added), self.settings.announce_channel)

    def _first_announcement(self, added: tuple[School, ...]) -> bool:
        """Whether no worker announced these schools in the last day (a claim in the store:
        two workers that fetched the same change announce it once). No store, or a store
        fault (logged): ``True``, better twice than never."""
        store = self.store
        if store is None:
            return True
        names = sorted(f"{s.host}|{identity_key(s.name)}" for s in added)
        key = "announce:" + hashlib.sha256("\n".join(names).encode()).hexdigest()
        try:
            if store.claim(key):
                return True
        except StoreError as e:
            log.error("announcement not checked against other workers, announcing: %s", e)
            return True
        log.info("%d new school(s) announced already by another worker", len(added))
        return False

    # -- the list shared between workers ----------------------------------------------------------
    def share(self, result: RefreshResult) -> None:
        """Store what a refresh found, for every worker: a new list as the newest snapshot;
        otherwise the check (its time; its error when it failed) on the stored list this
        worker uses, or that list itself when the store lacks it (a fresh database).
        A store fault is logged; the list stays in use here."""
        store, source = self.store, self.bot.consent_source
        if store is None or source is None or result.status == "no_source":
            return
        entry = source.snapshot()
        if entry is None:
            return
        ok = result.status in ("updated", "unchanged")
        try:
            latest = store.latest_consent_list(entry.source)
            if result.status == "updated" or (ok and (latest is None or latest.sha256 != entry.sha256)):
                snap = store.save_consent_list(**snapshot_args(entry))
                if snap.confirmed_at < result.at:
                    store.record_consent_check(snap.id, at=result.at)
            elif latest is not None and latest.sha256 == entry.sha256:
                store.record_consent_check(latest.id, at=result.at, error="" if ok else result.error,
                                           etag=entry.etag if ok else None,
                                           last_modified=entry.last_modified if ok else None)
        except StoreError as e:
            log.error("consent list not shared with the other workers: %s", e)

    def follow(self) -> bool:
        """Take up the newest list in the store when its version changed since the last look
        (a cheap check; the list is parsed and indexed only then, off any message's path).
        ``True`` when a list (or its new check time) was taken up."""
        follower = self._follower
        if follower is None:
            source, store = self.bot.consent_source, self.store
            if source is None or store is None or source.kind == "sample":
                return False
            follower = self._follower = ConsentFollower(store, source=source.url or str(source.path),
                                                        every_s=FOLLOW_EVERY, parse=self._adopt)
        with self._consent_lock:
            return follower.check()

    def _adopt(self, snapshot: ConsentSnapshot) -> ConsentList:
        """The follower's parse: ``snapshot`` becomes the list in use here (source and bot)."""
        source = self.bot.consent_source
        assert source is not None
        before = self.bot.consent
        consent = source.adopt(cached_list(snapshot), confirmed_at=snapshot.confirmed_at,
                               checked_at=snapshot.checked_at, error=snapshot.error)
        self.bot.set_consent_list(consent)
        if consent.schools != before.schools:
            log.info("consent list %d from the store in use: %d schools", snapshot.id, len(consent.schools))
        return consent

    # -- the sweep ----------------------------------------------------------------------------------
    def sweep(self, now: datetime | None = None) -> dict[str, int]:
        """Send the reminders that are due (each once), purge old questions, and forget
        answered events and announcements older than a day and expired drafts; returns
        ``{"reminded": n, "purged": n}`` (questions). ``REQUEST_REMINDER_DAYS`` 0: no reminders."""
        now = now or utc_now()
        done = {"reminded": 0, "purged": 0}
        store = self.store
        if store is None:
            return done
        days = self.settings.request_reminder_days
        if days > 0 and self.bot.consent.unavailable:
            # "still not on the list" cannot be told without a list: remind once there is one
            log.info("reminders wait: the consent list is unavailable")
        elif days > 0:
            try:
                due = store.due_reminders(now, days)
            except StoreError as e:
                log.error("reminders not read: %s", e)
                due = []
            langs = self._langs({r.requested_by for r in due}, now) if due else {}
            for r in due:
                try:
                    if not store.mark_reminded(r.id, now):
                        continue  # another process sent it
                except StoreError as e:
                    log.error("reminder not recorded, none sent: %s", e)
                    break
                lang = langs.get(r.requested_by, "nl")
                try:
                    reminder = self.conversation.reminder(r, lang, now, self.backend)
                except Exception:
                    log.exception("reminder of request %d not made", r.id)
                    continue
                if self._tell(Where(user=r.requested_by), reminder, "reminder"):
                    done["reminded"] += 1
        try:
            done["purged"] = store.purge_questions(self.settings.question_retention_days, now)
        except StoreError as e:
            log.error("old questions not purged: %s", e)
        try:  # answered events and announcements a day old, expired drafts
            store.purge_claims(now=now)
            store.purge_drafts(now=now)
        except StoreError as e:
            log.error("old claims and drafts not purged: %s", e)
        if done["reminded"] or done["purged"]:
            log.info("sweep: %d reminder(s) sent, %d old question(s) purged", done["reminded"], done["purged"])
        return done

    # -- the knowledge base and its review ------------------------------------------------------------
    def review(self, now: datetime | None = None) -> int:
        """Send the admins the weekly review when it is due (each admin in the language of
        their latest question); returns how many DMs went out."""
        try:
            digest = self.conversation.review.weekly(now)
        except StoreError as e:
            log.error("weekly review not made: %s", e)
            return 0
        if digest is None:
            return 0
        admins = self.settings.admin_user_ids
        langs = self._langs(set(admins), now)
        sent = sum(self._tell(Where(user=a), self.conversation.review.offer(
            Reply("review", langs.get(a, "nl"), review=digest)), "review") for a in admins)
        log.info("weekly review (%d item(s)) sent to %d admin(s)", len(digest.items), sent)
        return sent

    def knowledge_tick(self) -> None:
        """Reload an edited knowledge base (in the background; every worker), and send the
        review when due (the leader)."""
        self.bot.check_knowledge()
        if self.leads:
            self.review()

    # -- helpers ------------------------------------------------------------------------------------
    def _tell(self, where: Where, reply: Reply, what: str) -> bool:
        """Send ``reply``; ``False`` (logged) when that fails."""
        try:
            self.backend.send(where, reply)
        except DeliveryFailed:
            return False  # the backend logged why
        except Exception:
            log.exception("%s to %s failed", what, where.user or where.channel)
            return False
        return True

    def _langs(self, users: set[str], now: datetime | None = None) -> dict[str, str]:
        """Each user's language: that of their latest logged question (Dutch when none).
        The request itself records none; the draft is Dutch whatever the user spoke."""
        store = self.store
        if store is None:
            return {}
        try:
            questions = store.questions(since=(now or utc_now()) - timedelta(days=LANG_LOOKBACK_DAYS))
        except StoreError as e:
            log.error("question log not read: %s", e)
            return {}
        langs: dict[str, str] = {}
        for q in reversed(questions):
            if q.user_id in users and q.user_id not in langs:
                langs[q.user_id] = self.bot.faq.detect_lang(q.text)
        return langs

    # -- threads ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the background refresh and the sweep in this process (once), and with a store
        this process's part in electing the leader that runs them; with a shared store also
        the following of the stored list."""
        with self._lock:
            self._start_locked()

    def _start_locked(self) -> None:
        if self._started_pid == os.getpid():
            return
        self._started_pid = os.getpid()
        store = self.store
        if store is not None:
            self.leader = Leader(store).start()  # SQLite: leads at once
        source = self.bot.consent_source
        every = self.settings.consent_refresh_minutes * 60
        if source is not None and source.kind != "sample" and every > 0:
            self._refresher = Periodic(self._background_refresh, every, first_after=min(every, FIRST_REFRESH_AFTER),
                                       name="consent-refresh")
            self._refresher.start()
            log.info("consent list refresh every %g minute(s) from %s%s", every / 60, source.name,
                     " (by the leading worker)" if self.shared else "")
        if self.shared and source is not None and source.kind != "sample":
            self._following = Periodic(self.follow, FOLLOW_EVERY, first_after=0.0, name="consent-follow")
            self._following.start()
        self._sweeper = Periodic(self._background_sweep, SWEEP_EVERY, first_after=FIRST_SWEEP_AFTER,
                                 name="request-sweep")
        self._sweeper.start()
        self._knowledge = Periodic(self.knowledge_tick, KNOWLEDGE_EVERY, first_after=KNOWLEDGE_EVERY,
                                   name="knowledge-tick")
        self._knowledge.start()

    def _background_sweep(self) -> None:
        if self.leads:
            self.sweep()

    def start_when_serving(self) -> None:
        """For gunicorn: start in the process that serves requests. Under ``--preload`` that
        is a forked worker: start there right after the fork, with its own store connection
        (SQLite connections must not cross a fork); else at the first request
        (:meth:`ensure_started`, which the WSGI app calls)."""
        self._serving = True
        if hasattr(os, "register_at_fork"):  # POSIX; elsewhere the first request starts them
            os.register_at_fork(after_in_child=self._after_fork)

    def ensure_started(self) -> None:
        """Start now unless running in this process (cheap; called on every request)."""
        if self._serving and self._started_pid != os.getpid():
            with self._lock:
                if self._started_pid != os.getpid() and os.getpid() != self._built_pid:
                    self._reopen_store()
                self._start_locked()

    def _after_fork(self) -> None:
        if not self._serving or os.getppid() != self._built_pid:
            return  # not a worker of the process that built the app
        self._lock = threading.Lock()  # a lock held at the fork would stay held in the child
        self._news = threading.Lock()
        self._consent_lock = threading.RLock()
        # their threads and the parent's election did not survive the fork
        self._refresher = self._sweeper = self._following = self._knowledge = None
        self.leader = None
        self._reopen_store()
        self.start()

    def _reopen_store(self) -> None:
        old = self.store
        if old is None:
            return
        self._inherited.append(old)  # the parent's connection: never used, never closed here
        self._follower = None  # it asked the old store
        try:
            store: Store | None = Store(old.path)
        except StoreError as e:
            log.error("request tracking and the question log are off: %s", e)
            store = None
        self.conversation.use_store(store)

    def stop(self) -> None:
        """Stop the threads (a refresh under way finishes first) and leave the election."""
        for worker in (self._refresher, self._sweeper, self._following, self._knowledge):
            if worker is not None:
                worker.stop(timeout=5.0)
        self._refresher = self._sweeper = self._following = self._knowledge = None
        if self.leader is not None:
            self.leader.stop()
            self.leader = None
        self._started_pid = None

    def close(self) -> None:
        """Stop, and stop listening to the consent source (an app that is done)."""
        self.stop()
        source = self.bot.consent_source
        if source is not None:
            source.remove_listener(self.on_refresh)
        if self.conversation.refresh_list == self.refresh:
            self.conversation.refresh_list = None
