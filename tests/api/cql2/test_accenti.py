"""CQL2 accent-insensitive comparison (ACCENTI): SQL equals the catalogue's Python definition, a real server answers
it, its conformance class is declared, and the trigram index on ACCENTI(address) serves it."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.api.records.filters import accenti, casei

ITEMS = "/collections/cadastre_cantho/items"
VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ"
LETTERS = VIET + VIET.upper() + " ,.%_0123456789"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=LETTERS, max_size=40), st.sampled_from(["NFC", "NFD"]))
def test_sql_accenti_matches_python(admin_conn, text, form):
    """public.hub_accenti(x) == accenti(x) for Vietnamese text in NFC or NFD (đ/Đ included)."""
    value = unicodedata.normalize(form, text)
    got = admin_conn.execute("SELECT public.hub_accenti(%s)", (value,)).fetchone()[0]
    assert got == accenti(value)


def test_vietnamese_examples(admin_conn):
    """The letters Vietnamese users drop when typing: tones, breves, circumflexes, horns and đ/Đ."""
    got = admin_conn.execute("SELECT public.hub_accenti(%s)", ("Phường Thốt Nốt, Đường Trần Hưng Đạo",)).fetchone()[0]
    assert got == "Phuong Thot Not, Duong Tran Hung Dao"


def _ids(client, cql: str) -> set[str]:
    """Ids of every feature matching a filter (one page is enough for the test data)."""
    r = client.get(ITEMS, params={"filter": cql, "limit": 10000, "skipGeometry": "true"})
    assert r.status_code == 200, r.text
    return {f["id"] for f in r.json()["features"]}


def test_accenti_over_http(client, published):
    """`accenti(address) LIKE accenti('%...%')` finds what an unaccented query means; CASEI on both sides adds case."""
    addresses = {k: v for k, v in published["addresses"].items() if v}
    want = {k for k, v in addresses.items() if "Duong Tran Hung Dao" in accenti(v)}
    assert want, "the test data has Đường Trần Hưng Đạo addresses"
    assert _ids(client, "address LIKE '%Duong Tran Hung Dao%'") == set()  # accent-sensitive: the reported defect
    assert _ids(client, "accenti(address) LIKE accenti('%Duong Tran Hung Dao%')") == want
    assert _ids(client, "ACCENTI(address) LIKE '%Duong Tran Hung Dao%'") == want
    lower = {k for k, v in addresses.items() if "duong tran hung dao" in casei(accenti(v))}
    assert lower == want
    assert _ids(client, "casei(accenti(address)) LIKE casei(accenti('%đường trần hưng đạo%'))") == want
    assert _ids(client, "accenti(casei(address)) LIKE casei('%duong tran hung dao%')") == want
    assert _ids(client, "accenti(address) LIKE accenti('%duong tran hung dao%')") == set()  # ACCENTI keeps case
    ninh = {k for k, v in addresses.items() if "Ninh Kieu" in accenti(v)}
    assert _ids(client, "accenti(address) = accenti('" + addresses[min(ninh)] + "')") >= {min(ninh)}


def test_accenti_cql2_json(client):
    """The JSON encoding ({"op": "accenti", "args": [...]}) gives the same answer as the text encoding."""
    import json

    doc = {"op": "like", "args": [{"op": "accenti", "args": [{"property": "address"}]},
                                  {"op": "accenti", "args": ["%Tran Hung Dao%"]}]}
    r = client.get(ITEMS, params={"filter": json.dumps(doc), "filter-lang": "cql2-json", "limit": 10000})
    assert r.status_code == 200, r.text
    assert {f["id"] for f in r.json()["features"]} == _ids(client, "accenti(address) LIKE '%Tran Hung Dao%'")


def test_unknown_function_names_the_allowed_ones(client):
    """A function outside the allowlist is a 400 that lists casei and accenti."""
    r = client.get(ITEMS, params={"filter": "upper(address) = 'X'"})
    assert r.status_code == 400 and "casei" in r.json()["description"] and "accenti" in r.json()["description"]


def test_conformance_declares_accenti(client):
    """The CQL2 accent-insensitive-comparison class is advertised."""
    classes = client.get("/conformance", params={"f": "json"}).json()["conformsTo"]
    assert "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison" in classes


def test_trigram_index_serves_accenti(client, published, hub_db):
    """The core table has a GIN trigram index on hub_accenti(address), and the planner uses it through the public
    view for both the ACCENTI LIKE and the CASEI(ACCENTI) form (seq scans disabled: the test table is small)."""
    from hub.db.connect import connect

    with connect("admin", hub_db) as conn:
        defs = [r[0] for r in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'cadastre' AND tablename = 'cadastre_cantho'")]
        assert any("gin" in d and "hub_accenti(address)" in d and "gin_trgm_ops" in d for d in defs), defs
        conn.execute("SET enable_seqscan = off")
        for cond in ("public.hub_accenti(address) LIKE public.hub_accenti('%Tran Hung Dao%')",
                     "public.hub_accenti(address) ILIKE public.hub_accenti('%tran hung dao%')"):
            plan = "\n".join(r[0] for r in conn.execute(f"EXPLAIN SELECT id FROM pub.cadastre_cantho WHERE {cond}"))
            assert "_address_accenti" in plan, plan
