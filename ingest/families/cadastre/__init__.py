"""ingest.families.cadastre."""
