"""OGC API Records: the catalogue of published datasets (provider, filters, query, HTTP fast path)."""
