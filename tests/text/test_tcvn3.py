"""TCVN3 (ABC) decoder and encoder against the spec's Appendix B table and test vectors."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.text import tcvn3_decode, tcvn3_encode

# Appendix B, transcribed: byte (hex) followed by its character.
APPENDIX_B = """
A1 Ă A2 Â A3 Ê A4 Ô A5 Ơ A6 Ư A7 Đ A8 ă A9 â AA ê AB ô AC ơ AD ư AE đ B5 à B6 ả B7 ã B8 á B9 ạ BB ằ BC ẳ BD ẵ
BE ắ C6 ặ C7 ầ C8 ẩ C9 ẫ CA ấ CB ậ CC è CE ẻ CF ẽ D0 é D1 ẹ D2 ề D3 ể D4 ễ D5 ế D6 ệ D7 ì D8 ỉ DC ĩ DD í DE ị
DF ò E1 ỏ E2 õ E3 ó E4 ọ E5 ồ E6 ổ E7 ỗ E8 ố E9 ộ EA ờ EB ở EC ỡ ED ớ EE ợ EF ù F1 ủ F2 ũ F3 ú F4 ụ F5 ừ F6 ử
F7 ữ F8 ứ F9 ự FA ỳ FB ỷ FC ỹ FD ý FE ỵ
""".split()
TABLE = {int(APPENDIX_B[i], 16): APPENDIX_B[i + 1] for i in range(0, len(APPENDIX_B), 2)}
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
LOWER = [unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưy" for tone in TONES] + ["đ"]
OWN_CAPITALS = "ĂÂÊÔƠƯĐ"


def test_appendix_b_vectors():
    """The two decoder vectors of Appendix B."""
    assert tcvn3_decode(b"\xa7\xcat tr\xe5ng c\xa9y l\xa9u n\xa8m") == "Đất trồng cây lâu năm"
    assert tcvn3_decode(b"M\xad\xeang Kh\xad\xacng") == "Mường Khương"


def test_every_table_byte_decodes_as_in_appendix_b():
    """Each of the 74 assigned bytes decodes to the table's NFC character; every other byte is Latin-1 passthrough."""
    assert len(TABLE) == 74
    for byte in range(256):
        decoded = tcvn3_decode(bytes([byte]))
        assert decoded == unicodedata.normalize("NFC", TABLE.get(byte, chr(byte))), hex(byte)
        assert unicodedata.is_normalized("NFC", decoded)


@pytest.mark.parametrize(
    ("mojibake", "expected"),
    [
        ("§Êt trång c©y l©u n¨m", "Đất trồng cây lâu năm"),
        ("NguyÔn V¨n §øc", "Nguyễn Văn Đức"),
        ("Thõa Thiªn HuÕ", "Thừa Thiên Huế"),
        ("Hßa B×nh", "Hòa Bình"),
    ],
)
def test_latin1_mojibake_strings_decode(mojibake, expected):
    """§7.1 mojibake (TCVN3 read as Latin-1) decodes from the str and from its bytes alike."""
    assert tcvn3_decode(mojibake) == expected
    assert tcvn3_decode(mojibake.encode("latin-1")) == expected


def test_lost_soft_hyphen_gives_the_degraded_form():
    """Without the 0xAD bytes (ư) the decoder can only produce the degraded names seen in the wild."""
    assert tcvn3_decode("Mêng Kh¬ng") == "Mờng Khơng"


def test_unassigned_bytes_and_ascii_pass_through():
    """ASCII and bytes the table leaves unassigned (0xB0 °, 0xE0) are Latin-1 passthrough."""
    assert tcvn3_decode(b"Lo 12: 45\xb0 \xe0") == "Lo 12: 45° à"
    assert tcvn3_decode("") == ""


def test_case_loss_of_vntimeh():
    """Capitals without their own byte encode to the lowercase byte, so the case is lost (.VnTimeH)."""
    assert tcvn3_encode("Ấ") == tcvn3_encode("ấ") == b"\xca"
    assert tcvn3_decode(tcvn3_encode("ĐẤT Ở")) == "ĐấT ở"
    assert tcvn3_decode(b"\xa7\xcat \xeb") == "Đất ở"


def test_every_letter_round_trips():
    """All lowercase letters and the seven capitals with their own byte survive encode then decode."""
    for letter in LOWER + list(OWN_CAPITALS):
        assert tcvn3_decode(tcvn3_encode(letter)) == letter
    assert {tcvn3_encode(c) for c in OWN_CAPITALS} == {bytes([b]) for b in range(0xA1, 0xA8)}


def test_uppercase_letters_decode_to_their_lowercase():
    """Every uppercase letter survives up to case: only case information is lost."""
    for letter in LOWER:
        assert tcvn3_decode(tcvn3_encode(letter.upper())).lower() == letter


def test_encode_accepts_nfd_input():
    """Decomposed input encodes exactly like its NFC form."""
    text = "Thừa Thiên Huế"
    assert tcvn3_encode(unicodedata.normalize("NFD", text)) == tcvn3_encode(text) == b"Th\xf5a Thi\xaan Hu\xd5"


@pytest.mark.parametrize("char", ["€", "§", "ß", "ǹ", "中"])
def test_unrepresentable_characters_raise(char):
    """Characters with no byte of their own (or whose Latin-1 byte is taken by a letter) raise ValueError."""
    with pytest.raises(ValueError, match="TCVN3"):
        tcvn3_encode(f"a{char}b")


@given(st.text(alphabet=st.sampled_from(LOWER + list(OWN_CAPITALS) + list("abcdfghklmnpqrstvx0123456789 .,-/()"))))
def test_round_trip_property(text):
    """tcvn3_decode(tcvn3_encode(s)) == s for lowercase Vietnamese text."""
    assert tcvn3_decode(tcvn3_encode(text)) == text
