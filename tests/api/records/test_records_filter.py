"""The catalogue's CQL2 evaluator and text folding, on hand-made records (no server)."""

from __future__ import annotations

import unicodedata

import pytest

from hub.api import cql2
from hub.api.records.filters import accenti, compile_filter, fold, like, like_tokens
from hub.errors import InvalidParameter

RECORD = {"id": "r1", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]},
          "properties": {"type": "dataset", "title": "Thửa đất – Cần Thơ", "description": None, "license": "CC0-1.0",
                         "rights": "", "language": {"code": "vi"}, "updated": "2025-07-01T08:00:00+00:00",
                         "version": 3, "rowCount": 10}}


def matches(text: str) -> bool:
    """Evaluate one CQL2 text filter on RECORD."""
    return compile_filter(cql2.parse(text, None, 20_000, 50, 10_000))(RECORD)


@pytest.mark.parametrize("text, pattern, expected", [
    ("abcbc", "a%bc", True), ("abcbd", "a%bc", False), ("abc", "a_c", True), ("ac", "a_c", False),
    ("a%c", "a\\%c", True), ("abc", "a\\%c", False), ("a_c", "a\\_c", True), ("", "%", True), ("", "_", False),
    ("aaaaaaaaaaaaaaaaaaaab", "%a%a%a%a%a%a%a%a%b", True), ("aaaaaaaaaaaaaaaaaaaaa", "%a%a%a%a%a%a%a%a%b", False),
    ("Thửa đất", "Th_a%", True), ("back\\slash", "back\\\\slash", True),
])
def test_like_matches_wildcards_and_escapes(text, pattern, expected):
    """% any run, _ one character, backslash escapes; a trailing backslash is literal."""
    assert like(text, like_tokens(pattern)) is expected


def test_folding_removes_vietnamese_accents_and_case():
    """đ/Đ become d, every tone and vowel mark goes, case and spacing are folded; NFD input folds the same."""
    assert accenti("Thửa Đất đai") == "Thua Dat dai"
    assert fold("  THỬA   đất ") == "thua dat" == fold(unicodedata.normalize("NFD", "Thửa đất"))


@pytest.mark.parametrize("text, expected", [
    ("description IS NULL", True), ("description = 'x'", False), ("description <> 'x'", False),
    ("NOT (description = 'x')", True), ("title = 'Thửa đất – Cần Thơ'", True),
    (unicodedata.normalize("NFD", "title = 'Thửa đất – Cần Thơ'"), True),  # NFD literal compared as NFC
    ("T_INTERSECTS(updated, INTERVAL('2025-07-01', '2025-07-02'))", True),
    ("T_DISJOINT(updated, INTERVAL('..', '2025-06-30'))", True), ("T_EQUALS(updated, DATE('2025-07-01'))", False),
    ("T_AFTER(updated, DATE('2025-07-01'))", True), ("updated >= DATE('2025-07-01')", True),
    ("S_CONTAINS(geometry, POINT(0.5 0.5))", True), ("S_DISJOINT(geometry, POINT(2 2))", True),
    ("S_EQUALS(geometry, BBOX(0, 0, 1, 1))", True), ("geometry = POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))", True),
])
def test_evaluation_on_a_record(text, expected):
    """SQL-like null semantics, NFC comparisons, Allen relations on `updated`, shapely predicates on the footprint."""
    assert matches(text) is expected


@pytest.mark.parametrize("text", ["FALSE AND title = 5", "TRUE OR nope = 1", "rowCount > 'a'", "geometry < POINT(0 0)",
                                  "CASEI(version) = 'a'", "ACCENTI(title, title) = 'a'", "version BETWEEN 'a' AND 'b'",
                                  "title IN (1, 2)", "T_AFTER(version, DATE('2020-01-01'))", "title"])
def test_type_errors_are_found_before_any_record_is_seen(text):
    """The filter is checked once, whatever short-circuiting or the data would do: 400 even with no records."""
    with pytest.raises(InvalidParameter):
        compile_filter(cql2.parse(text, None, 20_000, 50, 10_000))
