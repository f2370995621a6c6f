-- Issue 16 items 10 and 11: what a role without privileges on the restricted schema could still do or learn.
-- (Settings a role cannot override are the hub_guard library's job: hub.db.guard, applied by ensure_roles.)

-- Large objects need no privilege to create: lo_from_bytea wrote despite read-only. Nobody in the hub uses them.
REVOKE EXECUTE ON FUNCTION pg_catalog.lo_from_bytea(oid, bytea), pg_catalog.lo_create(oid),
  pg_catalog.lo_creat(integer), pg_catalog.lo_import(text), pg_catalog.lo_import(text, oid),
  pg_catalog.lo_put(oid, bigint, bytea), pg_catalog.lo_open(oid, integer) FROM PUBLIC;

-- Advisory locks: any role could take the publish lock (ingest.core.run._lock_key) and block every publish.
-- Only the owner (and hub_etl through it) may take them; the migrator is the superuser.
DO $$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname ~ '^pg_(try_)?advisory_'
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO hub_owner', f);
  END LOOP;
END $$;

-- NOTIFY queue (8 GB on disk) is no business of the public roles.
REVOKE EXECUTE ON FUNCTION pg_catalog.pg_notify(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_notify(text, text) TO hub_owner;

-- Statistics and sizes of tables a role cannot read. PostGIS reads its planner statistics without a privilege
-- check (ST_EstimatedExtent gave the bounding box of restricted.*_sensitive); _postgis_* take a regclass, and an
-- OID cast to regclass needs no USAGE on the schema; so do the size and pg_stat_get_* functions.
DO $$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           WHERE (p.proname IN ('st_estimatedextent', '_postgis_stats', '_postgis_selectivity',
                                '_postgis_join_selectivity', '_postgis_index_extent')
                  AND p.pronamespace = (SELECT extnamespace FROM pg_extension WHERE extname = 'postgis'))
              OR (p.pronamespace = 'pg_catalog'::regnamespace
                  AND (p.proname IN ('pg_relation_size', 'pg_table_size', 'pg_indexes_size', 'pg_total_relation_size')
                       OR (p.proname LIKE 'pg\_stat\_get\_%' AND p.proargtypes = '26'::oidvector)))
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO hub_owner, pg_read_all_stats', f);
  END LOOP;
END $$;

-- The statistics views use those functions: refuse them outright (clear error, and nothing if a function is
-- added to them later).
DO $$
DECLARE v text;
BEGIN
  FOR v IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'
           AND (c.relname ~ '^pg_stat(io)?_(all|sys|user|xact_all|xact_sys|xact_user)_(tables|indexes|sequences|functions)$'
                OR c.relname = 'pg_stat_database')
  LOOP
    EXECUTE format('REVOKE SELECT ON pg_catalog.%I FROM PUBLIC', v);
    EXECUTE format('GRANT SELECT ON pg_catalog.%I TO hub_owner, pg_read_all_stats', v);
  END LOOP;
END $$;

-- pg_class is readable by everyone (psql, QGIS and GDAL list tables through it); its planner estimates are not:
-- reltuples / relpages / relallvisible of a restricted table tell how many defence parcels or owners there are.
DO $$
DECLARE cols text;
BEGIN
  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols FROM pg_attribute a
  WHERE a.attrelid = 'pg_catalog.pg_class'::regclass AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attname NOT IN ('reltuples', 'relpages', 'relallvisible');
  EXECUTE 'REVOKE SELECT ON pg_catalog.pg_class FROM PUBLIC';
  EXECUTE format('GRANT SELECT (%s) ON pg_catalog.pg_class TO PUBLIC', cols);
  EXECUTE 'GRANT SELECT ON pg_catalog.pg_class TO hub_owner, pg_read_all_stats';
END $$;
