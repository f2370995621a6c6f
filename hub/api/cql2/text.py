"""CQL2 text encoding -> the tuple AST of hub.api.cql2 (recursive descent, depth- and size-capped)."""

from __future__ import annotations

import math
import re

import shapely
from shapely import wkt
from shapely.geometry import box

from hub.api.cql2.common import CMP, MAX_IN_ITEMS, SPATIAL, TEMPORAL, WKT_TYPES, bad, check_size, geom_ok, literal_date

_TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<qid>"[^"]{1,63}")|(?P<id>[A-Za-z_][A-Za-z0-9_]{0,62})|(?P<op><=|>=|<>|[=<>(),]))""", re.X)


class _Text:
    """Recursive-descent parser of CQL2 text with a depth cap."""

    def __init__(self, text: str, max_depth: int, max_vertices: int) -> None:
        """Tokenise the whole text up front."""
        self.text, self.max_depth, self.max_vertices = text, max_depth, max_vertices
        self.toks: list[tuple[str, str, int, int]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if not m:
                raise bad(f"unexpected character at position {pos}")
            kind = m.lastgroup
            self.toks.append((kind, m.group(kind), m.start(kind), m.end(kind)))
            pos = m.end()
        self.i = 0
        self.depth = 0

    def peek(self, k: int = 0) -> tuple[str, str, int, int] | None:
        """The token k ahead, or None at the end."""
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def kw(self, word: str, k: int = 0) -> bool:
        """Whether the token k ahead is the keyword `word` (case-insensitive)."""
        t = self.peek(k)
        return bool(t and t[0] == "id" and t[1].upper() == word)

    def take(self, value: str | None = None, kind: str | None = None) -> tuple[str, str, int, int]:
        """Consume one token, checking its value or kind."""
        t = self.peek()
        if t is None:
            raise bad("unexpected end of expression")
        if (value is not None and t[1].upper() != value) or (kind is not None and t[0] != kind):
            raise bad(f"unexpected token at position {t[2]}")
        self.i += 1
        return t

    def nest(self) -> None:
        """Enter one nesting level (parentheses, NOT, functions)."""
        self.depth += 1
        if self.depth > self.max_depth:
            raise bad(f"nested deeper than {self.max_depth} levels")

    def parse(self):
        """The whole filter."""
        node = self.bool_expr()
        if self.peek() is not None:
            raise bad(f"unexpected token at position {self.peek()[2]}")
        return node

    def bool_expr(self):
        """OR of AND terms."""
        items = [self.and_expr()]
        while self.kw("OR"):
            self.i += 1
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else ("or", items)

    def and_expr(self):
        """AND of NOT factors."""
        items = [self.not_expr()]
        while self.kw("AND"):
            self.i += 1
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else ("and", items)

    def not_expr(self):
        """NOT factor | primary."""
        if self.kw("NOT"):
            self.i += 1
            self.nest()
            node = ("not", self.not_expr())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self):
        """Parenthesised boolean expression or a predicate."""
        t = self.peek()
        if t and t[1] == "(":
            self.i += 1
            self.nest()
            node = self.bool_expr()
            self.take(")")
            self.depth -= 1
            return node
        return self.predicate()

    def predicate(self):
        """Spatial/temporal function, comparison, LIKE, BETWEEN, IN, IS NULL or a boolean expression."""
        t = self.peek()
        if t and t[0] == "id" and (t[1].lower() in SPATIAL or t[1].lower() in TEMPORAL) and self._call_next():
            name = t[1].lower()
            self.i += 2
            self.nest()
            a = self.scalar()
            self.take(",")
            b = self.scalar()
            self.take(")")
            self.depth -= 1
            return ("spatial" if name in SPATIAL else "temporal", name, a, b)
        left = self.scalar()
        neg = False
        if self.kw("NOT") and (self.kw("LIKE", 1) or self.kw("BETWEEN", 1) or self.kw("IN", 1)):
            self.i += 1
            neg = True
        if self.kw("LIKE"):
            self.i += 1
            return ("like", left, self.scalar(), neg)
        if self.kw("BETWEEN"):
            self.i += 1
            lo = self.scalar()
            self.take("AND")
            return ("between", left, lo, self.scalar(), neg)
        if self.kw("IN"):
            self.i += 1
            self.take("(")
            items = [self.scalar()]
            while self.peek() and self.peek()[1] == ",":
                self.i += 1
                items.append(self.scalar())
                if len(items) > MAX_IN_ITEMS:
                    raise bad(f"IN list longer than {MAX_IN_ITEMS}")
            self.take(")")
            return ("in", left, items, neg)
        if self.kw("IS"):
            self.i += 1
            neg = self.kw("NOT")
            self.i += neg
            self.take("NULL")
            return ("isnull", left, neg)
        t = self.peek()
        if t and t[0] == "op" and t[1] in CMP:
            self.i += 1
            return ("cmp", t[1], left, self.scalar())
        return ("boolexpr", left)

    def _call_next(self) -> bool:
        """Whether the next-but-one token opens an argument list."""
        t = self.peek(1)
        return bool(t and t[1] == "(")

    def _balanced_end(self) -> int:
        """Index of the token closing the parenthesis that follows the current token."""
        level = 0
        for j in range(self.i + 1, len(self.toks)):
            if self.toks[j][1] == "(":
                level += 1
            elif self.toks[j][1] == ")":
                level -= 1
                if level == 0:
                    return j
        raise bad("unbalanced parentheses")

    def scalar(self):
        """A literal, property, geometry, temporal literal or allowlisted function call."""
        t = self.take()
        kind, val = t[0], t[1]
        if kind == "str":
            return ("lit", val[1:-1].replace("''", "'"))
        if kind == "num":
            num = float(val) if any(c in val for c in ".eE") else int(val)
            if isinstance(num, float) and not math.isfinite(num):
                raise bad("numbers must be finite")
            return ("lit", num)
        if kind == "qid":
            return ("prop", val[1:-1])
        if kind != "id":
            raise bad(f"unexpected token at position {t[2]}")
        up = val.upper()
        if up in ("TRUE", "FALSE"):
            return ("lit", up == "TRUE")
        nxt = self.peek()
        if not (nxt and nxt[1] == "("):
            return ("prop", val)
        if up in WKT_TYPES or up == "BBOX":
            self.i -= 1
            end = self._balanced_end()
            raw = self.text[t[2]:self.toks[end][3]]
            self.i = end + 1
            return self._geometry(up, raw)
        self.i += 1
        self.nest()
        if up in ("DATE", "TIMESTAMP"):
            node = literal_date(self.take(kind="str")[1][1:-1], up.lower())
        elif up == "INTERVAL":
            a = self._interval_end()
            self.take(",")
            node = ("interval", a, self._interval_end())
        else:
            args = [] if self.peek() and self.peek()[1] == ")" else [self.scalar()]
            while self.peek() and self.peek()[1] == ",":
                self.i += 1
                args.append(self.scalar())
            node = ("func", val.lower(), args)
        self.take(")")
        self.depth -= 1
        return node

    def _interval_end(self):
        """One end of INTERVAL(...): a quoted instant or '..'."""
        t = self.peek()
        if t and t[0] == "str":
            self.i += 1
            s = t[1][1:-1]
            if s == "..":
                return None
            return literal_date(s, "date" if len(s) == 10 else "timestamp")
        return self.scalar()

    def _geometry(self, up: str, raw: str):
        """A WKT or BBOX literal, capped."""
        try:
            if up == "BBOX":
                nums = [float(x) for x in raw[raw.index("(") + 1:-1].split(",")]
                if len(nums) != 4:
                    raise ValueError
                g = box(nums[0], nums[1], nums[2], nums[3])
            else:
                g = wkt.loads(raw)
        except (ValueError, shapely.errors.ShapelyError):
            raise bad("invalid geometry literal") from None
        return geom_ok(g, self.max_vertices)


def parse_text(text: str, max_chars: int, max_depth: int, max_vertices: int):
    """Parse CQL2 text into the tuple AST (400/413 on anything unexpected)."""
    check_size(text, max_chars, max_depth)
    return _Text(text, max_depth, max_vertices).parse()
