-- The family framework: findings and quarantine name the table (a load can fill several) and the location in
-- the file (a spreadsheet cell); what is published is recorded per collection (a dataset can publish several
-- tables); append loads record their windows (a re-delivered window replaces, an overlapping one is refused).
SET ROLE hub_owner;

ALTER TABLE meta.issue ADD COLUMN table_name text, ADD COLUMN location text;
ALTER TABLE restricted.quarantine ADD COLUMN table_name text, ADD COLUMN location text;
ALTER TABLE restricted.quarantine DROP CONSTRAINT quarantine_pkey;
CREATE UNIQUE INDEX quarantine_row_idx ON restricted.quarantine (load_id, file, row_no, coalesce(table_name, ''));

CREATE TABLE meta.published_collection (
  collection text PRIMARY KEY,
  dataset_id text NOT NULL REFERENCES meta.published ON DELETE CASCADE,
  table_label text NOT NULL,                     -- 'main' (the primary table) or the secondary table's name
  table_name text NOT NULL,                      -- schema.table of the live data
  view_name text NOT NULL,                       -- pub.view
  row_count bigint NOT NULL,
  bbox double precision[],                       -- CRS84 minx, miny, maxx, maxy (NULL: no geometry)
  interval_start timestamptz, interval_end timestamptz,
  time_kind text CHECK (time_kind IN ('date', 'timestamptz')),
  columns jsonb NOT NULL                         -- public columns with types, as published
);
CREATE INDEX published_collection_dataset_idx ON meta.published_collection (dataset_id);

INSERT INTO meta.published_collection (collection, dataset_id, table_label, table_name, view_name, row_count, bbox,
                                       interval_start, interval_end, time_kind, columns)
SELECT split_part(view_name, '.', 2), dataset_id, 'main', table_name, view_name, row_count, bbox,
       interval_start::timestamp AT TIME ZONE 'UTC', (interval_end::timestamp + interval '1 day - 1 second') AT TIME ZONE 'UTC',
       'date', columns
FROM meta.published;

DROP VIEW pub.published_datasets;
ALTER TABLE meta.published DROP COLUMN row_count, DROP COLUMN bbox, DROP COLUMN interval_start,
  DROP COLUMN interval_end, DROP COLUMN table_name, DROP COLUMN view_name, DROP COLUMN columns;

-- What the API needs of the published state, per collection (the API role cannot read meta.*).
CREATE VIEW pub.published_datasets AS
SELECT c.collection, p.dataset_id, p.version, p.published_at, c.row_count, c.bbox, c.interval_start,
       c.interval_end, c.time_kind, c.view_name, p.load_id
FROM meta.published p JOIN meta.published_collection c USING (dataset_id);

CREATE TABLE meta.load_window (
  load_id bigint NOT NULL REFERENCES meta.load ON DELETE CASCADE,
  dataset_id text NOT NULL,
  table_label text NOT NULL,
  scope jsonb NOT NULL,                          -- the scope columns' values, in catalog order
  lo timestamptz NOT NULL, hi timestamptz NOT NULL
);
CREATE INDEX load_window_idx ON meta.load_window (dataset_id, table_label, scope);

RESET ROLE;
-- Schemas of the families that came with the framework (the first migration made the first five).
CREATE SCHEMA IF NOT EXISTS raster AUTHORIZATION hub_owner;      -- raster catalogue, zonal statistics
CREATE SCHEMA IF NOT EXISTS minerals AUTHORIZATION hub_owner;    -- mineral licences, prohibited zones
GRANT USAGE ON SCHEMA raster, minerals TO hub_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA raster, minerals GRANT SELECT ON TABLES TO hub_analyst;
GRANT SELECT ON pub.published_datasets TO hub_api, hub_analyst;
GRANT SELECT ON meta.published_collection, meta.load_window TO hub_analyst;
