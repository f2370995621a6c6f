"""Land & Environment Data Hub: core library and `hub` CLI."""

__version__ = "0.1.0"
