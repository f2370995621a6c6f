"""OGC API Records: a catalogue of the published datasets, generated from the catalog and meta.published.

JSON requests on /collections/datasets/items are answered by hub.api.records.http; pygeoapi renders the HTML
pages through HubRecordsProvider. Both filter with hub.api.records.query over the records built here.
"""

from __future__ import annotations

from pygeoapi.provider.base import BaseProvider, ProviderItemNotFoundError

from hub.api.collections import Collection, public_collections
from hub.api.config import licence_url
from hub.api.features.enclosure import enclosure_link
from hub.api.features.provider import from_pygeofilter, to_provider_error
from hub.api.records import query as records_query
from hub.api.records.filters import fold
from hub.api.records.query import Entry
from hub.api.state import Published, published_sync
from hub.errors import HubError
from hub.settings import api_settings

RECORD_CORE = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core"
# What pygeoapi sees of the records (its HTML pages). The OpenAPI parameters of the catalogue come from
# hub.api.openapi.paths; the JSON queryables and sortables are served by the hub (hub.api.records.http) from
# hub.api.records.filters.QUERYABLES.
FIELDS = {"title": {"type": "string"}, "description": {"type": "string"}, "type": {"type": "string"},
          "license": {"type": "string"}, "updated": {"type": "string", "format": "date-time"},
          "keywords": {"type": "array", "items": {"type": "string"}}, "rowCount": {"type": "integer"},
          "version": {"type": "integer"}}


def language(value: str | None) -> str:
    """The records' language: `vi` for any Vietnamese tag, else `en`."""
    return "vi" if str(value or "").lower().startswith("vi") else "en"


def record(coll: Collection, pub: Published, lang: str) -> dict:
    """One record: title/description/keywords in `lang`, licence, extent, last load, row count, links."""
    ds, s = coll.dataset, api_settings()
    lang = language(lang)
    vi = lang == "vi"
    geometry = None
    if pub.bbox:
        x1, y1, x2, y2 = pub.bbox
        geometry = {"type": "Polygon", "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]]}
    time = None
    if pub.interval_start or pub.interval_end:
        start, end = pub.interval_text()
        time = {"interval": [start or "..", end or ".."]}
    items = f"{s.url}/collections/{coll.id}/items"
    return {
        "id": coll.id,
        "type": "Feature",
        "conformsTo": [RECORD_CORE],
        "geometry": geometry,
        "time": time,
        "properties": {
            "type": "dataset",
            "title": coll.title.vi if vi else coll.title.en,
            "description": ds.description.vi if vi else ds.description.en,
            "keywords": list(ds.keywords.vi if vi else ds.keywords.en),
            "language": {"code": lang},
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
             "href": f"{s.url}/collections/{coll.id}"},
            {"rel": "items", "type": "application/geo+json", "title": "Features", "href": items},
            enclosure_link(coll.id, pub, s, lang),
            {"rel": "license", "type": "text/html", "title": ds.licence, "href": licence_url(ds.licence)},
        ],
    }


def search_text(coll: Collection) -> str:
    """What `q` searches: id, titles, descriptions and keywords in both languages (folded)."""
    ds = coll.dataset
    return fold(" | ".join([ds.id, ds.title.vi, ds.title.en, ds.description.vi, ds.description.en,
                            *ds.keywords.vi, *ds.keywords.en]))


def entries(state: dict[str, Published], lang: str) -> list[Entry]:
    """A record and its search text for every published public collection, ordered by collection id."""
    return [Entry(record(c, state[c.id], lang), search_text(c))
            for _, c in sorted(public_collections().items()) if c.id in state]


class HubRecordsProvider(BaseProvider):
    """Records of every published dataset for pygeoapi's HTML pages (a handful: filtered in memory)."""

    def __init__(self, provider_def):
        """No database access until a query; `ids`, `externalIds` reach query() as extra parameters."""
        super().__init__(provider_def)
        self.id_field = "id"
        self.include_extra_query_parameters = True
        self._fields = {k: dict(v) for k, v in FIELDS.items()}

    def get_fields(self):
        """Record properties as pygeoapi documents them (OpenAPI parameters, HTML pages)."""
        return self._fields

    def _entries(self, lang: str) -> list[Entry]:
        """Every entry, from the published state."""
        try:
            return entries(published_sync(), lang)
        except HubError as exc:
            raise to_provider_error(exc) from exc

    def query(self, offset=0, limit=10, resulttype="results", bbox=[], datetime_=None, properties=[],
              sortby=[], select_properties=[], skip_geometry=False, q=None, language=None, filterq=None,
              **kwargs):
        """pygeoapi's parsed arguments, filtered by the same rules as the JSON responses."""
        args = {k: str(v) for k, v in properties or []}
        args.update(limit=str(limit), offset=str(offset), resulttype=resulttype or "results")
        if q:
            args["q"] = str(q)
        if bbox:
            args["bbox"] = ",".join(str(v) for v in bbox)
        if datetime_:
            args["datetime"] = str(datetime_)
        if sortby:
            args["sortby"] = ",".join(("-" if s["order"] == "-" else "") + s["property"] for s in sortby)
        try:
            rq = records_query.parse(args, api_settings(),
                                     from_pygeofilter(filterq) if filterq is not None else None)
            recs = records_query.select(self._entries(str(language or "en")), rq)
        except HubError as exc:
            raise to_provider_error(exc) from exc
        page = [] if rq.hits else recs[rq.offset:rq.offset + rq.limit]
        return {"type": "FeatureCollection", "features": page, "numberMatched": len(recs),
                "numberReturned": len(page)}

    def get(self, identifier, language=None, **kwargs):
        """One record by dataset id."""
        for e in self._entries(str(language or "en")):
            if e.record["id"] == str(identifier):
                return e.record
        raise ProviderItemNotFoundError(user_msg="record not found")
