"""Fast path for GeoJSON items: SQL builds each Feature, rows are streamed in chunks (no page held in Python)."""

from __future__ import annotations

import json
import urllib.parse
from typing import AsyncIterator

import psycopg
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from hub.api import query
from hub.api.collections import Collection
from hub.api.http import cache_headers, etag, not_modified
from hub.api.ogc_crs import parse_crs
from hub.api.state import AsyncState, Published, db_error
from hub.errors import NotFound
from hub.settings import ApiSettings

GEOJSON = "application/geo+json"
CHUNK_ROWS = 250


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


async def _number_matched(conn: psycopg.AsyncConnection, q: query.ItemsQuery, pub: Published | None,
                          s: ApiSettings) -> int:
    """Recorded row count when unfiltered; else an exact count time-boxed by count_timeout_ms, else an estimate."""
    if not q.filtered and pub is not None:
        return pub.row_count
    stmt, params = query.count_sql(q)
    try:
        async with conn.transaction():  # SET LOCAL-style time box, undone at commit or rollback
            await conn.execute("SELECT set_config('statement_timeout', %s, true)", (str(s.count_timeout_ms),))
            cur = await conn.execute(stmt, params)
            return (await cur.fetchone())[0]
    except psycopg.errors.QueryCanceled:
        stmt, params = query.explain_sql(q)
        cur = await conn.execute(stmt, params)
        plan = (await cur.fetchone())[0]
        await conn.rollback()
        return int(plan[0]["Plan"]["Plan Rows"])


async def items(request: Request, coll: Collection, st: AsyncState, s: ApiSettings) -> Response:
    """GET /collections/{id}/items as streamed GeoJSON."""
    args = dict(request.query_params)
    q = query.parse_items(coll, args, s)
    pub = (await st.current()).get(coll.dataset.id)
    version = pub.version if pub else 0
    tag = etag(coll.id, version, request)
    headers = {**cache_headers(tag, pub.published_at if pub else None), "Content-Crs": f"<{q.out_crs.uri}>"}
    if not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    await st.open()
    try:
        conn = await st.pool.getconn()
    except BaseException as exc:
        raise db_error(exc) from exc
    try:
        matched = await _number_matched(conn, q, pub, s)
        first: list = []
        cur = None
        if not q.hits:
            stmt, params = query.items_sql(q)
            cur = conn.cursor(name="hub_items")
            await cur.execute(stmt, params)
            first = await cur.fetchmany(CHUNK_ROWS)
    except BaseException as exc:
        await st.pool.putconn(conn)
        raise db_error(exc) from exc
    url = f"{_base(request, s)}/collections/{coll.id}/items"

    async def body() -> AsyncIterator[bytes]:
        """Head, features chunk by chunk, then the tail with numberReturned and links."""
        try:
            yield b'{"type":"FeatureCollection","numberMatched":' + str(matched).encode() + b',"features":['
            sent, last_id, more, rows = 0, None, False, first
            while rows:
                parts = []
                for fid, feature in rows:
                    if sent == q.limit:
                        more = True
                        break
                    parts.append(feature)
                    sent += 1
                    last_id = fid
                if parts:
                    yield ((b"," if sent > len(parts) else b"") + ",".join(parts).encode())
                if more or cur is None:
                    break
                rows = await cur.fetchmany(CHUNK_ROWS)
            links = [_link(f"{url}?{_query_string(args)}", "self", "this page"),
                     _link(f"{_base(request, s)}/collections/{coll.id}", "collection", coll.dataset.title.en,
                           "application/json"),
                     _link(f"{url}?{_query_string(args, f='html')}", "alternate", "this page as HTML", "text/html")]
            if more:
                nxt = (_query_string(args, cursor=query.encode_cursor(last_id), offset=None) if q.keyset
                       else _query_string(args, offset=str(q.offset + q.limit)))
                links.append(_link(f"{url}?{nxt}", "next", "next page"))
            tail = {"numberReturned": sent, "links": links}
            yield b"]," + json.dumps(tail, ensure_ascii=False)[1:].encode()
        finally:  # the connection goes back to the pool even when the client disconnects
            if cur is not None:
                try:
                    await cur.close()
                    await conn.rollback()
                except psycopg.Error:
                    pass
            await st.pool.putconn(conn)

    return StreamingResponse(body(), media_type=GEOJSON, headers=headers)


async def item(request: Request, coll: Collection, fid: str, st: AsyncState, s: ApiSettings) -> Response:
    """GET /collections/{id}/items/{fid} (string ids, bound as a parameter)."""
    args = dict(request.query_params)
    out = parse_crs(args.get("crs"), coll.output_epsg, "crs")
    pub = (await st.current()).get(coll.dataset.id)
    tag = etag(coll.id, pub.version if pub else 0, request)
    headers = {**cache_headers(tag, pub.published_at if pub else None), "Content-Crs": f"<{out.uri}>"}
    if not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    stmt, params = query.item_sql(coll, fid, out)
    row = await st.fetchone(stmt, params)
    if row is None:
        raise NotFound("feature not found")
    base = f"{_base(request, s)}/collections/{coll.id}"
    links = [_link(f"{base}/items/{urllib.parse.quote(fid, safe='')}", "self", "this feature"),
             _link(base, "collection", coll.dataset.title.en, "application/json")]
    body = row[0][:-1] + ',"links":' + json.dumps(links, ensure_ascii=False) + "}"
    return Response(body, media_type=GEOJSON, headers=headers)
