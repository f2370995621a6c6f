"""The `hub` command line: one module per verb, shared options in `options`."""
