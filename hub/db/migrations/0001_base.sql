-- Extensions, schemas for the four data families and their plumbing, and the hub's roles.
CREATE EXTENSION IF NOT EXISTS postgis;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_owner') THEN
    CREATE ROLE hub_owner NOLOGIN;               -- owns every hub object
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_etl') THEN
    CREATE ROLE hub_etl LOGIN IN ROLE hub_owner;  -- pipelines: load, swap, publish
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_analyst') THEN
    CREATE ROLE hub_analyst LOGIN;                -- QGIS analysts: core + public data, no personal data
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_api') THEN
    CREATE ROLE hub_api LOGIN;                    -- the OGC API server: public views only, read-only
  END IF;
END $$;

CREATE SCHEMA IF NOT EXISTS ref AUTHORIZATION hub_owner;         -- code lists, admin units, CRS
CREATE SCHEMA IF NOT EXISTS meta AUTHORIZATION hub_owner;        -- load ledger, issues, published datasets
CREATE SCHEMA IF NOT EXISTS staging AUTHORIZATION hub_owner;     -- per-run tables, never read by the API
CREATE SCHEMA IF NOT EXISTS cadastre AUTHORIZATION hub_owner;    -- parcels, map sheets
CREATE SCHEMA IF NOT EXISTS landprice AUTHORIZATION hub_owner;   -- land-price tables
CREATE SCHEMA IF NOT EXISTS planning AUTHORIZATION hub_owner;    -- land-use plans
CREATE SCHEMA IF NOT EXISTS survey AUTHORIZATION hub_owner;      -- basic survey: soil, land quality
CREATE SCHEMA IF NOT EXISTS envmon AUTHORIZATION hub_owner;      -- environmental monitoring
CREATE SCHEMA IF NOT EXISTS restricted AUTHORIZATION hub_owner;  -- personal data (Decree 13/2023), quarantine rows
CREATE SCHEMA IF NOT EXISTS pub AUTHORIZATION hub_owner;         -- views only: the API's whole world

-- Nobody gets anything by default; grants below are explicit.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
DO $$ BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO hub_owner, hub_etl', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO hub_analyst, hub_api', current_database());
END $$;

GRANT USAGE ON SCHEMA pub TO hub_api, hub_analyst;
GRANT USAGE ON SCHEMA ref, meta, cadastre, landprice, planning, survey, envmon TO hub_analyst;

-- Future objects: analysts read core + reference data; the API reads pub only.
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA pub GRANT SELECT ON TABLES TO hub_api, hub_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA ref, meta, cadastre, landprice, planning, survey, envmon
  GRANT SELECT ON TABLES TO hub_analyst;
