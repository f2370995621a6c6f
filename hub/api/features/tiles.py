"""OGC API Tiles for polygon collections: MVT in WebMercatorQuad built by ST_AsMVT, capped per tile."""

from __future__ import annotations

from psycopg import sql
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.api.collections import Collection
from hub.api.http import cache_headers, etag, not_modified
from hub.api.state import AsyncState
from hub.catalog.types import TYPES
from hub.errors import InvalidParameter, NotFound
from hub.settings import ApiSettings

MVT = "application/vnd.mapbox-vector-tile"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
MVT_TYPES = {name: kind.mvt for name, kind in TYPES.items() if kind.mvt}


def tile_sql(coll: Collection, z: int, x: int, y: int, cap: int) -> tuple[sql.Composable, list]:
    """ST_AsMVT of the public columns of the features intersecting one tile (at most `cap` of them)."""
    cols = [sql.SQL(MVT_TYPES[t] + " AS {}").format(sql.Identifier(n), sql.Identifier(n))
            for n, t in coll.columns.items() if t in MVT_TYPES]
    stmt = sql.SQL(
        "WITH b AS (SELECT ST_TileEnvelope(%s, %s, %s) AS env), "
        "f AS (SELECT ST_AsMVTGeom(ST_Transform(v.geom, 3857), b.env, 4096, 64, true) AS mvtgeom, v.id, {cols} "
        "FROM {view} v, b WHERE v.geom && ST_Transform(b.env, 4326) "
        "AND ST_Intersects(v.geom, ST_Transform(b.env, 4326)) LIMIT %s) "
        "SELECT ST_AsMVT(f, {layer}, 4096, 'mvtgeom') FROM f").format(
        cols=sql.SQL(", ").join(cols), view=sql.Identifier(coll.schema, coll.view), layer=sql.Literal(coll.id))
    return stmt, [z, x, y, cap]


async def tile(request: Request, coll: Collection, z: int, y: int, x: int, st: AsyncState) -> Response:
    """GET /collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}."""
    spec = coll.publication.tiles if coll.geometry_type else None
    if spec is None:
        raise NotFound("this collection has no tiles")
    if not spec.min_zoom <= z <= spec.max_zoom:
        raise NotFound(f"tileMatrix outside {spec.min_zoom}..{spec.max_zoom} for this collection")
    if x >= 2 ** z or y >= 2 ** z:
        raise InvalidParameter("tileRow/tileCol: outside the tile matrix")
    pub = (await st.current()).get(coll.id)
    tag = etag(coll.id, pub.version if pub else 0, request)
    headers = cache_headers(tag, pub.published_at if pub else None)
    if not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    stmt, params = tile_sql(coll, z, x, y, spec.max_features)
    row = await st.fetchone(stmt, params)
    data = bytes(row[0]) if row and row[0] is not None else b""
    return Response(data, media_type=MVT, headers=headers)


def tilesets(request: Request, coll: Collection, s: ApiSettings, single: bool) -> Response:
    """Tileset list (/tiles) or the WebMercatorQuad tileset metadata (/tiles/WebMercatorQuad)."""
    spec = coll.publication.tiles if coll.geometry_type else None
    if spec is None:
        raise NotFound("this collection has no tiles")
    base = f"{s.url}/collections/{coll.id}/tiles"
    tileset = {
        "title": coll.title.en, "dataType": "vector", "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "tileMatrixSetLimits": [{"tileMatrix": str(z)} for z in range(spec.min_zoom, spec.max_zoom + 1)],
        "layers": [{"id": coll.id, "dataType": "vector", "geometryDimension": 2,
                    "minTileMatrix": str(spec.min_zoom), "maxTileMatrix": str(spec.max_zoom),
                    "propertiesSchema": {"type": "object",
                                         "properties": {n: coll.json_schema(n) for n in coll.columns}}}],
        "links": [
            {"rel": "self", "type": "application/json", "href": f"{base}/WebMercatorQuad"},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "type": "application/json",
             "href": f"{s.url}/TileMatrixSets/WebMercatorQuad"},
            {"rel": "item", "type": MVT, "templated": True,
             "href": f"{base}/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"},
        ],
    }
    if single:
        return JSONResponse(tileset)
    return JSONResponse({"tilesets": [tileset], "links": [{"rel": "self", "type": "application/json",
                                                           "href": base}]})
