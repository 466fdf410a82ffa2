"""``compact load-structure`` and ``compact export-structure``."""
