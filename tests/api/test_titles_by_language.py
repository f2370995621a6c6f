"""Queryables and schemas carry the catalog's Vietnamese or English titles by Accept-Language / lang= (QGIS shows
"Số hiệu tờ bản đồ" instead of sheet_no); both titles stay available as x-title-vi / x-title-en."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/collections/cadastre_cantho/queryables", "/collections/cadastre_cantho/schema"])
@pytest.mark.parametrize("lang,title", [("vi", "Số hiệu tờ bản đồ"), ("en", "Map sheet number")])
def test_titles_follow_the_language(client, published, path, lang, title):
    r = client.get(path, params={"f": "json"}, headers={"Accept-Language": lang})
    assert r.status_code == 200, r.text
    prop = r.json()["properties"]["sheet_no"]
    assert prop["title"] == title
    assert prop["x-title-vi"] == "Số hiệu tờ bản đồ" and prop["x-title-en"] == "Map sheet number"
    by_param = client.get(path, params={"f": "json", "lang": lang}).json()["properties"]["sheet_no"]["title"]
    assert by_param == title
