"""Observation quality: status flags, duplicates, out-of-range and stuck values, gaps."""
