"""Reference pages (HTML, public, read-only): the index of the reference lists, one IATI codelist, the
UN M49 areas and the ISO 4217 currencies, each with a CSV download for people preparing import files.

Every page and download reads through ``reference.selectors`` with the filters of
``reference.filters``; names are in the active language (IATI gives English and French only: other
languages show the English name, marked). Downloads are UTF-8 CSV with a byte-order mark: a header
row, then the HXL hashtag row (Humanitarian Exchange Language 1.1,
https://hxlstandard.org/standard/1-1final/dictionary/), then one row per code. Invalid filters answer
400 with the message naming the parameter; an unknown codelist answers 404.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compact.reference import codelists, currencies, geography, selectors
from compact.reference.filters import AreaFilter, CodeFilter, CurrencyFilter, ReferenceFilter

LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh-hans")
#: The amount each currency's example is formatted with (cut to the currency's minor unit).
EXAMPLE_AMOUNT = Decimal("1234567.891")

#: HXL hashtag (without attributes) of the codes of a codelist; other lists use ``#meta +<list name>``.
CODELIST_HASHTAGS: dict[str, str] = {
    "Sector": "#sector",
    "SectorCategory": "#sector +category",
    "SectorVocabulary": "#sector +vocabulary",
    "Country": "#country",
    "Region": "#region",
    "RegionVocabulary": "#region +vocabulary",
    "Currency": "#currency",
    "OrganisationRole": "#org +role",
    "OrganisationType": "#org +type",
    "ActivityStatus": "#status +activity",
    "BudgetStatus": "#status +budget",
    "Language": "#meta +lang",
    "UNSDG-Goals": "#sector +sdg_goal",
    "UNSDG-Targets": "#sector +sdg_target",
}


def codelist_hashtag(list_name: str) -> str:
    """The HXL hashtag of the codes of ``list_name``: ``"#sector"`` for Sector, ``"#meta +transactiontype"``
    for a list without an HXL hashtag of its own (attribute: the name in lower case, letters and digits)."""
    return CODELIST_HASHTAGS.get(list_name) or "#meta +" + re.sub(r"[^a-z0-9]", "", list_name.lower())


def _csv_response(filename: str, columns: list[tuple[str, str]], rows: Iterable[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([name for name, _tag in columns])
    writer.writerow([tag for _name, tag in columns])
    writer.writerows(rows)
    return response


def _bad_request(request: HttpRequest, form: ReferenceFilter) -> HttpResponse:
    message = " ".join(f"{name}: {' '.join(messages)}" for name, messages in form.error_fields().items())
    return render(request, "400.html", {"message": message}, status=400)


def _download_url(request: HttpRequest, view_name: str, form: ReferenceFilter, *args) -> str:
    params = sorted(form.applied().items())
    if request.GET.get("lang"):
        params.append(("lang", request.GET["lang"]))
    url = reverse(view_name, args=args)
    return f"{url}?{urlencode(params)}" if params else url


def _filtered(request: HttpRequest, form_class: type[ReferenceFilter], page: Callable[[ReferenceFilter], HttpResponse]):
    form = form_class(request.GET)
    if not form.is_valid():
        return _bad_request(request, form)
    return page(form)


@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    """``/reference/``: the IATI codelists (name, title, number of codes and of withdrawn ones), the M49
    areas and the currencies, with links to each list and its download."""
    context = {
        "codelists": codelists.codelists(),
        "country_count": len(geography.countries()),
        "region_count": len(geography.regions()),
        "currency_count": len(currencies.currencies()),
    }
    return render(request, "reference/index.html", context)


def _codelist_or_404(name: str) -> codelists.CodelistInfo:
    try:
        return codelists.codelist_info(name)
    except LookupError:
        raise Http404(_("No IATI codelist is named “%(name)s”.") % {"name": name}) from None


@require_http_methods(["GET", "HEAD"])
def codelist_detail(request: HttpRequest, name: str) -> HttpResponse:
    """``/reference/codelists/<name>/``: the codes of one IATI codelist with their names in the active
    language; withdrawn codes shown and marked. Filters: ``q``, ``status``."""
    info = _codelist_or_404(name)

    def page(form: ReferenceFilter) -> HttpResponse:
        rows = selectors.code_rows(name, **form.arguments())
        return render(request, "reference/codelist.html", {
            "info": info, "rows": rows, "filter": form,
            "download_url": _download_url(request, "reference:codelist-csv", form, name),
        })

    return _filtered(request, CodeFilter, page)


@require_http_methods(["GET", "HEAD"])
def codelist_csv(request: HttpRequest, name: str) -> HttpResponse:
    """``/reference/codelists/<name>.csv``: the codes with the page's filters: code, name in English and
    French (as IATI gives them), status and description (English)."""
    _codelist_or_404(name)
    tag = codelist_hashtag(name)
    columns = [("code", f"{tag} +code"), ("name_en", f"{tag} +name +i_en"), ("name_fr", f"{tag} +name +i_fr"),
               ("status", "#status +code"), ("description", "#description +i_en")]

    def page(form: ReferenceFilter) -> HttpResponse:
        rows = ([r.item.code, r.item.names.get("en", ""), r.item.names.get("fr", ""), r.item.status,
                 r.item.descriptions.get("en", "")] for r in selectors.code_rows(name, **form.arguments()))
        return _csv_response(f"iati-{name}.csv", columns, rows)

    return _filtered(request, CodeFilter, page)


@require_http_methods(["GET", "HEAD"])
def area_list(request: HttpRequest) -> HttpResponse:
    """``/reference/areas/``: the UN M49 countries, areas and regions with their names in the active
    language and the regions containing each. Filters: ``kind``, ``region``, ``q``."""

    def page(form: ReferenceFilter) -> HttpResponse:
        found = selectors.area_list(**form.arguments())
        regions = {a.code: a for a in geography.regions()}
        rows = [(a, [regions[p] for p in a.parents if p != geography.WORLD]) for a in found]
        return render(request, "reference/areas.html", {
            "rows": rows, "count": len(found), "filter": form, "regions": sorted(regions.values(), key=lambda r: r.name()),
            "download_url": _download_url(request, "reference:areas-csv", form),
        })

    return _filtered(request, AreaFilter, page)


AREA_COLUMNS: list[tuple[str, str]] = [
    ("m49", "#country +code +v_m49"),
    ("kind", "#meta +type"),
    ("iso2", "#country +code +v_iso2"),
    ("iso3", "#country +code +v_iso3"),
    *[(f"name_{language}", f"#country +name +i_{language.replace('-', '_')}") for language in LANGUAGES],
    ("regions", "#region +code +v_m49 +list"),
]


@require_http_methods(["GET", "HEAD"])
def area_csv(request: HttpRequest) -> HttpResponse:
    """``/reference/areas.csv``: the areas with the page's filters: M49 code, kind, ISO alpha-2 and
    alpha-3, the name in each of the six languages, and the M49 codes of the regions containing it
    (separated by spaces)."""

    def page(form: ReferenceFilter) -> HttpResponse:
        rows = ([a.code, a.kind, a.iso2 or "", a.iso3 or "", *[a.names.get(language, "") for language in LANGUAGES],
                 " ".join(a.parents)] for a in selectors.area_list(**form.arguments()))
        return _csv_response("un-m49-areas.csv", AREA_COLUMNS, rows)

    return _filtered(request, AreaFilter, page)


def _example(currency: currencies.Currency) -> str:
    exponent = Decimal(1).scaleb(-currency.minor_unit)
    return currencies.format_money(EXAMPLE_AMOUNT.quantize(exponent), currency.code)


@require_http_methods(["GET", "HEAD"])
def currency_list(request: HttpRequest) -> HttpResponse:
    """``/reference/currencies/``: the ISO 4217 currencies with their names in the active language, minor
    units, an amount formatted in the active language, withdrawn ones marked. Filters: ``q``, ``status``."""

    def page(form: ReferenceFilter) -> HttpResponse:
        found = selectors.currency_list(**form.arguments())
        return render(request, "reference/currencies.html", {
            "rows": [(c, _example(c)) for c in found], "filter": form,
            "download_url": _download_url(request, "reference:currencies-csv", form),
        })

    return _filtered(request, CurrencyFilter, page)


CURRENCY_COLUMNS: list[tuple[str, str]] = [
    ("code", "#currency +code +v_iso4217"),
    ("name", "#currency +name"),
    ("minor_unit", "#currency +minor_unit +num"),
    ("status", "#status +code"),
]


@require_http_methods(["GET", "HEAD"])
def currency_csv(request: HttpRequest) -> HttpResponse:
    """``/reference/currencies.csv``: code, name in the active language, minor unit (decimal places) and
    status (``active`` / ``withdrawn``), with the page's filters."""

    def page(form: ReferenceFilter) -> HttpResponse:
        rows = ([c.code, c.name(), c.minor_unit, selectors.STATUS_WITHDRAWN if c.withdrawn else selectors.STATUS_ACTIVE]
                for c in selectors.currency_list(**form.arguments()))
        return _csv_response("iso-4217-currencies.csv", CURRENCY_COLUMNS, rows)

    return _filtered(request, CurrencyFilter, page)
