"""Hostile input files (security cases I01, I02): refused before GDAL or the hub reads or writes anything else.

I01: the hub accepts no archives at all: a zip (with zip-slip member names), a nested or renamed archive is
refused with exit 5 and nothing is written anywhere. I02: no VRT, no /vsi… or URL path, no path pyogrio would
rewrite into one (`a.zip!b`, `a;b`), no GeoJSON `crs` link GDAL would fetch, no symbolic link or sidecar leading
out of the input folder. "Nothing read" is proven with canaries: a FIFO a reader would block on, and a TCP
listener that counts connections.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from hub.errors import InputError
from ingest import sources
from tests.ingest.conftest import parcels, write_shp
from tests.ingest.faultkit import assert_clean_error, files_under, hub, max_load_id

DS = "cadastre_cantho"


def _refused(args: list, *needles: str, code: int = 5):
    """`hub ingest DS ARGS` exits with `code` and a clean one-line error naming the needles."""
    res = hub("ingest", DS, *args)
    assert res.code == code, (res.code, res.stderr)
    assert_clean_error(res, *needles)
    return res


class Fifo:
    """A named pipe as a read canary: a writer thread blocks on open() until someone opens it for reading."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.opened = threading.Event()
        self.thread = threading.Thread(target=self._wait, daemon=True)
        self.thread.start()

    def _wait(self) -> None:
        fd = os.open(self.path, os.O_WRONLY)  # returns only once a reader has opened the pipe
        if not self.opened.is_set():
            self.opened.set()
        os.close(fd)

    def read_by_someone(self) -> bool:
        """Whether anyone opened the pipe for reading so far; releases the writer thread either way."""
        was = self.opened.is_set()
        self.opened.set()
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self.thread.join(timeout=5)
        os.close(fd)
        return was


class Sinkhole:
    """A TCP listener on 127.0.0.1 that records every connection (an outbound-request canary)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(0.5)
            try:
                self.hits.append(conn.recv(2048))
            except OSError:
                self.hits.append(b"")
            conn.close()

    def close(self) -> list[bytes]:
        """Stop listening; the connections seen."""
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()
        return self.hits


@pytest.fixture()
def sinkhole():
    """A connection-counting listener, closed after the test."""
    s = Sinkhole()
    yield s
    s.close()


# --- I01: archives ---------------------------------------------------------------------------------------------

def _zip_slip(path: Path, victim: str) -> Path:
    """A zip whose members would land outside any extraction folder (relative and absolute), plus a shapefile."""
    shp = write_shp(path.parent / "inner" / "inner.shp", parcels(2))
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"../../{victim}", "pwned")
        zf.writestr(f"/tmp/{victim}", "pwned")
        for part in shp.parent.iterdir():
            zf.write(part, f"../{part.name}")
    return path


def test_i01_zip_slip_archive_refused_nothing_written(hub_db, admin_conn, tmp_path):
    """A .zip path is refused before anything is extracted or read (exit 5), and no file appears anywhere."""
    victim = f"i01_{uuid.uuid4().hex}.txt"
    work = tmp_path / "work"
    work.mkdir()
    archive = _zip_slip(work / "upload.zip", victim)
    before, since = files_under(tmp_path), max_load_id(admin_conn)
    _refused([archive], "upload.zip", "archives are not accepted", "rule source_archive")
    assert files_under(tmp_path) == before
    assert not (tmp_path / victim).exists() and not (tmp_path.parent / victim).exists()
    assert not Path("/tmp", victim).exists()
    assert max_load_id(admin_conn) == since  # refused before the ledger


@pytest.mark.parametrize("name", ["parcels.zip", "PARCELS.ZIP", "parcels.shp.zip", "parcels.kmz", "parcels.tar.gz",
                                  "parcels.7z", "parcels.rar"])
def test_i01_archive_inside_folder_refused(name, hub_db, tmp_path):
    """A nested archive in an input folder is refused (not silently skipped): its rows would go missing."""
    folder = tmp_path / "upload"
    write_shp(folder / "ok.shp", parcels(2))
    _zip_slip(tmp_path / "src.zip", "never.txt").rename(folder / name)
    _refused([folder], name, "archives are not accepted")


def test_i01_archive_renamed_as_geopackage_refused(hub_db, tmp_path):
    """A zip renamed .gpkg is refused by its content, before GDAL (which would open it as /vsizip/) sees it."""
    fake = _zip_slip(tmp_path / "fake.zip", "never.txt").rename(tmp_path / "fake.gpkg")
    _refused([fake], "fake.gpkg", "content is not gpkg")


# --- I02: VRT and virtual paths ---------------------------------------------------------------------------------

def _vrt(target: str) -> str:
    """An OGR VRT layer reading `target` as CSV."""
    return (f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource relativeToVRT="0">{target}</SrcDataSource>'
            '</OGRVRTLayer></OGRVRTDataSource>')


@pytest.mark.parametrize("where", ["explicit", "in_folder", "renamed_geojson", "renamed_gpkg"])
def test_i02_vrt_refused_and_target_never_opened(where, hub_db, tmp_path):
    """A VRT pointing at a file outside the input (a FIFO canary standing in for /etc/passwd) is refused and
    its target is never opened, also when it hides behind an allowed extension."""
    outside = tmp_path / "outside"
    outside.mkdir()
    canary = Fifo(outside / "passwd")
    folder = tmp_path / "in"
    name = {"explicit": "layer.vrt", "in_folder": "layer.vrt", "renamed_geojson": "layer.geojson",
            "renamed_gpkg": "layer.gpkg"}[where]
    vrt = folder / name
    folder.mkdir()
    vrt.write_text(_vrt(str(canary.path)))
    if where == "in_folder":
        write_shp(folder / "ok.shp", parcels(2))
    res = hub("ingest", DS, vrt if where != "in_folder" else folder)
    assert not canary.read_by_someone()
    assert res.code == 5, res.stderr
    assert_clean_error(res, name)


def test_i02_vrt_on_etc_passwd_refused(hub_db, tmp_path):
    """The literal case: a VRT naming /etc/passwd → exit 5 before GDAL opens it."""
    vrt = tmp_path / "passwd.vrt"
    vrt.write_text(_vrt("/etc/passwd"))
    _refused([vrt], "passwd.vrt", ".vrt")


@pytest.mark.parametrize("text", [
    "/vsicurl/http://169.254.169.254/latest/meta-data/x.geojson", "/VSICURL/http://127.0.0.1/x.geojson",
    "/vsizip//tmp/a.zip/x.shp", "/VsiZip//tmp/a.zip/x.shp", "//vsicurl/http://127.0.0.1/x.gpkg",
    "/vsis3/bucket/x.gpkg", "/vsimem/x.gpkg", "https://example.org/x.geojson", "zip:///tmp/a.zip!x.shp",
])
def test_i02_virtual_and_remote_paths_refused(text):
    """GDAL virtual or remote paths are refused case-insensitively, before any filesystem or network access."""
    with pytest.raises(InputError) as err:
        sources.discover([Path(text)])
    assert err.value.exit_code == 5 and "rule source_path" in err.value.user_message()


def test_i02_virtual_path_refused_by_cli(hub_db):
    """Through the command: a /vsicurl/ argument is refused (click: the path does not exist; exit 2)."""
    res = hub("ingest", DS, "/vsicurl/http://169.254.169.254/x.geojson")
    assert res.code in (2, 5) and "Traceback" not in res.stderr


@pytest.mark.parametrize("layout", ["bang", "semicolon"])
def test_i02_paths_pyogrio_would_rewrite_are_refused(layout, hub_db, tmp_path):
    """pyogrio turns '<x>.zip!<y>' into /vsizip/<x>.zip/<y> and cuts '<a>;<b>' to '<a>': such names are refused,
    so an allowed-looking path cannot make GDAL read an archive or another file."""
    folder = tmp_path / "in"
    plain = write_shp(tmp_path / "plain" / "x.shp", parcels(2))  # written under a plain name (pyogrio would
    if layout == "bang":                                            # rewrite the odd one), then renamed
        _zip_slip(tmp_path / "evil.zip", "never.txt")
        target = plain.parent.rename(tmp_path / "evil.zip!inner")
    else:
        folder.mkdir()
        (folder / "decoy").write_text(_vrt("/etc/passwd"))
        for part in plain.parent.iterdir():
            part.rename(folder / f"decoy;{part.name}")
        target = folder
    _refused([target], "rule source_path", "GDAL reads as an archive or URL part")


def _geojson(path: Path, crs: dict | None, key: str = "crs") -> Path:
    """A one-feature GeoJSON with the cadastre fields and the given crs member."""
    doc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"MaXa": "31117", "SoHieuToBa": "3", "SoThuTuThu": "1", "KyHieuMucD": "LUC"},
        "geometry": shapely.geometry.mapping(shapely.box(581000, 1110000, 581020, 1110020))}]}
    if crs is not None:
        doc = {"type": "FeatureCollection", key: crs, "features": doc["features"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("variant", ["link", "url", "name_url", "escaped_key", "upper_key", "geometry_level"])
def test_i02_geojson_crs_url_refused_without_network(variant, sinkhole, hub_db, tmp_path):
    """A GeoJSON `crs` that GDAL would fetch (it does, for type link/url: verified with GDAL 3.12) → exit 5,
    and the listener sees no connection."""
    url = f"http://127.0.0.1:{sinkhole.port}/crs"
    crs = {"link": {"type": "link", "properties": {"href": url, "type": "proj4"}},
           "url": {"type": "url", "properties": {"url": url}},
           "name_url": {"type": "name", "properties": {"name": url}},
           "escaped_key": {"type": "link", "properties": {"href": url}},
           "upper_key": {"type": "LINK", "properties": {"href": url}},
           "geometry_level": None}[variant]
    path = tmp_path / "in" / "x.geojson"
    if variant == "geometry_level":
        _geojson(path, None)
        doc = json.loads(path.read_text())
        doc["features"][0]["geometry"]["crs"] = {"type": "link", "properties": {"href": url}}
        path.write_text(json.dumps(doc))
    else:
        _geojson(path, crs, key={"escaped_key": "\\u0063rs", "upper_key": "CRS"}.get(variant, "crs"))
        if variant == "escaped_key":  # json.dumps escapes the backslash: write the escape itself
            path.write_text(path.read_text().replace('"\\\\u0063rs"', '"\\u0063rs"'))
            assert '"\\u0063rs"' in path.read_text()
    res = hub("ingest", DS, path.parent)
    assert sinkhole.close() == []
    assert res.code == 5, res.stderr
    assert_clean_error(res, "x.geojson", "rule source_crs_link")


def test_i02_geojson_with_plain_crs_name_still_accepted(sinkhole, hub_db, tmp_path):
    """Control: the crs member GDAL itself writes (an EPSG URN) passes the check (dry run, exit 0)."""
    gdf = gpd.GeoDataFrame([{"MaXa": "31117", "SoHieuToBa": "3", "SoThuTuThu": str(i + 1), "KyHieuMucD": "LUC",
                             "geometry": shapely.box(581000 + 20 * i, 1110000, 581020 + 20 * i, 1110020)}
                            for i in range(3)], crs="EPSG:5897")
    path = tmp_path / "ok" / "ok.geojson"
    path.parent.mkdir()
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON", layer_options={"RFC7946": "NO"})
    assert '"crs"' in path.read_text()
    res = hub("ingest", DS, path.parent, "--dry-run", "--json")
    assert res.code == 0, res.stderr
    assert res.json()["files"][0]["crs"] == "EPSG:5897"
    assert sinkhole.close() == []


# --- I02: symbolic links and sidecars ---------------------------------------------------------------------------

@pytest.fixture()
def outside(tmp_path):
    """A shapefile outside the input folder."""
    return write_shp(tmp_path / "outside" / "secret.shp", parcels(3))


def test_i02_symlink_to_file_outside_folder_refused(outside, hub_db, admin_conn, tmp_path):
    """folder/link.shp → ../outside/secret.shp: refused (exit 5) before the ledger, naming the link."""
    folder = tmp_path / "in"
    write_shp(folder / "ok.shp", parcels(2))
    (folder / "link.shp").symlink_to(outside)
    since = max_load_id(admin_conn)
    _refused([folder], "link.shp", "symbolic link pointing outside", "rule source_symlink")
    assert max_load_id(admin_conn) == since


def test_i02_symlinked_directory_outside_refused(outside, hub_db, tmp_path):
    """folder/more → ../outside (a directory): refused."""
    folder = tmp_path / "in"
    write_shp(folder / "ok.shp", parcels(2))
    (folder / "more").symlink_to(outside.parent, target_is_directory=True)
    _refused([folder], "more", "rule source_symlink")


def test_i02_sidecar_symlink_outside_refused(outside, hub_db, tmp_path):
    """A regular .shp whose .dbf is a link to a file outside: refused (GDAL and the checksum would read it)."""
    shp = write_shp(tmp_path / "in" / "x.shp", parcels(2))
    shp.with_suffix(".dbf").unlink()
    shp.with_suffix(".dbf").symlink_to(outside.with_suffix(".dbf"))
    _refused([shp.parent], "x.dbf", "rule source_symlink")
    _refused([shp], "x.shp", "'x.dbf'", "rule source_symlink")  # also when the .shp is named explicitly


def test_i02_sidecar_fifo_refused_before_reading(tmp_path):
    """A .prj that is a FIFO (or device) would hang the checksum: refused by discovery, nothing opened."""
    shp = write_shp(tmp_path / "in" / "x.shp", parcels(2))
    shp.with_suffix(".prj").unlink()
    canary = Fifo(shp.with_suffix(".prj"))
    with pytest.raises(InputError) as err:
        sources.discover([shp.parent])
    assert not canary.read_by_someone()
    assert "not a regular file" in err.value.user_message()


def test_i02_symlink_inside_folder_is_skipped(tmp_path):
    """A link to a file inside the same folder is skipped: the file itself is read once."""
    real = write_shp(tmp_path / "in" / "real.shp", parcels(2))
    (real.parent / "alias.shp").symlink_to(real)
    assert sources.discover([real.parent]) == [real]
