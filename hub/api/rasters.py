"""The published COGs over HTTP (the STAC Items' asset hrefs): GET/HEAD with Range requests, so GDAL's
/vsicurl/, QGIS and rio-tiler read a COG's header and only the tiles they need.

Only a file a published raster row names is served: the name is its content address (20 hex digits + .tif, no
path a request could climb out of), and the raster collection's public view (hub_api's only access) must list it."""

from __future__ import annotations

import re

from psycopg import sql
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from hub.api import collections as colls
from hub.errors import NotFound
from hub.settings import raster_settings

ROUTE = re.compile(r"^/rasters/([a-z][a-z0-9_]{0,62})/([0-9a-f]{20}\.tif)$")
COG_MEDIA = "image/tiff; application=geotiff; profile=cloud-optimized"


async def cog(request: Request, collection: str, name: str, state) -> Response:
    """The COG file, whole or by byte ranges; 404 unless the collection is a published raster table naming it."""
    coll = colls.public_collections().get(collection)
    if coll is None or coll.dataset.family != "raster" or coll.table.name is not None:
        raise NotFound(f"no published raster collection '{collection}'")
    href = f"/rasters/{collection}/{name}"
    row = await state.fetchone(sql.SQL("SELECT 1 FROM {} WHERE href = %s").format(
        sql.Identifier(coll.schema, coll.view)), (href,))
    path = raster_settings().store / coll.dataset.id / name
    if row is None or not path.is_file():
        raise NotFound(f"'{name}' is not a published raster of '{collection}'")
    return FileResponse(path, media_type=COG_MEDIA, headers={"Cache-Control": "public, max-age=86400, immutable",
                                                                "Content-Encoding": "identity"})  # no gzip: ranges stay exact
