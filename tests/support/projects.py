"""A shared factory of joint projects for tests, built through ``compact.projects.services`` (so each
project is valid and its creation audited), on the default structure (the ``seeded`` fixture).

``make_project(None)`` gives an internal draft "Border security in the Sahel" led by UNODC in working
group 2 (UNODC is a member and vice-chair of wg-2), pillar II, implemented by UNODC, funded by Japan,
beneficiaries Mali 60 % and Niger 40 %, sector 15210 (security system management and reform), SDG target
16.a, one budget of USD 1,200,000.00 for 2025. Any ``data`` key of ``project_create`` may be overridden;
``lead_entity`` / ``lead_body`` / ``working_groups`` / ``pillars`` also take acronyms, body keys and pillar
numbers. ``stage="submitted" | "endorsed" | "published"`` then runs the workflow as the platform
(``actor=None``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

DEFAULTS = {
    "title": {"en": "Border security in the Sahel", "fr": "Sécurité des frontières au Sahel"},
    "description": "Joint training of border officers.",
    "lead_entity": "UNODC",
    "lead_body": "wg-2",
    "working_groups": ["wg-2"],
    "pillars": [2],
    "activity_status": "2",
    "start": dt.date(2025, 1, 1),
    "end": dt.date(2026, 12, 31),
    "gender_marker": 1,
    "human_rights_marker": 2,
    "default_currency": "USD",
    "sensitivity": "internal",
    "participants": [{"role": "4", "entity": "UNODC"}, {"role": "1", "name": "Japan", "ref": "XM-DAC-701"}],
    "sectors": [{"vocabulary": "1", "code": "15210", "percentage": Decimal("100")}],
    "areas": [{"code": "466", "percentage": Decimal("60")}, {"code": "562", "percentage": Decimal("40")}],
    "sdg_targets": ["16.a"],
    "budgets": [{"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31),
                 "amount": Decimal("1200000.00"), "currency": "USD", "value_date": dt.date(2025, 1, 1),
                 "type": "1", "status": "1"}],
}

STEPS = ("submitted", "endorsed", "published")


def _resolve(data: dict) -> dict:
    from compact.registry.models import Body, Entity, Pillar

    def entity(value):
        return Entity.objects.get(acronym__iexact=value) if isinstance(value, str) else value

    def body(value):
        return Body.objects.get(key=value) if isinstance(value, str) else value

    out = dict(data)
    if "lead_entity" in out:
        out["lead_entity"] = entity(out["lead_entity"])
    if "lead_body" in out:
        out["lead_body"] = body(out["lead_body"])
    if "working_groups" in out:
        out["working_groups"] = [body(b) for b in out["working_groups"]]
    if "pillars" in out:
        out["pillars"] = [Pillar.objects.get(number=p) if isinstance(p, int) else p for p in out["pillars"]]
    if "participants" in out:
        out["participants"] = [
            {**p, "entity": entity(p["entity"])} if isinstance(p.get("entity"), str) else p for p in out["participants"]]
    return out


def make_project(actor=None, *, stage: str = "draft", reason: str = "Test project", **overrides):
    """A valid joint project (see the module docstring) created by ``actor`` (None: the platform),
    then taken to ``stage`` by the platform; returns it."""
    from compact.audit.context import audit_context, current
    from compact.projects import services

    with audit_context(actor_label=current().actor_label or "test factory"):
        project = services.project_create(actor=actor, data=_resolve(DEFAULTS | overrides), reason=reason)
        if stage != "draft":
            steps = {"submitted": services.project_submit, "endorsed": services.project_endorse,
                     "published": services.project_publish}
            for name in STEPS[: STEPS.index(stage) + 1]:
                steps[name](actor=None, project=project, reason=reason)
    return project
