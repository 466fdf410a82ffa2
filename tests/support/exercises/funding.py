"""Audit exercises of the funding services (see ``tests/audit/test_every_service_is_audited.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal


def _project(ctx):
    from compact.projects.models import Project
    from compact.registry.models import Body

    return Project.objects.create(title="Border management", lead_entity=ctx.person.entity,
                                  lead_body=Body.objects.get(key="wg-2"), sensitivity="internal")


def _flow(ctx):
    from compact.funding.models import Flow

    return Flow.objects.create(project=_project(ctx), kind="commitment", amount=Decimal("1000"), currency="USD",
                               date=dt.date(2026, 1, 5), provider_name="Japan")


def ex_flow_create(ctx, s):
    s.flow_create(actor=ctx.secretariat, project=_project(ctx), kind="pledge", amount="250000", currency="EUR",
                  date=dt.date(2026, 2, 1), provider_name="Norway", reason="Pledging conference")
    return 1


def ex_flow_update(ctx, s):
    s.flow_update(actor=ctx.secretariat, flow=_flow(ctx), reason="Amended grant", amount=Decimal("1500"))
    return 1


def ex_flow_delete(ctx, s):
    s.flow_delete(actor=ctx.secretariat, flow=_flow(ctx), reason="Entered twice")
    return 1


def ex_rates_load(ctx, s):
    from compact.funding.models import ExchangeRate

    ExchangeRate.objects.create(currency="EUR", month=dt.date(2026, 1, 1), rate=Decimal("0.9"))
    rows = [{"currency": "EUR", "month": "2026-01", "rate": "0.92"}, {"currency": "JPY", "month": "2026-01", "rate": "150"}]
    s.rates_load(actor=ctx.secretariat, rows=rows, reason="UN operational rates, January 2026")
    return 2  # one rate replaced, one created


EXERCISES: dict[str, Callable] = {
    "compact.funding.services.flow_create": ex_flow_create,
    "compact.funding.services.flow_update": ex_flow_update,
    "compact.funding.services.flow_delete": ex_flow_delete,
    "compact.funding.services.rates_load": ex_rates_load,
}
