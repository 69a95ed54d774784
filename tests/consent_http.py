"""A real HTTP server on 127.0.0.1:0 for the consent list tests (and bench/bench_consent.py).

``ListServer`` serves whatever the test sets for a path: a fixed answer, or a list of answers
taken one per request (the last one repeats). An answer is an :class:`Answer`: status, headers,
body, and misbehaviour on request (a delay before the headers, a body cut short, a body sent in
chunks without a length, a wait on an event). Every request is recorded (path and headers);
``on_request(handler)``, when set, is called with each request's handler first, while the
client's connection is open (e.g. to find which process made it).
"""
from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
                   "NO_PROXY", "no_proxy")


@dataclass
class Answer:
    """One response. ``delay``: seconds before the status line; ``cut``: send only this many
    bytes of ``body`` while announcing its full length; ``chunked``: no Content-Length, the
    body in chunks; ``wait``: an event to wait for before answering; ``etag_304``: answer 304
    when the request's If-None-Match equals this."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    cut: int | None = None
    chunked: bool = False
    wait: threading.Event | None = None
    etag_304: str | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        server: ListServer = self.server.owner  # type: ignore[attr-defined]
        if server.on_request is not None:
            server.on_request(self)
        with server.arrived:
            server.requests.append((self.path, dict(self.headers)))
            server.arrived.notify_all()
        a = server.next_answer(self.path)
        if a.wait is not None:
            a.wait.wait(10)
        if a.delay:
            time.sleep(a.delay)
        if a.etag_304 is not None and self.headers.get("If-None-Match") == a.etag_304:
            self.send_response(304)
            self.send_header("ETag", a.etag_304)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(a.status)
        for k, v in a.headers.items():
            self.send_header(k, v)
        if a.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(a.body), 65536):
                part = a.body[i:i + 65536]
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(a.body)))
        self.end_headers()
        if a.cut is not None:
            self.wfile.write(a.body[:a.cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(a.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client that closes a kept-alive connection with an answer's body unread (a 503's,
        # say) resets it. That is the client's right, and socketserver would print the
        # traceback to sys.stderr: in a test of the command line, into the command's own stderr.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class ListServer:
    """``with ListServer() as srv: srv.set("/list.csv", Answer(body=b"…")); srv.url("/list.csv")``."""

    def __init__(self):
        self._answers: dict[str, list[Answer]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.on_request: Callable[[BaseHTTPRequestHandler], None] | None = None
        self.arrived = threading.Condition()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "ListServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and free the port."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    def set(self, path: str, *answers: Answer) -> None:
        """Answer requests for ``path`` with ``answers`` in turn (the last one repeats)."""
        self._answers[path] = list(answers)

    def next_answer(self, path: str) -> Answer:
        queue = self._answers.get(path.split("?")[0])
        if not queue:
            return Answer(404, b"not found")
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def count(self, path: str) -> int:
        """How many requests ``path`` got."""
        with self.arrived:
            return sum(1 for p, _ in self.requests if p.split("?")[0] == path)

    def wait_count(self, path: str, n: int, timeout: float = 10.0) -> int:
        """Block until ``path`` got at least ``n`` requests (or ``timeout`` passed); returns the count."""
        with self.arrived:
            self.arrived.wait_for(lambda: sum(1 for p, _ in self.requests if p.split("?")[0] == path) >= n, timeout)
        return self.count(path)
