"""Fast path for GeoJSON items: SQL builds each Feature as text; Python only joins rows (no per-row JSON work).

Round trips per request: a page of up to BUFFERED_MAX features is one pipeline (unfiltered, numberMatched is the
row count recorded at publication, read in the page's transaction; filtered, a time-boxed count).
Larger pages are streamed from a server-side cursor, CHUNK_ROWS rows per FETCH, so a worker never holds more than
one chunk of a page, whatever the limit.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import AsyncIterator

import anyio
import psycopg
from psycopg import sql
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from hub.api.collections import Collection
from hub.api.features import query
from hub.api.http import cache_headers, etag, head_response, not_modified
from hub.api.ogc_crs import parse_crs
from hub.api.state import AsyncState, Published, db_error
from hub.errors import M, NotFound
from hub.settings import ApiSettings

GEOJSON = "application/geo+json"
BUFFERED_MAX = 1000  # pages up to this many features: one round trip, sent whole with a Content-Length
CHUNK_ROWS = 1000  # rows per FETCH when streaming a larger page (bounds a worker's memory per request)
CURSOR = sql.Identifier("hub_items")
SET_COUNT_TIMEOUT = "SELECT set_config('statement_timeout', %s, true)"
RESET_TIMEOUT = "SET LOCAL statement_timeout TO DEFAULT"
RECORDED_COUNT = "SELECT row_count FROM pub.published_datasets WHERE collection = %s"


def _base(request: Request, settings: ApiSettings) -> str:
    """The public base URL."""
    return settings.url


def _link(href: str, rel: str, title: str, type_: str = GEOJSON) -> dict:
    """One link object."""
    return {"href": href, "rel": rel, "type": type_, "title": title}


def _query_string(args: dict[str, str], **override: str | None) -> str:
    """Re-encode the request's arguments with some replaced or removed."""
    merged = {**args, **override}
    return urllib.parse.urlencode({k: v for k, v in merged.items() if v is not None}, safe=",:/")


async def _estimate(conn: psycopg.AsyncConnection, q: query.ItemsQuery) -> int:
    """The planner's row estimate (when the exact count exceeds its time box)."""
    stmt, params = query.explain_sql(q)
    plan = (await (await conn.execute(stmt, params)).fetchone())[0]
    return int(plan[0]["Plan"]["Plan Rows"])


async def _first_rows(conn: psycopg.AsyncConnection, q: query.ItemsQuery, pub: Published | None, s: ApiSettings,
                      mode: str) -> tuple[int, list]:
    """numberMatched and the first rows of the page (mode page | stream | none), in one round trip.

    Unfiltered: the row count recorded at publication, read after the page in the same transaction: the page's
    statement holds the view's lock until COMMIT and a publish takes that lock before it records its figures, so
    the count and the features are of one version (issue 16 item 13). Filtered: BEGIN, count under
    count_timeout_ms (SET LOCAL), timeout back to the role's, then the page (or DECLARE + first FETCH when
    streaming), pipelined. A count that exceeds its time box aborts that transaction: the page is then read again
    with the planner's estimate. Streaming leaves the transaction (and cursor) open; the caller ends it.
    """
    stmt, params = query.items_sql(q)
    counted = q.filtered or pub is None
    stream = mode == "stream"
    if not counted and mode == "none":
        row = await (await conn.execute(RECORDED_COUNT, (q.coll.id,))).fetchone()
        return (row[0] if row else pub.row_count), []
    count_stmt, count_params = query.count_sql(q)
    for attempt in (1, 2):
        try:
            async with conn.pipeline():
                await conn.execute("BEGIN")
                count_cur = None
                if counted and attempt == 1:
                    await conn.execute(SET_COUNT_TIMEOUT, (str(s.count_timeout_ms),))
                    count_cur = await conn.execute(count_stmt, count_params)
                    await conn.execute(RESET_TIMEOUT)
                page_cur = None
                if stream:
                    await conn.execute(sql.SQL("DECLARE {} NO SCROLL CURSOR FOR {}").format(CURSOR, stmt), params)
                    page_cur = await conn.execute(sql.SQL("FETCH FORWARD {} FROM {}").format(
                        sql.Literal(CHUNK_ROWS), CURSOR), binary=True)
                elif mode == "page":
                    page_cur = await conn.execute(stmt, params, binary=True)
                recorded_cur = None if counted else await conn.execute(RECORDED_COUNT, (q.coll.id,))
                if not stream:
                    await conn.execute("COMMIT")
        except psycopg.errors.QueryCanceled:
            await conn.rollback()
            if not counted or attempt == 2:
                raise
            continue
        rows = await page_cur.fetchall() if page_cur is not None else []
        if recorded_cur is not None:
            row = await recorded_cur.fetchone()
            return (row[0] if row else pub.row_count), rows
        if count_cur is not None:
            return (await count_cur.fetchone())[0], rows
        return await _estimate(conn, q), rows
    raise AssertionError("unreachable")


async def _release(st: AsyncState, conn: psycopg.AsyncConnection, in_transaction: bool) -> None:
    """End the transaction (closing the cursor) and return the connection, even inside a cancelled scope."""
    with anyio.CancelScope(shield=True):  # a client disconnect cancels the stream; the cleanup must still run
        try:
            if in_transaction:
                await conn.rollback()
        except psycopg.Error:
            pass
        await st.pool.putconn(conn)


def _head(matched: int) -> bytes:
    """Start of the FeatureCollection."""
    return b'{"type":"FeatureCollection","numberMatched":' + str(matched).encode() + b',"features":['


def _tail(request: Request, coll: Collection, q: query.ItemsQuery, args: dict, s: ApiSettings, sent: int,
          more: bool, last: tuple | None) -> bytes:
    """End of the FeatureCollection: numberReturned and links (`next` as a keyset cursor after the last row when
    the order allows one, by offset otherwise)."""
    url = f"{_base(request, s)}/collections/{coll.id}/items"
    links = [_link(f"{url}?{_query_string(args)}", "self", "this page"),
             _link(f"{_base(request, s)}/collections/{coll.id}", "collection", coll.title.en,
                   "application/json"),
             _link(f"{url}?{_query_string(args, f='html')}", "alternate", "this page as HTML", "text/html")]
    if more:
        cursor = q.next_cursor(last) if last is not None else None
        nxt = (_query_string(args, cursor=cursor, offset=None) if cursor
               else _query_string(args, offset=str(q.offset + q.limit)))
        links.append(_link(f"{url}?{nxt}", "next", "next page"))
    return b"]," + json.dumps({"numberReturned": sent, "links": links}, ensure_ascii=False)[1:].encode()


async def items(request: Request, coll: Collection, st: AsyncState, s: ApiSettings) -> Response:
    """GET /collections/{id}/items as GeoJSON (whole when small, streamed from a cursor when large)."""
    args = dict(request.query_params)
    q = query.parse_items(coll, args, s)
    pub = (await st.current()).get(coll.id)
    version = pub.version if pub else 0
    tag = etag(coll.id, version, request)
    headers = {**cache_headers(tag, pub.published_at if pub else None), "Content-Crs": f"<{q.out_crs.uri}>"}
    if not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":  # validated above; the page itself is never read for a HEAD
        return head_response(headers, GEOJSON)
    await st.open()
    try:
        conn = await st.pool.getconn()
    except BaseException as exc:
        raise db_error(exc) from exc
    mode = "none" if q.hits else "stream" if q.limit > BUFFERED_MAX else "page"
    stream = mode == "stream"
    try:
        matched, rows = await _first_rows(conn, q, pub, s, mode)
    except BaseException as exc:
        await _release(st, conn, True)
        raise db_error(exc) from exc

    if not stream:
        await _release(st, conn, False)
        page = rows[:q.limit]
        more = len(rows) > q.limit
        body = b"".join((_head(matched), b",".join(r[1] for r in page),
                         _tail(request, coll, q, args, s, len(page), more, page[-1] if more else None)))
        return Response(body, media_type=GEOJSON, headers=headers)

    async def body() -> AsyncIterator[bytes]:
        """Head, features chunk by chunk (one FETCH each), then the tail with numberReturned and links."""
        try:
            yield _head(matched)
            sent, last, more, chunk = 0, None, False, rows
            while chunk:
                take = chunk[:q.limit - sent]
                more = len(chunk) > len(take)
                if take:
                    yield (b"," if sent else b"") + b",".join(r[1] for r in take)
                    sent += len(take)
                    last = take[-1]
                if more or len(chunk) < CHUNK_ROWS:
                    break
                chunk = await (await conn.execute(sql.SQL("FETCH FORWARD {} FROM {}").format(
                    sql.Literal(CHUNK_ROWS), CURSOR), binary=True)).fetchall()
                if sent == q.limit and chunk:
                    more = True
                    break
            yield _tail(request, coll, q, args, s, sent, more, last)
        finally:  # the connection goes back to the pool even when the client disconnects
            await _release(st, conn, True)

    return StreamingResponse(body(), media_type=GEOJSON, headers=headers)


async def item(request: Request, coll: Collection, fid: str, st: AsyncState, s: ApiSettings) -> Response:
    """GET /collections/{id}/items/{fid} (string ids, bound as a parameter)."""
    args = dict(request.query_params)
    out = parse_crs(args.get("crs"), coll.output_epsg, "crs")
    pub = (await st.current()).get(coll.id)
    tag = etag(coll.id, pub.version if pub else 0, request)
    headers = {**cache_headers(tag, pub.published_at if pub else None), "Content-Crs": f"<{out.uri}>"}
    if not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    stmt, params = query.item_sql(coll, fid, out)
    row = await st.fetchone(stmt, params)
    if row is None:
        raise NotFound(M("api.feature_not_found"))
    base = f"{_base(request, s)}/collections/{coll.id}"
    links = [_link(f"{base}/items/{urllib.parse.quote(fid, safe='')}", "self", "this feature"),
             _link(base, "collection", coll.title.en, "application/json")]
    body = row[0][:-1] + b',"links":' + json.dumps(links, ensure_ascii=False).encode() + b"}"
    return Response(body, media_type=GEOJSON, headers=headers)
