"""ingest.families."""
