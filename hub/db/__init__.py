"""Database: the embedded cluster, connections per role, and versioned migrations."""
