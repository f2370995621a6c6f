"""The raster family (issue 14): DEM, slope, land-cover and thematic GeoTIFFs published as COGs with STAC Items,
served as OGC API Coverages and map tiles, with exact zonal statistics per parcel and commune."""
