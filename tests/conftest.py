"""Shared fixtures.

``seeded``: a test database holding the default structure of the Global Counter-Terrorism
Coordination Compact (``src/compact/data/global-ct-compact.yaml``), loaded through the same service
as ``compact setup``.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def seeded(db):
    """Load the shipped default structure into the test database; returns the ``ApplyReport``."""
    from compact.registry.services import load_default_structure

    return load_default_structure(reason="test fixture")
