"""Byte encodings of sample text values per file default and per-row class (§7.1 cases)."""

from __future__ import annotations

import unicodedata

from hub.text.tcvn3 import tcvn3_encode
from hub.text.vni import vni_encode

ROW_CLASSES = {
    "vni": "VNI-Windows bytes (base letter + modifier byte), read as Latin-1",
    "tcvn3": "TCVN3 (TCVN 5712:1993 VN3) bytes",
    "utf8": "UTF-8, NFC",
    "utf8_nfc": "UTF-8 NFC bytes inside a legacy-encoded file",
    "utf8_double": "UTF-8 bytes decoded as CP1252 (undefined bytes as Latin-1) and encoded as UTF-8 again",
    "nfd": "UTF-8, decomposed (NFD)",
    "tcvn3_case_loss": "uppercase text typed with a .VnTimeH font: lowercase TCVN3 bytes for accented letters",
    "tcvn3_soft_hyphen_stripped": "TCVN3 bytes with every 0xAD (ư) removed",
}


def sloppy_cp1252(raw: bytes) -> str:
    """Decode bytes as CP1252, taking the five undefined bytes as Latin-1 (what double-encoding tools do)."""
    out = []
    for b in raw:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


def encode_text(text: str, default: str, cls: str | None = None) -> bytes:
    """Bytes of `text` as the file stores it: the file default encoding unless a row class overrides it."""
    nfc = unicodedata.normalize("NFC", text)
    cls = cls or default
    if cls == "vni":
        return vni_encode(nfc).encode("latin-1")
    if cls in ("tcvn3", "tcvn3_case_loss"):
        return tcvn3_encode(nfc)
    if cls == "tcvn3_soft_hyphen_stripped":
        return tcvn3_encode(nfc).replace(b"\xad", b"")
    if cls in ("utf8", "utf8_nfc"):
        return nfc.encode("utf-8")
    if cls == "utf8_double":
        return sloppy_cp1252(nfc.encode("utf-8")).encode("utf-8")
    if cls == "nfd":
        return unicodedata.normalize("NFD", nfc).encode("utf-8")
    raise ValueError(cls)
