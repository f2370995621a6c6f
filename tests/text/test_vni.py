"""VNI-Windows decoder and encoder: spec vectors, context sensitivity and round-trips in both cases."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.text import vni_decode, vni_encode

TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
LOWER = [unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưy" for tone in TONES] + ["đ"]
LETTERS = LOWER + [letter.upper() for letter in LOWER]


def test_appendix_b_vectors():
    """The two decoder vectors of Appendix B."""
    assert vni_decode("Ñaát ôû taïi noâng thoân") == "Đất ở tại nông thôn"
    assert vni_decode("Nguyeãn Vaên Ñöùc") == "Nguyễn Văn Đức"


@pytest.mark.parametrize(
    ("vni", "expected"),
    [
        ("Ñaát troàng caây laâu naêm", "Đất trồng cây lâu năm"),
        ("Thöøa Thieân Hueá", "Thừa Thiên Huế"),
        ("Vieät Nam", "Việt Nam"),
        ("VIEÄT NAM", "VIỆT NAM"),
        ("ÑÖÔØNG", "ĐƯỜNG"),
        ("khuyeán khích", "khuyến khích"),
        ("ñòa giôùi haønh chính", "địa giới hành chính"),
    ],
)
def test_spec_examples_decode(vni, expected):
    """§7.1 examples and uppercase text decode from the Latin-1 string and from bytes alike."""
    assert vni_decode(vni) == expected
    assert vni_decode(vni.encode("latin-1")) == expected


def test_decoding_is_context_sensitive():
    """A modifier byte means a diacritic only after a base that can carry it."""
    assert vni_decode("aê") == "ă"
    assert vni_decode("eê") == "eê"  # breve only after a
    assert vni_decode("uâ") == "uâ"  # circumflex only after a/e/o
    assert vni_decode("ê") == "ê"  # no base at all
    assert vni_decode("ôù ñ ó ò") == "ớ đ ĩ ị"  # single bytes, ơ taking a tone


def test_modifier_case_must_match_its_base():
    """An uppercase modifier after a lowercase vowel is not VNI (it is TCVN3 'Huế' read as Latin-1)."""
    assert vni_decode("HuÕ") == "HuÕ"
    assert vni_decode("HUÕ") == "HŨ"


def test_latin1_words_without_vni_pairs_are_kept():
    """A Latin-1 word whose accents are not preceded by a VNI base is unchanged."""
    assert vni_decode("café") == "café"


def test_every_letter_round_trips_in_both_cases():
    """Every lowercase and uppercase letter survives encode then decode."""
    assert len(LETTERS) == 146
    for letter in LETTERS:
        encoded = vni_encode(letter)
        assert vni_decode(encoded) == letter
        assert vni_decode(encoded.encode("latin-1")) == letter


def test_encode_produces_the_spec_byte_sequences():
    """Encoding gives the Latin-1 strings of the spec (modifier case follows the base letter)."""
    assert vni_encode("Đất ở tại nông thôn") == "Ñaát ôû taïi noâng thoân"
    assert vni_encode("NGUYỄN VĂN ĐỨC") == "NGUYEÃN VAÊN ÑÖÙC"
    assert vni_encode("ỵ Ỵ ỉ") == "î Î æ"


def test_encode_accepts_nfd_input():
    """Decomposed input encodes exactly like its NFC form."""
    assert vni_encode(unicodedata.normalize("NFD", "Thừa Thiên Huế")) == "Thöøa Thieân Hueá"


@pytest.mark.parametrize("char", ["ø", "Ñ", "€", "中"])
def test_unrepresentable_characters_raise(char):
    """VNI modifier/single bytes as literal characters and non-Latin-1 characters raise ValueError."""
    with pytest.raises(ValueError, match="VNI"):
        vni_encode(f"a{char}")


@given(st.text(alphabet=st.sampled_from(LETTERS + list("bcdghklmnpqrstvxBCDGHKLMNPQRSTVX0123456789 .,-/()°"))))
def test_round_trip_property(text):
    """vni_decode(vni_encode(s)) == s for Vietnamese text in any case."""
    assert vni_decode(vni_encode(text)) == text
