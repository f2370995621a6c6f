"""Personal-data scan: the Arrow pre-filter never hides a value the full scan would flag; name folding."""

from __future__ import annotations

import json
import random

import numpy as np
import pyarrow as pa

from ingest.steps import pii

PIECES = ["ông", "Ông", "BÀ", "bà", "anh", "chị", "chủ hộ", "hộ ông", "Nguyễn Văn An", "Trần Thị Bé", "079203001234",
          "123456789", "12345678", "０１２３４５６７８", "Số 12", "Ấp Thới Thạnh", ",", " ", "\xa0", "\u2003", "\x1c",
          "\t", "\n", "Bà Rịa", "Thanh", "x"]


def test_prefilter_is_a_superset_of_the_scan():
    """10,000 random compositions: whenever scan() flags a value, the pre-filter selected it."""
    rng = random.Random(13)
    values = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6))) for _ in range(10_000)]
    picked = set(pii.candidates(pa.array(values)).tolist())
    flagged = [i for i, v in enumerate(values) if pii.scan(v)]
    assert flagged and set(flagged) <= picked


def test_fold_ignores_case_marks_and_spacing():
    """Owner names match inside addresses whatever their case, tone marks, đ and spacing."""
    assert pii.fold("Nguyễn  Văn\xa0ĐỨC") == b"nguyen van duc"
    assert pii.fold("NGUYEN VAN DUC") == pii.fold("nguyễn văn đức")
    assert pii.fold(None) is None


def test_redaction_per_distinct_value_matches_the_per_row_definition():
    """Texts and (owner, text) pairs are checked once per distinct value; the outcome is the per-row rule's: an ID
    number or a titled name first, otherwise the row's own owner name (≥ 5 folded characters) inside the text."""
    from hub.catalog.loader import load_dataset
    from ingest.core.findings import Findings
    from ingest.families.cadastre import pipeline as cadastre

    rng = random.Random(5)
    owners = ["Nguyễn Văn An", "TRẦN THỊ BÉ", "Lê Lan", "An", None, ""]
    texts = ["Ấp Thới Thạnh, nhà của nguyen van an", "tran thi be, Số 12", "Số 12 ấp Lê Lan",
             "chủ hộ Trần Văn Tư",
             "CCCD 079203001234", "Ấp An Bình", None, "", "Nguyễn  Văn\xa0AN"]
    n = 2_000
    cols = {"owner_name": [rng.choice(owners) for _ in range(n)], "address": [rng.choice(texts) for _ in range(n)],
            "note": [rng.choice(texts) for _ in range(n)]}
    expected = {}
    for col in cadastre.TEXT_SCAN:
        for i, (owner, text) in enumerate(zip(cols["owner_name"], cols[col])):
            name = pii.fold(owner)
            if text and (pii.scan(text) or (name and len(name) >= 5 and name in pii.fold(text))):
                expected.setdefault(i, {})[col] = text
    before = cols
    cols = {k: pa.array(v, pa.string()) for k, v in cols.items()}  # as the decoding step hands them over
    ds = load_dataset("cadastre_upload")
    f = Findings(ds, "t.gpkg", np.arange(n), [None] * n)
    withheld, _ = cadastre._personal_text(f, cols, {"address": "DiaChi", "note": "GhiChu"})
    got = {i: json.loads(w) for i, w in enumerate(withheld) if w}
    assert got == expected and len(expected) > 100
    for col in cadastre.TEXT_SCAN:  # redacted values are gone from the public columns, the others untouched
        after = cols[col].to_pylist()
        assert all((after[i] is None) == (col in expected.get(i, {}) or before[col][i] is None) for i in range(n))
