"""tests.ingest.families.envmon."""
