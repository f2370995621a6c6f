-- What the parcel report cites about a publication, readable by the API (it cannot read meta.*): whether the
-- validity date was stated at load (`hub ingest --valid-from`) or is the load date, and the load's finish time.
-- Extends the per-collection view of migration 0009.
SET ROLE hub_owner;

DROP VIEW pub.published_datasets;
CREATE VIEW pub.published_datasets AS
SELECT c.collection, p.dataset_id, p.version, p.published_at, c.row_count, c.bbox, c.interval_start,
       c.interval_end, c.time_kind, c.view_name, p.load_id,
       (l.options ? 'valid_from') AS valid_from_stated,
       l.started_at::date AS load_date
FROM meta.published p
JOIN meta.published_collection c USING (dataset_id)
LEFT JOIN meta.load l ON l.load_id = p.load_id;

RESET ROLE;
GRANT SELECT ON pub.published_datasets TO hub_api, hub_analyst;
