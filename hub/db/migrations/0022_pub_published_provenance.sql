-- What the parcel report cites about a publication, readable by the API (it cannot read meta.*): whether the
-- validity date was stated at load (`hub ingest --valid-from`) or is the load date, and the load's finish time.
SET ROLE hub_owner;

CREATE OR REPLACE VIEW pub.published_datasets AS
SELECT p.dataset_id, p.version, p.published_at, p.row_count, p.bbox, p.interval_start, p.interval_end,
       p.view_name, p.load_id,
       (l.options ? 'valid_from') AS valid_from_stated,
       l.started_at::date AS load_date
FROM meta.published p
LEFT JOIN meta.load l ON l.load_id = p.load_id;

RESET ROLE;
GRANT SELECT ON pub.published_datasets TO hub_api, hub_analyst;
