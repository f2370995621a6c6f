"""CQL2 JSON encoding -> the same tuple AST as hub.api.cql2 (depth-capped, no evaluation)."""

from __future__ import annotations

import json
import math

import shapely
from shapely.geometry import box, shape

from hub.api.cql2.common import CMP, MAX_IN_ITEMS, SPATIAL, TEMPORAL, bad, check_size, geom_ok, literal_date


class _Json:
    """Converter of decoded CQL2 JSON into the tuple AST, with a depth cap."""

    def __init__(self, max_depth: int, max_vertices: int) -> None:
        """Remember the caps."""
        self.max_depth, self.max_vertices = max_depth, max_vertices

    def pred(self, j, depth: int = 0):
        """A boolean expression."""
        if depth > self.max_depth:
            raise bad(f"nested deeper than {self.max_depth} levels")
        if isinstance(j, bool):
            return ("boolexpr", ("lit", j))
        if not isinstance(j, dict) or not isinstance(j.get("op"), str) or not isinstance(j.get("args"), list):
            raise bad("a CQL2 JSON predicate needs `op` and `args`")
        op, args = j["op"].lower(), j["args"]
        if op in ("and", "or"):
            if len(args) < 2:
                raise bad(f"`{op}` needs at least two arguments")
            return (op, [self.pred(a, depth + 1) for a in args])
        if op == "not":
            self._arity(args, 1, op)
            return ("not", self.pred(args[0], depth + 1))
        if op in CMP:
            self._arity(args, 2, op)
            return ("cmp", op, self.expr(args[0], depth), self.expr(args[1], depth))
        if op == "like":
            self._arity(args, 2, op)
            return ("like", self.expr(args[0], depth), self.expr(args[1], depth), False)
        if op == "between":
            rest = args[1] if len(args) == 2 and isinstance(args[1], list) else args[1:]
            if len(rest) != 2:
                raise bad("`between` needs a value and two bounds")
            return ("between", self.expr(args[0], depth), self.expr(rest[0], depth), self.expr(rest[1], depth), False)
        if op == "in":
            self._arity(args, 2, op)
            if not isinstance(args[1], list) or len(args[1]) > MAX_IN_ITEMS:
                raise bad(f"`in` needs a list of at most {MAX_IN_ITEMS} values")
            return ("in", self.expr(args[0], depth), [self.expr(a, depth) for a in args[1]], False)
        if op == "isnull":
            self._arity(args, 1, op)
            return ("isnull", self.expr(args[0], depth), False)
        if op in SPATIAL or op in TEMPORAL:
            self._arity(args, 2, op)
            return ("spatial" if op in SPATIAL else "temporal", op, self.expr(args[0], depth),
                    self.expr(args[1], depth))
        raise bad("operator or function is not supported")

    @staticmethod
    def _arity(args: list, n: int, op: str) -> None:
        """Check the number of arguments."""
        if len(args) != n:
            raise bad(f"`{op}` takes {n} argument(s)")

    def expr(self, j, depth: int):
        """A scalar, property, temporal or spatial expression."""
        if depth > self.max_depth:
            raise bad(f"nested deeper than {self.max_depth} levels")
        if isinstance(j, bool) or isinstance(j, str):
            return ("lit", j)
        if isinstance(j, (int, float)):
            if isinstance(j, float) and not math.isfinite(j):
                raise bad("numbers must be finite")
            return ("lit", j)
        if not isinstance(j, dict):
            raise bad("unsupported value")
        if isinstance(j.get("property"), str):
            return ("prop", j["property"])
        if isinstance(j.get("date"), str):
            return literal_date(j["date"], "date")
        if isinstance(j.get("timestamp"), str):
            return literal_date(j["timestamp"], "timestamp")
        if isinstance(j.get("interval"), list) and len(j["interval"]) == 2:
            ends = [None if v == ".." else self.expr(v if not isinstance(v, str) else
                                                     {"date" if len(v) == 10 else "timestamp": v}, depth + 1)
                    for v in j["interval"]]
            return ("interval", *ends)
        if isinstance(j.get("bbox"), list) and len(j["bbox"]) == 4:
            try:
                return geom_ok(box(*[float(v) for v in j["bbox"]]), self.max_vertices)
            except (TypeError, ValueError):
                raise bad("invalid bbox literal") from None
        if "type" in j and ("coordinates" in j or "geometries" in j):
            try:
                g = shape(j)
            except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.ShapelyError):
                raise bad("invalid GeoJSON geometry literal") from None
            return geom_ok(g, self.max_vertices)
        if isinstance(j.get("op"), str) and isinstance(j.get("args"), list):
            return ("func", j["op"].lower(), [self.expr(a, depth + 1) for a in j["args"]])
        fn = j.get("function")
        if isinstance(fn, dict) and isinstance(fn.get("name"), str) and isinstance(fn.get("args", []), list):
            return ("func", fn["name"].lower(), [self.expr(a, depth + 1) for a in fn.get("args", [])])
        raise bad("unsupported value")


def parse_json(text: str, max_chars: int, max_depth: int, max_vertices: int):
    """Parse CQL2 JSON (a JSON string) into the tuple AST."""
    check_size(text, max_chars, max_depth)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise bad("not valid JSON") from None
    return _Json(max_depth, max_vertices).pred(data)
