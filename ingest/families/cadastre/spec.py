"""The cadastre family's light spec: rules, options, geometry, time (no GIS imports: the catalog reads it)."""

from __future__ import annotations

from pydantic import Field

from hub.catalog.base import Rule, Strict
from hub.catalog.family import FamilySpec, GeometrySpec, TimeSpec


class CadastreOptions(Strict):
    """Settings only cadastral datasets have (TT 25/2014 parcels, TT 08/2024 codes, the 2025 admin reform)."""

    admin_version: str = Field("GSO-2025-06-30", description="Admin code version the source's commune codes use")
    land_use_list: str = Field("LANDUSE_TT08_2024", description="Code list published land-use codes belong to")
    exclude_sensitive_land_use: bool = Field(True, description="Keep CQP/CAN/CQA parcels in the restricted schema, "
                                                               "out of the core table and the public view")
    id_encodes: list[str] = Field(default_factory=list, description=(
        "Key columns the id column encodes injectively (parcel_key = commune.sheet.parcel): one unique index on the "
        "id plus the other key columns then checks the key and serves id lookups"))
    crs_from_commune: bool = Field(False, description="Files without a CRS take the TT 973 zone of their commune's "
                                                      "old province (Famis DGN names carry the commune code)")


def _key_index(table) -> list[str]:
    """The id plus the key columns it does not encode (one index both checks the key and serves id lookups)."""
    encodes = table.ds.opts.id_encodes if table.name is None else []
    if not encodes:
        return list(table.key)
    return [table.publication.id_column, *[k for k in table.key if k not in encodes]]


RULES = {
    "topology_overlap": Rule(severity="warn", params={"min_area_m2": 0.05}, title="parcels of a sheet overlap"),
    "topology_gap": Rule(severity="warn", params={"min_area_m2": 0.01, "max_area_m2": 5.0, "max_width_m": 1.0},
                         title="a gap lies between parcels of a sheet"),
    "area_mismatch": Rule(severity="warn", params={"k": 0.0004, "scale_denominator": 1000},
                          title="declared area differs from the computed one by more than k·M·√P"),
    "unknown_land_use": Rule(severity="error", title="no known land-use code"),
    "legacy_land_use": Rule(severity="warn", title="a code of an older list, mapped by the crosswalk"),
    "land_use_homoglyph": Rule(severity="error", title="a code typed with look-alike letters (Cyrillic О)"),
    "land_use_normalised": Rule(severity="info", title="case or spacing of a code corrected"),
    "national_id_mismatch": Rule(severity="warn", title="official id differs from the GeoHash of the interior point"),
    "sensitive_land_use": Rule(severity="warn", title="defence/security land: kept out of public views"),
    "admin_code_unknown": Rule(severity="warn", title="commune code not in the admin code version"),
}

SPEC = FamilySpec(
    name="cadastre",
    title="Cadastral parcels (bản đồ địa chính)",
    rules=RULES,
    options=CadastreOptions,
    formats=frozenset({"gpkg", "shp", "tab", "geojson", "dgn", "fgb"}),
    geometry=GeometrySpec(type="MultiPolygon"),
    time=TimeSpec(column="valid_from", kind="date", role="validity"),
    publish="replace",
    pipeline="ingest.families.cadastre.pipeline:CadastrePipeline",
    readers={"dgn": "ingest.families.cadastre.famis:READER"},
    report_section=None,
    samples="hub.samples.generate:generate",
    demo=(("cadastre_cantho", "cantho"), ("cadastre_tuyenquang", "tuyenquang")),
    key_index=_key_index,
)
