"""hub.api.features."""
