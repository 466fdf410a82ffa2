"""Compact: the UN Global Counter-Terrorism Coordination Compact, run as software."""

__version__ = "0.1.0"
