"""Audit exercise of the IATI import service (``compact.interop.iati_services``)."""

from __future__ import annotations

from collections.abc import Callable


def ex_iati_import(ctx, s):
    from compact.registry.models import Body
    from support.iati import activities, activity, transaction

    data = activities(activity("XM-DAC-41114-EX-1", extra='<sector vocabulary="1" code="15210"/>'
                                                          + transaction("11", "250000", provider="Japan")))
    report = s.iati_import(actor=ctx.secretariat, files=[("exercise.xml", data)], dry_run=False,
                           reason="UNDP's IATI file", lead_body=Body.objects.get(key="wg-2"))
    assert report.written, report.problems
    return 4  # the project, its participant, its sector and its flow


EXERCISES: dict[str, Callable] = {
    "compact.interop.iati_services.iati_import": ex_iati_import,
}
