"""`hub publish`: committed config matches the catalog; only public data is configured; QGIS-relevant OpenAPI."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from hub.api import config as cfg
from hub.api.collections import public_collections
from hub.catalog.loader import load_all, load_dataset
from hub.cli.main import cli


def restricted_names() -> set[str]:
    """Every non-public column name in the catalog."""
    return {c.name for ds in load_all().values() for c in ds.columns if c.sensitivity != "public"}


def test_committed_config_matches_catalog():
    """ogc_config/ is exactly what the catalog renders (run `hub publish --template-only` after a catalog change)."""
    config_text, openapi_text = cfg.template_texts()
    assert (cfg.TEMPLATE_DIR / "pygeoapi-config.yml").read_text(encoding="utf-8") == config_text
    assert (cfg.TEMPLATE_DIR / "openapi.yml").read_text(encoding="utf-8") == openapi_text
    assert cfg.template_texts() == (config_text, openapi_text)  # deterministic
    assert CliRunner().invoke(cli, ["publish", "--check"]).exit_code == 0


def test_template_configures_public_views_through_hub_provider():
    """Every enabled collection uses the hub provider, bilingual titles, licence and extent; no credentials."""
    config = yaml.safe_load((cfg.TEMPLATE_DIR / "pygeoapi-config.yml").read_text(encoding="utf-8"))
    assert config["server"]["languages"] == ["vi", "en"]
    for cid, coll in public_collections().items():
        res = config["resources"][cid]
        assert set(res["title"]) == {"vi", "en"} and res["title"]["vi"] == coll.title.vi
        assert res["title"]["vi"].startswith(coll.dataset.title.vi)
        prov = res["providers"][0]
        assert prov["name"] == "hub.api.features.provider.HubPostGISProvider" and prov["data"] == {"collection": cid}
        if coll.geometry_type is not None:  # a table without geometry (raster statistics) has no CRS to offer
            assert prov["storage_crs"].endswith("CRS84") and any(c.endswith("EPSG/0/9210") for c in prov["crs"])
        else:
            assert "storage_crs" not in prov and "crs" not in prov
        assert any(link["rel"] == "license" for link in res["links"])
        assert len(res["extents"]["spatial"]["bbox"]) == 4
    text = (cfg.TEMPLATE_DIR / "pygeoapi-config.yml").read_text(encoding="utf-8")
    assert "password" not in text and "postgresql://" not in text


def test_openapi_limit_and_no_restricted_names():
    """QGIS reads components.parameters.limit.schema; P03: no restricted/personal column in the document."""
    oas = yaml.safe_load((cfg.TEMPLATE_DIR / "openapi.yml").read_text(encoding="utf-8"))
    schema = oas["components"]["parameters"]["limit"]["schema"]
    assert schema["default"] == 1000 and schema["maximum"] >= 1000
    text = (cfg.TEMPLATE_DIR / "openapi.yml").read_text(encoding="utf-8")
    config_text = (cfg.TEMPLATE_DIR / "pygeoapi-config.yml").read_text(encoding="utf-8")
    for name in restricted_names():
        assert name not in text and name not in config_text, name


def test_runtime_config_only_published(published):
    """The runtime rendering lists only published collections, with the measured extent."""
    from hub.api.state import published_sync
    from hub.settings import api_settings

    state = published_sync()
    config = cfg.render_config(state, api_settings())
    collections = {k for k, v in config["resources"].items() if v.get("type") == "collection"
                   and k not in ("datasets", "land_use_codes")}  # the catalogue and the code table are always served
    published_ids = {load_dataset(d).publication.collection for d in state}
    assert "cadastre_cantho" in collections and collections == published_ids
    assert published_ids < {d.publication.collection for d in load_all().values()}  # not every catalog entry
    bbox = config["resources"]["cadastre_cantho"]["extents"]["spatial"]["bbox"]
    assert bbox == [round(v, 9) for v in published["bbox"]]
