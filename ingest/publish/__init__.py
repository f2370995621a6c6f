"""Publish strategies: how a staged load becomes the published version (replace today)."""
