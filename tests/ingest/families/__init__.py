"""tests.ingest.families."""
