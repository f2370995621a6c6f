"""The parcel report's cadastre section: the parcel's public cadastral record, cited (dataset, version, publication
date, attribution, licence), with its land-use names, commune names and an honest validity date."""

from __future__ import annotations

from hub.api.collections import public_collections
from hub.api.config import RECORDS_ID, licence_url
from hub.api.processes.sections import Parcel, Section
from hub.errors import M
from hub.settings import api_settings

ADMIN_VERSIONS = {"old_commune_code": "GSO-2025-06-30", "commune_code": "GSO-2025-07-01"}


def citation(conn, dataset_id: str, lang: str) -> dict | None:
    """How to cite one published dataset: title, version, publication date, attribution, licence, record link."""
    coll = next((c for c in public_collections().values() if c.dataset.id == dataset_id), None)
    row = conn.execute("SELECT version, published_at, valid_from_stated, load_date FROM pub.published_datasets "
                       "WHERE dataset_id = %s", (dataset_id,)).fetchone()
    if coll is None or row is None:
        return None
    ds, base = coll.dataset, api_settings().url
    return {"dataset": ds.id, "collection": coll.id, "title": getattr(ds.title, lang), "version": row[0],
            "published": row[1].isoformat() if row[1] else None, "attribution": ds.attribution,
            "licence": ds.licence, "licence_url": licence_url(ds.licence),
            "record": f"{base}/collections/{RECORDS_ID}/items/{ds.id}",
            "valid_from_stated": bool(row[2]), "load_date": row[3].isoformat() if row[3] else None}


def _land_use(conn, codes: str | None, code_list: str) -> list[dict]:
    """Each land-use code of the parcel with its names (pub.land_use_codes)."""
    items = [c for c in (codes or "").split("+") if c]
    rows = conn.execute("SELECT code, name_vi, name_en FROM pub.land_use_codes WHERE code_list = %s "
                        "AND code = ANY(%s)", (code_list, items)).fetchall()
    names = {r[0]: (r[1], r[2]) for r in rows}
    return [{"code": c, "name_vi": names.get(c, (None, None))[0], "name_en": names.get(c, (None, None))[1]}
            for c in items]


def _communes(conn, props: dict) -> dict:
    """The commune as surveyed and since 1 Jul 2025, with their names (pub.admin_units)."""
    out = {}
    for column, version in ADMIN_VERSIONS.items():
        code = props.get(column)
        if not code:
            continue
        row = conn.execute("SELECT name FROM pub.admin_units WHERE version_id = %s AND level = 'xa' AND code = %s",
                           (version, code)).fetchone()
        out[column.removesuffix("_code")] = {"code": code, "name": row[0] if row else None, "admin_version": version}
    return out


def _valid_from(value, cited: dict, lang: str) -> dict:
    """The validity date with its basis: stated at load (--valid-from), or only the load date (and said so)."""
    basis = "stated_at_load" if cited["valid_from_stated"] else "load_date"
    return {"value": value, "basis": basis, "note": M.text(f"report.valid_from.{basis}", lang)}


def section(conn, parcel: Parcel, date) -> Section:
    """The cadastral record of a parcel found in a cadastre collection."""
    coll = public_collections().get(parcel.collection)
    if coll is None or coll.dataset.family != "cadastre":
        return Section(unavailable=M.text("report.cadastre.not_cadastre", parcel.lang))
    cited = citation(conn, coll.dataset.id, parcel.lang)
    if cited is None:
        return Section(unavailable=M.text("report.unpublished", parcel.lang, dataset=coll.dataset.id))
    props = dict(parcel.properties)
    code_list = props.get("land_use_list") or coll.dataset.opts.land_use_list
    data = {"attributes": props, "land_use": _land_use(conn, props.get("land_use_codes"), code_list),
            "communes": _communes(conn, props),
            "valid_from": _valid_from(props.get("valid_from"), cited, parcel.lang)}
    if date is not None and props.get("valid_from") and str(date) < str(props["valid_from"]):
        data["as_of_note"] = M.text("report.cadastre.before_valid_from", parcel.lang, date=date,
                                    valid_from=props["valid_from"])
    return Section(data=data, sources=[cited])
