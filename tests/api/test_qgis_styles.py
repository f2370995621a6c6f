"""QGIS styles from the catalog: the land-use colour table served (land_use_codes collection, styles links, QML), and
the generated QGIS project opened and rendered by headless QGIS 3.22 (Debian python3-qgis) with every parcel coloured."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from hub.ref.landuse_codes import COLORS, land_use_code_rows

SCRIPT = Path(__file__).parent / "qgis" / "render_project.py"


def test_every_code_of_both_lists_has_a_colour():
    rows = [r for r in land_use_code_rows() if r[0] in ("LANDUSE_TT08_2024", "LANDUSE_TT27_2018", "LANDUSE_LEGACY")]
    assert len([r for r in rows if r[0] == "LANDUSE_TT08_2024"]) == 63
    assert [r[1] for r in rows if not r[7]] == []
    assert COLORS["LUC"] == (255, 252, 140) and COLORS["CQP"] == (255, 100, 80)


def test_land_use_codes_collection(client, published):
    r = client.get("/collections/land_use_codes/items", params={"code_list": "LANDUSE_TT08_2024", "limit": 100,
                                                                "f": "json"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["numberMatched"] == 63 and all(f["properties"]["color_hex"] for f in body["features"])
    one = client.get("/collections/land_use_codes/items/LANDUSE_TT08_2024.CLN", params={"f": "json"}).json()
    assert one["properties"]["name_vi"] == "Đất trồng cây lâu năm" and one["properties"]["color_hex"] == "#FFD2A0"
    assert client.get("/collections/land_use_codes/items/LANDUSE_TT08_2024.XYZ", params={"f": "json"}).status_code == 404


def test_styles_link_list_and_qml(client, published):
    coll = client.get("/collections/cadastre_cantho", params={"f": "json"}).json()
    styles = next(link["href"] for link in coll["links"] if link["rel"].endswith("/ogc/1.0/styles"))
    listing = client.get(styles).json()
    qml_href = listing["styles"][0]["links"][0]["href"]
    r = client.get(qml_href, headers={"Accept-Language": "vi"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.qgis.qml")
    root = ElementTree.fromstring(r.text.split("\n", 1)[1])
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    assert aliases["sheet_no"] == "Số hiệu tờ bản đồ"
    cats = {c.get("value") for c in root.iter("category")}
    demo_codes = {k.split("+")[0] for k in published["summary"].get("land_use_codes", [])} or {"ONT", "CLN", "LUC"}
    assert demo_codes <= cats
    en = ElementTree.fromstring(client.get(qml_href, headers={"Accept-Language": "en"}).text.split("\n", 1)[1])
    assert {a.get("field"): a.get("name") for a in en.iter("alias")}["sheet_no"] == "Map sheet number"
    assert client.get("/collections/cadastre_cantho/styles/nope").status_code == 404


@pytest.fixture(scope="module")
def rendered(client, published, tmp_path_factory):
    """The generated project rendered by headless QGIS 3.22."""
    out = tmp_path_factory.mktemp("qgis")
    project = out / "hub.qgs"
    r = client.get("/qgis/project.qgs", params={"lang": "vi"})
    assert r.status_code == 200
    project.write_text(r.text, encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(SCRIPT), str(project), str(out / "hub.png")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), out / "hub.png"


def test_qgis_renders_the_project_with_every_parcel_coloured(rendered, published):
    report, png = rendered
    assert report["read"] and png.stat().st_size > 1000
    layer = next(x for x in report["layers"] if "Cần Thơ" in x["name"])
    assert layer["valid"] and layer["provider"] == "OAPIF" and layer["renderer"] == "categorizedSymbol"
    assert layer["features"] == published["count"] and layer["unsymbolled"] == 0
    assert layer["aliases"]["sheet_no"] == "Số hiệu tờ bản đồ"
    palette = {"#{:02X}{:02X}{:02X}".format(*rgb) for rgb in COLORS.values()}
    drawn = {c for c, n in report["colours"].items() if c in palette}
    assert len(drawn) >= 3, report["colours"]
    # without antialiasing every pixel is the background, an outline or a table colour: nothing in a default grey
    others = {c: n for c, n in report["colours"].items() if c not in palette | {"#000000", "#232323"}}
    assert others == {}, others
