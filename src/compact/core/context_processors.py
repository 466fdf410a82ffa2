"""Template context shared by every page."""

from __future__ import annotations

from compact.core.dates import InvalidDate, parse_as_of


def as_of(request) -> dict:
    """Expose the page's ``as_of`` date (today when absent or invalid; views reject invalid ones)."""
    raw = request.GET.get("as_of", "")
    try:
        day = parse_as_of(raw)
    except InvalidDate:
        day = parse_as_of(None)
    return {"as_of": day, "as_of_given": bool(raw.strip())}
