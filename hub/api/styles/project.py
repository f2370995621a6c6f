"""A QGIS project (.qgs) that opens every published layer from this server through the OAPIF provider, each with
its generated style and aliases (one click for an analyst instead of adding layers and styling them by hand)."""

from __future__ import annotations

import uuid
from xml.sax.saxutils import quoteattr

from hub.api.collections import Collection
from hub.api.styles import qml

WGS84 = ("<spatialrefsys><authid>EPSG:4326</authid><srid>4326</srid><srsid>3452</srsid>"
         "<proj4>+proj=longlat +datum=WGS84 +no_defs</proj4><description>WGS 84</description>"
         "<projectionacronym>longlat</projectionacronym><ellipsoidacronym>EPSG:7030</ellipsoidacronym>"
         "<geographicflag>true</geographicflag></spatialrefsys>")


def datasource(base_url: str, coll: Collection) -> str:
    """The OAPIF provider URI (QGIS reads `pageSize`; the bbox restriction avoids paging the whole collection)."""
    return (f"pageSize='1000' pagingEnabled='true' restrictToRequestBBOX='1' typename='{coll.id}' "
            f"url='{base_url}'")


def layer_id(coll: Collection) -> str:
    """A stable layer id (same project text for the same catalog)."""
    return f"{coll.id}_{uuid.uuid5(uuid.NAMESPACE_URL, coll.id).hex[:12]}"


def document(base_url: str, layers: list[tuple[Collection, list[qml.Code], tuple[float, ...] | None]],
             lang: str, title: str) -> str:
    """The project: a layer tree and one map layer per published collection, extent covering their bboxes."""
    tree, maplayers, boxes = [], [], []
    for coll, codes, bbox in layers:
        lid, name = layer_id(coll), (coll.title.vi if lang == "vi" else coll.title.en)
        src = datasource(base_url, coll)
        tree.append(f"<layer-tree-layer id={quoteattr(lid)} name={quoteattr(name)} source={quoteattr(src)} "
                    f'providerKey="OAPIF" checked="Qt::Checked" expanded="1"/>')
        maplayers.append(
            f'<maplayer type="vector" geometry="{_geometry_name(coll)}" hasScaleBasedVisibilityFlag="0" '
            f'styleCategories="AllStyleCategories" readOnly="0"><id>{lid}</id>'
            f"<datasource>{_text(src)}</datasource><layername>{_text(name)}</layername>"
            f"<srs>{WGS84}</srs><provider encoding=\"UTF-8\">OAPIF</provider>"
            f"{qml.layer_body(coll, codes, lang)}</maplayer>")
        if bbox:
            boxes.append(bbox)
    x1, y1, x2, y2 = ([min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                       max(b[3] for b in boxes)] if boxes else [102.1, 8.4, 109.5, 23.4])
    extent = f"<extent><xmin>{x1}</xmin><ymin>{y1}</ymin><xmax>{x2}</xmax><ymax>{y2}</ymax></extent>"
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis projectname={quoteattr(title)} version="{qml.QGIS_VERSION}"><title>{_text(title)}</title>'
            f"<projectCrs>{WGS84}</projectCrs><layer-tree-group>{''.join(tree)}</layer-tree-group>"
            f"<mapcanvas name=\"theMapCanvas\"><units>degrees</units>{extent}"
            f"<destinationsrs>{WGS84}</destinationsrs></mapcanvas>"
            f"<projectlayers>{''.join(maplayers)}</projectlayers></qgis>\n")


def _geometry_name(coll: Collection) -> str:
    """The maplayer's geometry attribute."""
    return {0: "Point", 1: "Line", 2: "Polygon"}.get(qml.geometry_code(coll), "No geometry")


def _text(value: str) -> str:
    """XML text content."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
