"""The server console: a client error is one line (status, method, path, error code, request id), no traceback."""

from __future__ import annotations

import time


def _log_after(server_log, mark: int, needle: str, timeout: float = 5.0) -> str:
    """The log written since `mark`, once it holds `needle` (the workers write asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        text = server_log.read_bytes()[mark:].decode("utf-8", "replace")
        if needle in text or time.monotonic() > deadline:
            return text
        time.sleep(0.1)


def test_client_errors_are_one_line_each(client, server_log):
    """A bad filter (fast path), an unknown item, an HTML page with a bad CRS (pygeoapi) and a bad process input
    each leave one line naming status, path and code; no traceback for any of them."""
    mark = server_log.stat().st_size
    bad = [("get", "/collections/cadastre_cantho/items", {"params": {"filter": "nope("}}, 400, "InvalidParameterValue"),
           ("get", "/collections/cadastre_cantho/items/99999.9.9", {}, 404, "NotFound"),
           ("get", "/collections/no_such_collection/items", {"params": {"f": "json"}}, 404, "-"),
           ("post", "/processes/parcel-report/execution", {"json": {"inputs": {"lon": "x", "lat": 1}}}, 400, "-")]
    rids = []
    for method, path, kw, status, _ in bad:
        r = getattr(client, method)(path, **kw)
        assert r.status_code == status, (path, r.status_code, r.text[:300])
        rids.append(r.headers["x-request-id"])
    text = _log_after(server_log, mark, f"request={rids[-1]}")
    assert "Traceback" not in text, text
    for (method, path, _, status, code), rid in zip(bad, rids):
        lines = [ln for ln in text.splitlines() if f"request={rid}" in ln]
        assert len(lines) == 1, (rid, text)
        assert f" {status} {method.upper()} {path} " in lines[0], lines[0]
        if code != "-":
            assert lines[0].split()[-2] == code, lines[0]
