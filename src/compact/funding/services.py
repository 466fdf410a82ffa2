"""Every write to funding: the flows of joint projects and the UN operational rates of exchange.

Each service runs in one ``transaction.atomic()``, checks permission, validates, writes and records one
change-log event per row written (``compact.audit.services.record_change``).

- Flows follow their project: whoever may change the project (``can(actor, Action.CHANGE, project)``:
  the secretariat, officers of its lead working group, focal points of its lead entity, change grantees)
  may add, change and delete its flows; a project the actor may not read answers as if it did not exist
  (``Http404``). Changing or deleting a flow needs a reason; so does adding one to a confidential or
  strictly confidential project (as any change to protected content, ``docs/access.md``).
- Rates are loaded by the secretariat only, all or nothing, from rows of {currency, month, rate}.

``actor=None`` is the platform itself (command line, named by the audit context). Validation errors are
``django.core.exceptions.ValidationError`` with messages per field (flows) or per row and column (rates),
raised or reported before anything is written.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compact.access.models import PROTECTED_LEVELS
from compact.access.policy import Action, require
from compact.access.principal import principal_for
from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired, diff, record_change, snapshot
from compact.funding.models import ExchangeRate, Flow
from compact.projects.models import MONEY_SIGNIFICANT_DIGITS, Project, significant_digits
from compact.reference.currencies import check_amount
from compact.reference.currencies import currency as iso_currency
from compact.registry.models import Entity

#: Kinds that move money from a provider (IATI incoming pledge 13, incoming commitment 11, incoming funds 1):
#: they must name it, as a Compact entity or by name.
NEEDS_PROVIDER = frozenset({Flow.Kind.PLEDGE, Flow.Kind.COMMITMENT, Flow.Kind.DISBURSEMENT})

#: Fields ``flow_update`` accepts.
UPDATABLE_FIELDS = frozenset({
    "project", "kind", "amount", "currency", "date", "provider_entity", "provider_name", "provider_ref",
    "receiver_entity", "receiver_name", "reference", "description", "value_date",
})

#: Longest text of each text field, in characters (the model's limits).
_LENGTHS = {"provider_name": 300, "provider_ref": 150, "receiver_name": 300, "reference": 100, "description": 500}


def _require_change(actor, project: Project) -> None:
    if actor is not None:
        require(actor, Action.CHANGE, project)


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _clean_flow(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` checked and normalised (currency upper-case, amount a Decimal, date a date, texts
    stripped). Raises ``ValidationError`` ({field: messages}) listing every bad field."""
    errors: dict[str, list[str]] = {}
    out = dict(values)
    if out.get("kind") not in Flow.Kind.values:
        errors["kind"] = [_("Unknown kind %(value)r: expected one of %(known)s.")
                          % {"value": out.get("kind"), "known": ", ".join(Flow.Kind.values)}]
    try:
        out["currency"] = iso_currency(out.get("currency"), new=out.get("origin") != Flow.Origin.IATI).code
    except ValidationError as error:
        errors["currency"] = list(error.messages)
    if "currency" not in errors:
        try:
            out["amount"] = check_amount(out.get("amount"), out["currency"])
        except ValidationError as error:
            errors["amount"] = list(error.messages)
        else:
            if out["amount"] == 0:
                errors["amount"] = [_("The amount is zero: a flow moves money (negative amounts are allowed for "
                                      "refunds and de-obligations).")]
            elif abs(out["amount"]) >= Decimal(10) ** 17:
                errors["amount"] = [_("The amount is too large: at most 17 digits before the decimal point.")]
            elif significant_digits(out["amount"]) > MONEY_SIGNIFICANT_DIGITS:
                errors["amount"] = [_("%(value)s has more than %(digits)d significant digits, which cannot be stored "
                                      "exactly.") % {"value": out["amount"], "digits": MONEY_SIGNIFICANT_DIGITS}]
    day = _as_date(out.get("date"))
    if day is None:
        errors["date"] = [_("A date is required, as YYYY-MM-DD.") if not out.get("date")
                          else _("'%(value)s' is not a date: expected YYYY-MM-DD.") % {"value": out.get("date")}]
    out["date"] = day
    if out.get("value_date") not in (None, ""):
        value_day = _as_date(out["value_date"])
        if value_day is None:
            errors["value_date"] = [_("'%(value)s' is not a date: expected YYYY-MM-DD.") % {"value": out["value_date"]}]
        out["value_date"] = value_day
    elif "value_date" in out:
        out["value_date"] = None
    if out.get("origin", Flow.Origin.PLATFORM) not in Flow.Origin.values:
        errors["origin"] = [_("Unknown origin %(value)r.") % {"value": out.get("origin")}]
    if not isinstance(out.get("project"), Project):
        errors["project"] = [_("A flow belongs to a joint project.")]
    for field in ("provider_entity", "receiver_entity"):
        if out.get(field) is not None and not isinstance(out[field], Entity):
            errors[field] = [_("Expected a Compact entity.")]
    for field, limit in _LENGTHS.items():
        out[field] = (out.get(field) or "").strip()
        if len(out[field]) > limit:
            errors[field] = [_("At most %(limit)d characters (%(length)d given).") % {"limit": limit, "length": len(out[field])}]
    if out.get("kind") in NEEDS_PROVIDER and out.get("provider_entity") is None and not out["provider_name"]:
        errors["provider_name"] = [_("A %(kind)s needs a provider: a Compact entity or the donor's name.")
                                   % {"kind": Flow.Kind(out["kind"]).label}]
    if errors:
        raise ValidationError(errors)
    return out


def _reason_for_project(project: Project, reason: str) -> None:
    if project.sensitivity in PROTECTED_LEVELS and not (reason or "").strip():
        raise ReasonRequired(_("A reason is required for a change to the funding of a confidential project."))


def flow_create(
    *,
    actor,
    project: Project,
    kind: str,
    amount,
    currency: str,
    date,
    provider_entity: Entity | None = None,
    provider_name: str = "",
    provider_ref: str = "",
    receiver_entity: Entity | None = None,
    receiver_name: str = "",
    reference: str = "",
    description: str = "",
    origin: str = Flow.Origin.PLATFORM,
    value_date=None,
    reason: str = "",
) -> Flow:
    """Add a flow to ``project``; returns it.

    ``kind``: one of ``Flow.Kind``; ``amount``: a ``Decimal``, ``int`` or ``str`` in ``currency`` (ISO 4217,
    not withdrawn), with no more decimals than the currency's minor unit, negative allowed (refund,
    de-obligation), zero refused, float refused (``compact.reference.currencies.check_amount``); ``date``:
    a ``date`` or ``"YYYY-MM-DD"``; ``value_date``: the date the amount is valued at for conversion, when it
    is not ``date`` (IATI value-date; None: the flow's date); ``origin``: ``Flow.Origin`` (``"iati"`` for a transaction brought by an
    IATI import, which a later import of the same activity may replace). A pledge, commitment or disbursement names its provider
    (``provider_entity`` or ``provider_name``); a requirement or an expenditure need not.

    Raises ``Http404`` (the actor may not read the project), ``PermissionDenied`` (may read, not change),
    ``ValidationError`` ({field: messages}) and ``ReasonRequired`` (a confidential project without a
    reason); nothing is written then.
    """
    return _create_flows(actor=actor, project=project, reason=reason, rows=[{
        "kind": kind, "amount": amount, "currency": currency, "date": date,
        "provider_entity": provider_entity, "provider_name": provider_name, "provider_ref": provider_ref,
        "receiver_entity": receiver_entity, "receiver_name": receiver_name, "reference": reference,
        "description": description, "origin": origin, "value_date": value_date,
    }])[0]


def _create_flows(*, actor, project: Project, rows: list[dict[str, Any]], reason: str = "") -> list[Flow]:
    """Add the flows ``rows`` to ``project`` (each row: the keyword arguments of ``flow_create`` other than
    ``actor``, ``project`` and ``reason``, all of them given); returns them, in order. ``flow_create`` is this
    for one flow; an importer gives a project's flows at once.

    The permission and the reason are the project's, so they are checked once; every row is checked
    before anything is written, and a bad row raises what ``flow_create`` raises for it (the first bad row's
    error). The flows are written in one query, with one change-log event each.
    """
    if isinstance(project, Project):
        _require_change(actor, project)
    cleaned = [_clean_flow({"project": project, **row}) for row in rows]
    _reason_for_project(project, reason)
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        flows = Flow.objects.bulk_create([Flow(created_by=created_by, **values) for values in cleaned])
        for flow in flows:
            record_change(action=ChangeEvent.Action.CREATE, obj=flow, changes=diff({}, snapshot(flow)), reason=reason,
                          actor=actor)
    return flows


def flow_update(*, actor, flow: Flow, reason: str, **fields) -> Flow:
    """Change ``fields`` of ``flow`` (any of ``UPDATABLE_FIELDS``, with the values ``flow_create`` takes);
    returns it. Moving it to another ``project`` needs the right to change both. A reason is required.
    Nothing is recorded when no value changes.

    Raises ``ReasonRequired``, ``Http404`` / ``PermissionDenied`` (as ``flow_create``), and
    ``ValidationError`` for an unknown field or a bad value; nothing is written then.
    """
    if not (reason or "").strip():
        raise ReasonRequired(_("A reason is required to change a funding flow."))
    unknown = sorted(set(fields) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    _require_change(actor, flow.project)
    current = {name: getattr(flow, name) for name in UPDATABLE_FIELDS}
    values = _clean_flow({**current, **fields})
    if values["project"].pk != flow.project_id:
        _require_change(actor, values["project"])
    with transaction.atomic():
        before = snapshot(flow)
        for name, value in values.items():
            setattr(flow, name, value)
        changes = diff(before, snapshot(flow))
        if changes:
            flow.save()
            record_change(action=ChangeEvent.Action.UPDATE, obj=flow, changes=changes, reason=reason, actor=actor)
    return flow


def flow_delete(*, actor, flow: Flow, reason: str) -> None:
    """Delete ``flow``, recording its last values. A reason is required.

    Raises ``ReasonRequired``, ``Http404`` / ``PermissionDenied`` (as ``flow_create``); nothing is deleted then.
    """
    if not (reason or "").strip():
        raise ReasonRequired(_("A reason is required to delete a funding flow."))
    _require_change(actor, flow.project)
    with transaction.atomic():
        record_change(action=ChangeEvent.Action.DELETE, obj=flow, changes=diff(snapshot(flow), {}), reason=reason,
                      actor=actor)
        flow.delete()


# --- exchange rates -----------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class RowError:
    """One wrong cell of a rates file: ``row`` (the line in the file, or the row's position from 1),
    ``column`` (``currency`` | ``month`` | ``rate``), the ``value`` given and the ``message``."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d, column %(column)s (%(value)s): %(message)s") % {
            "row": self.row, "column": self.column, "value": self.value or _("empty"), "message": self.message}


@dataclasses.dataclass(frozen=True)
class RateChange:
    """One rate of the file and what loading it does: ``action`` is "create", "update" or "unchanged";
    ``before`` is the stored rate (None for a new one)."""

    currency: str
    month: dt.date
    rate: Decimal
    before: Decimal | None
    action: str


@dataclasses.dataclass(frozen=True)
class RatesReport:
    """What ``rates_load`` did (or, with ``dry_run``, would do): each row's ``RateChange`` and every
    ``RowError``. With any error, nothing was written (``written`` False)."""

    changes: tuple[RateChange, ...]
    errors: tuple[RowError, ...]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def count(self, action: str) -> int:
        """How many rows are ``action`` ("create", "update" or "unchanged")."""
        return sum(1 for c in self.changes if c.action == action)


_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")

#: Most decimal places a rate may have (the column holds 8) and most digits before the point (16).
RATE_PLACES = 8
RATE_INTEGER_DIGITS = 16


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    match = _MONTH.match(text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3] or 1)).replace(day=1)
        except ValueError:
            pass
    raise ValueError(_("Expected a month as YYYY-MM (or a date, YYYY-MM-DD)."))


def _rate(value) -> Decimal:
    if isinstance(value, float):
        raise ValueError(_("Rates must be given as text or Decimal, not as floating-point numbers."))
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValueError(_("A rate is required."))
    try:
        rate = value if isinstance(value, Decimal) else Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Not a number: write digits with a point for decimals, such as 0.9215.")) from None
    if not rate.is_finite() or rate <= 0:
        raise ValueError(_("A rate is a positive number of units per US dollar."))
    exponent = rate.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > RATE_PLACES:
        raise ValueError(_("At most %(places)d decimal places.") % {"places": RATE_PLACES})
    if rate >= Decimal(10) ** RATE_INTEGER_DIGITS:
        raise ValueError(_("Too large: at most %(digits)d digits before the decimal point.") % {"digits": RATE_INTEGER_DIGITS})
    return rate


def _read_rows(rows: Iterable[Mapping]) -> tuple[list[tuple[str, dt.date, Decimal, str]], list[RowError]]:
    """The rows checked: ``([(currency, month, rate, source)], [RowError])``."""
    good: list[tuple[str, dt.date, Decimal, str]] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for position, raw in enumerate(rows, start=1):
        row = {str(k).strip().lower(): v for k, v in raw.items()}
        given = str(row.get("row") or "").strip()
        number = int(given) if given.isdecimal() and len(given) < 10 else position
        cells: dict[str, Any] = {}
        failed = False
        try:
            code = iso_currency(row.get("currency"), new=False).code
            if code == "USD":
                raise ValidationError(_("US dollars need no rate (the rates are units per US dollar)."))
            cells["currency"] = code
        except ValidationError as error:
            errors.append(RowError(number, "currency", str(row.get("currency") or ""), " ".join(error.messages)))
            failed = True
        for column, parse in (("month", _month), ("rate", _rate)):
            try:
                cells[column] = parse(row.get(column))
            except ValueError as error:
                errors.append(RowError(number, column, str(row.get(column) or ""), str(error)))
                failed = True
        if failed:
            continue
        key = (cells["currency"], cells["month"])
        if key in seen:
            errors.append(RowError(number, "month", str(row.get("month")), _(
                "%(currency)s %(month)s is already given on row %(row)d.")
                % {"currency": key[0], "month": f"{key[1]:%Y-%m}", "row": seen[key]}))
            continue
        seen[key] = number
        good.append((cells["currency"], cells["month"], cells["rate"], str(row.get("source") or "").strip()[:200]))
    return good, errors


def rates_load(*, actor, rows: Iterable[Mapping], reason: str, dry_run: bool = False) -> RatesReport:
    """Load UN operational rates of exchange (units of the currency per one US dollar, for a month):
    ``rows`` of ``{"currency": "EUR", "month": "2026-03" | "2026-03-01" | date, "rate": "0.9215" | Decimal,
    "source": optional text, "row": optional row number for messages}`` (keys case-insensitive).

    All or nothing: when any row is wrong, nothing is written and the report lists every error (row,
    column, value, reason): unknown currency, USD (needs no rate), a month that is not YYYY-MM, a rate that
    is not a positive number with at most 8 decimal places, the same currency and month twice. A rate for
    a currency and month already stored replaces it (one "update" event); a new one is created (one
    "create" event); the same rate again is left alone. ``dry_run`` reports without writing.

    The secretariat only (``PermissionDenied`` otherwise); a reason is required (``ReasonRequired``).
    Returns a ``RatesReport``.
    """
    if actor is not None and not principal_for(actor).is_secretariat:
        raise PermissionDenied(_("Only the secretariat loads exchange rates."))
    if not (reason or "").strip():
        raise ReasonRequired(_("A reason is required to load exchange rates."))
    good, errors = _read_rows(rows)
    if not good and not errors:
        errors.append(RowError(1, "currency", "", _("The file has no rates.")))
    with transaction.atomic():
        stored = {(r.currency, r.month): r for r in ExchangeRate.objects.select_for_update().filter(
            currency__in={c for c, _m, _r, _s in good}, month__in={m for _c, m, _r, _s in good})}
        changes = []
        for code, month, rate, source in good:
            existing = stored.get((code, month))
            if existing is None:
                action = "create"
            elif existing.rate == rate and (existing.source == source or not source):
                action = "unchanged"
            else:
                action = "update"
            changes.append(RateChange(code, month, rate, existing.rate if existing else None, action))
        report = RatesReport(changes=tuple(changes), errors=tuple(errors), dry_run=dry_run)
        if not report.written:
            return report
        loaded_by = actor if getattr(actor, "is_authenticated", False) else None
        for change, (_c, _m, _r, source) in zip(changes, good, strict=True):
            if change.action == "unchanged":
                continue
            existing = stored.get((change.currency, change.month))
            if existing is None:
                obj = ExchangeRate.objects.create(currency=change.currency, month=change.month, rate=change.rate,
                                                  source=source, loaded_by=loaded_by)
                record_change(action=ChangeEvent.Action.CREATE, obj=obj, changes=diff({}, snapshot(obj)),
                              reason=reason, actor=actor)
            else:
                before = snapshot(existing)
                existing.rate = change.rate
                existing.source = source or existing.source
                existing.loaded_by = loaded_by
                existing.save()
                record_change(action=ChangeEvent.Action.UPDATE, obj=existing, changes=diff(before, snapshot(existing)),
                              reason=reason, actor=actor)
    return report


RATE_COLUMNS = ("currency", "month", "rate")


def rates_read_csv(file) -> list[dict[str, str]]:
    """The rows of a rates CSV file as ``[{"row": line number, "currency", "month", "rate", "source"}]``,
    for ``rates_load``.

    ``file``: bytes, text, or a file opened in binary or text mode. Reads what Excel saves: UTF-8 with or
    without a byte-order mark (else Windows-1252), ``,`` or ``;`` between cells (the header line decides),
    and, with ``;``, a decimal comma in the rate (``0,9215``). Header names are case-insensitive and
    stripped: ``currency``, ``month``, ``rate`` (required) and ``source`` (optional); other columns are
    ignored; blank lines are skipped. Line numbers count the header as line 1.

    Raises ``ValidationError`` ({"file": message}) for an empty file, a file that is not text, or a
    missing column.
    """
    data = file if isinstance(file, (bytes, str)) else file.read()
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise ValidationError({"file": _("The file is not a text (CSV) file.")}) from None
    else:
        text = data.lstrip("\ufeff")
    if "\x00" in text:
        raise ValidationError({"file": _("The file is not a text (CSV) file.")})
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise ValidationError({"file": _("The file is empty.")})
    header_line = next(line for line in lines if line.strip())
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    out: list[dict[str, str]] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            missing = [c for c in RATE_COLUMNS if c not in header]
            if missing:
                raise ValidationError({"file": _("Missing column(s): %(missing)s. The header line must name "
                                                 "currency, month and rate.") % {"missing": ", ".join(missing)}})
            continue
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
               if name in (*RATE_COLUMNS, "source")}
        if delimiter == ";" and "," in row["rate"] and "." not in row["rate"]:
            row["rate"] = row["rate"].replace(",", ".")
        row["row"] = str(reader.line_num)
        out.append(row)
    return out
