"""OGC API Processes plugins of the hub."""
