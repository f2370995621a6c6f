"""Vietnamese text: legacy encodings (TCVN3, VNI), per-value encoding detection and name search keys."""

from hub.text.detect import UNCERTAIN_THRESHOLD, Decoded, decode_column, decode_value, search_key
from hub.text.tcvn3 import tcvn3_decode, tcvn3_encode
from hub.text.vni import vni_decode, vni_encode

__all__ = [
    "UNCERTAIN_THRESHOLD",
    "Decoded",
    "decode_column",
    "decode_value",
    "search_key",
    "tcvn3_decode",
    "tcvn3_encode",
    "vni_decode",
    "vni_encode",
]
