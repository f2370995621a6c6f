"""The `land_use_codes` collection: the land-use code lists with names and map colours (pub.land_use_codes), so a
client can build its own legend; a pygeoapi provider of features without geometry, read as hub_api."""

from __future__ import annotations

import psycopg
from psycopg import sql
from pygeoapi.provider.base import BaseProvider, ProviderItemNotFoundError, ProviderQueryError

from hub.api.state import sync_pool

COLLECTION = "land_use_codes"
FIELDS = {"code_list": {"type": "string", "title": "Bảng mã / Code list"},
          "code": {"type": "string", "title": "Mã loại đất / Land-use code"},
          "parent_code": {"type": "string", "title": "Mã cấp trên / Parent code"},
          "group_code": {"type": "string", "title": "Nhóm đất / Land group"},
          "name_vi": {"type": "string", "title": "Tên loại đất (tiếng Việt)"},
          "name_en": {"type": "string", "title": "Land-use name (English)"},
          "color_hex": {"type": "string", "title": "Màu (TT 08/2024 Phụ lục V) / Map colour"},
          "is_aggregate": {"type": "boolean", "title": "Mã nhóm / Aggregate code"}}
FILTERS = ("code_list", "code", "group_code", "parent_code")
SELECT = sql.SQL("SELECT {} FROM pub.land_use_codes").format(sql.SQL(", ").join(map(sql.Identifier, FIELDS)))


def _feature(row: tuple) -> dict:
    """One code as a feature without geometry; id `CODE_LIST.CODE`."""
    props = dict(zip(FIELDS, row))
    return {"type": "Feature", "id": f"{props['code_list']}.{props['code']}", "geometry": None, "properties": props}


class LandUseCodesProvider(BaseProvider):
    """Read-only provider over pub.land_use_codes (filters: code_list=, code=, group_code=)."""

    def __init__(self, provider_def):
        """pygeoapi provider definition."""
        super().__init__(provider_def)
        self.get_fields()

    def get_fields(self):
        """The public columns."""
        self._fields = {k: {"type": v["type"]} for k, v in FIELDS.items()}
        return self._fields

    def _rows(self, equal: dict[str, str]) -> list[tuple]:
        """Rows as hub_api where each allowlisted column equals its (bound) value."""
        where = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in equal)
        stmt = sql.SQL("{}{}{} ORDER BY code_list, code").format(
            SELECT, sql.SQL(" WHERE ") if equal else sql.SQL(""), where)
        try:
            with sync_pool().connection() as conn:
                return conn.execute(stmt, tuple(equal.values())).fetchall()
        except psycopg.Error as exc:
            raise ProviderQueryError("land-use codes unavailable") from exc

    def query(self, offset=0, limit=10, resulttype="results", properties=None, **kwargs):
        """Codes filtered by equality on allowlisted properties, paged."""
        rows = self._rows({name: str(value) for name, value in properties or [] if name in FILTERS})
        page = [] if resulttype == "hits" else rows[offset:offset + limit]
        return {"type": "FeatureCollection", "features": [_feature(r) for r in page],
                "numberMatched": len(rows), "numberReturned": len(page)}

    def get(self, identifier, **kwargs):
        """One code by `CODE_LIST.CODE`."""
        code_list, _, code = str(identifier).partition(".")
        rows = self._rows({"code_list": code_list, "code": code})
        if not rows:
            raise ProviderItemNotFoundError("land-use code not found")
        return _feature(rows[0])
