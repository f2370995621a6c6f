"""The API answers in the reader's language (lang=, then Accept-Language): errors, HTML page text."""

from __future__ import annotations


def test_api_errors_follow_accept_language(client):
    """The same bad request answers in Vietnamese for Accept-Language: vi and for lang=vi, English otherwise."""
    path = "/collections/cadastre_cantho/items/99999.9.9"
    vi = client.get(path, headers={"Accept-Language": "vi-VN,vi;q=0.9"}).json()["description"]
    en = client.get(path, headers={"Accept-Language": "en"}).json()["description"]
    q = client.get(path, params={"lang": "vi"}, headers={"Accept-Language": "en"}).json()["description"]
    assert vi == q == "không tìm thấy đối tượng" and en == "feature not found"
    bad = client.get("/collections/cadastre_cantho/items", params={"filter": "upper(address) = 'x'"},
                     headers={"Accept-Language": "vi"})
    assert bad.status_code == 400 and "hàm không được phép" in bad.json()["description"]
