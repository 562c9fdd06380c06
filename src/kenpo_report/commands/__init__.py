"""Commands beside build: preview, new (rollover), site, list (status)."""
