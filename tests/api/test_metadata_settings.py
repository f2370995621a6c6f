"""Provider and contact of the API metadata come from HUB_META_* settings; unset, they say "not configured"."""

from __future__ import annotations

import json

from hub.api import config as cfg
from hub.settings import ApiSettings, MetadataSettings


def test_defaults_are_honest(client):
    """The served landing page and OpenAPI carry no placeholder address, e-mail or GitHub link."""
    oas = client.get("/openapi", params={"f": "json"}).text
    landing = client.get("/", params={"f": "json"}).text
    for text in (oas, landing):
        assert "example.org" not in text and "https://github.com/" not in text
    contact = json.loads(oas)["info"]["contact"]
    assert contact["name"] == "not configured"
    assert contact["x-ogc-serviceContact"]["name"] == "not configured"
    assert "emails" not in contact["x-ogc-serviceContact"]


def test_operator_settings_reach_the_metadata(monkeypatch):
    """HUB_META_* set by an operator are what pygeoapi's metadata and OpenAPI say."""
    env = {"HUB_META_PROVIDER_NAME": "Sở Nông nghiệp và Môi trường TP Cần Thơ",
           "HUB_META_PROVIDER_URL": "https://stnmt.cantho.gov.vn/",
           "HUB_META_CONTACT_NAME": "Văn phòng Đăng ký đất đai", "HUB_META_CONTACT_EMAIL": "vpdkdd@cantho.gov.vn",
           "HUB_META_CONTACT_PHONE": "+84 292 3820 000", "HUB_META_CITY": "Cần Thơ"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    meta = MetadataSettings()
    assert meta.configured
    s = ApiSettings.model_construct()
    md = cfg._metadata(s, meta)
    assert md["provider"] == {"name": env["HUB_META_PROVIDER_NAME"], "url": env["HUB_META_PROVIDER_URL"]}
    assert md["contact"]["email"] == env["HUB_META_CONTACT_EMAIL"] and md["contact"]["city"] == "Cần Thơ"
    from pygeoapi.openapi import gen_contact

    contact = gen_contact({"metadata": md})
    assert contact["x-ogc-serviceContact"]["emails"] == [{"value": env["HUB_META_CONTACT_EMAIL"]}]
    assert contact["x-ogc-serviceContact"]["phones"][0]["value"] == env["HUB_META_CONTACT_PHONE"]
