"""Benchmark the Slack app's first minute: a burst at a fresh process, the same burst warm, memory.

Run from the project's root (needs the test extras: it reuses ``tests/conftest.py``'s fake
Slack Web API and request signing): ``.venv/bin/python bench/bench_cold.py``.

Two apps are served by the ``Procfile``'s ``web:`` command (gunicorn, the same worker
class, workers, threads and ``--preload``; bound to 127.0.0.1 instead of 0.0.0.0) and
pointed at one fake Slack Web API on 127.0.0.1 (``SLACK_API_URL``):

* **bot**: ``bot.slack.http:create_app()`` with the full DUO directory (VO, PO and special
  education from ``../shared/data/schools/``, imported with ``python -m bot schools import``
  into a temporary ``DATA_DIR``) and the fixture consent list, when ``../shared`` exists;
* **baseline**: a minimal Bolt app (:func:`baseline_app`) with one ``/magister`` command
  listener and one ``app_mention`` listener that ack and post a reply.

A burst is 50 signed ``/magister`` slash commands (questions and school lookups) and 50
``app_mention`` events, all released at once. Each app is started, and as soon as its port
accepts a connection (no request before) gets

1. **cold**: one burst at the fresh process;
2. **warm**: the same burst again, four times, in turn with the other app (so that a busy
   moment of a shared machine falls on both alike); the worker has then answered 500
   requests, and its RSS is read (``/proc/<pid>/status``).

Per app it prints the ack latency (the HTTP answer) p50/p99 in ms, the non-200 answers (Bolt
answers 404 when a listener did not ack within 3 s), acks past Slack's 3 s, and the time from
the burst to the last follow-up (the ``response_url`` post of every command, the
``chat.postMessage`` of every mention), with the number missing after 60 s. Targets (issue
10): cold ack p99 < 1 s, no 404, warm ack p99 within 1.5x the baseline's, worker RSS <= 150 MB.

Loopback only; every wait is bounded; the gunicorn processes are stopped at the end.
"""
from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DIRECTORY_FILES = ("vo_vestigingen.csv", "po_vestigingen.csv", "so_sbo_vso_vestigingen.csv")
BURST = 50
"""Slash commands, and as many mentions, in one burst."""
TOTAL = 500
"""Requests the worker has answered when its RSS is read."""
FOLLOW_UP_WAIT = 60.0
"""Seconds a burst's follow-ups may take before the missing ones are counted."""
START_WAIT = 180.0
"""Seconds a process may take to open its port (a FAQ model fit is done before, not here)."""
ACK_LIMIT = 3.0
"""Slack's limit for an answer, in seconds."""

COMMANDS = ("Wat is de deadline?", "school cals college", "Is Studyspace geaccrediteerd?", "school De Meer",
            "Hoe vraag ik toestemming aan?", "school stedelijk gymnasium leiden", "What is the deadline?",
            "school montessori lyceum", "Wat moet ik doen als de school niet op de lijst staat?", "school het plein")
MENTIONS = ("Wat is de deadline?", "heeft het Cals College al toestemming gegeven?", "Is Studyspace geaccrediteerd?",
            "staat De Wissel op de lijst?", "Waarom zie ik geen cijfers van mijn leerling?", "school bonhoeffer",
            "Do I need consent from every school?", "is het Vossius Gymnasium al gekoppeld?")


def baseline_app():
    """The baseline's WSGI app (``gunicorn 'bench_cold:baseline_app()'``): Bolt with one
    ``/magister`` listener (ack, then a reply through ``response_url``) and one
    ``app_mention`` listener (a reply in the thread), aimed at ``SLACK_API_URL``."""
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/magister")
    def command(ack, respond, command):
        ack()
        respond(text=f"Je vroeg: {command['text']}", response_type="ephemeral")

    @app.event("app_mention")
    def mention(event, say):
        say(text=f"Je vroeg: {event['text']}", thread_ts=event["ts"])

    return SlackRequestHandler(app)


def _web_command(port: int, app_spec: str | None) -> list[str]:
    """The ``Procfile``'s ``web:`` line as argv: gunicorn from this venv, bound to
    127.0.0.1:``port``, serving ``app_spec`` (with ``bench/`` on the path) instead of the
    bot when given."""
    line = next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("web:"))
    argv = shlex.split(line[len("web:"):].replace("${PORT:-3000}", str(port)))
    argv = [a.replace("0.0.0.0:", "127.0.0.1:") for a in argv]  # loopback only
    argv[0] = str(Path(sys.executable).with_name(argv[0]))
    if app_spec:
        argv = [*argv[:-1], "--pythonpath", str(ROOT / "bench"), app_spec]
    return argv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float) -> float:
    """Seconds until ``port`` accepts a TCP connection (no HTTP request is sent)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return time.monotonic() - t0
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"port {port} not open after {timeout:.0f} s")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {children}")
    return int(children[0])


def _p(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(q * len(s))) - 1))]


class Burst:
    """One burst's outcome: ack latencies (s), HTTP statuses, follow-up arrival times."""

    def __init__(self, name: str, acks: list[float], statuses: list[int], last_follow_up: float | None, missing: int):
        self.name, self.acks, self.statuses = name, acks, statuses
        self.last_follow_up, self.missing = last_follow_up, missing

    def line(self) -> str:
        non200 = [s for s in self.statuses if s != 200]
        other = sorted(set(non200) - {404})  # -1: no HTTP answer at all
        late = sum(1 for a in self.acks if a > ACK_LIMIT)
        last = f"{self.last_follow_up * 1000:7.0f} ms" if self.last_follow_up is not None else "      -   "
        return (f"{self.name:6} ack p50 {_p(self.acks, .5) * 1000:7.1f} ms p99 {_p(self.acks, .99) * 1000:7.1f} ms | "
                f"non-200 {len(non200):3} (404: {non200.count(404)}{f', other: {other}' if other else ''}) | "
                f">3 s {late:3} | last follow-up {last} (missing {self.missing})")


class Driver:
    """Fires signed Slack requests at one app and waits for their follow-ups on the fake: a
    burst is ``size`` slash commands and as many mentions."""

    def __init__(self, fake, port: int, sign, secret: str, size: int = BURST):
        self.fake, self.sign, self.secret, self.size = fake, sign, secret, size
        self.base_url = f"http://127.0.0.1:{port}"
        self.run = f"{port}"
        self.channel = f"C0RUN{port}"  # one channel per app: its follow-ups are told apart by thread
        self.n = 0

    def _requests(self) -> tuple[list[tuple[bytes, str]], set[str], set[tuple[str, str]]]:
        """A burst's bodies with their content types, and what identifies their follow-ups:
        the response URLs' names and the mentions' ``(channel, thread_ts)``."""
        reqs, names, threads = [], set(), set()
        for i in range(self.size):
            self.n += 1
            name = f"cmd-{self.run}-{self.n}"
            form = {"token": "legacy", "team_id": "T0001", "team_domain": "uil", "channel_id": self.channel,
                    "channel_name": "team", "user_id": f"U0USER{i:03d}", "user_name": "anne", "command": "/magister",
                    "text": COMMANDS[i % len(COMMANDS)], "api_app_id": "A0001",
                    "response_url": self.fake.response_url(name), "trigger_id": f"trigger-{self.n}"}
            reqs.append((urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"))
            names.add(name)
            ts = f"1699999999.{self.n:06d}"
            ev = {"type": "app_mention", "user": f"U0USER{i:03d}", "ts": ts, "channel": self.channel, "event_ts": ts,
                  "text": f"<@{self.fake.BOT_USER}> {MENTIONS[i % len(MENTIONS)]}"}
            body = {"token": "legacy", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
                    "event_id": f"Ev{self.run}x{self.n:06d}", "event_time": int(time.time()),
                    "authorizations": [{"team_id": "T0001", "user_id": self.fake.BOT_USER, "is_bot": True}], "event": ev}
            reqs.append((json.dumps(body).encode(), "application/json"))
            threads.add((self.channel, ts))
        return reqs, names, threads

    def burst(self, label: str) -> Burst:
        """Send one burst (every request released at once from its own thread) and wait,
        at most :data:`FOLLOW_UP_WAIT`, for its follow-ups."""
        import httpx

        reqs, names, threads = self._requests()
        # New connections for every burst, as from Slack's many senders (a kept-alive one that
        # gunicorn closed after its keep-alive time would fail the client, not the app).
        http = httpx.Client(base_url=self.base_url, timeout=30, trust_env=False,
                            limits=httpx.Limits(max_connections=len(reqs), max_keepalive_connections=len(reqs)))
        acks = [0.0] * len(reqs)
        statuses = [0] * len(reqs)
        gate = threading.Barrier(len(reqs) + 1, timeout=30)  # a thread that never arrives breaks it

        def send(i: int) -> None:
            body, ctype = reqs[i]
            ts = str(int(time.time()))
            headers = {"Content-Type": ctype, "X-Slack-Request-Timestamp": ts,
                       "X-Slack-Signature": self.sign(self.secret, ts, body)}
            gate.wait()
            t = time.monotonic()
            try:
                statuses[i] = http.post("/slack/events", content=body, headers=headers).status_code
            except Exception:
                statuses[i] = -1  # no answer at all (timeout, reset)
            acks[i] = time.monotonic() - t

        workers = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(len(reqs))]
        for w in workers:
            w.start()
        gate.wait()
        t0 = time.monotonic()
        for w in workers:
            w.join(60)
        http.close()

        def follow_ups() -> tuple[list, set]:
            calls = [c for c in self.fake.of("response_url", "chat.postMessage")
                     if c.name in names or (c.body.get("channel"), c.body.get("thread_ts")) in threads]
            return calls, {c.name or (c.body.get("channel"), c.body.get("thread_ts")) for c in calls}

        deadline = t0 + FOLLOW_UP_WAIT
        while len(follow_ups()[1]) < len(reqs) and time.monotonic() < deadline:
            time.sleep(0.05)
        calls, answered = follow_ups()
        missing = len(reqs) - len(answered)
        last = max(c.arrived for c in calls) - t0 if calls and not missing else None
        return Burst(label, acks, statuses, last, missing)


class Served:
    """One app under gunicorn: its process, its :class:`Driver`, and what it measured."""

    def __init__(self, name: str, argv: list[str], env: dict, port: int, fake, sign, secret: str, log: Path,
                 size: int = BURST):
        self.name, self.argv = name, argv
        with open(log, "w") as out:
            self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.driver = Driver(fake, port, sign, secret, size)
        try:
            self.started = _wait_port(port, self.proc, START_WAIT)
        except BaseException:
            self.stop()
            raise
        self.cold: Burst | None = None
        self.warm: list[Burst] = []
        self.sent = 0

    def burst(self, label: str) -> Burst:
        b = self.driver.burst(label)
        self.sent += len(b.acks)
        return b

    def rss(self) -> float:
        """The worker's resident set size (MB)."""
        return _rss_mb(_worker_pid(self.proc.pid))

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def _prepare(data_dir: Path) -> tuple[dict, str]:
    """The bot's settings for the run (full directory and fixture list when ``../shared``
    exists), and a line saying what it answers from. The FAQ model is fitted (cached) first,
    so that the cold start measures a start, not a fit."""
    env = {}
    what = []
    consent = SHARED / "consent" / "consent-list.csv"
    if consent.exists():
        env["CONSENT_LIST_PATH"] = str(consent)
        what.append("fixture consent list")
    files = [SHARED / "schools" / f for f in DIRECTORY_FILES if (SHARED / "schools" / f).exists()]
    for f in files:
        subprocess.run([sys.executable, "-m", "bot", "schools", "import", str(f)], cwd=ROOT, check=True,
                       env={**_clean_env(), "DATA_DIR": str(data_dir)}, stdout=subprocess.DEVNULL)
    if files:
        rows = sum(1 for _ in open(data_dir / "schools.csv", encoding="utf-8")) - 1
        what.append(f"DUO directory of {rows} locations")
    else:
        what.append("no directory (../shared/data/schools not found)")
    subprocess.run([sys.executable, "-c", "from bot.faq import FaqModel; from bot.knowledge import load_knowledge; "
                    "FaqModel.for_knowledge(load_knowledge())"], cwd=ROOT, check=True, env=_clean_env())
    return env, ", ".join(what)


def _clean_env() -> dict:
    """This environment without Slack tokens, the bot's settings or proxies (as the tests)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "XDG_CACHE_HOME")
    return {k: os.environ[k] for k in keep if k in os.environ}


WARM_ROUNDS = (TOTAL - 2 * BURST) // (2 * BURST)
"""Warm bursts per app, taken in turn with the other app's so that a busy moment of the
machine falls on both alike; with the cold burst, :data:`TOTAL` requests."""


def _median_burst(name: str, bursts: list[Burst]) -> Burst:
    """The warm bursts as one: every ack; the median time to the last follow-up."""
    lasts = [b.last_follow_up for b in bursts if b.last_follow_up is not None]
    return Burst(name, [a for b in bursts for a in b.acks], [s for b in bursts for s in b.statuses],
                 statistics.median(lasts) if len(lasts) == len(bursts) else None, sum(b.missing for b in bursts))


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import BOT_TOKEN, SIGNING_SECRET, FakeSlack, sign

    fake = FakeSlack()
    apps: list[Served] = []
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        bot_env, what = _prepare(data_dir)
        base_env = {**_clean_env(), "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": fake.url, "PYTHONUNBUFFERED": "1"}
        print(f"bot: {what}; {BURST} slash commands + {BURST} mentions a burst at once; cold once, warm "
              f"{WARM_ROUNDS} times (in turn with the other app); RSS after {TOTAL} requests")
        try:
            for name, spec, env in (("baseline", "bench_cold:baseline_app()", base_env),
                                    ("bot", None, {**base_env, **bot_env, "DATA_DIR": str(data_dir)})):
                port = _free_port()
                app = Served(name, _web_command(port, spec), {**env, "PORT": str(port)}, port, fake, sign,
                             SIGNING_SECRET, Path(tmp) / f"{name}.log")
                apps.append(app)
                app.cold = app.burst("cold")  # the first requests this process sees
            for _ in range(WARM_ROUNDS):
                for app in apps:
                    app.warm.append(app.burst("warm"))
            rss = {app.name: app.rss() for app in apps}
        finally:
            for app in apps:
                app.stop()
            fake.close()
    print("bot command:", shlex.join(apps[1].argv))
    for app in apps:
        warm = _median_burst("warm", app.warm)
        print(f"\n{app.name}: port open after {app.started:.1f} s")
        print("  " + app.cold.line())
        print("  " + warm.line() + " (all warm acks; median last follow-up)")
        print("  warm ack p99 by round: " + ", ".join(f"{_p(b.acks, .99) * 1000:.0f}" for b in app.warm) + " ms")
        print(f"  worker RSS after {app.sent} requests: {rss[app.name]:.0f} MB")
    base, ours = apps
    ratio = _p(_median_burst("", ours.warm).acks, .99) / _p(_median_burst("", base.warm).acks, .99)
    rounds = [_p(o.acks, .99) / _p(b.acks, .99) for o, b in zip(ours.warm, base.warm)]
    cold99 = _p(ours.cold.acks, .99)
    n404 = sum(1 for b in [ours.cold, *ours.warm] for s in b.statuses if s == 404)
    print(f"\ntargets: cold ack p99 {cold99 * 1000:.0f} ms (< 1000: {'ok' if cold99 < 1 else 'MISSED'}), "
          f"404s {n404} ({'ok' if not n404 else 'MISSED'}), warm ack p99 {ratio:.2f}x baseline's "
          f"(per round {', '.join(f'{r:.2f}' for r in rounds)}; <= 1.5: {'ok' if ratio <= 1.5 else 'MISSED'}), "
          f"worker RSS {rss['bot']:.0f} MB (<= 150: {'ok' if rss['bot'] <= 150 else 'MISSED'})")


if __name__ == "__main__":
    main()
