"""API test fixtures: published synthetic Cần Thơ parcels, and a real `hub serve` subprocess on a free port."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import httpx
import pytest
import shapely
from psycopg import sql
from shapely.geometry import MultiPolygon, box

from hub.catalog import ddl
from hub.catalog.loader import load_dataset
from hub.db.connect import connect

ROOT = Path(__file__).resolve().parents[2]
DATASET = "cadastre_cantho"
COLS, ROWS_N = 60, 50  # 3,000 parcels
LON0, LAT0, STEP = 105.74, 10.02, 0.0002  # ~22 m parcels near Cần Thơ
SENSITIVE_EVERY = 97
LAND_USE = ["LUC", "ONT+CLN", "CLN", "ODT", "NTS", "ONT", "LUC+NTS", "HNK"]
STREETS = ["Đường 30 Tháng 4", "Đường Nguyễn Văn Cừ", "Đường Trần Hưng Đạo", "Ấp Thới Thạnh", "Khu vực Bình Thường B"]
COMMUNES = ["31150", "31153", "31157"]
RESTRICTED_NAMES = ["land_use_raw", "note", "is_sensitive", "provenance", "owner_name", "owner_birth_year",
                    "owner_id_no", "owner_address", "ethnicity", "row_id", "geom_vn2000"]


def nfc(text: str) -> str:
    """NFC-normalised text."""
    return unicodedata.normalize("NFC", text)


def parcel_rows():
    """Synthetic parcels: (row values for the core table, personal values)."""
    out = []
    for i in range(COLS * ROWS_N):
        cx, cy = i % COLS, i // COLS
        x0, y0 = LON0 + cx * STEP, LAT0 + cy * STEP
        geom = MultiPolygon([box(x0, y0, x0 + STEP * 0.98, y0 + STEP * 0.98)])
        commune = COMMUNES[cx * len(COMMUNES) // COLS]
        sheet, parcel = 1 + cy // 10, 1 + i
        sensitive = i % SENSITIVE_EVERY == 5
        codes = "CQP" if sensitive else LAND_USE[i % len(LAND_USE)]
        national = f"09012-{20 + cy % 10:02d}-{cx + 10:02d}" if i % 7 == 0 else f"w3g{i:09d}"
        out.append({
            "row_id": i + 1, "parcel_key": f"{commune}.{sheet}.{parcel}", "national_id": national,
            "old_commune_code": commune, "commune_code": "31150", "admin_version": "GSO-2025-06-30",
            "sheet_no": sheet, "sheet_no_new": sheet + 100 if i % 3 == 0 else None, "parcel_no": parcel,
            "area_m2": round(480.0 + (i % 50) * 1.5, 1), "computed_area_m2": round(470.25 + (i % 50) * 1.5, 2),
            "land_use_codes": codes, "land_use_list": "LANDUSE_TT08_2024",
            "address": nfc(f"Số {i % 200 + 1}, {STREETS[i % len(STREETS)]}, phường Ninh Kiều"),
            "src_srid": 9209, "valid_from": dt.date(2015 + i % 10, 1 + i % 12, 1 + i % 28),
            "land_use_raw": codes.lower(), "note": nfc("Ghi chú nội bộ"), "is_sensitive": sensitive,
            "provenance": '{"file": "synthetic.gpkg"}', "geom": shapely.to_wkb(
                shapely.set_srid(geom, 4326), hex=True, include_srid=True),
            "_owner": nfc(f"Nguyễn Văn {chr(65 + i % 26)}"),
        })
    return out


def build_published(dbname: str, dataset_id: str = DATASET, version: int = 1) -> dict:
    """Load synthetic parcels and publish them the way `hub ingest` will (one function, to be replaced)."""
    ds = load_dataset(dataset_id)
    schema, table = ds.core_table
    rows = parcel_rows()
    core_cols = ddl.core_columns(ds)
    with connect("admin", dbname) as conn:
        conn.execute("SET ROLE hub_owner")
        conn.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(sql.Identifier(*ds.view)))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(schema, table)))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(*ds.personal_table)))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(*ds.sensitive_table)))
        conn.execute(ddl.create_core(ds, schema, table))
        conn.execute(ddl.create_personal(ds, *ds.personal_table))
        load_cols = [c for c in core_cols if c != "geom_vn2000"]
        with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, load_cols)))) as cp:
            for r in rows:
                cp.write_row([r[c] for c in load_cols])
        with conn.cursor().copy(sql.SQL("COPY {} (row_id, owner_name) FROM STDIN").format(
                sql.Identifier(*ds.personal_table))) as cp:
            for r in rows:
                cp.write_row([r["row_id"], r["_owner"]])
        conn.execute(sql.SQL("UPDATE {} SET geom_vn2000 = ST_SetSRID(ST_Transform(geom, 904756), 4756)").format(
            sql.Identifier(schema, table)))
        for stmt in ddl.split_sensitive(ds, (schema, table), ds.sensitive_table):  # as the pipeline does
            conn.execute(stmt)
        conn.execute(ddl.index_spatial(schema, table, f"{table}_v{version}"))
        for stmt in ddl.index_keys(ds, schema, table, f"{table}_v{version}"):
            conn.execute(stmt)
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, table)))
        conn.execute(ddl.create_view(ds, schema, table))
        conn.execute(sql.SQL("GRANT SELECT ON {} TO hub_api").format(sql.Identifier(*ds.view)))
        public = conn.execute(sql.SQL(
            "SELECT count(*), ST_XMin(ST_Extent(geom)), ST_YMin(ST_Extent(geom)), ST_XMax(ST_Extent(geom)), "
            "ST_YMax(ST_Extent(geom)), min(valid_from), max(valid_from) FROM {}").format(
            sql.Identifier(*ds.view))).fetchone()
        count, bbox, lo, hi = public[0], list(public[1:5]), public[5], public[6]
        load_id = conn.execute(
            "INSERT INTO meta.load (dataset_id, status, finished_at, rows_in, rows_loaded, rows_rejected, version, "
            "source_files) VALUES (%s, 'published', now(), %s, %s, 0, %s, '[]') RETURNING load_id",
            (dataset_id, len(rows), len(rows), version)).fetchone()[0]
        conn.execute(
            "INSERT INTO meta.published (dataset_id, load_id, version, published_at, row_count, bbox, interval_start,"
            " interval_end, table_name, view_name, columns) VALUES (%s, %s, %s, now(), %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (dataset_id) DO UPDATE SET load_id = EXCLUDED.load_id, version = EXCLUDED.version,"
            " published_at = EXCLUDED.published_at, row_count = EXCLUDED.row_count, bbox = EXCLUDED.bbox,"
            " interval_start = EXCLUDED.interval_start, interval_end = EXCLUDED.interval_end,"
            " columns = EXCLUDED.columns",
            (dataset_id, load_id, version, count, bbox, lo, hi, f"{schema}.{table}", ".".join(ds.view),
             '[' + ",".join(f'{{"name": "{n}"}}' for n in ddl.public_view_columns(ds)) + ']'))
        conn.execute("RESET ROLE")
        conn.commit()
    return {"count": count, "bbox": bbox, "rows": rows, "version": version}


@pytest.fixture(scope="session")
def published(hub_db) -> dict:
    """cadastre_cantho published with synthetic data (replace by the real pipeline when it lands)."""
    return build_published(hub_db)


def _free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(published, tmp_path_factory):
    """`hub serve` on a free port (2 workers) against the test database; yields its base URL."""
    port = _free_port()
    home = tmp_path_factory.mktemp("hubhome")
    real_home = os.environ.get("HUB_HOME") or str(ROOT / ".hub")
    env = {**os.environ, "HUB_API_PORT": str(port), "HUB_API_HOST": "127.0.0.1", "HUB_HOME": real_home,
           "HUB_API_RUNTIME_DIR": str(home)}
    for key in ("PYGEOAPI_CONFIG", "PYGEOAPI_OPENAPI", "HUB_API_CONFIG_TOKEN"):
        env.pop(key, None)
    log = open(home / "server.log", "wb")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "hub"), "serve", "--workers", "2"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"hub serve exited: {(home / 'server.log').read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/conformance?f=json", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        raise RuntimeError("hub serve did not become ready")
    yield base
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="session")
def client(server):
    """An httpx client bound to the test server."""
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c
