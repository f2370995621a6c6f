"""Keyset `next` links for sortby requests: whole-collection paging equals the database order; hostile cursors 400."""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest
from psycopg import sql

from hub.api.collections import public_collections
from hub.api.features import keyset
from hub.db.connect import connect
from tests.api.test_security import assert_safe, table_state

ITEMS = "/collections/cadastre_cantho/items"
BBOX = "105.742,10.022,105.746,10.025"


def _next(body: dict) -> str | None:
    """The `next` href of a page, if any."""
    return next((link["href"] for link in body["links"] if link["rel"] == "next"), None)


def db_order(hub_db, sortby: str, where: str = "TRUE", params=()) -> list[str]:
    """Ids of the public view in the documented order: ASC NULLS LAST / DESC NULLS FIRST, then id."""
    keys = []
    for item in sortby.split(","):
        desc = item.startswith("-")
        keys.append(sql.SQL("{} {}").format(sql.Identifier(item.lstrip("+-")),
                                             sql.SQL("DESC NULLS FIRST" if desc else "ASC NULLS LAST")))
    stmt = sql.SQL("SELECT id FROM pub.cadastre_cantho WHERE {} ORDER BY {}, id").format(
        sql.SQL(where), sql.SQL(", ").join(keys))
    with connect("admin", hub_db) as conn:
        return [r[0] for r in conn.execute(stmt, params)]


def follow(client, url: str, params: dict) -> tuple[list[str], list[str]]:
    """Every id reached by following `next` links from the first page, and the `next` hrefs seen."""
    ids, hrefs = [], []
    body = client.get(url, params=params).json()
    while True:
        ids += [f["id"] for f in body["features"]]
        nxt = _next(body)
        if nxt is None:
            return ids, hrefs
        hrefs.append(nxt)
        assert len(hrefs) < 200, "paging does not end"
        body = client.get(nxt).json()


def cursor_of(doc) -> str:
    """A hand-made cursor (base64url of a JSON document, as the server makes them)."""
    text = doc if isinstance(doc, str) else json.dumps(doc)
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


def test_fixture_has_nulls_and_duplicates(published, hub_db):
    """The sort columns used below really hold NULLs and repeated values (else the paging tests prove little)."""
    with connect("admin", hub_db) as conn:
        nulls, total, distinct, no_id, no_address = conn.execute(
            "SELECT count(*) FILTER (WHERE area_m2 IS NULL), count(area_m2), count(DISTINCT area_m2), "
            "count(*) FILTER (WHERE national_id IS NULL), count(*) FILTER (WHERE address IS NULL) "
            "FROM pub.cadastre_cantho").fetchone()
    assert nulls > 100 and total > distinct * 10 and no_id > 100 and no_address > 0


@pytest.mark.parametrize("sortby,limit", [
    ("area_m2,-sheet_no", 137),               # NULLs last ascending, duplicates, mixed directions
    ("-area_m2,land_use_codes", 251),         # NULLs first descending, text key
    ("-national_id,valid_from,-parcel_no", 400),
    ("address", 1100),                        # streamed pages (limit above BUFFERED_MAX), text with NULLs
    ("-valid_from,-sheet_no_new", 999),       # one date for the whole load, a column that is always NULL
])
def test_sortby_paging_by_cursor_equals_database_order(client, hub_db, sortby, limit):
    """Following `next` (keyset cursors) returns the whole ordered collection once, in the database's order."""
    ids, hrefs = follow(client, ITEMS, {"sortby": sortby, "limit": limit, "skipGeometry": "true"})
    assert hrefs and all("cursor=" in h and "offset=" not in h for h in hrefs)
    expected = db_order(hub_db, sortby)
    assert len(ids) == len(set(ids)) == len(expected)
    assert ids == expected


def test_sortby_paging_with_filter_and_offset_start(client, hub_db):
    """A bbox-filtered sortby paging, started with an offset, is the database's order from that offset on."""
    x1, y1, x2, y2 = map(float, BBOX.split(","))
    where = "ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))"
    expected = db_order(hub_db, "-area_m2,national_id", where, (x1, y1, x2, y2))
    ids, hrefs = follow(client, ITEMS, {"sortby": "-area_m2,national_id", "bbox": BBOX, "limit": 7, "offset": 3})
    assert len(hrefs) > 3 and ids == expected[3:]


def test_cursor_page_equals_offset_page(client):
    """With sortby, the page reached by cursor is the page at the same offset."""
    params = {"sortby": "-area_m2,sheet_no", "limit": 100, "properties": "area_m2"}
    first = client.get(ITEMS, params=params).json()
    by_cursor = [f["id"] for f in client.get(_next(first)).json()["features"]]
    by_offset = [f["id"] for f in client.get(ITEMS, params={**params, "offset": 100}).json()["features"]]
    assert by_cursor == by_offset and len(by_cursor) == 100


def test_cursor_is_tied_to_its_sortby(client):
    """A cursor made for one order is refused for another (and for the default order), not misapplied."""
    first = client.get(ITEMS, params={"sortby": "area_m2", "limit": 10}).json()
    cursor = urllib.parse.parse_qs(urllib.parse.urlsplit(_next(first)).query)["cursor"][0]
    for other in ({"sortby": "-area_m2"}, {"sortby": "sheet_no"}, {}):
        assert_safe(client.get(ITEMS, params={**other, "cursor": cursor}), 400)
    default = client.get(ITEMS, params={"limit": 10}).json()
    plain = urllib.parse.parse_qs(urllib.parse.urlsplit(_next(default)).query)["cursor"][0]
    assert_safe(client.get(ITEMS, params={"sortby": "area_m2", "cursor": plain}), 400)
    assert_safe(client.get(ITEMS, params={"cursor": plain}), 200)


SPEC = "sheet_no,-area_m2"


@pytest.mark.parametrize("cursor", [
    "!!!!", "x" * 5000, "%00", cursor_of("not json"), cursor_of({"a": 1}), cursor_of([]),
    cursor_of([2, SPEC, [1, None], "x"]),                  # unknown version
    cursor_of([1, SPEC, [1], "x"]),                        # too few keys
    cursor_of([1, SPEC, [1, None, 3], "x"]),               # too many keys
    cursor_of([1, SPEC, [2**40, None], "x"]),              # integer out of range
    cursor_of([1, SPEC, [10**30, None], "x"]),
    cursor_of([1, SPEC, [True, None], "x"]),               # boolean for an integer
    cursor_of([1, SPEC, ["1", None], "x"]),                # text for an integer
    cursor_of([1, SPEC, [1.5, None], "x"]),
    cursor_of([1, SPEC, [1, "1e999999"], "x"]),            # not a number of the area's type
    cursor_of([1, SPEC, [1, [480.5]], "x"]),
    cursor_of([1, SPEC, [1, {"a": 1}], "x"]),
    cursor_of([1, SPEC, [1, "1" * 1500], "x"]),
    cursor_of([1, SPEC, [1, "480.0; DROP TABLE x"], "x"]),
    cursor_of([1, SPEC, [1, None], 5]),                    # id must be text
    cursor_of([1, SPEC, [1, None], "x\u0000y"]),           # NUL
    cursor_of('[1, "' + SPEC + '", [1, null], "\\ud800"]'),  # lone surrogate
    cursor_of('[1, "' + SPEC + '", [1, NaN], "x"]'),
    cursor_of('[1, "' + SPEC + '", [1e999, null], "x"]'),
    cursor_of("[" * 1500 + "]" * 1500),
    cursor_of([1, "-sheet_no,-area_m2", [1, None], "x"]),  # another order
])
def test_hostile_cursors_are_400(client, hub_db, cursor):
    """Garbage, mistyped, oversized or foreign cursors: 400 with no SQL, never 5xx; the table is intact."""
    before = table_state(hub_db)
    assert_safe(client.get(ITEMS, params={"sortby": SPEC, "cursor": cursor}), 400)
    assert table_state(hub_db) == before


@pytest.mark.parametrize("sortby,keys", [("valid_from", ["99999-01-01"]), ("valid_from", ["2020-13-01"]),
                                         ("valid_from", [20200101]), ("land_use_codes", [["LUC"]]),
                                         ("land_use_codes", ["x" * 2000])])
def test_hostile_typed_values_are_400(client, sortby, keys):
    """Dates and texts are checked against the column type before any SQL."""
    assert_safe(client.get(ITEMS, params={"sortby": sortby, "cursor": cursor_of([1, sortby, keys, "x"])}), 400)


def test_well_typed_arbitrary_cursor_is_just_a_position(client, hub_db):
    """A made-up but well-typed position is data: bound values, a normal page, nothing executed."""
    coll = public_collections()["cadastre_cantho"]
    sortby = [("sheet_no", False), ("area_m2", True)]
    huge = "-99999999999999999999.5" if coll.column_type("area_m2") == "numeric" else -1e300
    before = table_state(hub_db)
    quote = "'; DROP TABLE cadastre.cadastre_cantho; --"
    for keys, fid in (([None, huge], quote), ([104, 0], "31150.1.1"), ([None, None], ""), ([-2**31, None], "~")):
        cursor = keyset.encode(coll, sortby, keys, fid)
        r = client.get(ITEMS, params={"sortby": SPEC, "cursor": cursor, "limit": 5})
        assert_safe(r, 200)
    assert table_state(hub_db) == before


def _typed_collection():
    """The cadastre collection with one extra public column of every type a cursor can carry (unit tests only)."""
    from dataclasses import replace

    coll = public_collections()["cadastre_cantho"]
    extra = {"c_text": "text", "c_int": "integer", "c_big": "bigint", "c_num": "numeric", "c_dbl": "double",
             "c_date": "date", "c_bool": "boolean", "c_ts": "timestamptz", "c_json": "jsonb"}
    return replace(coll, columns={**coll.columns, **extra})


def test_cursor_round_trip_every_type():
    """encode -> decode gives back typed values (numeric exactly, non-finite values too) for every cursor type."""
    import datetime as dt
    from decimal import Decimal

    coll = _typed_collection()
    sortby = [("c_text", False), ("c_int", True), ("c_big", False), ("c_num", True), ("c_dbl", False),
              ("c_date", True), ("c_bool", False), ("c_ts", True)]
    ts = dt.datetime(2021, 6, 15, 8, 30, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    rows = [("Đường 30/4 ' \" ;", -2**31, 2**63 - 1, Decimal("123456789012345678901234567890.000000001"), 0.1,
             dt.date(2021, 6, 15), True, ts),
            (None, None, None, Decimal("NaN"), float("-inf"), None, None, None),
            ("", 0, 0, Decimal("-Infinity"), float("nan"), dt.date(1, 1, 1), False, ts)]
    for keys in rows:
        pos = keyset.decode(keyset.encode(coll, sortby, keys, "31150.1.1"), coll, sortby)
        assert pos.id == "31150.1.1"
        for (col, _), sent, got in zip(sortby, keys, pos.keys):
            if col == "c_num" and sent is not None:
                assert Decimal(got).compare_total(sent) == 0 or (sent.is_nan() and got == "NaN")
            elif col == "c_dbl" and sent != sent:
                assert got != got
            else:
                assert got == sent, col


def test_cursor_limits_and_unsupported_types():
    """A too-long position falls back to offset (None); jsonb keys have no cursor; decode refuses both cases."""
    from hub.errors import InvalidParameter

    coll = _typed_collection()
    assert keyset.encode(coll, [("c_text", False)], ["x" * 5000], "a") is None
    assert not keyset.supported(coll, [("c_json", False)]) and keyset.supported(coll, [])
    with pytest.raises(InvalidParameter):
        keyset.decode(cursor_of([1, "c_json", [{}], "a"]), coll, [("c_json", False)])
    with pytest.raises(InvalidParameter):
        keyset.decode(cursor_of([1, "c_ts", ["2021-06-15T08:30:00"], "a"]), coll, [("c_ts", False)])  # no zone
