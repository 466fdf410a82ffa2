"""The request (or command) a write or read happens in, for the audit trail.

``AuditContextMiddleware`` sets the request id for the length of each request, so that services
called from views, the API or the admin record it without passing it along; CLI commands set their
own label with ``audit_context(request_id=..., actor_label=...)``.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses


@dataclasses.dataclass(frozen=True)
class AuditContext:
    request_id: str = ""
    actor_label: str = ""
    path: str = ""


_EMPTY = AuditContext()
_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("compact_audit_context", default=None)


def current() -> AuditContext:
    """The context of the running request or command (empty strings outside one)."""
    return _current.get() or _EMPTY


@contextlib.contextmanager
def audit_context(**values):
    """Run a block with the given ``request_id``, ``actor_label`` and/or ``path`` recorded in the trail."""
    token = _current.set(dataclasses.replace(current(), **values))
    try:
        yield
    finally:
        _current.reset(token)
