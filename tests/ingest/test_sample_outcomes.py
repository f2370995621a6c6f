"""The shipped sample set end to end: the exact outcome of every deliberately broken record (§11)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from hub.db.connect import conninfo
from hub.samples import generate
from ingest.core.run import Options, run_ingest
from ingest.reference.boundaries import load_boundaries

# Where the hub deliberately differs from the generator's suggestion, and why.
SEVERITY_OVERRIDES = {
    # KĐD is a planning-zone code (PLAN_ZONE_TT08_2024), never a parcel land type: rejected, not just flagged.
    ("unknown_land_use", "warn"): "error",
}
# Informational decoding notes the hub does not raise as issues: the value decodes correctly and with
# confidence (a correct UTF-8 value among VNI rows; TCVN3 upper-case loss cannot be detected from the bytes).
NOT_RAISED = {"10_utf8_nfc", "10_tcvn3_case_loss"}


@pytest.fixture(scope="module")
def loaded(hub_db, tmp_path_factory):
    """Generate the samples, load the boundaries, ingest both provinces; returns (manifest, results)."""
    out = tmp_path_factory.mktemp("samples")
    manifest = generate(out)
    load_boundaries([out / "admin" / "communes_old.gpkg", out / "admin" / "communes_new.gpkg"])
    results = {d: run_ingest(f"cadastre_{d}", [out / d], Options(force=True)) for d in ("cantho", "tuyenquang")}
    return manifest, results


def _issues(conn, load_ids):
    """(file basename, rule) -> [(row, key, severity, action)]."""
    idx: dict = {}
    for f, r, k, rule, sev, act in conn.execute(
            "SELECT file, row_no, feature_key, rule, severity, action FROM meta.issue WHERE load_id = ANY(%s)",
            (load_ids,)):
        idx.setdefault((Path(f).name, rule), []).append((r, k, sev, act))
    return idx


def test_every_row_loaded_or_quarantined(loaded):
    """rows_in equals the generated parcels and loaded + rejected."""
    manifest, results = loaded
    assert results["cantho"]["rows_in"] == manifest["parcels"]["A_cantho"]
    assert results["tuyenquang"]["rows_in"] == manifest["parcels"]["B_tuyenquang"]
    for r in results.values():
        assert r["rows_in"] == r["rows_loaded"] + r["rows_rejected"]


def test_each_broken_record_has_its_rule(loaded, admin_conn):
    """Every defect in the manifest is reported on its row with the expected rule and severity."""
    manifest, results = loaded
    idx = _issues(admin_conn, [r["load_id"] for r in results.values()])
    missing, wrong = [], []
    for b in manifest["broken"]:
        if b["rule"] == "none" or b["defect"] in NOT_RAISED:
            continue
        hits = [h for h in idx.get((Path(b["file"]).name, b["rule"]), [])
                if (b["row"] is not None and h[0] == b["row"]) or h[1] == b["key"]]
        if not hits:
            missing.append((b["file"], b["key"], b["rule"]))
            continue
        expected = SEVERITY_OVERRIDES.get((b["rule"], b["severity"]), b["severity"])
        if hits[0][2] != expected:
            wrong.append((b["key"], b["rule"], hits[0][2], expected))
    assert not missing, missing[:10]
    assert not wrong, wrong[:10]


def test_legit_same_number_in_merged_communes_and_split_assignment(loaded, admin_conn):
    """Defect 4 loads without error; defect 13 parcels get their new commune spatially."""
    manifest, _ = loaded
    for b in manifest["broken"]:
        if b["defect"].startswith(("4_", "13_")):
            row = admin_conn.execute(
                "SELECT commune_code FROM cadastre.cadastre_cantho WHERE parcel_key = %s UNION ALL "
                "SELECT commune_code FROM cadastre.cadastre_tuyenquang WHERE parcel_key = %s",
                (b["key"], b["key"])).fetchall()
            assert len(row) == 1, b["key"]
            assert row[0][0] == b["expected"]["new_commune_code"], b


def test_nothing_personal_or_sensitive_in_public_views(loaded, hub_db):
    """No owner name, no CCCD, no CQP/CAN parcel in any pub view."""
    manifest, _ = loaded
    sensitive = {b["key"] for b in manifest["broken"] if b["rule"] == "sensitive_land_use"}
    with psycopg.connect(conninfo("api", hub_db, tcp=True)) as api:
        for view in ("cadastre_cantho", "cadastre_tuyenquang"):
            rows = api.execute(f"SELECT id, row_to_json(v)::text FROM pub.{view} v").fetchall()  # noqa: S608
            ids = {r[0] for r in rows}
            assert not ids & sensitive
            text = "\n".join(r[1] for r in rows)
            assert "CQP" not in text and "CAN" not in text.replace("CANH", "")
            for b in manifest["broken"]:
                if b["rule"] == "personal_data_in_text":
                    assert b["key"] not in ids or json.dumps(b.get("expected", {})).find("0") >= 0
    with psycopg.connect(conninfo("admin", hub_db)) as conn:
        owners = [r[0] for r in conn.execute("SELECT DISTINCT owner_name FROM restricted.cadastre_cantho_personal "
                                             "WHERE owner_name IS NOT NULL LIMIT 50")]
    assert owners and not any(o in text for o in owners)


def test_national_ids_kept_official(loaded, admin_conn):
    """Mismatching national ids are flagged but kept as imported."""
    manifest, _ = loaded
    for b in manifest["broken"]:
        if b["rule"] == "national_id_mismatch" and "cantho" in b["file"]:
            got = admin_conn.execute("SELECT national_id FROM cadastre.cadastre_cantho WHERE parcel_key = %s",
                                     (b["key"],)).fetchone()
            if got:
                assert got[0] and len(got[0]) == 12


def test_parcel_report_example_is_a_demo_parcel(loaded):
    """The parcel report's documented example finds exactly one parcel of the demo data, with its commune names
    (old Phường Thốt Nốt, now Phường Thốt Nốt 31212) and a validity date labelled as the load date."""
    from hub.api.processes.parcel_report import PROCESS_METADATA, report

    body = report(PROCESS_METADATA["example"]["inputs"], "vi")
    assert body["count"] == 1, body
    data = body["parcels"][0]["sections"]["cadastre"]["data"]
    assert data["attributes"]["parcel_key"] == "31207.1.1" and data["land_use"][0]["code"] == "ODT"
    assert data["communes"]["old_commune"]["name"] == "Phường Thốt Nốt"
    assert data["communes"]["commune"] == {"code": "31212", "name": "Phường Thốt Nốt", "admin_version": "GSO-2025-07-01"}
    assert data["valid_from"]["basis"] == "load_date"  # the demo loads without --valid-from
