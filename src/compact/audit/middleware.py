"""Makes the request id and path available to the audit services for the length of a request."""

from __future__ import annotations

from compact.audit.context import audit_context


class AuditContextMiddleware:
    """Sets ``compact.audit.context`` from ``request.id`` (see ``RequestIdMiddleware``) and the path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(request_id=getattr(request, "id", ""), path=request.path[:300]):
            return self.get_response(request)
