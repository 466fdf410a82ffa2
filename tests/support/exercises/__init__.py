"""Audit exercises of each app's writing services, one module per app (``planning.py``, ...).

Each module defines ``EXERCISES: dict[str, Callable]`` mapping ``"compact.<app>.<module>.<function>"`` to
``exercise(ctx, services_module) -> int`` (the number of rows the call writes, hence of change-log
events expected); see ``tests/audit/test_every_service_is_audited.py`` for ``ctx``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable


def collected() -> dict[str, Callable]:
    """The ``EXERCISES`` of every module of this package, merged."""
    found: dict[str, Callable] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.update(getattr(module, "EXERCISES", {}))
    return found
