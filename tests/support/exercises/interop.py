"""Audit exercises of the exchange import services (``compact.interop.services``)."""

from __future__ import annotations

from collections.abc import Callable


def _table(rows):
    from compact.interop.tabular.reader import read_table

    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    return read_table(text.encode("utf-8"), "exercise.csv")


def ex_projects_import(ctx, s):
    report = s.projects_import(actor=ctx.secretariat, dry_run=False, reason="Projects from the annual survey", table=_table([
        ["title_en", "lead_entity", "lead_working_group"],
        ["#activity +name +i_en", "#org +lead +code", "#group +lead +code"],
        ["Border security in the Sahel", "UNODC", "wg-2"],
    ]))
    assert report.written, report.problems
    return 1  # the project (no child rows)


def ex_flows_import(ctx, s):
    from compact.projects.models import Project
    from compact.registry.models import Body, Entity

    project = Project.objects.create(title="Border security in the Sahel", lead_entity=Entity.objects.get(acronym="UNODC"),
                                     lead_body=Body.objects.get(key="wg-2"))
    report = s.flows_import(actor=ctx.secretariat, dry_run=False, reason="Commitments of March", table=_table([
        ["project_id", "kind", "provider", "amount", "currency", "date"],
        ["#activity +id", "#meta +kind", "#org +funder", "#value", "#currency", "#date"],
        [str(project.pk), "commitment", "Japan", "250000.00", "USD", "2025-03-01"],
    ]))
    assert report.written, report.problems
    return 1  # the flow


EXERCISES: dict[str, Callable] = {
    "compact.interop.services.projects_import": ex_projects_import,
    "compact.interop.services.flows_import": ex_flows_import,
}
