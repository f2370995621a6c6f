-- Provenance: the load ledger, validation issues, and what is published.
SET ROLE hub_owner;

CREATE TABLE meta.load (
  load_id bigserial PRIMARY KEY,
  dataset_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'published', 'unchanged', 'failed', 'blocked', 'refused', 'dry_run')),
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  source_files jsonb NOT NULL DEFAULT '[]',      -- [{path, sha256, bytes, format}]
  source_sha256 text,                            -- over all files, in order
  catalog_sha256 text,                           -- the catalog entry that drove the run
  options jsonb NOT NULL DEFAULT '{}',           -- --crs, --encoding, --force ...
  rows_in bigint, rows_loaded bigint, rows_rejected bigint, rows_flagged bigint,
  issues_by_rule jsonb NOT NULL DEFAULT '{}',
  forced boolean NOT NULL DEFAULT false,
  staging_table text,
  version integer,                               -- published version number of the dataset
  message text,
  hub_version text,
  pid integer DEFAULT pg_backend_pid(),
  CHECK (rows_in IS NULL OR rows_in = rows_loaded + rows_rejected)
);
CREATE INDEX load_dataset_idx ON meta.load (dataset_id, load_id DESC);

-- One row per rule hit: no source values here (they may be personal); raw rows go to restricted.quarantine.
CREATE TABLE meta.issue (
  load_id bigint NOT NULL REFERENCES meta.load ON DELETE CASCADE,
  dataset_id text NOT NULL,
  file text,
  row_no bigint,
  feature_key text,
  field text,
  rule text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('info', 'warn', 'error')),
  action text NOT NULL CHECK (action IN ('rejected', 'flagged', 'fixed', 'redacted', 'excluded')),
  message text NOT NULL
);
CREATE INDEX issue_load_idx ON meta.issue (load_id, rule);

-- The published state of each dataset: what pygeoapi config, records and caching are generated from.
CREATE TABLE meta.published (
  dataset_id text PRIMARY KEY,
  load_id bigint NOT NULL REFERENCES meta.load,
  version integer NOT NULL,
  published_at timestamptz NOT NULL,
  row_count bigint NOT NULL,
  bbox double precision[],                       -- CRS84 minx, miny, maxx, maxy
  interval_start date, interval_end date,
  table_name text NOT NULL,                      -- schema.table of the live data
  view_name text NOT NULL,                       -- pub.view
  columns jsonb NOT NULL                         -- public columns with types, as published
);

CREATE TABLE restricted.quarantine (
  load_id bigint NOT NULL REFERENCES meta.load ON DELETE CASCADE,
  dataset_id text NOT NULL,
  file text NOT NULL,
  row_no bigint NOT NULL,
  rules text[] NOT NULL,
  raw jsonb NOT NULL,                            -- the source row as read (raw bytes hex), geometry as WKB hex
  PRIMARY KEY (load_id, file, row_no)
);

RESET ROLE;
GRANT SELECT ON ALL TABLES IN SCHEMA meta TO hub_analyst;
