"""Keep the consent list current: fetch it from its source, validate it, keep the last good copy.

The source is, in this order, ``CONSENT_LIST_URL`` (fetched with httpx), ``CONSENT_LIST_PATH``
(a local file) or the bundled example list. :class:`ConsentSource` owns the list in use:

* :meth:`ConsentSource.start` gives the list to start from without waiting on the network when
  it can: the URL's last good copy in ``DATA_DIR`` (``consent-cache.json``), else a first fetch
  (one attempt), else ``CONSENT_LIST_PATH`` when that is set too, with the error saying why.
  A configured URL is never replaced by the made-up example: with no good copy and no file,
  the list in use is an empty stand-in marked ``unavailable`` (lookups must give no verdict)
  until a refresh succeeds.
* :meth:`ConsentSource.refresh` fetches (conditionally: ``If-None-Match`` / ``If-Modified-Since``),
  parses and validates. A list with no valid row, or one that drops more than ``max_drop`` of
  the current list's schools, is refused; any failure keeps the current list in use, marked
  with the error. A good new list is saved atomically (write, fsync, rename) before it is used.
  Thread-safe: one refresh at a time; lookups never wait for it.
* Listeners (:meth:`ConsentSource.add_listener`) get every :class:`RefreshResult`;
  :func:`on_added` turns an announce callback into one. :class:`Refresher` runs
  :meth:`~ConsentSource.refresh` on a background thread every so many minutes.

``python -m bot consent refresh|status|diff`` (``bot/cli.py``) is the command-line face of this.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit, urlunsplit

from . import consentlist
from .consentlist import ConsentList, School
from .errors import ConsentListError
from .fileio import atomic_write
from .periodic import Periodic

if TYPE_CHECKING:
    import httpx  # imported where a fetch needs it: start-up without a URL does without (~20 ms)

log = logging.getLogger(__name__)
if logging.getLogger("httpx").level == logging.NOTSET:
    # httpx logs every request URL at INFO; a list URL may carry a secret in its query string.
    logging.getLogger("httpx").setLevel(logging.WARNING)

CACHE_FILE = "consent-cache.json"
STATUS_FILE = "consent-status.json"
CACHE_FORMAT = "magister-consent-cache/1"
USER_AGENT = "magister-koppeling-bot (consent list refresh)"
ACCEPT = "text/csv, application/json, application/yaml, text/plain;q=0.8, */*;q=0.5"
_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".txt": "csv"}


class FetchError(ConsentListError):
    """The list could not be fetched (network, HTTP status, size, redirects); one line."""


@dataclass(frozen=True)
class FetchPolicy:
    """How :func:`fetch` treats the network. Times in seconds, sizes in bytes.

    ``connect_timeout`` and ``read_timeout`` go to httpx (read: the longest wait for the next
    bytes); ``total_timeout`` bounds one attempt's whole download (a server that trickles
    bytes never trips a read timeout). ``attempts`` tries in all, on timeouts, connection
    errors, truncated bodies, 429 and 5xx, waiting ``backoff`` seconds, doubled each time, at
    most ``max_backoff`` (a ``Retry-After`` in seconds is honoured up to that). Redirects are
    followed up to ``max_redirects``; a body larger than ``max_bytes`` is refused.
    """

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    attempts: int = 3
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_redirects: int = 5
    max_bytes: int = 20 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    """One HTTP answer: ``body`` (``None`` for 304 Not Modified), its validators as sent by the
    server (``etag``, ``last_modified``, ``""`` when absent), ``content_type`` and the final
    ``url`` after redirects."""

    body: bytes | None
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    url: str = ""


class _Retry(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def display_url(url: str) -> str:
    """``url`` fit to show and log: no user info, no query string or fragment (they may carry
    a secret). ``"https://u:p@x.nl/l.csv?key=1"`` -> ``"https://x.nl/l.csv"``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def short_url(url: str) -> str:
    """What replies call a list at ``url``: its host and the last part of its path, no user
    info, query or fragment. ``"https://u:p@x.nl/a/b/l.csv?key=1"`` -> ``"x.nl/l.csv"``."""
    shown = display_url(url)
    host = urlsplit(shown).netloc
    last = urlsplit(shown).path.rstrip("/").rsplit("/", 1)[-1]
    return f"{host}/{last}" if last else host


def fetch(url: str, *, token: str = "", etag: str = "", last_modified: str = "",
          policy: FetchPolicy = FetchPolicy(), transport: httpx.BaseTransport | None = None,
          sleep: Callable[[float], None] = time.sleep) -> Fetched:
    """GET ``url`` under ``policy``; a 304 when ``etag``/``last_modified`` still hold.

    ``token`` goes as ``Authorization: Bearer …`` (httpx drops it on a redirect to another
    origin). The body is read as a stream and given up past ``policy.max_bytes``. Raises
    :class:`FetchError` with a one-line reason (HTTP status, timeout, too large, too many
    redirects, a body cut off) once the attempts are spent; never another exception.
    """
    import httpx

    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    shown = display_url(url)
    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    try:
        client = httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=policy.max_redirects,
                              headers=headers, transport=transport)
    except (httpx.HTTPError, ValueError) as e:
        raise FetchError(f"{shown}: {e}") from None
    with client:
        for attempt in range(1, max(policy.attempts, 1) + 1):
            try:
                return _get_once(client, url, policy)
            except _Retry as e:
                if attempt >= policy.attempts:
                    more = f" (after {attempt} attempts)" if attempt > 1 else ""
                    raise FetchError(f"{shown}: {e}{more}") from None
                delay = min(policy.backoff * 2 ** (attempt - 1), policy.max_backoff)
                if e.retry_after is not None:
                    delay = min(max(delay, e.retry_after), policy.max_backoff)
                log.info("consent list %s: %s; trying again in %.1f s", shown, e, delay)
                sleep(delay)
            except FetchError as e:
                raise FetchError(f"{shown}: {e}") from None
    raise AssertionError("unreachable")


def _get_once(client: httpx.Client, url: str, policy: FetchPolicy) -> Fetched:
    import httpx

    started = time.monotonic()
    try:
        with client.stream("GET", url) as r:
            code = r.status_code
            if code == 304:
                return Fetched(None, r.headers.get("ETag", ""), r.headers.get("Last-Modified", ""), url=str(r.url))
            if code == 429 or code >= 500:
                after = r.headers.get("Retry-After", "")
                raise _Retry(f"HTTP {code} {r.reason_phrase}".strip(), float(after) if after.isdigit() else None)
            if code != 200:
                hint = " (check CONSENT_LIST_TOKEN)" if code in (401, 403) else ""
                raise FetchError(f"HTTP {code} {r.reason_phrase}{hint}".strip())
            length = r.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > policy.max_bytes:
                raise FetchError(f"the list is {int(length):,} bytes, more than the limit of {policy.max_bytes:,}")
            body = bytearray()
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > policy.max_bytes:
                    raise FetchError(f"the list is larger than the limit of {policy.max_bytes:,} bytes")
                if time.monotonic() - started > policy.total_timeout:
                    raise _Retry(f"the download took longer than {policy.total_timeout:g} s")
            return Fetched(bytes(body), r.headers.get("ETag", ""), r.headers.get("Last-Modified", ""),
                           r.headers.get("Content-Type", ""), str(r.url))
    except httpx.TooManyRedirects:
        raise FetchError(f"more than {policy.max_redirects} redirects") from None
    except httpx.TimeoutException as e:
        raise _Retry(f"timed out ({type(e).__name__})") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError) as e:
        raise FetchError(str(e) or type(e).__name__) from None
    except httpx.RemoteProtocolError as e:
        raise _Retry(f"the connection broke off: {str(e)[:120] or type(e).__name__}") from None
    except httpx.TransportError as e:
        raise _Retry(f"cannot connect: {str(e)[:120] or type(e).__name__}") from None
    except httpx.HTTPError as e:
        raise FetchError(f"{type(e).__name__}: {str(e)[:120]}") from None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(t: datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t else None


def _time(value: Any) -> datetime | None:
    try:
        t = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class CachedList:
    """The last good list fetched from a URL, as kept in ``DATA_DIR/consent-cache.json``.

    ``source`` is the URL as configured (it may hold a secret: the file is not shown to
    users), ``fetched_at`` when it was fetched, ``etag`` / ``last_modified`` the server's
    validators, ``sha256`` of the body as fetched, ``fmt`` the format it was parsed as and
    ``text`` the body (decoded).
    """

    source: str
    fetched_at: datetime
    text: str
    fmt: str | None = None
    etag: str = ""
    last_modified: str = ""
    sha256: str = ""
    content_type: str = ""

    def to_bytes(self) -> bytes:
        """The cache file's content (JSON, UTF-8)."""
        return json.dumps({"format": CACHE_FORMAT, "source": self.source, "fetched_at": _iso(self.fetched_at),
                           "etag": self.etag, "last_modified": self.last_modified, "sha256": self.sha256,
                           "content_type": self.content_type, "fmt": self.fmt, "body": self.text},
                          ensure_ascii=False).encode("utf-8")

    @classmethod
    def read(cls, path: Path) -> "CachedList":
        """Read a cache file. Raises :class:`ConsentListError` when it is missing or broken."""
        try:
            obj = json.loads(path.read_bytes().decode("utf-8"))
        except OSError as e:
            raise ConsentListError(f"cache {path}: {e.strerror or e}") from None
        except ValueError as e:
            raise ConsentListError(f"cache {path}: not a cache file ({str(e)[:80]})") from None
        if not isinstance(obj, dict) or obj.get("format") != CACHE_FORMAT or not isinstance(obj.get("body"), str):
            raise ConsentListError(f"cache {path}: not a {CACHE_FORMAT} file")
        fetched = _time(obj.get("fetched_at"))
        if fetched is None:
            raise ConsentListError(f"cache {path}: no fetch time")
        return cls(str(obj.get("source", "")), fetched, obj["body"], obj.get("fmt") or None, str(obj.get("etag") or ""),
                   str(obj.get("last_modified") or ""), str(obj.get("sha256") or ""), str(obj.get("content_type") or ""))

    def parse(self, source: str) -> ConsentList:
        """The list, named ``source``, as of its fetch time."""
        return replace(consentlist.parse(self.text, source=source, fmt=self.fmt), source=source, as_of=self.fetched_at)


def read_list(path: Path | str) -> ConsentList:
    """A consent list from a file: a list (CSV, JSON, YAML) or a ``consent-cache.json``.
    Raises :class:`ConsentListError`."""
    p = Path(path)
    if p.suffix == ".json":
        try:
            head = p.open("rb").read(200)
        except OSError as e:
            raise ConsentListError(f"consent list {p}: {e.strerror or e}") from None
        if CACHE_FORMAT.encode() in head:
            cached = CachedList.read(p)
            return cached.parse(f"{display_url(cached.source)} (cache {p})")
    return consentlist.load(p)


# -- results ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RefreshResult:
    """What one :meth:`ConsentSource.refresh` did.

    ``status``: ``"updated"`` (a new list is in use), ``"unchanged"`` (304, the same bytes or
    the same file), ``"refused"`` (fetched, but unusable: not a list, no valid row, or too many
    schools dropped), ``"failed"`` (not fetched: network, HTTP status, size) or ``"no_source"``
    (the bundled example, nothing to refresh). ``consent`` is the list in use afterwards
    (after a failure, the previous one, carrying ``error``). ``added`` / ``removed`` compare it
    with the list before; ``same_source`` says that list came from the same source (so the
    differences are news, not a first load). ``faults`` are the rows skipped in the fetched
    list (``"row N: reason"``), ``warnings`` the rows kept with a flaw (the same way), ``error``
    a one-line reason for refused/failed (or a warning, e.g. the copy on disk could not be written);
    ``renamed`` the (old, new) pairs of schools that are the same school under another name
    (:func:`bot.consentlist.diff`: never announced as new, never counted as dropped).
    """

    status: str
    consent: ConsentList
    added: tuple[School, ...] = ()
    removed: tuple[School, ...] = ()
    same_source: bool = False
    faults: tuple[str, ...] = ()
    error: str = ""
    at: datetime = field(default_factory=_now)
    warnings: tuple[str, ...] = ()
    renamed: tuple[tuple[School, School], ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the source answered with a usable list (updated, unchanged or no source)."""
        return self.status in ("updated", "unchanged", "no_source")

    def to_json(self) -> dict[str, Any]:
        """``{"status", "error", "at", "added": [school], "removed": [school], "renamed": [{old, new}],
        "faults", "warnings", "list": info}``."""
        return {"status": self.status, "error": self.error or None, "at": _iso(self.at),
                "added": [s.to_json() for s in self.added], "removed": [s.to_json() for s in self.removed],
                "renamed": [{"old": a.to_json(), "new": b.to_json()} for a, b in self.renamed],
                "faults": list(self.faults), "warnings": list(self.warnings), "list": self.consent.info()}


Listener = Callable[[RefreshResult], None]


def on_added(announce: Callable[[tuple[School, ...]], None]) -> Listener:
    """A listener that calls ``announce(schools)`` when a refresh adds schools to a list from
    the same source (never for the first load, nor for a refused or failed refresh)."""
    def listener(result: RefreshResult) -> None:
        if result.status == "updated" and result.same_source and result.added:
            announce(result.added)
    return listener


class ConsentSource:
    """The consent list's source and the list in use; see the module docstring.

    ``url`` (with ``token``), else ``path``, else the bundled example. ``data_dir`` holds the
    URL's last good copy and the status of the last refresh. ``max_drop`` (0..1) is the
    largest share of the current list's schools a new list may drop; ``stale_days`` the age
    past which replies flag the list as stale (``None``: never). ``policy`` and ``transport``
    go to :func:`fetch`. ``label`` (``CONSENT_LIST_NAME``) is what replies call the list from
    this source (default: the file's name, or the URL's host and file).
    """

    def __init__(self, *, url: str = "", token: str = "", path: Path | str | None = None,
                 data_dir: Path | str = Path("data"), max_drop: float = 0.2, stale_days: float | None = 14.0,
                 policy: FetchPolicy = FetchPolicy(), transport: httpx.BaseTransport | None = None,
                 label: str = ""):
        self.url = url
        self.token = token
        self.path = Path(path) if path else None
        self.data_dir = Path(data_dir)
        self.max_drop = max_drop
        self.stale_days = stale_days
        self.policy = policy
        self.transport = transport
        self.kind = "url" if url else "path" if self.path else "sample"
        self.name = display_url(url) if url else str(self.path) if self.path else "knowledge/consent-voorbeeld.yaml"
        self.label = label if self.kind != "sample" else ""  # the example list keeps its own name
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._consent: ConsentList | None = None
        self._cached: CachedList | None = None  # validators of the list in use, when it is this URL's
        self._file_sig: tuple[int, int] | None = None
        self._state: dict[str, Any] = {}  # checked_at, result, error, error_at, confirmed_at

    @classmethod
    def from_settings(cls, settings: Any, **kwargs: Any) -> "ConsentSource":
        """A source as :class:`~bot.config.Settings` name it (``kwargs`` override, e.g. ``policy``)."""
        args = dict(url=settings.consent_list_url, token=settings.consent_list_token,
                    path=settings.consent_list_path, data_dir=settings.data_dir,
                    max_drop=settings.consent_max_drop, stale_days=settings.consent_stale_days or None,
                    label=settings.consent_list_name)
        args.update(kwargs)
        return cls(**args)

    @property
    def cache_path(self) -> Path:
        """Where the URL's last good copy is kept."""
        return self.data_dir / CACHE_FILE

    @property
    def status_path(self) -> Path:
        """Where the outcome of the last refresh is kept."""
        return self.data_dir / STATUS_FILE

    @property
    def current(self) -> ConsentList:
        """The list in use (:meth:`start` first)."""
        if self._consent is None:
            raise ConsentListError("consent source not started")
        return self._consent

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(result)`` after every refresh, on the refreshing thread, in order.

        A listener must not call :meth:`refresh` itself; its exceptions are logged, not raised.
        """
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener`` (no error when it was not added)."""
        try:
            self._listeners.remove(listener)
        except ValueError:
            pass

    # -- start-up -----------------------------------------------------------------------
    def start(self, *, fetch_missing: bool = True) -> ConsentList:
        """The list to start from.

        URL: its last good copy from ``data_dir`` (no network); with none, one fetch attempt
        now when ``fetch_missing`` (else none); when that gives no list either, ``path`` when
        set, else the ``unavailable`` stand-in (no schools; never the example), with the error
        saying why. Path: the file (raises :class:`ConsentListError` when unusable: there is
        no other copy to fall back on). Neither: the bundled example.
        """
        first_fetch = False
        with self._lock:
            if self.kind == "path":
                self._consent = self._stamp(self._read_path())
            elif self.kind == "sample":
                self._consent = self._stamp(consentlist.load())
            else:
                self._state = self._read_state()
                self._consent = self._from_cache()
                if self._consent is None:
                    last = self._state.get("error", "")
                    if last.startswith(f"{self.name}: "):  # a fetch error names the URL already
                        last = last[len(self.name) + 2:]
                    self._consent = self._fallback(f"no good copy yet: {last}" if last else "not fetched yet")
                    first_fetch = fetch_missing
        if first_fetch:
            # One attempt: start-up must not hang on retries; the background refresh and
            # `consent refresh` try again with the full policy. Not logged: the list's error
            # says it, and the caller words it (the CLI's one error line, the Slack app's log).
            self._refresh(False, replace(self.policy, attempts=1), quiet=True)
        return self.current

    def _stamp(self, consent: ConsentList, error: str = "") -> ConsentList:
        return replace(consent, stale_after_days=self.stale_days, error=error, name=self.label or consent.name)

    def _fallback(self, error: str) -> ConsentList:
        """``path`` when set (the reply names that file), else the unavailable stand-in."""
        if self.path:
            return self._stamp(consentlist.load(self.path), f"{self.name}: {error}")
        return self._stamp(consentlist.unavailable(self.name, ""), f"{self.name}: {error}")

    def _from_cache(self) -> ConsentList | None:
        if not self.cache_path.exists():
            return None
        try:
            cached = CachedList.read(self.cache_path)
            if cached.source != self.url:
                log.warning("%s holds the list of another URL; not used", self.cache_path)
                return None
            consent = replace(cached.parse(self.name), name=short_url(self.url))
        except ConsentListError as e:
            log.error("consent list cache unusable: %s", e)
            self._state["error"] = str(e)
            return None
        self._cached = cached
        confirmed = _time(self._state.get("confirmed_at"))
        if confirmed and self._state.get("sha256") == cached.sha256 and confirmed > cached.fetched_at:
            consent = replace(consent, as_of=confirmed)
        error = self._state.get("error", "") if self._state.get("result") in ("failed", "refused") else ""
        return self._stamp(consent, error)

    def _read_state(self) -> dict[str, Any]:
        try:
            obj = json.loads(self.status_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return obj if isinstance(obj, dict) and obj.get("source") == self.url else {}

    def _read_path(self) -> ConsentList:
        assert self.path is not None
        consent = consentlist.load(self.path)
        try:
            st = self.path.stat()
            self._file_sig = (st.st_mtime_ns, st.st_size)
        except OSError:
            self._file_sig = None
        return consent

    # -- refresh ------------------------------------------------------------------------
    def refresh(self, *, force: bool = False) -> RefreshResult:
        """Fetch the list again and use it when it is good; see the module docstring.

        ``force`` accepts a list that drops more than ``max_drop`` (an intended clean-up);
        an empty or unreadable list is refused all the same. Never raises for a bad source:
        the result says what happened, and the list in use stays a good one.
        """
        return self._refresh(force, self.policy)

    def _refresh(self, force: bool, policy: FetchPolicy, quiet: bool = False) -> RefreshResult:
        with self._lock:
            if self._consent is None:
                raise ConsentListError("consent source not started")
            prev = self._consent
            try:
                if self.kind == "url":
                    result = self._refresh_url(prev, force, policy)
                elif self.kind == "path":
                    result = self._refresh_path(prev, force)
                else:
                    result = RefreshResult("no_source", prev)
            except FetchError as e:
                result = RefreshResult("failed", self._stamp(prev, str(e)), error=str(e))
            except ConsentListError as e:
                result = RefreshResult("refused", self._stamp(prev, str(e)), error=str(e))
            if result.status in ("failed", "refused") and not quiet:
                log.warning("consent list not refreshed (%s): %s", result.status, result.error)
            self._consent = result.consent
            self._record(result)
            for listener in self._listeners:
                try:
                    listener(result)
                except Exception:  # an announcement that fails must not undo the refresh
                    log.exception("consent list listener failed")
            return result

    def _refresh_url(self, prev: ConsentList, force: bool, policy: FetchPolicy) -> RefreshResult:
        cached = self._cached
        got = fetch(self.url, token=self.token, etag=cached.etag if cached else "",
                    last_modified=cached.last_modified if cached else "", policy=policy,
                    transport=self.transport)
        now = _now()
        if got.body is None:
            if cached is None:
                raise FetchError(f"{self.name}: 304 Not Modified, but there is no copy of the list here")
            return RefreshResult("unchanged", self._stamp(replace(prev, as_of=now)), same_source=True, at=now)
        digest = hashlib.sha256(got.body).hexdigest()
        if cached and digest == cached.sha256:
            if (got.etag, got.last_modified) != (cached.etag, cached.last_modified):
                self._cached = replace(cached, etag=got.etag, last_modified=got.last_modified)
                self._save(self._cached)
            return RefreshResult("unchanged", self._stamp(replace(prev, as_of=now)), same_source=True, at=now)
        fmt = _format(got.url or self.url, got.content_type)
        text = consentlist.decode(got.body)
        new = replace(consentlist.parse(text, source=self.name, fmt=fmt), source=self.name, as_of=now,
                      name=short_url(self.url))
        same = cached is not None
        changes = self._check(prev, new, same, force)
        entry = CachedList(self.url, now, text, fmt, got.etag, got.last_modified, digest, got.content_type)
        warning = self._save(entry)
        self._cached = entry
        return RefreshResult("updated", self._stamp(new, warning), changes.added, changes.removed, same,
                             new.faults, warning, at=now, warnings=new.warnings, renamed=changes.renamed)

    def _refresh_path(self, prev: ConsentList, force: bool) -> RefreshResult:
        assert self.path is not None
        try:
            st = self.path.stat()
        except OSError as e:
            raise FetchError(f"consent list {self.path}: {e.strerror or e}") from None
        if not force and self._file_sig == (st.st_mtime_ns, st.st_size):
            return RefreshResult("unchanged", self._stamp(prev), same_source=True)
        old_sig = self._file_sig
        new = self._read_path()
        try:
            changes = self._check(prev, new, True, force)
        except ConsentListError:
            self._file_sig = old_sig  # look again next time, the file may be mended
            raise
        return RefreshResult("updated", self._stamp(new), changes.added, changes.removed, True, new.faults,
                             warnings=new.warnings, renamed=changes.renamed)

    def _check(self, prev: ConsentList, new: ConsentList, same_source: bool, force: bool) -> consentlist.ListDiff:
        """Refuse a list that drops too much of the previous list from the same source."""
        changes = consentlist.diff(prev, new)
        share = changes.dropped_share()
        if same_source and not prev.example and not force and share > self.max_drop:
            old = changes.kept + len(changes.removed)
            raise ConsentListError(
                f"{self.name}: the new list drops {len(changes.removed)} of {old} schools ({share:.0%}), more than "
                f"the {self.max_drop:.0%} allowed; the current list stays in use (to accept it: "
                f"python -m bot consent refresh --force)")
        return changes

    def _save(self, entry: CachedList) -> str:
        """Keep ``entry`` on disk; a warning when that fails (the list is good all the same)."""
        try:
            atomic_write(self.cache_path, entry.to_bytes())
        except OSError as e:
            log.error("cannot keep the consent list in %s: %s", self.cache_path, e)
            return f"the list is in use but could not be saved in {self.cache_path}: {e.strerror or e}"
        return ""

    def _record(self, result: RefreshResult) -> None:
        state = dict(self._state)
        state.update(source=self.url, checked_at=_iso(result.at), result=result.status)
        if result.status in ("updated", "unchanged"):
            state["confirmed_at"] = _iso(result.at)
            state["sha256"] = self._cached.sha256 if self._cached else ""
        if result.status in ("failed", "refused"):
            state.update(error=result.error, error_at=_iso(result.at))
        self._state = state
        if self.kind == "url":
            try:
                atomic_write(self.status_path, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))
            except OSError as e:
                log.error("cannot write %s: %s", self.status_path, e)

    # -- sharing the list with other workers ---------------------------------------------
    def snapshot(self) -> CachedList | None:
        """The list in use as a :class:`CachedList`, to store for other workers: the URL's last
        good copy (with its validators), or a file's text as it is now; ``None`` for the example,
        an unavailable list, or a file that cannot be read (logged)."""
        with self._lock:
            if self.kind == "url":
                return self._cached if self._cached is not None and not self.current.unavailable else None
            if self.kind != "path":
                return None
            assert self.path is not None
            try:
                data = self.path.read_bytes()
            except OSError as e:
                log.error("consent list %s not shared: %s", self.path, e.strerror or e)
                return None
            return CachedList(str(self.path), self.current.as_of or _now(), consentlist.decode(data),
                              _FORMATS.get(self.path.suffix.lower()), sha256=hashlib.sha256(data).hexdigest())

    def adopt(self, cached: CachedList, *, confirmed_at: datetime, checked_at: datetime | None = None,
              error: str = "") -> ConsentList:
        """Use ``cached``, a list another worker fetched and stored (:meth:`snapshot`), as the
        list in use: no fetch, no listener called, nothing written to ``data_dir``. It is as of
        ``confirmed_at`` and carries ``error`` (the last check's, ``""`` when it worked); the
        next conditional fetch starts from its validators, and a refresh compares with it (so
        what another worker announced is not new here). The same bytes as the list in use only
        update its time and error. Returns the list now in use. Raises
        :class:`ConsentListError` when the body does not parse (the list in use stays)."""
        with self._lock:
            same = self._cached is not None and bool(cached.sha256) and cached.sha256 == self._cached.sha256
            if same and self._consent is not None and not self._consent.unavailable:
                consent = replace(self._consent, as_of=confirmed_at)
            elif self.kind == "path":
                assert self.path is not None
                parsed = consentlist.parse(cached.text, source=str(self.path), fmt=cached.fmt)
                consent = replace(parsed, name=self.path.name) if parsed.source == str(self.path) else parsed
                consent = replace(consent, as_of=confirmed_at)
            else:
                consent = replace(cached.parse(self.name), name=short_url(self.url), as_of=confirmed_at)
            self._cached = cached
            self._consent = self._stamp(consent, error)
            checked = _iso(checked_at or confirmed_at)
            result = "failed" if error else self._state.get("result", "unchanged") if same else "updated"
            self._state = {**self._state, "source": self.url, "checked_at": checked, "result": result,
                           "confirmed_at": _iso(confirmed_at), "sha256": cached.sha256,
                           **({"error": error, "error_at": checked} if error else {})}
            return self._consent

    # -- status -------------------------------------------------------------------------
    def status(self, now: datetime | None = None) -> dict[str, Any]:
        """Where the list comes from and how it stands, for ``consent status``:

        ``source`` (the configured source), ``kind`` (``url``/``path``/``sample``), ``list``
        (:meth:`ConsentList.info` of the list in use, whose ``source`` differs when a fallback is
        in use, and which has ``unavailable`` when there is no good list), ``rows``,
        ``rows_skipped`` and ``faults`` (the rows skipped, ``"row N: reason"``), ``rows_warned``
        and ``warnings`` (rows kept with a flaw), ``checked_at`` / ``result`` (the last refresh),
        ``last_error`` / ``last_error_at`` (the last failure, even when a later refresh worked),
        ``cache`` (the file holding the last good copy, or ``None``).
        """
        consent = self.current
        s = self._state
        return {"source": self.name, "kind": self.kind, "list": consent.info(now), "rows": len(consent.schools),
                "rows_skipped": len(consent.faults), "faults": list(consent.faults),
                "rows_warned": len(consent.warnings), "warnings": list(consent.warnings),
                "checked_at": s.get("checked_at"), "result": s.get("result"),
                "last_error": s.get("error"), "last_error_at": s.get("error_at"),
                "cache": str(self.cache_path) if self.kind == "url" and self.cache_path.exists() else None}


def _format(url: str, content_type: str) -> str | None:
    """The list's format from the URL's extension, else ``yaml`` when the Content-Type says
    so, else ``None`` (the parser sniffs JSON from a leading ``[``/``{``; the rest is CSV)."""
    fmt = _FORMATS.get(Path(urlsplit(url).path).suffix.lower())
    if fmt:
        return fmt
    return "yaml" if "yaml" in content_type.lower() else None


class Refresher(Periodic):
    """:class:`Periodic` ``source.refresh()``: the background refresh of the consent list."""

    def __init__(self, source: ConsentSource, every: float, *, first_after: float = 0.0):
        super().__init__(source.refresh, every, first_after=first_after, name="consent-refresh")
        self.source = source
