"""Land-use crosswalk TT 27/2018 -> TT 08/2024 and legacy -> TT 08/2024 (domain spec §1.5 "Crosswalk rules").

`relation` describes the target relative to the source: exact (same meaning), narrower/broader (the target
means less/more), merged (several sources collapse into the target), split (the source is dissolved into several
targets), manual (uncertain, needs a human decision; note carries "[U]").

Codes present in both lists map exactly unless overridden in `_SAME_CODE`. TT 27/2018 codes without any TT 08/2024
counterpart are left unmapped on purpose: MVB, MVT, MVR, MVK (coastal observation indicators, 2024 status unknown).
"""

from __future__ import annotations

from hub.ref.landuse_codes import LEGACY, LEGACY_CODES, TT08, TT27, codes_in

MAP_HEADER = ("from_list", "from_code", "to_list", "to_code", "relation", "note")

_SAME_CODE = {
    "DKV": ("merged", "TT 08/2024 DKV also covers community activity land (2018 DSH)"),
    "MNC": ("narrower", "TT 08/2024 MNC is limited to ponds, lakes, lagoons (ao, hồ, đầm, phá)"),
    "DNL": ("broader", "TT 08/2024 DNL adds public lighting"),
    "DBV": ("broader", "TT 08/2024 DBV adds information-technology infrastructure"),
}

_SUB_INDICATOR = "TT 27/2018 sub-indicator folded into its parent"
_CDG = "CDG aggregate dissolved in TT 08/2024"
# TT 27/2018-only codes: (from_code, to_code, relation, note).
_TT27_ONLY = (
    ("SXN", "CHN", "split", "SXN aggregate dissolved in TT 08/2024 (CHN and CLN now under NNP)"),
    ("SXN", "CLN", "split", "SXN aggregate dissolved in TT 08/2024 (CHN and CLN now under NNP)"),
    ("LUN", "LUK", "manual", "[U] LUN absent in the TT 08/2024 list; LUK?"),
    ("BHK", "HNK", "merged", "BHK and NHK merged into HNK"),
    ("NHK", "HNK", "merged", "BHK and NHK merged into HNK"),
    ("RST", "RSX", "broader", _SUB_INDICATOR),
    ("RSM", "RSX", "broader", _SUB_INDICATOR),
    ("RSK", "RSX", "broader", _SUB_INDICATOR),
    ("RPN", "RPH", "broader", _SUB_INDICATOR),
    ("RPT", "RPH", "broader", _SUB_INDICATOR),
    ("RPM", "RPH", "broader", _SUB_INDICATOR),
    ("RPK", "RPH", "broader", _SUB_INDICATOR),
    ("RDN", "RDD", "broader", _SUB_INDICATOR),
    ("RDT", "RDD", "broader", _SUB_INDICATOR),
    ("RDM", "RDD", "broader", _SUB_INDICATOR),
    ("RDK", "RDD", "broader", _SUB_INDICATOR),
    ("TSL", "NTS", "broader", "MPLIS aquaculture sub-type folded into NTS"),
    ("TSN", "NTS", "broader", "MPLIS aquaculture sub-type folded into NTS"),
    ("CDG", "TSC", "split", _CDG),
    ("CDG", "CQA", "split", _CDG),
    ("CDG", "DSN", "split", _CDG),
    ("CDG", "CSK", "split", _CDG),
    ("CDG", "CCC", "split", _CDG),
    ("DTS", "DSK", "manual", "[U] DTS -> DSK?"),
    ("SKT", "SKK", "manual", "[U] SKT status in TT 08/2024 unknown; export-processing zones are industrial parks"),
    ("SKX", "SKC", "manual", "[U] SKX -> SKC or SKS, decide per parcel"),
    ("SKX", "SKS", "manual", "[U] SKX -> SKC or SKS, decide per parcel"),
    ("DDT", "DDD", "merged", "DDT and DDL merged into DDD"),
    ("DDL", "DDD", "merged", "DDT and DDL merged into DDD"),
    ("DSH", "DKV", "merged", "community activity land merged into DKV"),
    ("DCK", "CCC", "manual", "[U] DCK status in TT 08/2024 unknown; parent CCC until verified"),
    ("MCS", "CSD", "manual", "[U] MCS seen in a 2024-era MPLIS table; target unverified"),
)

_OCT_NOTE = "[U] spelling variant OCT of OTC (which one TT 27/2018 prints is unverified); OTC is canonical"


def land_use_map_rows() -> list[tuple]:
    """All rows of land_use_code_map.csv."""
    both = codes_in(TT27) & codes_in(TT08)
    rows = []
    for code in sorted(both):
        relation, note = _SAME_CODE.get(code, ("exact", ""))
        rows.append((TT27, code, TT08, code, relation, note))
    rows += [(TT27, src, TT08, dst, relation, note) for src, dst, relation, note in _TT27_ONLY]
    rows += [(TT27, "OCT", TT27, "OTC", "exact", _OCT_NOTE), (TT27, "OCT", TT08, "OTC", "exact", _OCT_NOTE)]
    rows += [(LEGACY, code, TT08, target, "manual", "[U] verify per dataset")
             for code, _, _, _, target in LEGACY_CODES]
    return rows
