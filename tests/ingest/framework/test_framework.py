"""The family framework with a family that exists only here: tables without geometry, points, secondary tables,
typed values with findings, the column-mapping report, and the append and versioned strategies."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from psycopg import sql

from hub.db.connect import connect
from hub.errors import PublishRefused, UsageError
from ingest.core.run import Options, run_ingest
from tests.ingest.framework.conftest import geojson, rows

UTC = dt.UTC


def _obs(station: str, hours: range, day: int = 1, level: float = 10.0) -> list:
    """Hourly observations of one station (UTC+7 local time with its offset, as RFC 3339)."""
    return [({"code": f"{station}-{day}-{h}", "station": station, "time": f"2026-01-{day:02d}T{h:02d}:00:00+07:00",
              "level": level + h, "reporter": "Nguyễn Văn A"}, (581000 + h, 1110000)) for h in hours]


def test_non_spatial_table_publishes_without_geometry(probe_catalog, tmp_path, admin_conn):
    """A table without geometry: no geometry column in the core table or the view; rows_in = loaded + rejected;
    a secondary table filled from the same rows, with its own published view."""
    src = geojson(tmp_path / "tags.geojson", [({"code": f"c{i}", "tags": "a, b" if i % 2 else "c", "level": i},
                                              None) for i in range(6)])
    res = run_ingest("probe_tables", [src])
    assert res["status"] == "published" and res["rows_in"] == 6 == res["rows_loaded"] + res["rows_rejected"]
    cols = {r[0] for r in admin_conn.execute("SELECT column_name FROM information_schema.columns WHERE "
                                             "table_schema = 'pub' AND table_name = 'probe_tables'")}
    assert cols == {"id", "code", "tags", "level"}
    tags = admin_conn.execute("SELECT code, tag FROM pub.probe_tags ORDER BY code, tag").fetchall()
    assert tags == [("c0", "c"), ("c1", "a"), ("c1", "b"), ("c2", "c"), ("c3", "a"), ("c3", "b"),
                    ("c4", "c"), ("c5", "a"), ("c5", "b")]
    assert res["tables"]["tags"] == {"rows": 9, "loaded": 9}
    published = admin_conn.execute("SELECT collection, row_count, bbox FROM meta.published_collection WHERE "
                                   "dataset_id = 'probe_tables' ORDER BY 1").fetchall()
    assert published == [("probe_tables", 6, None), ("probe_tags", 9, None)]


def test_values_a_column_cannot_hold_are_quarantined_with_their_reason(probe_catalog, tmp_path, admin_conn):
    """Text in an integer column, and a number too large for it, reject their rows with bad_value naming the
    field; the others load (rows_in = loaded + rejected); nothing reaches COPY that the column cannot hold."""
    src = geojson(tmp_path / "bad.geojson", [({"code": "ok", "level": 5}, None),
                                             ({"code": "text", "level": "năm"}, None),
                                             ({"code": "huge", "level": 10**12}, None)])
    res = run_ingest("probe_tables", [src], Options(force=True))
    assert res["rows_in"] == 3 and res["rows_loaded"] == 1 and res["rows_rejected"] == 2
    msgs = admin_conn.execute("SELECT field, rule, message FROM meta.issue WHERE load_id = %s ORDER BY message",
                              (res["load_id"],)).fetchall()
    assert ("level", "bad_value", "level: '1000000000000' is not a whole number (32-bit)") in msgs
    assert ("level", "bad_value", "level: 'năm' is not a whole number (32-bit)") in msgs
    assert res["examples"]["bad_value"][0].startswith("bad.geojson row ")
    quarantined = admin_conn.execute("SELECT row_no, rules FROM restricted.quarantine WHERE load_id = %s "
                                     "ORDER BY row_no", (res["load_id"],)).fetchall()
    assert quarantined == [(2, ["bad_value"]), (3, ["bad_value"])]


def test_column_mapping_is_reported_and_map_option_fills_a_column(probe_catalog, tmp_path, admin_conn):
    """The summary lists source -> column, unmapped fields and important columns left empty (a column_empty
    finding); --map SRC=target maps a field for one run and is recorded in the ledger."""
    feats = [({"code": f"m{i}", "station": "S9", "time": f"2026-02-01T0{i}:00:00+07:00", "MUCNUOC": 3.5 + i,
               "extra": "x"}, (581000, 1110000)) for i in range(3)]
    src = geojson(tmp_path / "map.geojson", feats)
    res = run_ingest("probe_append", [src], Options(dry_run=True))
    cols = res["files"][0]["columns"]
    assert cols["mapped"]["station"] == "station" and set(cols["unmapped"]) == {"MUCNUOC", "extra"}
    assert res["issues_by_rule"]["column_empty"]["count"] == 1
    assert "no source field maps to it" in res["examples"]["column_empty"][0]
    assert "--map FIELD=level" in res["examples"]["column_empty"][0]
    res = run_ingest("probe_append", [src], Options(column_map=(("MUCNUOC", "level"),)))
    assert res["status"] == "published" and "column_empty" not in res["issues_by_rule"]
    assert res["files"][0]["columns"]["mapped"]["MUCNUOC"] == "level"
    assert res["options"]["map"] == ["MUCNUOC=level"]
    assert [r[0] for r in admin_conn.execute("SELECT level FROM pub.probe_append WHERE station = 'S9' ORDER BY 1")] \
        == [3.5, 4.5, 5.5]
    with pytest.raises(UsageError, match="not a column"):
        run_ingest("probe_append", [src], Options(column_map=(("MUCNUOC", "nothing"),)))


def test_append_adds_windows_replaces_a_redelivered_one_and_refuses_an_overlap(probe_catalog, tmp_path, admin_conn):
    """append: a new window adds rows; the same window again replaces them (no duplicates); a window overlapping
    published rows without being one loaded before is refused unless forced. Personal columns stay restricted."""
    day1 = run_ingest("probe_append", [geojson(tmp_path / "d1.geojson", _obs("A", range(0, 6)))])
    assert day1["status"] == "published"
    day2 = run_ingest("probe_append", [geojson(tmp_path / "d2.geojson", _obs("A", range(0, 6), day=2))])
    assert day2["status"] == "published"
    count = "SELECT count(*) FROM pub.probe_append WHERE station = 'A'"
    assert admin_conn.execute(count).fetchone()[0] == 12
    again = run_ingest("probe_append", [geojson(tmp_path / "d2b.geojson", _obs("A", range(0, 6), day=2, level=50))])
    assert again["status"] == "published" and admin_conn.execute(count).fetchone()[0] == 12
    assert admin_conn.execute("SELECT min(level) FROM pub.probe_append WHERE station = 'A' AND observed_at >= "
                              "'2026-01-02T00:00:00+07:00'").fetchone()[0] == 50
    with pytest.raises(PublishRefused, match="overlaps"):
        run_ingest("probe_append", [geojson(tmp_path / "back.geojson", _obs("A", range(3, 9)))])
    forced = run_ingest("probe_append", [geojson(tmp_path / "back2.geojson", _obs("A", range(3, 9)))],
                        Options(force=True))
    assert forced["status"] == "published" and admin_conn.execute(count).fetchone()[0] == 15
    extent = admin_conn.execute("SELECT interval_start, interval_end, row_count FROM meta.published_collection "
                                "WHERE collection = 'probe_append'").fetchone()
    assert extent[0] == dt.datetime(2025, 12, 31, 17, tzinfo=UTC) and extent[2] >= 15
    assert "reporter" not in {r[0] for r in admin_conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema IN ('pub', 'probe')")}
    ids = [r[0] for r in admin_conn.execute("SELECT row_id FROM probe.probe_append")]
    assert len(ids) == len(set(ids))  # row ids stay unique across loads
    with connect("api", autocommit=True) as api:
        assert api.execute("SELECT count(*) FROM pub.probe_append").fetchone()[0] >= 15


def test_versioned_closes_the_previous_version_and_answers_as_of(probe_catalog, tmp_path, admin_conn):
    """versioned: the 2027 table closes the 2026 rows of the same province (valid_to = 2027-01-01) and both stay;
    "as of D" is one query; another province is untouched; an older version than a published one is refused."""
    def table(name: str, province: str, start: str, price: int, n: int = 3) -> list:
        return [({"uid": f"{province}-{start}-{i}", "province": province, "code": f"ODT{i}", "price": price + i,
                  "from": start}, None) for i in range(n)]
    run_ingest("probe_versioned", [geojson(tmp_path / "v1.geojson", table("v1", "92", "2026-01-01", 1000))])
    run_ingest("probe_versioned", [geojson(tmp_path / "v0.geojson", table("v0", "08", "2026-01-01", 500))])
    run_ingest("probe_versioned", [geojson(tmp_path / "v2.geojson", table("v2", "92", "2027-01-01", 1200))])
    got = rows(admin_conn, "pub.probe_versioned", "province, valid_from, code")
    closed = [r for r in got if r[2] == "92" and r[5] == dt.date(2026, 1, 1)]
    assert len(got) == 9 and all(r[6] == dt.date(2027, 1, 1) for r in closed)
    assert all(r[6] is None for r in got if r[2] == "08")
    as_of = "SELECT price FROM pub.probe_versioned WHERE province = '92' AND code = 'ODT0' AND valid_from <= %s " \
            "AND (valid_to IS NULL OR %s < valid_to)"
    assert admin_conn.execute(as_of, (dt.date(2026, 6, 1),) * 2).fetchall() == [(1000,)]
    assert admin_conn.execute(as_of, (dt.date(2027, 6, 1),) * 2).fetchall() == [(1200,)]
    with pytest.raises(PublishRefused, match="already published"):
        run_ingest("probe_versioned", [geojson(tmp_path / "old.geojson", table("v", "92", "2025-01-01", 900))])


def test_a_catalog_column_change_is_not_merged_into_history(probe_catalog, tmp_path, admin_conn):
    """append and versioned refuse to merge a load whose catalog added a column into published rows of the old
    shape (that needs a full republication); the published rows stay as they were."""
    from hub.catalog.loader import load_all
    from tests.ingest.framework.conftest import BASE, ENTRIES
    for name, good in (("probe_append", _obs("A", range(20, 22), day=5)),
                       ("probe_versioned", [({"uid": "92-x", "province": "92", "code": "ODT", "price": 1,
                                              "from": "2028-01-01"}, None)])):
        path = probe_catalog / f"{name}.yaml"
        original = path.read_text(encoding="utf-8")
        entry = {**BASE, "id": name, **ENTRIES[name]}
        entry["columns"] = [*entry["columns"], {"name": "note", "type": "text", "sensitivity": "public",
                                                "source": ["note"]}]
        path.write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
        load_all.cache_clear()
        before = admin_conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("pub", name))).fetchone()
        try:
            with pytest.raises(PublishRefused, match="catalog changed its columns"):
                run_ingest(name, [geojson(tmp_path / f"{name}.geojson", good)])
        finally:
            path.write_text(original, encoding="utf-8")
            load_all.cache_clear()
        after = admin_conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("pub", name))).fetchone()
        assert after == before
