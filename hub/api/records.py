"""OGC API Records: a catalogue of the published datasets, generated from the catalog and meta.published."""

from __future__ import annotations

from pygeoapi.provider.base import BaseProvider, ProviderInvalidQueryError, ProviderItemNotFoundError

from hub.api.collections import Collection, public_collections
from hub.api.config import licence_url
from hub.api.provider import to_provider_error
from hub.api.state import Published, published_sync
from hub.errors import HubError
from hub.settings import api_settings

FIELDS = {"title": {"type": "string"}, "description": {"type": "string"}, "type": {"type": "string"},
          "license": {"type": "string"}, "updated": {"type": "string", "format": "date-time"},
          "keywords": {"type": "array", "items": {"type": "string"}}, "rowCount": {"type": "integer"},
          "version": {"type": "integer"}}


def record(coll: Collection, pub: Published, lang: str) -> dict:
    """One record: bilingual title/description, licence, extent, last load, row count, links."""
    ds, base = coll.dataset, api_settings().url
    vi = lang.startswith("vi")
    x1, y1, x2, y2 = pub.bbox or (102.14, 8.18, 109.47, 23.39)
    interval = [pub.interval_start.isoformat() if pub.interval_start else "..",
                pub.interval_end.isoformat() if pub.interval_end else ".."]
    items = f"{base}/collections/{coll.id}/items"
    return {
        "id": ds.id,
        "type": "Feature",
        "conformsTo": ["http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"],
        "geometry": {"type": "Polygon", "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]]},
        "time": {"interval": interval},
        "properties": {
            "type": "dataset",
            "title": ds.title.vi if vi else ds.title.en,
            "description": ds.description.vi if vi else ds.description.en,
            "keywords": list(ds.keywords.vi if vi else ds.keywords.en),
            "language": {"code": "vi"},
            "languages": [{"code": "vi"}, {"code": "en"}],
            "license": ds.licence,
            "rights": ds.attribution or "",
            "updated": pub.published_at.isoformat(),
            "version": pub.version,
            "rowCount": pub.row_count,
            "loadId": pub.load_id,
            "formats": [{"name": "GeoJSON"}, {"name": "MVT"}, {"name": "HTML"}],
        },
        "links": [
            {"rel": "collection", "type": "application/json", "title": "OGC API Features collection",
             "href": f"{base}/collections/{coll.id}"},
            {"rel": "items", "type": "application/geo+json", "title": "Features", "href": items},
            {"rel": "enclosure", "type": "application/geo+json", "title": "Download (GeoJSON pages of 10,000)",
             "href": f"{items}?f=json&limit={api_settings().max_limit}"},
            {"rel": "license", "type": "text/html", "title": ds.licence, "href": licence_url(ds.licence)},
        ],
    }


class HubRecordsProvider(BaseProvider):
    """Records of every published dataset (a handful: filtered in memory)."""

    def __init__(self, provider_def):
        """No database access until a query."""
        super().__init__(provider_def)
        self.id_field = "id"
        self._fields = dict(FIELDS)

    def get_fields(self):
        """Queryable record properties."""
        return self._fields

    def _records(self, lang: str) -> list[dict]:
        """Every record, ordered by id."""
        try:
            state = published_sync()
        except HubError as exc:
            raise to_provider_error(exc) from exc
        return [record(c, state[c.dataset.id], lang) for _, c in sorted(public_collections().items())
                if c.dataset.id in state]

    def query(self, offset=0, limit=10, resulttype="results", bbox=[], datetime_=None, properties=[],
              sortby=[], select_properties=[], skip_geometry=False, q=None, language=None, filterq=None,
              **kwargs):
        """Records matching q (words in title/description/keywords), bbox and property equality."""
        if filterq is not None:
            raise ProviderInvalidQueryError(user_msg="filter is not supported on the catalogue")
        recs = self._records(str(language or "en"))
        if q:
            words = [w.lower() for w in str(q).split()]
            recs = [r for r in recs if all(w in " ".join([r["properties"]["title"], r["properties"]["description"],
                                                          *r["properties"]["keywords"]]).lower() for w in words)]
        if bbox:
            bx1, by1, bx2, by2 = bbox[:4]
            recs = [r for r in recs if not (r["geometry"]["coordinates"][0][2][0] < bx1 or
                                            r["geometry"]["coordinates"][0][0][0] > bx2 or
                                            r["geometry"]["coordinates"][0][2][1] < by1 or
                                            r["geometry"]["coordinates"][0][0][1] > by2)]
        for key, value in properties or []:
            recs = [r for r in recs if str(r["properties"].get(key)) == str(value)]
        for s in reversed(sortby or []):
            recs.sort(key=lambda r, k=s["property"]: str(r["properties"].get(k, "")), reverse=s["order"] == "-")
        page = [] if resulttype == "hits" else recs[offset:offset + limit]
        return {"type": "FeatureCollection", "features": page, "numberMatched": len(recs),
                "numberReturned": len(page)}

    def get(self, identifier, language=None, **kwargs):
        """One record by dataset id."""
        for r in self._records(str(language or "en")):
            if r["id"] == str(identifier):
                return r
        raise ProviderItemNotFoundError(user_msg="record not found")
