"""A small, capped CQL2 parser (text and JSON encodings) producing a tuple AST; no evaluation, no SQL here.

AST predicates: ("and"|"or", [p...]), ("not", p), ("cmp", op, a, b), ("like", a, pat, neg),
("between", a, lo, hi, neg), ("in", a, [v...], neg), ("isnull", a, neg), ("spatial", fn, a, b),
("temporal", fn, a, b), ("boolexpr", a). Expressions: ("prop", name), ("lit", value), ("date", d),
("ts", dt), ("interval", a, b), ("geom", shapely geometry), ("func", name, [args]).
"""


from __future__ import annotations

from hub.api.cql2.common import check_size, geom_ok
from hub.api.cql2.jsonform import parse_json
from hub.api.cql2.text import parse_text
from hub.errors import InvalidParameter

__all__ = ["check_size", "geom_ok", "parse", "parse_json", "parse_text"]


def parse(text: str, lang: str | None, max_chars: int, max_depth: int, max_vertices: int):
    """Parse a filter in the declared language (default cql2-text; JSON detected by a leading '{')."""
    if lang not in (None, "", "cql2-text", "cql2-json"):
        raise InvalidParameter("filter-lang: must be cql2-text or cql2-json")
    if lang == "cql2-json" or (not lang and text.lstrip().startswith("{")):
        return parse_json(text, max_chars, max_depth, max_vertices)
    return parse_text(text, max_chars, max_depth, max_vertices)
