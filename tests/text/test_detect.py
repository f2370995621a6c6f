"""Per-value encoding detection (§7.1): legacy mojibake, Unicode forms, hints, flags, columns and search keys."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from hub.text import UNCERTAIN_THRESHOLD, Decoded, decode_column, decode_value, search_key, tcvn3_encode, vni_encode
from hub.text.detect import ENCODINGS


def cp1252_mojibake(text: str) -> str:
    """UTF-8 bytes of text read as CP1252 (bytes CP1252 leaves undefined kept as C1 controls, as Windows does)."""
    return "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252") for b in text.encode())


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 bytes of text: precomposed base letters plus combining tone marks."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for char in unicodedata.normalize("NFC", text):
        nfd = unicodedata.normalize("NFD", char)
        out.append(unicodedata.normalize("NFC", "".join(c for c in nfd if c not in tones)))
        out.append("".join(c for c in nfd if c in tones))
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(
    ("raw", "text", "encoding"),
    [
        ("§Êt trång c©y l©u n¨m", "Đất trồng cây lâu năm", "tcvn3"),
        ("NguyÔn V¨n §øc", "Nguyễn Văn Đức", "tcvn3"),
        ("Thõa Thiªn HuÕ", "Thừa Thiên Huế", "tcvn3"),
        ("Hßa B×nh", "Hòa Bình", "tcvn3"),
        (b"M\xad\xeang Kh\xad\xacng", "Mường Khương", "tcvn3"),
        ("Ñaát troàng caây laâu naêm", "Đất trồng cây lâu năm", "vni"),
        ("Thöøa Thieân Hueá", "Thừa Thiên Huế", "vni"),
        ("Vieät Nam", "Việt Nam", "vni"),
        ("Ñaát ôû taïi noâng thoân", "Đất ở tại nông thôn", "vni"),
        ("Nguyeãn Vaên Ñöùc", "Nguyễn Văn Đức", "vni"),
    ],
)
def test_legacy_mojibake_is_detected_and_decoded(raw, text, encoding):
    """§7.1 and Appendix B examples are recognised with confidence and no flags."""
    result = decode_value(raw)
    assert (result.text, result.encoding, result.flags) == (text, encoding, ())
    assert result.confidence >= UNCERTAIN_THRESHOLD


def test_latin1_string_input_is_byte_transparent_and_keeps_soft_hyphen():
    """A str up to U+00FF stands for bytes: raw keeps them, U+00AD included."""
    result = decode_value("M\xadêng Kh\xad¬ng")
    assert result.raw == b"M\xad\xeang Kh\xad\xacng"
    assert result.text == "Mường Khương"


def test_lost_soft_hyphen_is_decoded_but_not_claimed_as_sure():
    """'Mêng Kh¬ng' (0xAD stripped) gives 'Mờng Khơng', flagged uncertain and as a suspected lost soft hyphen."""
    result = decode_value("Mêng Kh¬ng")
    assert (result.text, result.encoding) == ("Mờng Khơng", "tcvn3")
    assert result.confidence < UNCERTAIN_THRESHOLD
    assert "encoding_uncertain" in result.flags
    assert "soft_hyphen_lost_suspected" in result.flags


def test_lost_soft_hyphen_in_one_word_of_many_still_makes_the_value_uncertain():
    """One damaged word ('Hơng' for 'Hương') is enough: the decoded value is not trusted."""
    result = decode_value(tcvn3_encode("Nguyễn Thị Hương").replace(b"\xad", b""))
    assert result.text == "Nguyễn Thị Hơng"
    assert {"soft_hyphen_lost_suspected", "encoding_uncertain"} <= set(result.flags)
    assert decode_value(tcvn3_encode("Nguyễn Thị Hương")).flags == ()


def test_tone_on_the_wrong_vowel_is_not_a_syllable():
    """Latin-1 'xaõ' (tone on o of 'ao') is no syllable, so the VNI reading 'xã' wins outright."""
    result = decode_value("xaõ")
    assert (result.text, result.encoding, result.flags) == ("xã", "vni", ())


@pytest.mark.parametrize("encode", [tcvn3_encode, vni_encode])
def test_highland_place_names_count_as_vietnamese(encode):
    """Names with final k and onset kr (Đắk Lắk, Krông Pắc, Đăk Tô) are decoded without doubt."""
    name = "Đắk Lắk, Krông Pắc, Đăk Tô"
    result = decode_value(encode(name))
    assert (result.text, result.flags) == (name, ())


def test_tcvn3_uppercase_font_text_keeps_its_detection():
    """.VnTimeH capitals decode with lost case ('THửA ĐấT') but are still recognised as TCVN3."""
    result = decode_value(tcvn3_encode("THỬA ĐẤT SỐ 12"))
    assert (result.text, result.encoding, result.flags) == ("THửA ĐấT Số 12", "tcvn3", ())


@pytest.mark.parametrize("value", ["Hello world", b"Parcel 12/3 (LUC)", ""])
def test_ascii_values_are_untouched(value):
    """Pure ASCII returns encoding 'ascii' with full confidence and the same text."""
    result = decode_value(value)
    expected = value.decode() if isinstance(value, bytes) else value
    assert (result.text, result.encoding, result.confidence, result.flags) == (expected, "ascii", 1.0, ())


def test_none_is_passed_through():
    """A missing value stays missing."""
    assert decode_value(None) == Decoded(None, "ascii", 1.0, None)


def test_latin1_french_word_is_kept_and_flagged():
    """'café' is not turned into VNI/TCVN3 letters; not being Vietnamese, it is flagged uncertain."""
    result = decode_value("café")
    assert (result.text, result.encoding) == ("café", "latin1")
    assert "encoding_uncertain" in result.flags


def test_utf8_nfc_and_nfd_bytes_and_strings():
    """UTF-8 in either normal form is recognised and always returned as NFC."""
    text = "Đất ở tại nông thôn"
    nfd = unicodedata.normalize("NFD", text)
    assert len(text) == 19 and len(nfd) == 26
    for raw, encoding in [(text.encode(), "utf-8"), (nfd.encode(), "utf-8-nfd"), (text, "utf-8"), (nfd, "utf-8-nfd")]:
        result = decode_value(raw)
        assert (result.text, result.encoding, result.flags) == (text, encoding, ())
        assert result.confidence >= 0.9


def test_utf8_read_as_latin1_string_is_plain_utf8():
    """GDAL's encoding='latin1' on a UTF-8 file gives byte-transparent UTF-8, decoded as such."""
    result = decode_value("Đất ở tại nông thôn".encode().decode("latin-1"))
    assert (result.text, result.encoding) == ("Đất ở tại nông thôn", "utf-8")


def test_double_encoded_utf8_is_repaired():
    """UTF-8 read as CP1252 and stored again ('Äáº¥t á»Ÿ táº¡i nÃ´ng thÃ´n') is undone, as str or bytes."""
    mojibake = cp1252_mojibake("Đất ở tại nông thôn")
    assert mojibake.startswith("Ä\x90áº¥t á»Ÿ táº¡i")
    for raw in (mojibake, mojibake.encode()):
        result = decode_value(raw)
        assert (result.text, result.encoding, result.flags) == ("Đất ở tại nông thôn", "utf-8-double", ())


def test_double_encoding_with_lost_bytes_is_flagged_not_guessed():
    """The spec's printed form lost invisible bytes (U+0090, U+009F): it is kept as-is and flagged."""
    result = decode_value("Äáº¥t á» táº¡i nÃ´ng thÃ´n")
    assert result.text == "Äáº¥t á» táº¡i nÃ´ng thÃ´n"
    assert {"utf8_mojibake_suspected", "encoding_uncertain"} <= set(result.flags)


def test_cp1258_bytes():
    """Windows-1258 (base letters + combining tones) is decoded and composed to NFC."""
    result = decode_value(cp1258_bytes("Việt Nam, Hòa Bình"))
    assert (result.text, result.encoding) == ("Việt Nam, Hòa Bình", "cp1258")


def test_mixed_column_decodes_each_value_by_itself():
    """TCVN3, VNI, UTF-8 NFC/NFD and ASCII interleaved in one column each get their own encoding."""
    name = "Nguyễn Văn Đức"
    tcvn3, vni = "NguyÔn V¨n §øc".encode("latin-1"), "Nguyeãn Vaên Ñöùc".encode("latin-1")
    nfc, nfd = name.encode(), unicodedata.normalize("NFD", name).encode()
    column = [tcvn3, vni, nfc, None, nfd, b"LUC", tcvn3, vni, nfd, nfc]
    results = decode_column(column)
    assert [r.text for r in results] == [name, name, name, None, name, "LUC", name, name, name, name]
    expected = ["tcvn3", "vni", "utf-8", "ascii", "utf-8-nfd", "ascii", "tcvn3", "vni", "utf-8-nfd", "utf-8"]
    assert [r.encoding for r in results] == expected
    assert [r.raw for r in results] == column


def test_column_detects_each_distinct_value_once():
    """Repeated raw values share one result object; results equal per-value decoding."""
    column = ["§Êt ë", "Ñaát ôû", "§Êt ë", None, "Ñaát ôû", "§Êt ë"]
    results = decode_column(iter(column))
    assert results[0] is results[2] is results[5]
    assert results[1] is results[4]
    assert results == [decode_value(value) for value in column]


def test_hint_breaks_a_genuine_tie():
    """'ñi' is VNI 'đi' or TCVN3 'ủi': auto picks by signature but stays uncertain; a hint decides."""
    auto = decode_value("ñi")
    assert (auto.text, auto.encoding) == ("đi", "vni")
    assert "encoding_uncertain" in auto.flags
    assert decode_value("ñi", hint="tcvn3").text == "ủi"
    assert decode_value("ñi", hint="VNI").text == "đi"


def test_hint_yielding_garbage_is_overruled_and_flagged():
    """A wrong hint does not produce garbage: detection wins, confidence drops, flag is set."""
    auto = decode_value("§Êt trång c©y")
    hinted = decode_value("§Êt trång c©y", hint="vni")
    assert hinted.text == auto.text == "Đất trồng cây"
    assert "encoding_hint_mismatch" in hinted.flags and "encoding_hint_mismatch" not in auto.flags
    assert hinted.confidence < auto.confidence
    assert "encoding_hint_mismatch" in decode_value("Ñaát", hint="utf-8").flags


def test_matching_hint_adds_no_flag():
    """A correct hint (including 'utf-8' for double-encoded text) is not a mismatch."""
    assert decode_value("Ñaát ôû", hint="vni").flags == ()
    assert decode_value(cp1252_mojibake("Hòa Bình"), hint="utf-8").flags == ()


def test_unknown_hint_and_wrong_type_raise():
    """Unknown hints and non-text values are errors, not silent guesses."""
    with pytest.raises(ValueError, match="hint"):
        decode_value("abc", hint="viscii")
    with pytest.raises(TypeError):
        decode_value(12)  # type: ignore[arg-type]


def test_results_are_frozen_and_within_contract():
    """Decoded is immutable; every encoding is a known one and confidence lies in [0, 1]."""
    values = ["§Êt", "Ñaát", "café", "Mêng", b"\xff\xfe", "Äáº¥t", "中文", "12°C", b"plain"]
    for result in decode_column(values):
        assert result.encoding in ENCODINGS
        assert 0.0 <= result.confidence <= 1.0
        assert result.text is None or unicodedata.is_normalized("NFC", result.text)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("left", "right"),
    [("Hòa Bình", "Hoà Bình"), ("Thủy", "Thuỷ"), ("KHỎE", "khoẻ"), ("ĐẤT  Ở", "đất ở"), ("Hóa", "hoá")],
)
def test_search_key_unifies_tone_placement_case_and_spacing(left, right):
    """Old/new tone placement, case (TCVN3 case loss) and spacing do not affect the key."""
    assert search_key(left) == search_key(right)
    assert unicodedata.is_normalized("NFC", search_key(left))


def test_search_key_keeps_real_differences():
    """Tone placement that is not old-vs-new style and different letters stay distinct."""
    assert search_key("mùa") == "mùa"  # tone belongs on u in 'ua'
    assert search_key("Hòa") != search_key("Hóa")
    assert search_key(unicodedata.normalize("NFD", "Thuỷ")) == "thuỷ"
