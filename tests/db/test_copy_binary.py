"""Binary COPY encoder: round trips through the real PostGIS, byte-equality with psycopg's writer, and refusals."""

from __future__ import annotations

import datetime as dt
import json
import math
import unicodedata
import uuid
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
import shapely
from psycopg import sql
from psycopg.copy import LibpqWriter

from hub.db.copy_binary import HEADER, TRAILER, copy, encode, streaming

UTC = dt.UTC
VN_TZ = dt.timezone(dt.timedelta(hours=7))
NFC = unicodedata.normalize("NFC", "Phường Ninh Kiều, Quận Ninh Kiều, Thành phố Cần Thơ")
BIG_TEXT = (NFC + " — ") * (100_000 // len((NFC + " — ").encode()) + 1)
I32, I16, I64 = 2**31 - 1, 2**15 - 1, 2**63 - 1


def _ewkb(wkt: str, srid: int) -> bytes:
    """Little-endian EWKB (SRID flag set) of a WKT geometry, as PostGIS's ST_AsEWKB writes it."""
    return shapely.to_wkb(shapely.set_srid(shapely.from_wkt(wkt), srid), include_srid=True, byte_order=1)


GEOMS = [
    _ewkb("POINT (105.7469 10.0299)", 4326),
    _ewkb("MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2)), "
          "((20 20, 30 20, 30 30, 20 20)))", 4756),
    _ewkb("POLYGON ((587000 1110000, 587100 1110000, 587100 1110100, 587000 1110000))", 4756),
    None,
    _ewkb("LINESTRING (106.1 10.5, 106.2 10.6, 106.3 10.55)", 4326),
    _ewkb("MULTIPOINT ((1 2), (3 4))", 4326),
]
# One row per case; row 3 is NULL in every column, the others hold the edge values.
COLUMNS = {
    "i2": ("smallint", "smallint", pa.array([-(I16 + 1), I16, -7, None, 0, 12], pa.int16())),
    "i4": ("integer", "integer", pa.array([-(I32 + 1), I32, -1, None, 0, 42], pa.int64())),
    "i8": ("bigint", "bigint", pa.array([-(I64 + 1), I64, -123456789012, None, 0, 1], pa.int64())),
    "f8": ("double", "double precision", pa.array([math.nan, math.inf, -math.inf, None, -0.0, -1.5e-300])),
    "b": ("boolean", "boolean", pa.array([True, False, True, None, False, True])),
    "t": ("text", "text", pa.array(["", NFC, BIG_TEXT, None, "a\tb\nc\\d,\"e\"", "'"], pa.string())),
    "tl": ("text", "text", pa.array(["x", "", "Đường 3/2", None, "ơ", "ư"], pa.large_string())),
    "j": ("jsonb", "jsonb", pa.array(['{"a": 1, "b": [true, null, "Phường"]}', "[]", '"Cần Thơ"', None,
                                      "null", '{"n": -1.25e10, "deep": {"x": {}}}'])),
    "d": ("date", "date", pa.array([dt.date(1, 1, 1), dt.date(1969, 12, 31), dt.date(1999, 12, 31), None,
                                    dt.date(2038, 1, 20), dt.date(9999, 12, 31)], pa.date32())),
    "ds": ("date", "date", pa.array(["1900-02-28", "2000-01-01", "2000-01-02", None, "2100-03-01",
                                     "1582-10-15"])),
    "ts": ("timestamptz", "timestamptz", pa.array(
        [dt.datetime(1900, 1, 1, tzinfo=UTC), dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
         dt.datetime(2000, 1, 1, 7, tzinfo=VN_TZ), None, dt.datetime(2038, 1, 19, 3, 14, 8, 1, tzinfo=UTC),
         dt.datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)], pa.timestamp("us", "Asia/Ho_Chi_Minh"))),
    "tn": ("timestamptz", "timestamptz", pa.array(
        [dt.datetime(1950, 6, 1, 12, 0, 0, 1), dt.datetime(2000, 1, 1), dt.datetime(1999, 12, 31, 23, 59, 59),
         None, dt.datetime(2040, 2, 29, 0, 0, 0, 500000), dt.datetime(2262, 4, 11)], pa.timestamp("ns"))),
    "g": ("geometry", "geometry", pa.array(GEOMS, pa.binary())),
}


@pytest.fixture()
def scratch(admin_conn):
    """A factory of TEMP tables on the admin connection (name quoted on purpose), dropped afterwards."""
    made = []

    def make(columns: dict[str, str]) -> tuple[str, str]:
        """Create pg_temp."copy bin <hex>" with these (name, SQL type) columns; returns (schema, table)."""
        name = ("pg_temp", f"copy bin {uuid.uuid4().hex[:8]}")
        cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns.items())
        admin_conn.execute(sql.SQL("CREATE TEMP TABLE {} ({})").format(sql.Identifier(name[1]), cols))
        made.append(name)
        return name

    yield make
    for name in made:
        admin_conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(*name)))


def _round_trip(conn, scratch, columns: dict[str, tuple[str, str, pa.Array]], select: list[sql.Composable]):
    """Encode the columns (plus a row number), COPY them in, and read them back in row order."""
    n = len(next(iter(columns.values()))[2])
    table = pa.table({"rn": pa.array(range(n), pa.int32()), **{c: v[2] for c, v in columns.items()}})
    name = scratch({"rn": "integer", **{c: v[1] for c, v in columns.items()}})
    copy(conn, name, table.column_names, encode(table, ["integer"] + [v[0] for v in columns.values()]))
    query = sql.SQL("SELECT {} FROM {} ORDER BY rn").format(sql.SQL(", ").join(select), sql.Identifier(*name))
    return conn.execute(query).fetchall()


def _same(got, want) -> bool:
    """Equality that takes NaN as equal to NaN and tells -0.0 from 0.0."""
    if isinstance(want, float) and isinstance(got, float):
        return (math.isnan(got) and math.isnan(want)) or (got == want and math.copysign(1, got) ==
                                                          math.copysign(1, want))
    return got == want


def test_round_trip_every_type(admin_conn, scratch):
    """Every supported type, NULLs in every column and the edge values come back exactly as written."""
    rows = _round_trip(admin_conn, scratch, COLUMNS,
                       [sql.Identifier(c) if c != "g" else sql.SQL("ST_AsEWKB(g)") for c in COLUMNS])
    assert len(rows) == 6
    for c, got in zip(COLUMNS, zip(*rows)):
        typ, arr = COLUMNS[c][0], COLUMNS[c][2]
        want = arr.to_pylist()
        if typ == "jsonb":
            want = [None if v is None else json.loads(v) for v in want]
        elif c == "ds":
            want = [None if v is None else dt.date.fromisoformat(v) for v in want]
        elif c == "tn":
            want = [None if v is None else v.replace(tzinfo=UTC) for v in want]
        elif c == "g":
            got = [None if v is None else bytes(v) for v in got]
        assert got[3] is None, c
        assert all(_same(g, w) for g, w in zip(got, want)), (c, got, want)
    assert rows[2][list(COLUMNS).index("t")] == BIG_TEXT and len(BIG_TEXT.encode()) >= 100_000
    assert unicodedata.is_normalized("NFC", rows[1][list(COLUMNS).index("t")])


def test_geometry_ewkb_and_srid(admin_conn, scratch):
    """EWKB goes in as given: SRIDs 4326 and 4756 kept, ST_AsEWKB gives back the input bytes, holes kept."""
    rows = _round_trip(admin_conn, scratch, {"g": COLUMNS["g"]},
                       [sql.SQL("ST_AsEWKB(g), ST_SRID(g), GeometryType(g), ST_NumInteriorRings(ST_GeometryN(g, 1))")])
    assert [None if r[0] is None else bytes(r[0]) for r in rows] == GEOMS
    assert [r[1] for r in rows] == [4326, 4756, 4756, None, 4326, 4326]
    assert rows[1][2:] == ("MULTIPOLYGON", 1)


def test_matches_psycopg_binary_copy(admin_conn, scratch):
    """encode() is byte-identical to what psycopg's binary COPY writer sends and the server sends back."""
    types = ["int4", "int8", "float8", "bool", "text", "date"]
    rows = [(1, -(I64 + 1), -2.5, True, "Phường Ninh Kiều", dt.date(1999, 12, 31)),
            (-(I32 + 1), 7, None, False, "", dt.date(2040, 1, 1)),
            (None, None, math.inf, None, None, None),
            (I32, I64, 0.1, True, "x" * 300, dt.date(1970, 1, 1))]
    name = scratch({"a": "integer", "b": "bigint", "c": "double precision", "d": "boolean", "e": "text",
                    "f": "date"})
    sent = bytearray()

    class Capture(LibpqWriter):
        """A libpq writer that also keeps every byte it sends."""

        def write(self, data) -> None:
            """Record the bytes, then send them."""
            sent.extend(data)
            super().write(data)

    stmt = sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(sql.Identifier(*name))
    with admin_conn.cursor() as cur:
        with cur.copy(stmt, writer=Capture(cur)) as cp:
            cp.set_types(types)
            for row in rows:
                cp.write_row(row)
        back = bytearray()
        with cur.copy(sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(sql.Identifier(*name))) as cp:
            for block in cp:
                back.extend(block)
    table = pa.table({k: pa.array(v, t) for k, v, t in zip(
        "abcdef", zip(*rows), [pa.int32(), pa.int64(), pa.float64(), pa.bool_(), pa.string(), pa.date32()])})
    ours = encode(table, ["integer", "bigint", "double", "boolean", "text", "date"])
    assert ours.startswith(HEADER) and ours.endswith(TRAILER)
    assert ours == bytes(sent) == bytes(back)


def test_equal_length_text_laid_out_inline_is_byte_identical(admin_conn, scratch, monkeypatch):
    """Text columns of equal-length values (codes, a constant, all NULL, all empty) take the fixed-width path;
    the stream is the same as the general path's and as the server's own binary COPY of the rows."""
    from hub.db import copy_binary

    cols = {"code": ["31150", None, "31153", "31150", None],      # equal length, NULLs (gathered)
            "const": ["GSO-2025-07-01"] * 5,                       # constant (a view, no copy)
            "none": [None] * 5, "empty": [""] * 5,                 # no value bytes at all
            "mixed": ["Ấp 1", "x", None, "", "Phường"],            # varying lengths: joined as before
            "viet": ["Cần", "Thơ", "Hậu", "Tân", "Mỹ"]}             # equal characters, unequal bytes
    table = pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})
    types = ["text"] * len(cols)
    ours = encode(table, types)
    name = scratch({k: "text" for k in cols})
    copy(admin_conn, name, list(cols), ours)
    back = bytearray()
    with admin_conn.cursor() as cur, cur.copy(sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(
            sql.Identifier(*name))) as cp:
        for block in cp:
            back.extend(block)
    assert ours == bytes(back)
    monkeypatch.setattr(copy_binary, "INLINE_WIDTH", -1)  # every non-empty column through the row join
    assert encode(table, types) == ours
    assert encode(table.slice(1, 3), types) == encode(pa.table({k: v[1:4] for k, v in cols.items()}), types)


def test_int_that_does_not_fit_names_the_column():
    """int64 values outside int4 (or int2) are refused, naming the column; in-range int64 is accepted."""
    ok = pa.table({"parcel_no": pa.array([I32, -(I32 + 1), None], pa.int64())})
    assert encode(ok, ["integer"])
    for values, typ in [([1, I32 + 1], "integer"), ([-(I32 + 2)], "integer"), ([I16 + 1], "smallint")]:
        with pytest.raises(ValueError, match="parcel_no"):
            encode(pa.table({"parcel_no": pa.array(values, pa.int64())}), [typ])
    with pytest.raises(ValueError, match="too_big"):
        encode(pa.table({"too_big": pa.array([2**63], pa.uint64())}), ["bigint"])


NUMERIC = [480.5, 0.1, -0.0, 0.0, 1e20, 1.5e-7, -123456.789, 2.5e-310, 1.7976931348623157e308, 10000.0, 0.0001,
           123456789.0123, float("nan"), float("inf"), float("-inf"), None, 7]


def test_numeric_round_trip_is_the_shortest_decimal(admin_conn, scratch):
    """numeric values (floats and ints) arrive as the shortest decimal that round-trips (Python's repr), with
    NaN and ±Infinity, NULL kept; PostgreSQL prints them back digit for digit."""
    values = pa.array([float(v) if isinstance(v, int) else v for v in NUMERIC], pa.float64())
    rows = _round_trip(admin_conn, scratch, {"n": ("numeric", "numeric", values)}, [sql.SQL("n::text")])
    for (got,), want in zip(rows, values.to_pylist()):
        if want is None:
            assert got is None
        elif math.isnan(want):
            assert got == "NaN"
        elif math.isinf(want):
            assert got == ("Infinity" if want > 0 else "-Infinity")
        else:
            assert Decimal(got) == Decimal(repr(want)), (got, want)
    ints = _round_trip(admin_conn, scratch, {"n": ("numeric", "numeric", pa.array([0, -5, 10**15, None], pa.int64()))},
                       [sql.SQL("n::text")])
    assert [r[0] for r in ints] == ["0", "-5", "1000000000000000", None]


def test_unknown_types_rejected():
    """Unknown types and mismatched Arrow types are refused, naming the column."""
    t = pa.table({"area": pa.array([1.5])})
    with pytest.raises(ValueError, match="area"):
        encode(pa.table({"area": pa.array(["1.5"])}), ["numeric"])
    with pytest.raises(ValueError, match="area"):
        encode(t, ["money"])
    with pytest.raises(ValueError, match="area"):
        encode(t, ["text"])
    with pytest.raises(ValueError, match="area"):
        encode(t, ["integer"])
    with pytest.raises(ValueError, match="when"):
        encode(pa.table({"when": pa.array(["2024-02-30"])}), ["date"])
    with pytest.raises(ValueError):
        encode(t, ["double", "text"])


def test_empty_geometry_refused_before_it_reaches_the_server():
    """A 0-byte non-NULL geometry is refused (PostGIS 3.3's geometry_recv segfaults on it); NULL is fine.
    Never sent to the server: it would restart the shared test cluster."""
    with pytest.raises(ValueError, match="geom_vn2000"):
        encode(pa.table({"geom_vn2000": pa.array([GEOMS[0], b"", None], pa.binary())}), ["geometry"])
    assert encode(pa.table({"geom_vn2000": pa.array([GEOMS[0], None], pa.binary())}), ["geometry"])


def test_empty_table_is_empty_bytes(admin_conn, scratch):
    """A 0-row table encodes to b'' and copy() of b'' sends nothing."""
    t = pa.table({"a": pa.array([], pa.int32()), "g": pa.array([], pa.binary())})
    assert encode(t, ["integer", "geometry"]) == b""
    name = scratch({"a": "integer", "g": "geometry"})
    copy(admin_conn, name, ["a", "g"], b"")
    assert admin_conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(*name))).fetchone()[0] == 0


def test_chunked_sliced_dictionary_and_all_null_inputs():
    """Chunked columns, sliced arrays, NULL slots holding bytes, dictionaries and all-null columns encode the
    same as their plain equivalents."""
    plain = pa.table({"t": pa.array(["ab", None, "cde", ""]), "i": pa.array([1, None, 3, 4], pa.int32()),
                      "n": pa.array([None] * 4, pa.float64())})
    want = encode(plain, ["text", "integer", "double"])
    chunked = pa.table({"t": pa.chunked_array([pa.array(["zz", "ab"])[1:], pa.array([None, "cde", ""])]),
                        "i": pa.chunked_array([pa.array([1, None], pa.int32()), pa.array([3, 4], pa.int32())]),
                        "n": pa.array([None] * 4)})
    assert encode(chunked, ["text", "integer", "double"]) == want
    longer = pa.table({"t": pa.array(["q", "ab", None, "cde", "", "r"]),
                       "i": pa.array([0, 1, None, 3, 4, 5], pa.int32()),
                       "n": pa.array([None] * 6, pa.float64())})
    assert encode(longer.slice(1, 4), ["text", "integer", "double"]) == want
    # A NULL whose slot still spans bytes ("XY"): Arrow allows it, the stream must not carry them.
    dirty = pa.Array.from_buffers(pa.string(), 4, [pa.py_buffer(np.packbits([1, 0, 1, 1], bitorder="little")),
                                                   pa.py_buffer(np.array([0, 2, 4, 7, 7], np.int32)),
                                                   pa.py_buffer(b"abXYcde")])
    assert encode(plain.set_column(0, "t", dirty), ["text", "integer", "double"]) == want
    dictionary = plain.set_column(0, "t", plain.column("t").dictionary_encode())
    assert encode(dictionary, ["text", "integer", "double"]) == want


def test_copy_quotes_identifiers(admin_conn, scratch):
    """Table and column names that need quoting reach the server as identifiers."""
    name = scratch({'Mã "thửa"': "text", "select": "integer"})
    t = pa.table({"x": pa.array(["Lô A-1"]), "y": pa.array([5], pa.int32())})
    copy(admin_conn, name, ['Mã "thửa"', "select"], encode(t, ["text", "integer"]))
    assert admin_conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(*name))).fetchall() == [("Lô A-1", 5)]


def test_streaming_copy_takes_many_streams_in_one_statement(admin_conn, scratch):
    """encode() streams written one after another (bytes or views, empty ones skipped) land as if copied one by
    one, through a single COPY statement: the server sees one command with every row."""
    name = scratch({"a": "integer", "t": "text"})
    parts = [pa.table({"a": pa.array(range(k * 10, k * 10 + 3), pa.int32()), "t": pa.array([NFC, None, "x"])})
             for k in range(3)]
    streams = [encode(p, ["integer", "text"]) for p in parts]
    with streaming(admin_conn, name, ["a", "t"]) as write:
        write(streams[0])
        write(b"")
        write(memoryview(streams[1]))
        write(streams[2])
        pid = admin_conn.info.backend_pid
    got = admin_conn.execute(sql.SQL("SELECT a, t FROM {} ORDER BY a").format(sql.Identifier(*name))).fetchall()
    assert got == [(k * 10 + i, [NFC, None, "x"][i]) for k in range(3) for i in range(3)]
    assert admin_conn.info.backend_pid == pid and admin_conn.info.transaction_status.name == "IDLE"


def test_streaming_copy_cancelled_by_the_block_error_which_propagates_unchanged(admin_conn, scratch):
    """An exception in the block cancels the COPY (no row lands) and reaches the caller as itself, cause and
    all, and the connection is usable again."""
    name = scratch({"a": "integer"})
    cause = KeyError("Nguyễn Văn A")
    with pytest.raises(ValueError) as info:
        with streaming(admin_conn, name, ["a"]) as write:
            write(encode(pa.table({"a": pa.array([1, 2], pa.int32())}), ["integer"]))
            raise ValueError("row 2: owner Nguyễn Văn A") from cause
    assert info.value.__cause__ is cause and "Nguyễn" in str(info.value)
    assert admin_conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(*name))).fetchone()[0] == 0
    assert admin_conn.execute("SELECT 1").fetchone() == (1,)  # the connection is usable again
