"""The funding flows file: its columns, reading a row into the arguments of
``compact.funding.services.flow_create`` / ``flow_update``, and writing a flow as a row.

A row names its project by the platform's number (``#activity +id``) or by its IATI activity identifier
(``#activity +code``), or both (they must then name the same project). A row with a flow number
(``#meta +id``) updates that flow; a row without one adds a flow. Organisations are written as in the
projects file: an entity's acronym, or a name with the IATI organisation identifier in brackets.
Amounts are written with the currency's ISO 4217 minor unit (``1200000.00`` USD, ``5000`` JPY).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compact.funding.models import Flow
from compact.interop.tabular import cells
from compact.interop.tabular.cells import CellError
from compact.interop.tabular.columns import Problem, Spec, column_label
from compact.interop.tabular.lookups import Lookups, Org
from compact.reference import currencies

FLOW_COLUMNS: tuple[Spec, ...] = (
    Spec("id", "#meta +id", gettext_lazy("The platform's number of the flow; empty for a new flow.")),
    Spec("project_id", "#activity +id", gettext_lazy("The platform's number of the project.")),
    Spec("project_iati_identifier", "#activity +code", gettext_lazy("Or the project's IATI activity identifier.")),
    Spec("project_title", "#activity +name", gettext_lazy("The project's title: exported, ignored on import."),
         read_only=True),
    Spec("kind", "#meta +kind", gettext_lazy("requirement, pledge, commitment, disbursement or expenditure.")),
    Spec("provider", "#org +funder", gettext_lazy("The provider (donor): an entity's acronym, or a name with "
                                                  "[IATI identifier]. Needed for pledges, commitments and disbursements.")),
    Spec("receiver", "#org +receiver", gettext_lazy("The receiver (recipient): an entity's acronym or a name.")),
    Spec("amount", "#value", gettext_lazy("The amount, digits with a point for decimals (1234.50); negative for a "
                                          "refund or de-obligation.")),
    Spec("currency", "#currency", gettext_lazy("ISO 4217 code (USD, EUR, JPY).")),
    Spec("date", "#date", gettext_lazy("The date of the flow, YYYY-MM-DD.")),
    Spec("reference", "#meta +ref", gettext_lazy("The flow's own reference (a grant or transaction number).")),
    Spec("description", "#description", gettext_lazy("What the flow is for.")),
)

#: Which column a service's error on a field belongs to.
ERROR_COLUMNS: dict[str, tuple[str, ...]] = {
    "project": ("project_id", "project_iati_identifier"),
    "provider_name": ("provider",), "provider_entity": ("provider",), "provider_ref": ("provider",),
    "receiver_name": ("receiver",), "receiver_entity": ("receiver",),
}


def _id(raw, lookups, note) -> int | None:
    number = cells.whole(raw)
    if number is not None and number < 1:
        raise CellError(_("'%(value)s' is not a number of the platform.") % {"value": cells.text(raw)})
    return number


def _text(raw, lookups, note) -> str:
    return cells.text(raw)


def _kind(raw, lookups, note) -> str:
    value = cells.text(raw).lower()
    if value and value not in Flow.Kind.values:
        raise CellError(_("Unknown kind: expected one of %(known)s.") % {"known": ", ".join(Flow.Kind.values)})
    return value


def _org(raw, lookups: Lookups, note) -> Org | None:
    return lookups.org(cells.text(raw)) if not cells.is_blank(raw) else None


def _amount(raw, lookups, note) -> Decimal | None:
    return cells.decimal(raw)


def _currency(raw, lookups, note) -> str:
    return currencies.currency(cells.text(raw), new=False).code if not cells.is_blank(raw) else ""


def _date(raw, lookups, note) -> dt.date | None:
    return cells.date(raw)


READERS: dict[str, Callable] = {
    "id": _id, "project_id": _id, "project_iati_identifier": _text, "project_title": _text, "kind": _kind,
    "provider": _org, "receiver": _org, "amount": _amount, "currency": _currency, "date": _date,
    "reference": _text, "description": _text,
}

#: Columns whose value must be given to add a flow.
REQUIRED = ("kind", "amount", "currency", "date")


def read_row(row, matched, lookups: Lookups) -> tuple[dict[str, Any], list[Problem], list[Problem]]:
    """The canonical values of a row's cells, by column name, with the problems of unreadable cells
    (and no notes: nothing in a flows file is normalised)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, column in matched.columns.items():
        raw = row.cells[column.index]
        where = (row.number, column_label(column), column.tag_text.strip(), cells.text(raw))
        try:
            values[name] = READERS[name](raw, lookups, None)
        except CellError as exc:
            problems.append(Problem(*where, str(exc)))
        except ValidationError as exc:  # from compact.reference: unknown or malformed codes
            problems.extend(Problem(*where, message) for message in exc.messages)
    return values, problems, []


def value_of(flow: Flow) -> dict[str, Any]:
    """The canonical value of every column for a stored flow (its project and entities loaded)."""
    from compact.core.i18n import translated

    return {
        "id": flow.pk, "project_id": flow.project_id, "project_iati_identifier": flow.project.iati_identifier or "",
        "project_title": translated(flow.project, "title").text, "kind": flow.kind,
        "provider": (Org(flow.provider_entity) if flow.provider_entity_id
                     else Org(None, flow.provider_name, flow.provider_ref) if flow.provider_name or flow.provider_ref else None),
        "receiver": Org(flow.receiver_entity) if flow.receiver_entity_id else (Org(None, flow.receiver_name)
                                                                               if flow.receiver_name else None),
        "amount": flow.amount, "currency": flow.currency, "date": flow.date,
        "reference": flow.reference, "description": flow.description,
    }


def _amount_text(amount: Decimal, currency: str) -> str:
    try:
        places = currencies.currency(currency, new=False).minor_unit
    except ValidationError:  # an unknown stored code: the amount as stored
        return format(amount, "f")
    return format(amount.quantize(Decimal(1).scaleb(-places)), "f")


def row_of(flow: Flow) -> list[str]:
    """A flow as a row of cells, in ``FLOW_COLUMNS`` order."""
    values = value_of(flow)
    out = []
    for spec in FLOW_COLUMNS:
        value = values[spec.name]
        if spec.name == "amount":
            out.append(_amount_text(value, flow.currency))
        elif value is None:
            out.append("")
        elif isinstance(value, dt.date):
            out.append(value.isoformat())
        else:
            out.append(str(value))
    return out


def fields_of(values: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``flow_create`` / ``flow_update`` given by a row's values (project apart)."""
    fields: dict[str, Any] = {}
    for name in ("kind", "amount", "currency", "date", "reference", "description"):
        if name in values:
            fields[name] = values[name]
    if "provider" in values:
        org = values["provider"]
        fields.update(provider_entity=org.entity if org else None, provider_name=org.name if org else "",
                      provider_ref=org.ref if org else "")
    if "receiver" in values:
        org = values["receiver"]
        name = org.name if org else ""
        if org is not None and org.ref:
            name = f"{org.name} [{org.ref}]"
        fields.update(receiver_entity=org.entity if org else None, receiver_name=name)
    return fields


def changed_fields(fields: dict[str, Any], flow: Flow) -> dict[str, Any]:
    """The ``fields`` whose value differs from the stored ``flow``'s."""
    out = {}
    for name, value in fields.items():
        stored = getattr(flow, name)
        if name in ("provider_entity", "receiver_entity"):
            if (value.pk if value else None) != (stored.pk if stored else None):
                out[name] = value
        elif stored != value:
            out[name] = value
    return out
