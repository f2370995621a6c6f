-- Rasters (issue 14): the family's schema. Each raster dataset's tables (raster.<id>: one row per published COG;
-- raster.<id>__zonal: exact statistics per parcel and commune) are created by the framework at publication.
CREATE SCHEMA IF NOT EXISTS raster AUTHORIZATION hub_owner;
GRANT USAGE ON SCHEMA raster TO hub_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA raster GRANT SELECT ON TABLES TO hub_analyst;
