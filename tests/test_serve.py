"""`syndicate serve` as a real process on a free loopback port: the HTTP contract, keep-alive, and a clean stop."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import COPY_AFP, INDEPENDENT, SOURCE_AFP

from syndicate.index import Index
from syndicate.read import read_articles

CLI = [sys.executable, "-c", "from syndicate.cli import main; main()"]


@pytest.fixture
def server(tmp_path: Path, seeds_dir: Path) -> Iterator[tuple[str, int, Path]]:
    """A `syndicate serve` process on a port the OS chose, over an index holding the AFP source; stopped after."""
    db = tmp_path / "hook.db"
    with Index.open(db) as index:
        index.add_many(read_articles([seeds_dir / f"{SOURCE_AFP}.txt"]))
    process = subprocess.Popen([*CLI, "serve", "--db", str(db), "--port", "0"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()  # printed once the socket listens
        match = re.search(r"listening on http://([\d.]+):(\d+)", line)
        assert match, f"serve did not start: {line}{process.stderr.read() if process.poll() is not None else ''}"
        yield match.group(1), int(match.group(2)), db
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stderr.close()


def _request(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
             ) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def _article(seeds_dir: Path, name: str, **fields: str) -> bytes:
    return json.dumps({"id": name, "text": (seeds_dir / f"{name}.txt").read_text(), **fields}).encode()


def test_the_http_contract_over_one_keep_alive_connection(server: tuple[str, int, Path], seeds_dir: Path) -> None:
    host, port, db = server
    connection = http.client.HTTPConnection(host, port, timeout=30)
    status, health = _request(connection, "GET", "/health")
    assert (status, health["status"], health["articles"]) == (200, "ok", 1)
    socket_used = connection.sock

    status, verdict = _request(connection, "POST", "/check", _article(seeds_dir, COPY_AFP))
    assert status == 200
    assert (verdict["id"], verdict["verdict"]) == (COPY_AFP, "duplicate")
    assert [(m["id"], m["kind"]) for m in verdict["matches"]] == [(SOURCE_AFP, "copy")]

    status, verdict = _request(connection, "POST", "/check?add=true", _article(seeds_dir, INDEPENDENT[0],
                                                                                outlet="example.org"))
    assert (status, verdict["verdict"], verdict["added"]) == (200, "new", True)
    status, verdict = _request(connection, "POST", "/check?add=true", _article(seeds_dir, INDEPENDENT[0]))
    assert (status, verdict["verdict"], verdict["added"]) == (200, "already indexed", False)
    status, verdict = _request(connection, "POST", "/check", _article(seeds_dir, SOURCE_AFP))
    assert (status, verdict["verdict"]) == (200, "already indexed")  # a re-delivery is not a copy of itself

    for body, message in ((b'{"id": "x", "text": ', "malformed JSON"), (b'["not", "an", "object"]', "JSON object"),
                          (b'{"id": "x", "headline": "no text"}', "missing text field"), (b"\xff\xfe", "UTF-8")):
        status, error = _request(connection, "POST", "/check", body)
        assert status == 400 and message in error["error"], (body, error)
    status, error = _request(connection, "POST", "/check?add=maybe", _article(seeds_dir, INDEPENDENT[1]))
    assert status == 400 and "true or false" in error["error"]
    status, _ = _request(connection, "GET", "/nowhere")
    assert status == 404
    assert connection.sock is socket_used  # every request above went over one connection
    connection.close()
    with Index.open(db, create=False) as index:
        assert sorted(index.ids()) == sorted([SOURCE_AFP, INDEPENDENT[0]])
        assert index.get(INDEPENDENT[0]).outlet == "example.org"


def test_serve_refuses_a_missing_index(tmp_path: Path) -> None:
    result = subprocess.run([*CLI, "serve", "--db", str(tmp_path / "none.db"), "--port", "0"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "no such index" in result.stderr
