"""Issue 16 item 1 (security case A22): no user-supplied URL makes the server connect anywhere.

The attack: `POST /processes/parcel-report/execution` with `subscriber` callback URLs pointing at loopback
listeners (a sinkhole that records connections and a tarpit that accepts and never answers), at the metadata
address, at private and IPv6 addresses and in odd spellings. Every variant must get the same fixed 400 (no
connection error text: the server is no port scanner), no listener may see a connection, the server must keep
answering while a tarpit is named, and the callback conformance class must not be advertised.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import hub.api
from tests.api.test_security import assert_safe
from tests.security.test_input_files import Sinkhole

EXECUTE = "/processes/parcel-report/execution"
CALLBACK_CLASS = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/callback"


class Tarpit(Sinkhole):
    """A loopback listener that accepts connections and never answers (a callback target that hangs)."""

    def _serve(self) -> None:
        held = []
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits.append(b"")
            held.append(conn)  # never read from, never closed until the test ends
        for conn in held:
            conn.close()


@pytest.fixture()
def listeners():
    """(sinkhole, tarpit), closed after the test."""
    sink, pit = Sinkhole(), Tarpit()
    yield sink, pit
    sink.close()
    pit.close()


def _targets(sink: int, pit: int) -> list[dict]:
    """Subscriber documents naming loopback, private, metadata and odd-spelled URLs."""
    urls = [f"http://127.0.0.1:{sink}/ok", f"http://localhost:{sink}/ok", f"http://[::ffff:127.0.0.1]:{sink}/",
            f"http://2130706433:{sink}/", f"http://127.1:{sink}/", f"http://127.0.0.1:{pit}/hang",
            "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/", "http://[::1]/", "file:///etc/passwd",
            f"gopher://127.0.0.1:{sink}/_x"]
    docs = [{"successUri": u} for u in urls]
    docs += [{"successUri": f"http://127.0.0.1:{sink}/a", "inProgressUri": f"http://127.0.0.1:{sink}/b",
              "failedUri": f"http://127.0.0.1:{pit}/c"},
             {"failedUri": f"http://127.0.0.1:{sink}/only-failed"}, {}, "http://127.0.0.1/", None, [1]]
    return docs


def test_subscriber_callbacks_refused_without_any_connection(client, listeners):
    """Every subscriber variant: the same fixed 400, fast; no connection reaches either listener."""
    sink, pit = listeners
    bodies = []
    for doc in _targets(sink.port, pit.port):
        for key in ("subscriber", "Subscriber"):
            body = {"inputs": {"parcel_key": "31150.1.6"}, key: doc}
            for prefer in ({}, {"Prefer": "respond-async"}):
                r = client.post(EXECUTE, json=body, headers=prefer)
                assert_safe(r, 400)
                bodies.append(r.json()["description"])
    assert len(set(bodies)) == 1, set(bodies)  # one text whatever the target: no oracle
    assert "callbacks are not supported" in bodies[0]
    for word in ("refused", "Connection", "timed out", "Errno", "Max retries", "HTTPConnection"):
        assert word not in bodies[0]
    time.sleep(1.0)  # a callback sent after the response would arrive within this window
    assert sink.close() == [] and pit.close() == []


def test_server_keeps_answering_while_a_tarpit_is_named(client, listeners):
    """Requests naming the tarpit do not hang anybody: 8 concurrent ones, and a landing page in between."""
    _, pit = listeners
    body = {"inputs": {"parcel_key": "31150.1.6"}, "subscriber": {"successUri": f"http://127.0.0.1:{pit.port}/"}}
    results: list[int] = []

    def attack() -> None:
        results.append(client.post(EXECUTE, json=body).status_code)

    threads = [threading.Thread(target=attack) for _ in range(8)]
    started = time.monotonic()
    for t in threads:
        t.start()
    assert client.get("/", params={"f": "json"}).status_code == 200
    for t in threads:
        t.join(timeout=10)
    assert results == [400] * 8 and time.monotonic() - started < 5
    assert pit.close() == []


def test_plain_execution_still_works_and_callback_class_not_advertised(client):
    """Without a subscriber the process answers as before; conformance has no callback class."""
    r = client.post(EXECUTE, json={"inputs": {"parcel_key": "31150.1.6"}})
    assert r.status_code == 200, r.text
    assert "parcels" in r.json()
    conf = client.get("/conformance", params={"f": "json"}).json()["conformsTo"]
    assert CALLBACK_CLASS not in conf
    assert any("ogcapi-processes-1/1.0/conf/core" in c for c in conf)
    process = client.get("/processes/parcel-report", params={"f": "json"}).json()
    assert process["jobControlOptions"] == ["sync-execute"]


def test_no_outbound_socket_in_server_code():
    """The API code has no HTTP client of its own (a callback could only come from pygeoapi, patched out)."""
    for path in Path(hub.api.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("import requests", "urllib.request", "httpx", "socket.create_connection"):
            assert needle not in text, (path, needle)
