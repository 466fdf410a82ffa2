"""Template helpers: translated content with a visible fallback marker, and links that keep the
page's ``as_of`` date and ``lang`` choice."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language_info, pgettext
from django.utils.translation import gettext as _

from compact.core.dates import InvalidDate, parse_as_of
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


@register.filter
def long_date(value) -> str:
    """A calendar date written out in the active language in UN editorial style: "27 July 2019".

    The pattern (PHP ``date`` syntax, as Django's ``date`` filter) is a translatable string, so each
    language writes dates its own way ("27 juillet 2019", "2019年7月27日"). Empty for no date.
    """
    if not value:
        return ""
    return date_format(value, pgettext("long date pattern, PHP date syntax", "j F Y"))


@register.simple_tag
def tr_text(obj, field: str) -> str:
    """``obj.<field>`` in the active language (or its fallback) as plain text, for attributes.

    Usage: ``title="{% tr_text entity "name" %}"``.
    """
    return translated(obj, field).text


# Query parameters that a link to another page carries over: the date and the language asked for.
KEPT_PARAMETERS = ("as_of", "lang")


@register.simple_tag(takes_context=True)
def page_url(context, view_name: str, *args) -> str:
    """The URL of ``view_name`` (with ``args``), keeping the current ``as_of`` and ``lang`` parameters.

    A malformed ``as_of`` is not carried over, so links out of a 400 page work.
    Usage: ``{% page_url "registry:working-group" group.number %}``.
    """
    url = reverse(view_name, args=args)
    request = context.get("request")
    if request is None:
        return url
    kept = []
    for key in KEPT_PARAMETERS:
        value = request.GET.get(key, "").strip()
        if not value:
            continue
        if key == "as_of":
            try:
                parse_as_of(value)
            except InvalidDate:
                continue
        kept.append((key, value))
    return f"{url}?{urlencode(kept)}" if kept else url


@register.simple_tag(takes_context=True)
def with_params(context, **params) -> str:
    """The current query string with ``params`` replaced (a value of ``None`` removes the key)."""
    request = context.get("request")
    if request is None:
        encoded = urlencode(sorted((k, v) for k, v in params.items() if v not in (None, "")))
        return f"?{encoded}" if encoded else "?"
    query = request.GET.copy()
    for key, value in params.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = urlencode(sorted((k, v) for k, v in query.items()))
    return f"?{encoded}" if encoded else "?"
