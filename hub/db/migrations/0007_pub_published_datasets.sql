-- What is published, readable by the API role (it cannot read meta.*): versions drive caching and reload.
SET ROLE hub_owner;

CREATE VIEW pub.published_datasets AS
SELECT p.dataset_id, p.version, p.published_at, p.row_count, p.bbox, p.interval_start, p.interval_end,
       p.view_name, p.load_id
FROM meta.published p;

RESET ROLE;
GRANT SELECT ON pub.published_datasets TO hub_api, hub_analyst;
