"""Template helpers: translated content with a visible fallback marker, and "as of" links."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from compact.core.i18n import RTL_LANGUAGES, translated

register = template.Library()


@register.simple_tag
def tr(obj, field: str):
    """Render ``obj.<field>`` in the active language; a fallback is wrapped and marked.

    Usage: ``{% tr group "title" %}``.
    """
    value = translated(obj, field)
    if not value.is_fallback:
        return value.text
    language_name = get_language_info(value.language)["name_local"]
    direction = "rtl" if value.language in RTL_LANGUAGES else "ltr"
    return format_html(
        '<span lang="{}" dir="{}" class="fallback">{}</span>'
        ' <small class="fallback-marker text-body-secondary" title="{}">[{}]</small>',
        value.language,
        direction,
        value.text,
        _("Not yet translated; shown in %(language)s.") % {"language": language_name},
        value.language,
    )


@register.simple_tag(takes_context=True)
def with_params(context, **params) -> str:
    """The current query string with ``params`` replaced (a value of ``None`` removes the key)."""
    request = context["request"]
    query = request.GET.copy()
    for key, value in params.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = urlencode(sorted((k, v) for k, v in query.items()))
    return f"?{encoded}" if encoded else "?"
