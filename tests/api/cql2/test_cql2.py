"""The CQL2 parser and translator: allowlists, bound values, caps (no server needed)."""

from __future__ import annotations

import json

import pytest

from hub.api import cql2
from hub.api.collections import public_collections
from hub.api.cql2 import common
from hub.api.cql2 import to_sql as cql2_sql
from hub.api.ogc_crs import CRS84, OutCrs
from hub.errors import InvalidParameter, PayloadTooLarge

COLL = public_collections()["cadastre_cantho"]


def translate(text: str, lang: str | None = None):
    """Parse and translate with the default caps."""
    ast = cql2.parse(text, lang, 20_000, 50, 10_000)
    cond, params = cql2_sql.where(ast, COLL, OutCrs(CRS84, None))
    return cond.as_string(None), params


@pytest.mark.parametrize("text", [
    "parcel_no = 5", "area_m2 > 100 AND land_use_codes LIKE 'LU%'", "NOT (sheet_no = 1) OR parcel_no <> 2",
    "parcel_no IN (1, 2, 3)", "area_m2 BETWEEN 100 AND 500", "address IS NULL", "CASEI(address) LIKE casei('số%')",
    "valid_from > DATE('2020-01-01')", "T_AFTER(valid_from, DATE('2020-01-01'))",
    "S_INTERSECTS(geom, POLYGON((105.74 10.02, 105.75 10.02, 105.75 10.03, 105.74 10.02)))",
    "S_INTERSECTS(geometry, BBOX(105.74, 10.02, 105.75, 10.03))", "\"parcel_key\" = '31150.1.1'",
])
def test_valid_filters_translate(text):
    """Supported CQL2 text becomes SQL with every value bound."""
    sql_text, params = translate(text)
    assert (params and "%s" in sql_text) or "IS NULL" in sql_text


def test_quote_breaking_literal_is_data():
    """A08: the literal stays one bound value."""
    sql_text, params = translate("parcel_key = 'x'' OR ''1''=''1'")
    assert params == ["x' OR '1'='1"] and "OR" not in sql_text


@pytest.mark.parametrize("text", ["owner_name LIKE 'Nguyễn%'", "note = 'x'", "is_sensitive = TRUE",
                                  "pg_sleep(5) = 1", "strEndsWith(address, 'a') = TRUE",
                                  "jsonArrayContains(address, 'a') = TRUE", "parcel_no = 'abc'",
                                  "area_m2 LIKE '1%'", "exec(java.lang.Runtime) = 1", "a/b = 1", "{{7*7}} = 1"])
def test_rejected_filters(text):
    """A06/A07/A23: unknown properties and functions are 400, never evaluated."""
    with pytest.raises(InvalidParameter):
        translate(text)


@pytest.mark.parametrize("text", ["area_m2 > 1e999", "area_m2 < -1e999", "area_m2 = 1E400"])
def test_non_finite_numbers_are_a_client_error(text):
    """A number that overflows to infinity is a 400 naming the rule (it raised NameError, a 500, before)."""
    with pytest.raises(InvalidParameter, match="finite"):
        translate(text)


def test_json_encoding():
    """CQL2 JSON maps to the same AST."""
    doc = {"op": "and", "args": [{"op": "=", "args": [{"property": "parcel_no"}, 5]},
                                 {"op": "s_intersects", "args": [{"property": "geom"},
                                                                 {"type": "Point", "coordinates": [105.741, 10.021]}]}]}
    sql_text, params = translate(json.dumps(doc), "cql2-json")
    assert "ST_Intersects" in sql_text and 5 in params
    with pytest.raises(InvalidParameter):
        translate(json.dumps({"op": "like", "args": [{"property": "owner_name"}, "N%"]}), "cql2-json")


def test_caps():
    """A09/A10: depth, length and vertex caps answer 400/413 without recursion errors."""
    with pytest.raises(InvalidParameter):
        translate("(" * 5000 + "parcel_no = 1" + ")" * 5000)
    with pytest.raises(InvalidParameter):
        translate("NOT " * 5000 + "parcel_no = 1")
    with pytest.raises(PayloadTooLarge):
        translate("parcel_no = 1 OR " * 200_000 + "parcel_no = 1")
    with pytest.raises(InvalidParameter):
        translate("[" * 3000 + "]" * 3000, "cql2-json")
    ring = ", ".join(f"{105 + i * 1e-5} 10" for i in range(12_000))
    with pytest.raises((InvalidParameter, PayloadTooLarge)):
        cql2.parse(f"S_INTERSECTS(geom, LINESTRING({ring}))", None, 2_000_000, 50, 10_000)


TEMPORAL_OPS = ["t_before", "t_after", "t_meets", "t_metby", "t_overlaps", "t_overlappedby", "t_starts",
                "t_startedby", "t_during", "t_contains", "t_finishes", "t_finishedby", "t_equals", "t_disjoint",
                "t_intersects"]


@pytest.mark.parametrize("op", TEMPORAL_OPS)
def test_every_temporal_function_translates_with_bound_values(op):
    """All fifteen T_* functions, text and JSON, instants and intervals: values bound, never in the SQL text."""
    for arg, doc in (("DATE('2020-05-17')", {"date": "2020-05-17"}),
                     ("TIMESTAMP('2020-05-17T10:00:00Z')", {"timestamp": "2020-05-17T10:00:00Z"}),
                     ("INTERVAL('2020-05-17', '..')", {"interval": ["2020-05-17", ".."]}),
                     ("INTERVAL('..', '2020-05-17T10:00:00Z')", {"interval": ["..", "2020-05-17T10:00:00Z"]})):
        text_sql, text_params = translate(f"{op.upper()}(valid_from, {arg})")
        json_sql, json_params = translate(json.dumps({"op": op, "args": [{"property": "valid_from"}, doc]}),
                                          "cql2-json")
        assert text_sql == json_sql and text_params == json_params
        assert text_sql.count("%s") == len(text_params)
        assert "2020" not in text_sql and '"valid_from"' in text_sql


def test_temporal_set_is_complete():
    """The parser knows exactly the fifteen CQL2 temporal functions (the conformance class depends on it)."""
    assert common.TEMPORAL == set(TEMPORAL_OPS)


def test_pygeofilter_temporal_nodes_are_refused_not_misread():
    """pygeoapi's parser (HTML pages) reads T_INTERSECTS as T_OVERLAPS: its temporal nodes are refused (400)."""
    from pygeofilter.parsers.cql2_json import parse as pgf_parse

    from hub.api.features.provider import from_pygeofilter

    doc = {"op": "t_intersects", "args": [{"property": "valid_from"}, {"interval": ["2020-01-01", "2021-01-01"]}]}
    with pytest.raises(InvalidParameter):
        from_pygeofilter(pgf_parse(json.dumps(doc)))
