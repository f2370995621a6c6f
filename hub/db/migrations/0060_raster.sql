-- Rasters (issue 14): published COGs and their STAC Items, and exact zonal statistics per parcel and commune.
CREATE SCHEMA IF NOT EXISTS raster AUTHORIZATION hub_owner;
SET ROLE hub_owner;

-- One row per published raster dataset: the COG (path under HUB_RASTER_STORE_DIR), its grid and band metadata.
CREATE TABLE raster.coverage (
  dataset_id text PRIMARY KEY,
  load_id bigint NOT NULL REFERENCES meta.load,
  version integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('dem', 'slope', 'landcover', 'thematic')),
  file text NOT NULL,                           -- COG file name inside the store (never a user path)
  cog_sha256 text NOT NULL CHECK (cog_sha256 ~ '^[0-9a-f]{64}$'),
  source_sha256 text NOT NULL CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
  epsg integer NOT NULL,
  crs_decision text NOT NULL,
  width integer NOT NULL CHECK (width > 0),
  height integer NOT NULL CHECK (height > 0),
  transform double precision[] NOT NULL CHECK (cardinality(transform) = 6),
  dtype text NOT NULL,
  nodata double precision,
  scale double precision NOT NULL DEFAULT 1,
  "offset" double precision NOT NULL DEFAULT 0,
  unit text,
  classes jsonb NOT NULL DEFAULT '[]',          -- [{value, code, name_vi, name_en, color}]
  stats jsonb NOT NULL,                         -- minimum, maximum, mean, stddev, valid_percent (+ histogram)
  footprint geometry(Polygon, 4326) NOT NULL,   -- grid outline through the pinned EPSG:6960 path
  stac jsonb NOT NULL,                          -- the validated STAC Item
  published_at timestamptz NOT NULL
);

-- Exact (coverage-weighted) statistics of one raster over one polygon of a published vector dataset.
-- geom_md5 and raster_sha256 say what they were computed from: a row is recomputed only when either changes.
CREATE TABLE raster.zonal_parcel (
  raster_id text NOT NULL,
  dataset_id text NOT NULL,                     -- the parcel dataset (catalog id)
  feature_id text NOT NULL,                     -- its public id (parcel_key)
  geom_md5 text NOT NULL,
  raster_sha256 text NOT NULL,
  area_m2 double precision NOT NULL,            -- polygon area in the raster's grid (ellipsoidal for degrees)
  valid_share double precision NOT NULL,        -- share of the polygon covered by valid pixels
  mean double precision, min double precision, max double precision, stddev double precision,
  classes jsonb,                                -- {class code: share of the valid area}
  majority text,                                -- class code with the largest share
  computed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (raster_id, dataset_id, feature_id)
);
CREATE INDEX zonal_parcel_feature_idx ON raster.zonal_parcel (dataset_id, feature_id);

CREATE TABLE raster.zonal_commune (
  raster_id text NOT NULL,
  version_id text NOT NULL,
  code varchar(5) NOT NULL,
  geom_md5 text NOT NULL,
  raster_sha256 text NOT NULL,
  area_m2 double precision NOT NULL,
  valid_share double precision NOT NULL,
  mean double precision, min double precision, max double precision, stddev double precision,
  classes jsonb,
  majority text,
  computed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (raster_id, version_id, code)
);

-- What the API reads: the published rasters (no load ids, no source checksum) and the statistics.
CREATE VIEW pub.raster_coverages AS
SELECT c.dataset_id, c.version, c.kind, c.file, c.cog_sha256, c.epsg, c.width, c.height, c.transform, c.dtype,
       c.nodata, c.scale, c."offset", c.unit, c.classes, c.stats, c.footprint, c.stac, c.published_at
FROM raster.coverage c;

CREATE VIEW pub.raster_zonal_parcels AS
SELECT z.raster_id, z.dataset_id, z.feature_id, z.area_m2, z.valid_share, z.mean, z.min, z.max, z.stddev,
       z.classes, z.majority, z.computed_at
FROM raster.zonal_parcel z;

CREATE VIEW pub.raster_zonal_communes AS
SELECT z.raster_id, z.version_id, z.code, z.area_m2, z.valid_share, z.mean, z.min, z.max, z.stddev, z.classes,
       z.majority, z.computed_at
FROM raster.zonal_commune z;

RESET ROLE;
GRANT USAGE ON SCHEMA raster TO hub_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA raster TO hub_analyst;
GRANT SELECT ON pub.raster_coverages, pub.raster_zonal_parcels, pub.raster_zonal_communes TO hub_api, hub_analyst;
