"""`syndicate serve`: the pre-ingest hook over HTTP, so an ingest system pays start-up once.

Contract:

* ``POST /check`` with one article as a JSON object (the fields of a JSONL line: ``id``, ``text``,
  ``title``, ``outlet``, ``date``, ``url``) → 200 and the verdict JSON (as ``syndicate check
  --format json`` prints it);
* ``POST /check?add=true`` adds the article when it is new, atomically with the check;
* ``GET /health`` → 200 ``{"status": "ok"}`` while the index answers, 503 when it does not;
* a malformed body → 400 with ``{"error": "..."}``; an index that fails → 503 with ``{"error": ...}``;
  never a traceback.

Built on the standard library's ``ThreadingHTTPServer`` with HTTP/1.1 keep-alive: a verdict costs
milliseconds and the server's job is to keep one ``Index`` open, so a framework would add a
dependency and its import time without adding anything a hook needs. Requests are answered
by one thread each; the index is used by one at a time (a lock), which on a 2-core machine costs
nothing and keeps one SQLite connection or Redis client for the whole server.
"""

from __future__ import annotations

import json
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .errors import InputError, SyndicateError
from .index import IdConflictError, Index, IndexStoreError
from .read import ReaderOptions, record_to_article

_SOURCE = "request body"


class HookServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that owns the open index the handlers check against."""

    daemon_threads = True

    def __init__(self, index: Index, address: tuple[str, int], options: ReaderOptions | None = None) -> None:
        super().__init__(address, _Handler)
        self.index = index
        self.options = options or ReaderOptions()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms wait on the client's delayed ACK
    server: HookServer

    def do_GET(self) -> None:
        if urlsplit(self.path).path != "/health":
            self._reply(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint: GET {self.path}"})
            return
        try:
            with self.server.lock:
                articles = len(self.server.index)
        except SyndicateError as error:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "error", "error": str(error)})
            return
        self._reply(HTTPStatus.OK, {"status": "ok", "articles": articles})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/check":
            self._discard_body()
            self._reply(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint: POST {url.path}"})
            return
        try:
            record = self._json_body()  # read whole first: the connection stays usable whatever the answer
            add = _flag(parse_qs(url.query).get("add", ["false"])[-1])
            article = record_to_article(record, _SOURCE, None, self.server.options, fallback_id="request")
        except InputError as error:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": str(error)})
            return
        try:
            with self.server.lock:
                verdict = self.server.index.check_and_add(article) if add else self.server.index.check(article)
        except IdConflictError as error:
            self._reply(HTTPStatus.CONFLICT, {"id": article.id, "verdict": "error", "error": str(error)})
            return
        except IndexStoreError as error:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"id": article.id, "verdict": "error", "error": str(error)})
            return
        self._reply(HTTPStatus.OK, verdict.to_dict())

    def _json_body(self) -> object:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self.close_connection = True
            raise InputError(_SOURCE, "a Content-Length header is required")
        size = int(length)
        if size > self.server.options.max_article_bytes * 2:
            self.close_connection = True
            raise InputError(_SOURCE, f"body of {size} bytes is over the limit")
        raw = self.rfile.read(size)
        try:
            return json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise InputError(_SOURCE, f"not valid UTF-8 (byte {error.start})") from error
        except json.JSONDecodeError as error:
            raise InputError(_SOURCE, f"malformed JSON: {error.msg} (line {error.lineno} column {error.colno})") \
                from error

    def _discard_body(self) -> None:
        length = self.headers.get("Content-Length", "0")
        if length.isdigit() and int(length) <= self.server.options.max_article_bytes * 2:
            self.rfile.read(int(length))
        else:
            self.close_connection = True

    def _reply(self, status: HTTPStatus, data: dict) -> None:
        body = (json.dumps(data, ensure_ascii=False) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a hook answers thousands of requests an hour; errors are in the responses."""


def _flag(value: str) -> bool:
    lowered = value.lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no", ""}:
        return False
    raise InputError("add", f"expected true or false, got {value!r}")


def serve(index: Index, host: str = "127.0.0.1", port: int = 8750, options: ReaderOptions | None = None) -> None:
    """Answer checks until interrupted (SIGINT/SIGTERM in the CLI); prints the URL on stderr when listening."""
    with HookServer(index, (host, port), options) as server:
        print(f"syndicate serve: listening on {server.url} (index {index.location})", file=sys.stderr, flush=True)
        server.serve_forever(poll_interval=0.2)
