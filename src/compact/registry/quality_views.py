"""The secretariat's data-quality page: the registry's findings (``registry.quality``) as a table.

Staff only (the secretariat): anyone else is sent to the admin login. ``?as_of=YYYY-MM-DD`` checks the
structure valid that day (without it, over all time); ``?severity=error|warning|info`` shows the
findings of that severity only. A malformed parameter gives the page with its message and status 400.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compact.access.decorators import secretariat_required
from compact.core.dates import InvalidDate, parse_as_of
from compact.registry import selectors
from compact.registry.quality import ERROR, INFO, SEVERITIES, WARNING, Finding, run_checks

SEVERITY_LABELS = {
    ERROR: gettext_lazy("error"),
    WARNING: gettext_lazy("warning"),
    INFO: gettext_lazy("info"),
}


@dataclass(frozen=True)
class FindingRow:
    """A finding as the table shows it: its severity's label and, when the body has a page, what to link."""

    finding: Finding
    severity_label: str
    body_kind: str | None
    body_number: int | None


@secretariat_required
def data_quality(request: HttpRequest) -> HttpResponse:
    """The findings of the registry's data-quality rules, filterable by severity, for one date or all time."""
    raw_as_of = request.GET.get("as_of", "").strip()
    severity = request.GET.get("severity", "").strip()
    problems = []
    as_of = None
    if raw_as_of:
        try:
            as_of = parse_as_of(raw_as_of)
        except InvalidDate as exc:
            problems.append(str(exc))
    if severity and severity not in SEVERITIES:
        problems.append(
            _("“%(value)s” is not a severity; choose error, warning or info.") % {"value": severity}
        )
    context = {
        "quality_as_of": as_of,
        "raw_as_of": raw_as_of,
        "severity": severity,
        "severities": [(value, SEVERITY_LABELS[value]) for value in SEVERITIES],
        "problems": problems,
        "rows": [],
        "counts": [],
        "total": 0,
    }
    if problems:
        return render(request, "registry/data_quality.html", context, status=400)

    findings = run_checks(as_of=as_of)
    bodies = selectors.body_index()
    context["total"] = len(findings)
    context["counts"] = [
        (value, SEVERITY_LABELS[value], sum(f.severity == value for f in findings)) for value in SEVERITIES
    ]
    context["rows"] = [
        FindingRow(
            finding=f,
            severity_label=SEVERITY_LABELS[f.severity],
            body_kind=bodies.get(f.body, (None, None))[0],
            body_number=bodies.get(f.body, (None, None))[1],
        )
        for f in findings
        if not severity or f.severity == severity
    ]
    return render(request, "registry/data_quality.html", context)
