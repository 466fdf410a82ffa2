"""The meeting pack: one PDF (WeasyPrint) with the meeting's title, its date and time in its own zone,
venue, agenda, attendance, the list of documents and the decisions with their reference and text, in the
active language (right to left with ``dir="rtl"`` in Arabic), all as the user may read them.

No network: the fonts come from installed packages, Noto Sans CJK (``noto_cjk.otc_path("sans")``, one
collection for Chinese, Japanese and Korean) and Noto Sans Arabic (``fontpkg.path("Noto Sans Arabic")``),
loaded with ``@font-face`` from ``file:`` URLs; the URL fetcher (``LocalFetcher``) refuses every URL but
those fonts and the project's static files.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from compact.meetings import selectors
from compact.meetings.models import Meeting
from compact.meetings.visibility import mark_decisions

#: Font families the pack's stylesheet names (``pack.html``): their names are in the PDF's font names.
CJK_FAMILY = "Noto Sans CJK"
ARABIC_FAMILY = "Noto Sans Arabic"


@functools.cache
def font_paths() -> dict[str, Path]:
    """``{family: path}`` of the installed fonts the pack embeds (``noto_cjk``, ``fontpkg``). A family
    whose package is missing is left out (its text then falls back to the system's fonts)."""
    found: dict[str, Path] = {}
    try:
        import noto_cjk

        found[CJK_FAMILY] = Path(noto_cjk.otc_path("sans")).resolve()
    except Exception:  # noqa: BLE001 - a missing font package leaves the family out, it does not stop the pack
        pass
    try:
        import fontpkg

        found[ARABIC_FAMILY] = Path(fontpkg.path(ARABIC_FAMILY)).resolve()
    except Exception:  # noqa: BLE001
        pass
    return found


def _static_roots() -> list[Path]:
    roots = [Path(p[1] if isinstance(p, tuple) else p).resolve() for p in getattr(settings, "STATICFILES_DIRS", ())]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        """Fetches ``file:`` URLs of the pack's fonts and of the project's static files; refuses every
        other URL (``ValueError``, which WeasyPrint reports as a warning and renders without)."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"the meeting pack loads no URL but its fonts and static files: {url}")
            path = Path(unquote(parts.path)).resolve()
            allowed = set(font_paths().values())
            if path not in allowed and not any(path.is_relative_to(root) for root in _static_roots()):
                raise ValueError(f"the meeting pack loads no file but its fonts and static files: {path}")
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": _media_type(path)})

    return LocalFetcher


def _media_type(path: Path) -> str:
    return {".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf", ".ttc": "font/collection",
            ".woff2": "font/woff2", ".png": "image/png", ".svg": "image/svg+xml"}.get(path.suffix.lower(),
                                                                                   "application/octet-stream")


def local_fetcher():
    """A WeasyPrint URL fetcher for the pack (see ``LocalFetcher``)."""
    return _fetcher_class()(allowed_protocols=("file",))


def pack_context(*, user, meeting: Meeting) -> dict:
    """What the pack shows, read through the selectors as ``user``: the meeting, its span in its own zone
    (``views.shown_span``), agenda items (with the documents the user may read and the matters arising),
    attendance by entity and by person, the documents of the agenda once each (in agenda order), and the
    decisions with their adopting entities."""
    from compact.meetings.views import shown_span

    items = selectors.agenda(user=user, meeting=meeting)
    mark_decisions([a for item in items for a in getattr(item, "arising", ())], user)
    entities, people = selectors.attendance(user=user, meeting=meeting)
    documents = []
    seen = set()
    for item in items:
        for document in item.documents.all():
            if document.pk not in seen:
                seen.add(document.pk)
                documents.append((item, document))
    decisions = list(selectors.decision_list(user=user).filter(meeting=meeting).prefetch_related("adopted_by")
                     .order_by("number"))
    return {"meeting": meeting, "span": shown_span(meeting, meeting.time_zone), "agenda": items,
            "attendances": entities, "attendees": people, "documents": documents, "decisions": decisions,
            "fonts": {family: path.as_uri() for family, path in font_paths().items()},
            "generated": timezone.now()}


def pack_html(*, user, meeting: Meeting, language: str | None = None) -> str:
    """The pack's HTML in ``language`` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        context = pack_context(user=user, meeting=meeting)
        context["LANGUAGE_CODE"] = translation.get_language()
        context["LANGUAGE_BIDI"] = translation.get_language_bidi()
        return render_to_string("meetings/pack.html", context)


def pack_document(*, user, meeting: Meeting, language: str | None = None):
    """The rendered WeasyPrint ``Document`` of the pack (its pages' boxes hold the text)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = pack_html(user=user, meeting=meeting, language=language)
    fonts = FontConfiguration()
    return HTML(string=html, url_fetcher=local_fetcher()).render(font_config=fonts)


def meeting_pack(*, user, meeting: Meeting, language: str | None = None) -> bytes:
    """The pack of ``meeting`` as PDF bytes, in ``language`` (default: the active one)."""
    return pack_document(user=user, meeting=meeting, language=language).write_pdf()
