"""Where the reference tests read the shipped files themselves, to compute expected values without the
code under test (``compact.reference``)."""

from __future__ import annotations

from pathlib import Path

import compact

DATA = Path(compact.__file__).resolve().parent / "data" / "reference"
CODELISTS = DATA / "iati" / "codelists"
GEO = DATA / "geo"
#: The project's copy of the public sources (``../shared/data`` from the repository root), when present.
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
