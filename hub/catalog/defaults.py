"""Default severities of validation rules (a catalog entry overrides them per dataset)."""

from __future__ import annotations

from hub.catalog.models import Rule

DEFAULT_RULES: dict[str, Rule] = {
    "invalid_geometry": Rule(severity="error"),
    "empty_geometry": Rule(severity="error"),
    "topology_overlap": Rule(severity="warn", params={"min_area_m2": 0.05}),
    "topology_gap": Rule(severity="warn"),
    "duplicate_key": Rule(severity="error"),
    "area_mismatch": Rule(severity="warn", params={"k": 0.0004}),
    "unknown_land_use": Rule(severity="error"),
    "legacy_land_use": Rule(severity="warn"),
    "land_use_homoglyph": Rule(severity="error"),
    "land_use_normalised": Rule(severity="info"),
    "outside_admin_unit": Rule(severity="error", params={"tolerance_m": 50}),
    "axis_order": Rule(severity="error"),
    "datum_suspect": Rule(severity="warn"),
    "encoding_uncertain": Rule(severity="warn"),
    "national_id_mismatch": Rule(severity="warn"),
    "personal_data_in_text": Rule(severity="warn"),
    "sensitive_land_use": Rule(severity="warn"),
    "missing_required": Rule(severity="error"),
    "bad_value": Rule(severity="error"),
    "ambiguous_number": Rule(severity="warn"),
    "admin_code_unknown": Rule(severity="warn"),
}
