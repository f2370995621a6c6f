"""ingest.steps."""
