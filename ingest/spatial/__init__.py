"""ingest.spatial."""
