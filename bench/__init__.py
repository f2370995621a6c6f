"""Benchmarks: the hub side by side with the anchor tools (not part of the test suite)."""
