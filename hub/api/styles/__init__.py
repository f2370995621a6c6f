"""QGIS styles and projects generated from the catalog and the land-use colour table (OGC API Styles, QML 3.22)."""
