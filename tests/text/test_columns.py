"""Column-wise decoding (Arrow) gives exactly what the per-value detection gives, value by value."""

from __future__ import annotations

import unicodedata

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hub.text import columns, tcvn3_encode, vni_encode
from hub.text.detect import decode_value, strict_utf8

NFD = unicodedata.normalize("NFD", "Phường Ninh Kiều")
DOUBLE = "Cần Thơ".encode().decode("cp1252", "replace")
def _latin(x) -> str:
    """Legacy-encoded bytes as the Unicode characters a CP1252/Latin-1 reader would have produced."""
    return x.decode("latin-1") if isinstance(x, bytes) else x


VALUES = [None, "", "  ", "LUC", " ONT+CLN ", "Phường Ninh Kiều", NFD, DOUBLE, "Hà Nội", "Hà", "café",
          _latin(tcvn3_encode("Đất ở")), _latin(vni_encode("Lúa")), "Ω ohm \u2126", "x" * 3000, "\x1c Ấp 1\u3000\xa0", "\u2028"]


def _reference(value):
    """The per-value path: strict UTF-8, else full detection; stripped text, None for missing/empty."""
    if value is None:
        return None, None
    data = value.encode("utf-8")
    d = strict_utf8(data) or decode_value(data)
    special = d if d.encoding not in ("ascii", "utf-8") or d.flags else None
    return (d.text.strip() if d.text else None), special


def test_arrow_column_matches_the_per_value_path():
    """Every value: same text, same recorded decision (encoding, confidence, raw bytes, flags)."""
    col = columns.from_arrow_utf8(pa.array(VALUES, pa.string()))
    for i, value in enumerate(VALUES):
        text, special = _reference(value)
        assert col.text[i].as_py() == text, value
        got = col.special.get(i)
        assert (got is None) == (special is None), value
        if got is not None:
            assert (got.encoding, got.confidence, got.raw, got.flags) == \
                (special.encoding, special.confidence, special.raw, special.flags)


def test_repeated_values_are_decided_once_and_every_row_gets_the_decision():
    """Distinct values are examined once; each row still gets its own text and decision, nulls stay null."""
    values = [DOUBLE, None, "Hà Nội", NFD, DOUBLE, "", NFD, "LUC", None, DOUBLE] * 50
    col = columns.from_arrow_utf8(pa.array(values, pa.string()))
    for i, value in enumerate(values):
        text, special = _reference(value)
        assert col.text[i].as_py() == text
        assert (col.special.get(i) is None) == (special is None)
        if special is not None:
            assert col.special[i].encoding == special.encoding and col.special[i].raw == special.raw


def test_nfd_is_recorded_and_double_encoding_repaired():
    """NFD input becomes NFC with a 'utf-8-nfd' decision; double-encoded UTF-8 is repaired."""
    col = columns.from_arrow_utf8(pa.array([NFD, DOUBLE]))
    assert col.text.to_pylist() == ["Phường Ninh Kiều", "Cần Thơ"]
    assert col.special[0].encoding == "utf-8-nfd" and col.special[0].raw == NFD.encode("utf-8")
    assert col.special[1].encoding == "utf-8-double"


def test_legacy_values_match_per_value_detection():
    """Byte values of legacy formats: each distinct value detected once, same result as decode_value."""
    raw = [_latin(tcvn3_encode("Nguyễn Văn Ân")).encode("latin-1"), _latin(vni_encode("Cần Thơ")).encode("latin-1"),
           b"abc", None, _latin(tcvn3_encode("Nguyễn Văn Ân")).encode("latin-1")]
    col = columns.from_values(raw, "auto")
    assert col.text.to_pylist() == ["Nguyễn Văn Ân", "Cần Thơ", "abc", None, "Nguyễn Văn Ân"]
    assert set(col.special) == {0, 1, 4} and col.special[0].encoding == "tcvn3"


@pytest.mark.parametrize("lo,hi", [(0x0000, 0x024F), (0x1E00, 0x1EFF)])
def test_surely_nfc_ranges_are_nfc_alone_and_in_pairs(lo, hi):
    """The ranges that skip normalisation: no character decomposes or composes with a neighbour from them."""
    allowed = [chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x1E00, 0x1F00)]]
    chars = [chr(c) for c in range(lo, hi + 1)]
    assert all(pc.match_substring_regex(pa.array(chars), columns._SURELY_NFC).to_pylist())
    assert not any(pc.match_substring_regex(pa.array(["a\u0301", "\u2126", "\u0300"]), columns._SURELY_NFC).to_pylist())
    for ch in chars:
        assert unicodedata.is_normalized("NFC", ch) and not unicodedata.combining(ch), hex(ord(ch))
    block = [ch for ch in chars if ch.isprintable()]
    assert all(unicodedata.is_normalized("NFC", a + b) for a in block for b in allowed)


def test_clean_column_is_stripped_in_arrow_exactly_like_str_strip():
    """A column with nothing to repair takes the Arrow path; its stripping equals str.strip() on every
    whitespace character Python knows (Unicode White_Space and the C0 separators)."""
    spaces = [chr(c) for c in range(0x3001) if chr(c).isspace() and unicodedata.is_normalized("NFC", chr(c))]
    values = [None, "", *[f"{ws}Ấp {i}{ws}" for i, ws in enumerate(spaces)], "".join(spaces), "LUC"]
    col = columns.from_arrow_utf8(pa.array(values, pa.string()))
    assert not col.special
    assert col.text.to_pylist() == [v.strip() if v else None for v in values]
