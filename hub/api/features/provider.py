"""pygeoapi feature provider of the hub (psycopg 3 pool, hub_api role), sharing the fast path's query builder.

pygeoapi calls it for what the fast path leaves to pygeoapi: HTML, CSV and JSON-LD pages, queryables,
schema and OpenAPI generation. Filters arrive as pygeofilter ASTs and are mapped onto the hub's own AST,
then translated by the same allowlisting translator as the fast path.
"""

from __future__ import annotations

import json
from http import HTTPStatus

import psycopg
from pygeoapi.provider.base import (
    BaseProvider,
    ProviderGenericError,
    ProviderInvalidQueryError,
    ProviderItemNotFoundError,
    SchemaType,
)
from shapely.geometry import box, shape

from hub.api import cql2
from hub.api.collections import GEOMETRY_FORMATS, public_collections
from hub.api.cql2 import to_sql as cql2_sql
from hub.api.features import query
from hub.api.ogc_crs import CRS84, parse_crs
from hub.api.state import db_error, published_sync, sync_pool
from hub.errors import HubError, InvalidParameter, M, NotFound
from hub.settings import api_settings

SPATIAL_NAMES = {"INTERSECTS": "s_intersects", "DISJOINT": "s_disjoint", "CONTAINS": "s_contains",
                 "WITHIN": "s_within", "TOUCHES": "s_touches", "CROSSES": "s_crosses", "OVERLAPS": "s_overlaps",
                 "EQUALS": "s_equals"}


class ProviderUnavailable(ProviderGenericError):
    """The database failed: 503 with a generic message."""

    http_status_code = HTTPStatus.SERVICE_UNAVAILABLE
    default_msg = "service temporarily unavailable"


def to_provider_error(exc: HubError) -> ProviderGenericError:
    """A hub error as the pygeoapi error with the same status (messages are the safe user messages)."""
    if isinstance(exc, NotFound):
        return ProviderItemNotFoundError(user_msg=exc.user_message())
    if exc.http_status < 500:
        return ProviderInvalidQueryError(user_msg=exc.user_message())
    return ProviderUnavailable(user_msg="service temporarily unavailable")


def from_pygeofilter(node):
    """Map a pygeofilter AST node onto the hub's tuple AST (unknown node types are rejected)."""
    from pygeofilter import ast, values

    if isinstance(node, ast.And):
        return ("and", [from_pygeofilter(node.lhs), from_pygeofilter(node.rhs)])
    if isinstance(node, ast.Or):
        return ("or", [from_pygeofilter(node.lhs), from_pygeofilter(node.rhs)])
    if isinstance(node, ast.Not):
        return ("not", from_pygeofilter(node.sub_node))
    if isinstance(node, ast.Comparison):
        return ("cmp", node.op.value, from_pygeofilter(node.lhs), from_pygeofilter(node.rhs))
    if isinstance(node, ast.Like):
        return ("like", from_pygeofilter(node.lhs), ("lit", node.pattern), node.not_)
    if isinstance(node, ast.Between):
        return ("between", *map(from_pygeofilter, (node.lhs, node.low, node.high)), node.not_)
    if isinstance(node, ast.In):
        return ("in", from_pygeofilter(node.lhs), [from_pygeofilter(v) for v in node.sub_nodes], node.not_)
    if isinstance(node, ast.IsNull):
        return ("isnull", from_pygeofilter(node.lhs), node.not_)
    if isinstance(node, ast.SpatialComparisonPredicate):
        return ("spatial", SPATIAL_NAMES[node.op.name], from_pygeofilter(node.lhs), from_pygeofilter(node.rhs))
    if isinstance(node, (ast.TemporalPredicate, values.Interval)):  # pygeofilter maps T_INTERSECTS to overlaps
        raise InvalidParameter("filter: temporal functions are evaluated for JSON/GeoJSON output only; "
                               "request f=json")
    if isinstance(node, ast.BBox):
        return ("spatial", "s_intersects", from_pygeofilter(node.lhs),
                ("geom", box(node.minx, node.miny, node.maxx, node.maxy)))
    if isinstance(node, ast.Attribute):
        return ("prop", node.name)
    if isinstance(node, ast.Function):
        return ("func", node.name.lower(), [from_pygeofilter(a) for a in node.arguments])
    if isinstance(node, (values.Geometry, values.Envelope)):
        return cql2.geom_ok(shape(node.geometry), api_settings().max_geometry_vertices)
    import datetime as dt

    if isinstance(node, dt.datetime):
        return ("ts", node)
    if isinstance(node, dt.date):
        return ("date", node)
    if isinstance(node, (str, int, float, bool)):
        return ("lit", node)
    raise InvalidParameter("filter: unsupported expression")


class HubPostGISProvider(BaseProvider):
    """Features of one public view (pub.<collection>), read as hub_api."""

    def __init__(self, provider_def):
        """Resolve the collection from the catalog (allowlists); no database access here."""
        super().__init__(provider_def)
        data = provider_def.get("data") or {}
        cid = data.get("collection") if isinstance(data, dict) else None
        coll = public_collections().get(cid)
        if coll is None:
            raise ProviderGenericError(user_msg="collection not available")
        self.coll = coll
        self.id_field = "id"
        self._fields = {n: coll.json_schema(n) for n in coll.columns}

    def get_fields(self):
        """Public properties with JSON Schema types (ids are strings)."""
        return self._fields

    def get_schema(self, schema_type: SchemaType = SchemaType.item):
        """Features Part 5 schema of a feature."""
        props = {} if self.coll.geometry_type is None else {"geometry": {
            "format": GEOMETRY_FORMATS[self.coll.geometry_type], "x-ogc-role": "primary-geometry"}}
        props.update(self._fields)
        props[self.coll.id_column] = {**props[self.coll.id_column], "x-ogc-role": "id"}
        return "application/schema+json", {"type": "object", "properties": props}

    def _args(self, offset, limit, resulttype, bbox, datetime_, properties, sortby, select_properties,
              skip_geometry, crs_transform_spec) -> dict[str, str]:
        """pygeoapi's parsed arguments back into query-string form for the shared parser."""
        args = {"limit": str(limit), "offset": str(offset), "resulttype": resulttype or "results",
                "skipGeometry": "true" if skip_geometry else "false"}
        if bbox:
            args["bbox"] = ",".join(str(v) for v in bbox)
        if datetime_:
            args["datetime"] = str(datetime_)
        for key, value in properties or []:
            args[key] = str(value)
        if sortby:
            args["sortby"] = ",".join(("-" if s["order"] == "-" else "") + s["property"] for s in sortby)
        if select_properties:
            args["properties"] = ",".join(select_properties)
        target = getattr(crs_transform_spec, "target_crs_uri", None)
        if target and target != CRS84:
            args["crs"] = target
        return args

    def query(self, offset=0, limit=10, resulttype="results", bbox=[], datetime_=None, properties=[],
              sortby=[], select_properties=[], skip_geometry=False, q=None, filterq=None,
              crs_transform_spec=None, **kwargs):
        """A FeatureCollection dict (the page is small: pygeoapi renders HTML/CSV from it)."""
        try:
            s = api_settings()
            qry = query.parse_items(self.coll, self._args(offset, limit, resulttype, bbox, datetime_, properties,
                                                          sortby, select_properties, skip_geometry,
                                                          crs_transform_spec), s)
            if filterq is not None:
                cond, params = cql2_sql.where(from_pygeofilter(filterq), self.coll, parse_crs(None, [], "filter-crs"))
                qry.conds.append(cond)
                qry.params += params
            return self._run(qry)
        except HubError as exc:
            raise to_provider_error(exc) from exc

    def _run(self, qry: query.ItemsQuery) -> dict:
        """Execute count + page."""
        pub = published_sync().get(self.coll.id)
        try:
            with sync_pool().connection() as conn:
                if qry.filtered or pub is None:
                    stmt, params = query.count_sql(qry)
                    conn.execute("SELECT set_config('statement_timeout', %s, true)",
                                 (str(api_settings().count_timeout_ms),))
                    matched = conn.execute(stmt, params).fetchone()[0]
                    conn.rollback()
                else:
                    matched = pub.row_count
                rows = []
                if not qry.hits:
                    stmt, params = query.items_sql(qry)
                    rows = conn.execute(stmt, params).fetchall()[:qry.limit]
        except psycopg.Error as exc:
            raise db_error(exc) from exc
        features = [json.loads(r[1]) for r in rows]
        return {"type": "FeatureCollection", "features": features, "numberMatched": matched,
                "numberReturned": len(features)}

    def get(self, identifier, crs_transform_spec=None, **kwargs):
        """One feature by string id (404 when absent)."""
        try:
            target = getattr(crs_transform_spec, "target_crs_uri", None)
            out = parse_crs(target if target != CRS84 else None, self.coll.output_epsg, "crs")
            stmt, params = query.item_sql(self.coll, str(identifier), out)
            try:
                with sync_pool().connection() as conn:
                    row = conn.execute(stmt, params).fetchone()
            except psycopg.Error as exc:
                raise db_error(exc) from exc
            if row is None:
                raise NotFound(M("api.feature_not_found"))
            return json.loads(row[0])
        except HubError as exc:
            raise to_provider_error(exc) from exc

    def __repr__(self):
        """Short description."""
        return f"<HubPostGISProvider> {self.coll.id}"
