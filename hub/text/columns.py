"""Whole text columns decoded at once: the common case in Arrow compute, only unusual values in Python.

A column is returned as its NFC texts plus the decisions worth recording (anything but plain ASCII or clean NFC
UTF-8), so the pipeline keeps one small object per unusual value instead of one per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.text.detect import Decoded, decode_value, strict_utf8

# Characters Windows-1252 can encode: a value with any other character cannot be UTF-8 bytes once read as
# CP1252 (double encoding), so it is clean UTF-8 without further checks.
_CP1252_EXTRA = "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018\u2019\u201a" \
                "\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
# Text made only of these ranges (ASCII, Latin-1, Latin Extended-A/B, Latin Extended Additional: every Vietnamese
# letter precomposed) is already NFC: none of them decomposes or composes with a neighbour (checked in the tests),
# so only other values pay for normalisation.
_SURELY_NFC = "^[\\x{0000}-\\x{024F}\\x{1E00}-\\x{1EFF}]*$"
_OUTSIDE_CP1252 = "[^\\x{0000}-\\x{007F}\\x{00A0}-\\x{00FF}" + "".join(f"\\x{{{ord(c):04X}}}" for c in _CP1252_EXTRA) + "]"


@dataclass
class TextColumn:
    """NFC texts (stripped; null for missing or empty) and the non-trivial decoding decision per row index.

    The texts stay an Arrow array: the pipeline's rules group, join and copy them in Arrow."""

    text: pa.StringArray
    special: dict[int, Decoded] = field(default_factory=dict)


# Exactly the characters Python's str.strip() removes (Unicode White_Space plus the C0 separators 0x1C-0x1F).
_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def _texts(values: list[str | None]) -> pa.StringArray:
    """Stripped texts; missing and empty values as null (as the row rules expect)."""
    return pa.array([v.strip() if v else None for v in values], pa.string())


def _arrow_texts(arr: pa.Array) -> pa.StringArray:
    """`_texts` of an Arrow string array, stripped in Arrow (same characters as str.strip)."""
    trimmed = pc.utf8_trim(arr, characters=_WHITESPACE)
    return pc.if_else(pc.fill_null(pc.equal(arr, ""), True), pa.scalar(None, pa.string()), trimmed)


def from_arrow_utf8(arr: pa.Array) -> TextColumn:
    """A column of a UTF-8-by-specification format (GeoPackage, GeoJSON): strict UTF-8 + NFC, vectorised.

    An all-ASCII column has nothing to decide. Otherwise each distinct value is examined once (addresses, names
    and codes repeat down a cadastral column) and the outcome spread back to the rows.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    if pc.all(pc.fill_null(pc.string_is_ascii(arr), True)).as_py():
        return TextColumn(_arrow_texts(arr))
    enc = arr.dictionary_encode()
    distinct = _distinct_utf8(enc.dictionary)
    special: dict[int, Decoded] = {}
    if distinct.special:
        idx = pc.fill_null(enc.indices, len(enc.dictionary)).to_numpy(zero_copy_only=False)
        flagged = np.zeros(len(enc.dictionary) + 1, dtype=bool)
        flagged[list(distinct.special)] = True
        special = {i: distinct.special[k] for i, k in zip(np.flatnonzero(flagged[idx]).tolist(),
                                                           idx[flagged[idx]].tolist())}
    return TextColumn(distinct.text.take(enc.indices), special)


def _distinct_utf8(arr: pa.StringArray) -> TextColumn:
    """`from_arrow_utf8` of distinct values: values that could be double-encoded (every character within CP1252's
    repertoire, not ASCII) get the per-value treatment (strict check, then full detection), possible NFD is
    normalised, the rest pass as read."""
    ascii_ = pc.fill_null(pc.string_is_ascii(arr), True)
    clean = pc.or_(ascii_, pc.fill_null(pc.match_substring_regex(arr, _OUTSIDE_CP1252), False))
    special: dict[int, Decoded] = {}
    replaced: dict[int, str | None] = {}
    maybe_nfd = pc.indices_nonzero(pc.and_(clean, pc.invert(pc.fill_null(
        pc.match_substring_regex(arr, _SURELY_NFC), True))))
    if len(maybe_nfd):
        subset = arr.take(maybe_nfd)
        for i, raw, nfc in zip(maybe_nfd.to_pylist(), subset.to_pylist(), pc.utf8_normalize(subset, "NFC").to_pylist()):
            if nfc != raw:
                replaced[i] = nfc
                special[i] = Decoded(nfc, "utf-8-nfd", 1.0, raw.encode("utf-8"))
    for i in pc.indices_nonzero(pc.invert(clean)).to_pylist():
        data = arr[i].as_py().encode("utf-8")
        d = strict_utf8(data) or decode_value(data)
        replaced[i] = d.text
        if d.encoding not in ("ascii", "utf-8") or d.flags:
            special[i] = d
    if not replaced:  # the common case: the column as read, stripped in Arrow
        return TextColumn(_arrow_texts(arr), special)
    texts = arr.to_pylist()
    for i, text in replaced.items():
        texts[i] = text
    return TextColumn(_texts(texts), special)


def from_values(values: list, hint: str | None) -> TextColumn:
    """A column of raw values (Latin-1 byte strings of a legacy format, or str), each distinct value detected once."""
    decoded = {v: decode_value(v, hint) for v in set(values)}
    texts, special = [], {}
    for i, v in enumerate(values):
        d = decoded[v]
        texts.append(d.text)
        if d.encoding not in ("ascii", "utf-8") or d.flags:
            special[i] = d
    return TextColumn(_texts(texts), special)
