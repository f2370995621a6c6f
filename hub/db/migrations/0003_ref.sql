-- Reference data: code lists, administrative units (before/after 1 Jul 2025), CRS zones, datum ops.
SET ROLE hub_owner;

CREATE TABLE ref.code_list (
  code_list text PRIMARY KEY, title_vi text NOT NULL, title_en text, legal_basis text,
  valid_from date, valid_to date);
CREATE TABLE ref.land_use_code (
  code_list text NOT NULL REFERENCES ref.code_list, code text NOT NULL,   -- not ASCII-only: 'KĐD'
  parent_code text, group_code text CHECK (group_code IN ('NNP', 'PNN', 'CSD', 'MVB', 'ZONE')),
  name_vi text NOT NULL, name_en text, is_aggregate boolean NOT NULL DEFAULT false,
  color_hex text CHECK (color_hex ~ '^#[0-9A-Fa-f]{6}$'), is_sensitive boolean NOT NULL DEFAULT false,
  PRIMARY KEY (code_list, code));
CREATE TABLE ref.land_use_code_map (
  from_list text NOT NULL, from_code text NOT NULL, to_list text NOT NULL, to_code text NOT NULL,
  relation text NOT NULL CHECK (relation IN ('exact', 'narrower', 'broader', 'merged', 'split', 'manual')),
  note text, PRIMARY KEY (from_list, from_code, to_list, to_code));
CREATE TABLE ref.admin_version (
  version_id text PRIMARY KEY, valid_from date, valid_to date, legal_basis text);
CREATE TABLE ref.admin_unit (
  version_id text NOT NULL REFERENCES ref.admin_version, level text NOT NULL CHECK (level IN ('tinh', 'huyen', 'xa')),
  code varchar(5) NOT NULL, name text NOT NULL, unit_type text, parent_code varchar(5),
  geom geometry(MultiPolygon, 4756), geom_wgs84 geometry(MultiPolygon, 4326), geom_source text,
  PRIMARY KEY (version_id, level, code));
CREATE INDEX admin_unit_geom_idx ON ref.admin_unit USING gist (geom_wgs84);
CREATE TABLE ref.admin_lineage (
  old_version text NOT NULL, old_level text NOT NULL, old_code varchar(5) NOT NULL,
  new_version text NOT NULL, new_level text NOT NULL, new_code varchar(5) NOT NULL,
  relation text NOT NULL CHECK (relation IN ('unchanged', 'renamed', 'merged_into', 'split_part', 'moved')),
  area_share numeric(6, 5), is_default boolean, legal_basis text,
  PRIMARY KEY (old_version, old_level, old_code, new_version, new_code));
CREATE INDEX admin_lineage_new_idx ON ref.admin_lineage (new_version, new_code);
CREATE TABLE ref.crs_zone (
  old_province_code varchar(2) PRIMARY KEY, province_name text NOT NULL, cm_deg numeric(7, 4) NOT NULL,
  epsg integer NOT NULL, k0 numeric NOT NULL DEFAULT 0.9999, legal_basis text);
CREATE TABLE ref.datum_op (
  op_id text PRIMARY KEY, name text NOT NULL, towgs84 text NOT NULL, method text, accuracy_m numeric,
  is_default boolean NOT NULL DEFAULT false, note text);
CREATE UNIQUE INDEX datum_op_one_default ON ref.datum_op (is_default) WHERE is_default;
-- Which seed files (and package versions) the reference data came from.
CREATE TABLE ref.seed (
  file text PRIMARY KEY, rows integer NOT NULL, sha256 text NOT NULL, source text, loaded_at timestamptz DEFAULT now());

RESET ROLE;
GRANT SELECT ON ALL TABLES IN SCHEMA ref TO hub_analyst;
