"""Issue 16 item 2: the raw source bytes of a value withheld as personal live only in the restricted schema.

A note and an address in VNI bytes hold an owner's name and ID number; the load withholds both values. The
analyst role (which reads the core table) must find neither the text nor its raw bytes (hex) anywhere in the
row's provenance; the restricted personal table keeps them for the data steward.
"""

from __future__ import annotations

from hub.db.connect import connect
from hub.text import vni_encode
from ingest.core.run import Options, run_ingest
from tests.ingest.conftest import parcels, write_shp

DS = "cadastre_cantho"
NOTE = "Chủ hộ Nguyễn Văn Đức, CCCD 079123456789"
ADDRESS = "Ấp Thới Hòa, ông Trần Minh Tâm 0912345678"


def test_withheld_values_leave_no_raw_bytes_in_core_provenance(hub_db, tmp_path, admin_conn):
    """Withheld note and address: core provenance (analyst's reach) holds no raw bytes of them; restricted does."""
    rows = parcels(4)
    rows[1]["GhiChu"] = vni_encode(NOTE)
    rows[2]["DiaChi"] = vni_encode(ADDRESS)
    for r in rows:
        r.setdefault("GhiChu", vni_encode("Đất trồng lúa"))
        r["KyHieuMucD"] = "LUC"  # all public (defence codes would route a row to the restricted table)
    res = run_ingest(DS, [write_shp(tmp_path / "held" / "held.shp", rows).parent], Options(force=True))
    assert res["status"] == "published"
    raw_note = vni_encode(NOTE).encode("latin-1").hex()
    raw_addr = vni_encode(ADDRESS).encode("latin-1").hex()
    with connect("analyst") as conn:
        got = conn.execute("SELECT row_id, note, address, provenance::text FROM cadastre.cadastre_cantho "
                           "ORDER BY row_id").fetchall()
    assert len(got) == 4
    text = " ".join(str(c) for r in got for c in r).lower()
    for secret in (raw_note, raw_addr, "079123456789", "0912345678", "trần minh tâm", "nguyễn văn đức"):
        assert secret not in text, secret
    assert got[1][1] is None and got[2][2] is None  # both values withheld from the core table
    assert got[0][3] is not None and "note" in got[0][3]  # a plain VNI note keeps its decision in core provenance
    personal = dict(admin_conn.execute(
        "SELECT row_id, personal_provenance::text FROM restricted.cadastre_cantho_personal").fetchall())
    assert raw_note in personal[got[1][0]] and raw_addr in personal[got[2][0]]
