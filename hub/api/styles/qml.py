"""A QML per collection: categorised by the principal land-use code (TT 08/2024 colours), Vietnamese or English field
aliases from the catalog titles; written in the QGIS 3.22 symbology format (`<prop k= v=>`), read by 3.22 and later."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from hub.api.collections import Collection

STYLED_COLUMN = "land_use_codes"  # codes joined with '+': the first is the principal use (TT 08/2024 Điều 4)
PRINCIPAL = "regexp_substr(\"land_use_codes\", '^[^+]+')"
OUTLINE = "35,35,35,255"
QGIS_VERSION = "3.22.16-Białowieża"


@dataclass(frozen=True)
class Code:
    """One land-use code with its names and map colour."""

    code: str
    name_vi: str
    name_en: str | None
    color_hex: str

    @property
    def rgba(self) -> str:
        """QGIS colour text."""
        h = self.color_hex.lstrip("#")
        return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},255"

    def label(self, lang: str) -> str:
        """`CODE – name` in the reader's language."""
        return f"{self.code} – {self.name_vi if lang == 'vi' or not self.name_en else self.name_en}"


def styled(coll: Collection) -> bool:
    """Whether the collection carries land-use codes to categorise."""
    return coll.geometry_type is not None and STYLED_COLUMN in coll.columns


def code_list(coll: Collection) -> str | None:
    """The land-use code list the collection's codes belong to (the family option), if any."""
    return getattr(coll.dataset.opts, "land_use_list", None)


def aliases(coll: Collection, lang: str) -> dict[str, str]:
    """Field name -> catalog title in `lang` (only columns with a title)."""
    out = {}
    for name in coll.columns:
        title = coll.table.column(name).title
        if title:
            out[name] = title.vi if lang == "vi" else title.en
    return out


def _symbol(name: str, geometry_type: str, rgba: str) -> str:
    """One symbol: a filled polygon with a thin outline, a line, or a point."""
    if "Polygon" in geometry_type:
        props = {"color": rgba, "outline_color": OUTLINE, "outline_style": "solid", "outline_width": "0.26",
                 "outline_width_unit": "MM", "style": "solid", "joinstyle": "bevel"}
        kind, cls = "fill", "SimpleFill"
    elif "Line" in geometry_type:
        props = {"line_color": rgba, "line_style": "solid", "line_width": "0.6", "line_width_unit": "MM"}
        kind, cls = "line", "SimpleLine"
    else:
        props = {"color": rgba, "outline_color": OUTLINE, "name": "circle", "size": "2.4", "size_unit": "MM"}
        kind, cls = "marker", "SimpleMarker"
    body = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items())
    return (f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="{cls}" pass="0" locked="0" enabled="1">{body}</layer></symbol>')


def renderer(coll: Collection, codes: list[Code], lang: str) -> str:
    """The `<renderer-v2>` element: categorised on the principal code, or one symbol without land-use codes."""
    geometry = coll.geometry_type or "Polygon"
    if not styled(coll):
        return (f'<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0"><symbols>'
                f'{_symbol("0", geometry, "190,207,80,255")}</symbols></renderer-v2>')
    cats, syms = [], []
    for i, code in enumerate(codes):
        cats.append(f'<category render="true" value={quoteattr(code.code)} label={quoteattr(code.label(lang))} '
                    f'symbol="{i}"/>')
        syms.append(_symbol(str(i), geometry, code.rgba))
    return (f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(PRINCIPAL)} symbollevels="0" enableorderby="0" '
            f'forceraster="0"><categories>{"".join(cats)}</categories><symbols>{"".join(syms)}</symbols>'
            '</renderer-v2>')


def layer_body(coll: Collection, codes: list[Code], lang: str) -> str:
    """What a QML and a project layer share: renderer, aliases, display field."""
    alias = "".join(f"<alias field={quoteattr(k)} index=\"{i}\" name={quoteattr(v)}/>"
                    for i, (k, v) in enumerate(aliases(coll, lang).items()))
    return (f"{renderer(coll, codes, lang)}<aliases>{alias}</aliases>"
            f"<previewExpression>{_xml_text(chr(34) + coll.id_column + chr(34))}</previewExpression>")


def _xml_text(text: str) -> str:
    """Text content escaped for XML."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def document(coll: Collection, codes: list[Code], lang: str) -> str:
    """A complete QML file for one collection."""
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Fields|AttributeTable">'
            f"{layer_body(coll, codes, lang)}<layerGeometryType>{geometry_code(coll)}</layerGeometryType></qgis>\n")


def geometry_code(coll: Collection) -> int:
    """QgsWkbTypes::GeometryType: 0 point, 1 line, 2 polygon, 4 none."""
    g = coll.geometry_type or ""
    return 2 if "Polygon" in g else 1 if "Line" in g else 0 if "Point" in g else 4
