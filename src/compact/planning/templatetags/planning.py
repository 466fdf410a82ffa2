"""Template helpers of the planning pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def join_if_list(value) -> str:
    """A compared value as text: a list (e.g. participating entities' acronyms) joined with ", "."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)
