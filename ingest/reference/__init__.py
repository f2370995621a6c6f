"""ingest.reference."""
