"""CQL2 temporal functions against the real server: every T_* operator, both encodings, checked against an
independent evaluation of the CQL2 definitions (Allen's interval relations); hostile temporal values are 400."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hub.db.connect import connect
from tests.api.test_security import assert_safe

ITEMS = "/collections/cadastre_cantho/items"
CONFORMANCE = "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions"
OPS = ["T_BEFORE", "T_AFTER", "T_MEETS", "T_METBY", "T_OVERLAPS", "T_OVERLAPPEDBY", "T_STARTS", "T_STARTEDBY",
       "T_DURING", "T_CONTAINS", "T_FINISHES", "T_FINISHEDBY", "T_EQUALS", "T_DISJOINT", "T_INTERSECTS"]
LOW, HIGH = dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC)


def allen(op: str, a: tuple, b: tuple) -> bool:
    """The CQL2 definition of T_<op>(A, B) on intervals A = [a0, a1], B = [b0, b1] (instants: a0 == a1)."""
    (a0, a1), (b0, b1) = a, b
    return {
        "T_BEFORE": a1 < b0, "T_AFTER": a0 > b1, "T_MEETS": a1 == b0, "T_METBY": a0 == b1,
        "T_OVERLAPS": a0 < b0 < a1 < b1, "T_OVERLAPPEDBY": b0 < a0 < b1 < a1,
        "T_STARTS": a0 == b0 and a1 < b1, "T_STARTEDBY": a0 == b0 and a1 > b1,
        "T_DURING": b0 < a0 and a1 < b1, "T_CONTAINS": a0 < b0 and b1 < a1,
        "T_FINISHES": a0 > b0 and a1 == b1, "T_FINISHEDBY": a0 < b0 and a1 == b1,
        "T_EQUALS": a0 == b0 and a1 == b1, "T_DISJOINT": a1 < b0 or a0 > b1,
        "T_INTERSECTS": a0 <= b1 and a1 >= b0,
    }[op]


def utc(day: dt.date) -> dt.datetime:
    """A date as 00:00 UTC."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def dates(published, hub_db):
    """Spread valid_from over four years for this module (the pipeline gives a whole load one date), then restore.

    Returns every public parcel's valid_from and four dates that occur in the data (d1 < d2 < d3 < d4).
    """
    with connect("admin", hub_db) as conn:
        conn.execute("SET ROLE hub_owner")
        saved = conn.execute("SELECT parcel_key, valid_from FROM cadastre.cadastre_cantho").fetchall()
        conn.execute("UPDATE cadastre.cadastre_cantho SET valid_from = DATE '2017-01-01' + (row_id * 7 % 1500)::int")
        conn.commit()
        values = [r[0] for r in conn.execute("SELECT valid_from FROM pub.cadastre_cantho")]
    distinct = sorted(set(values))
    picks = [distinct[len(distinct) * k // 5] for k in (1, 2, 3, 4)]
    yield values, picks
    with connect("admin", hub_db) as conn:
        conn.execute("SET ROLE hub_owner")
        conn.execute("UPDATE cadastre.cadastre_cantho c SET valid_from = s.d FROM unnest(%s::text[], %s::date[]) "
                     "s(k, d) WHERE c.parcel_key = s.k", ([r[0] for r in saved], [r[1] for r in saved]))
        conn.commit()


def operands(picks) -> list[tuple[str, dict, tuple]]:
    """(cql2-text, cql2-json, [start, end] in UTC) of the literal operands tried against every operator."""
    d1, d2, _, d4 = picks
    noon = utc(d2) + dt.timedelta(hours=12)
    iso = dt.date.isoformat
    return [
        (f"DATE('{iso(d1)}')", {"date": iso(d1)}, (utc(d1), utc(d1))),
        (f"TIMESTAMP('{iso(d2)}T00:00:00Z')", {"timestamp": f"{iso(d2)}T00:00:00Z"}, (utc(d2), utc(d2))),
        (f"TIMESTAMP('{iso(d2)}T19:00:00+07:00')", {"timestamp": f"{iso(d2)}T19:00:00+07:00"}, (noon, noon)),
        (f"INTERVAL('{iso(d1)}', '{iso(d4)}')", {"interval": [iso(d1), iso(d4)]}, (utc(d1), utc(d4))),
        (f"INTERVAL('{iso(d2)}', '{iso(d2)}')", {"interval": [iso(d2), iso(d2)]}, (utc(d2), utc(d2))),
        (f"INTERVAL('..', '{iso(d2)}')", {"interval": ["..", iso(d2)]}, (LOW, utc(d2))),
        (f"INTERVAL('{iso(d4)}', '..')", {"interval": [iso(d4), ".."]}, (utc(d4), HIGH)),
        (f"INTERVAL('{iso(d1)}T06:00:00Z', '..')", {"interval": [f"{iso(d1)}T06:00:00Z", ".."]},
         (utc(d1) + dt.timedelta(hours=6), HIGH)),
        ("INTERVAL('..', '..')", {"interval": ["..", ".."]}, (LOW, HIGH)),
    ]


def matched(client, text: str | None = None, doc: dict | None = None) -> int:
    """numberMatched of a filter in cql2-text or cql2-json."""
    params = ({"filter": text} if text is not None else
              {"filter": json.dumps(doc), "filter-lang": "cql2-json"})
    r = client.get(ITEMS, params={**params, "resulttype": "hits"})
    assert r.status_code == 200, r.text
    return r.json()["numberMatched"]


def test_conformance_class_advertised(client):
    """The temporal-functions class is declared (all fifteen functions are implemented)."""
    assert CONFORMANCE in client.get("/conformance?f=json").json()["conformsTo"]


@pytest.mark.parametrize("op", OPS)
def test_operator_matches_definition(client, dates, op):
    """T_<op>(property, literal) and T_<op>(literal, property), text and JSON, count what the definition says."""
    values, picks = dates
    seen = set()
    for text, doc, (b0, b1) in operands(picks):
        fwd = sum(allen(op, (utc(v), utc(v)), (b0, b1)) for v in values)
        rev = sum(allen(op, (b0, b1), (utc(v), utc(v))) for v in values)
        prop = {"property": "valid_from"}
        assert matched(client, f"{op}(valid_from, {text})") == fwd, (op, text)
        assert matched(client, doc={"op": op.lower(), "args": [prop, doc]}) == fwd, (op, doc)
        assert matched(client, f"{op}({text}, valid_from)") == rev, (op, text)
        assert matched(client, doc={"op": op.lower(), "args": [doc, prop]}) == rev, (op, doc)
        seen |= {fwd, rev}
    if op not in ("T_OVERLAPS", "T_OVERLAPPEDBY"):  # an instant never overlaps (nor is overlapped by) anything
        assert len(seen - {0, len(values)}) >= 1, (op, seen)  # at least one case neither none nor all


@pytest.mark.parametrize("op", OPS)
def test_property_interval_operand(client, dates, op):
    """An INTERVAL with a property end, compared with a literal interval (JSON op names in camel case too)."""
    values, (d1, d2, d3, d4) = dates
    b = (utc(d2), utc(d3))
    expected = sum(allen(op, (utc(v), utc(d4)), b) for v in values if v <= d4)  # [v, d4] needs v <= d4 to exist
    text = f"{op}(INTERVAL(valid_from, '{d4}'), INTERVAL('{d2}', '{d3}'))"
    camel = {"T_METBY": "t_metBy", "T_OVERLAPPEDBY": "t_overlappedBy", "T_STARTEDBY": "t_startedBy",
             "T_FINISHEDBY": "t_finishedBy"}.get(op, op.lower())
    doc = {"op": camel, "args": [{"interval": [{"property": "valid_from"}, str(d4)]},
                                 {"interval": [str(d2), str(d3)]}]}
    got_text, got_json = matched(client, f"{text} AND valid_from <= DATE('{d4}')"), matched(
        client, doc={"op": "and", "args": [doc, {"op": "<=", "args": [{"property": "valid_from"},
                                                                        {"date": str(d4)}]}]})
    assert got_text == got_json == expected, (op, got_text, got_json, expected)


def test_combined_with_other_predicates(client, dates, hub_db):
    """Temporal functions compose with NOT/AND/OR and other filters like any predicate."""
    values, (d1, d2, _, _) = dates
    text = f"NOT T_DURING(valid_from, INTERVAL('{d1}', '{d2}')) AND area_m2 IS NOT NULL"
    with connect("admin", hub_db) as conn:
        expected = conn.execute("SELECT count(*) FROM pub.cadastre_cantho WHERE NOT (valid_from > %s AND "
                                "valid_from < %s) AND area_m2 IS NOT NULL", (d1, d2)).fetchone()[0]
    assert 0 < matched(client, text) == expected < len(values)


@pytest.mark.parametrize("text", [
    "T_AFTER(valid_from, DATE('2020-02-30'))", "T_AFTER(valid_from, DATE('99999-01-01'))",
    "T_AFTER(valid_from, DATE('10000-01-01'))", "T_AFTER(valid_from, DATE('0000-01-01'))",
    "T_AFTER(valid_from, DATE('-2020-01-01'))", "T_AFTER(valid_from, DATE(''))", "T_AFTER(valid_from, DATE(5))",
    "T_AFTER(valid_from, TIMESTAMP('2020-01-01T25:00:00Z'))", "T_AFTER(valid_from, TIMESTAMP('abc'))",
    "T_AFTER(valid_from, TIMESTAMP('2020-01-01T00:00:00+25:00'))",
    "T_BEFORE(valid_from, INTERVAL('2021-01-01', '2020-01-01'))", "T_BEFORE(valid_from, INTERVAL('2021-01-01'))",
    "T_BEFORE(valid_from, INTERVAL('2020-01-01', '2021-01-01', '2022-01-01'))",
    "T_BEFORE(valid_from, INTERVAL('2020-01-01', 'NaN'))", "T_BEFORE(valid_from, INTERVAL('..', 'infinity'))",
    "T_BEFORE(valid_from, INTERVAL(INTERVAL('..', '..'), '..'))", "T_BEFORE(valid_from)",
    "T_BEFORE(valid_from, '2020-01-01')", "T_BEFORE(valid_from, 20200101)", "T_BEFORE(area_m2, DATE('2020-01-01'))",
    "T_BEFORE(address, DATE('2020-01-01'))", "T_BEFORE(owner_name, DATE('2020-01-01'))",
    "T_BEFORE(valid_from, DATE('2020-01-01') OR 1=1)", "T_BEFORE(valid_from, pg_sleep(5))",
    "T_SOMETIME(valid_from, DATE('2020-01-01'))", "T_BEFORE(valid_from, DATE('2020-01-01')) = TRUE",
])
def test_hostile_temporal_text_is_400(client, text):
    """Bad dates, huge years, malformed intervals, wrong operands and hidden properties: 400, nothing leaks."""
    r = client.get(ITEMS, params={"filter": text, "resulttype": "hits"})
    assert_safe(r, 400)
    assert "numberMatched" not in r.text


@pytest.mark.parametrize("doc", [
    {"op": "t_after", "args": [{"property": "valid_from"}, {"date": "2020-13-01"}]},
    {"op": "t_after", "args": [{"property": "valid_from"}, {"date": 5}]},
    {"op": "t_after", "args": [{"property": "valid_from"}, {"timestamp": "99999-01-01T00:00:00Z"}]},
    {"op": "t_after", "args": [{"property": "valid_from"}, {"interval": ["2020-01-01"]}]},
    {"op": "t_after", "args": [{"property": "valid_from"}, {"interval": [1, 2]}]},
    {"op": "t_after", "args": [{"property": "valid_from"}, {"interval": ["2022-01-01", "2020-01-01"]}]},
    {"op": "t_after", "args": [{"property": "valid_from"}, {"interval": ["2020-01-01", "x" * 10]}]},
    {"op": "t_after", "args": [{"property": "valid_from"}]},
    {"op": "t_after", "args": [{"property": "owner_name"}, {"date": "2020-01-01"}]},
    {"op": "t_after", "args": [{"property": "area_m2"}, {"date": "2020-01-01"}]},
    {"op": "t_after", "args": [{"property": "valid_from"}, "2020-01-01"]},
    {"op": "t_whenever", "args": [{"property": "valid_from"}, {"date": "2020-01-01"}]},
])
def test_hostile_temporal_json_is_400(client, doc):
    """The same in cql2-json."""
    r = client.get(ITEMS, params={"filter": json.dumps(doc), "filter-lang": "cql2-json", "resulttype": "hits"})
    assert_safe(r, 400)


@pytest.mark.parametrize("text", ["T_AFTER(valid_from, DATE('0001-01-01'))",
                                  "T_BEFORE(valid_from, DATE('9999-12-31'))",
                                  "T_AFTER(valid_from, TIMESTAMP('0001-01-01T00:00:00+14:00'))",
                                  "T_BEFORE(valid_from, TIMESTAMP('9999-12-31T23:59:59.999999-14:00'))"])
def test_extreme_but_valid_years(client, published, text):
    """The ends of the representable range are values like any other (no overflow, no 5xx)."""
    r = client.get(ITEMS, params={"filter": text, "resulttype": "hits"})
    assert_safe(r, 200)
    assert r.json()["numberMatched"] == published["count"]
