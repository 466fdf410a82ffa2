"""From an IATI activity record to the data of a joint project and its funding flows.

``project_data`` gives the ``data`` mapping that ``compact.projects.services.project_create`` /
``project_update`` take; ``flow_rows`` the keyword arguments of ``compact.funding.services.flow_create``.
It is the exact inverse of ``compact.interop.iati.writer``, so that an exported project imports back to
the same data. What the platform does not keep is said in a note, never dropped silently.

- Titles and descriptions: the narratives in the six UN languages (IATI ``zh`` is the platform's
  ``zh-hans``); the general description (DescriptionType 1), else the first one given.
- Dates: start = actual start (ActivityDateType 2), else planned start (1); end = actual end (4), else
  planned end (3).
- Beneficiary areas: recipient countries (ISO 3166-1 alpha-2) become UN M49 country codes; recipient
  regions of vocabulary 2 (UN) are M49 codes already; OECD DAC regions (vocabulary 1) become the
  smallest M49 region that contains all their countries (``DAC_REGION_TO_M49``), with a note; regions of
  other vocabularies (99, the publisher's own) are left aside with a note, since the platform records areas
  as M49 codes and IATI's percentage rule counts each region vocabulary apart. A single area without a
  percentage has 100 %; two areas that become the same M49 code add up.
- Markers: ``policy-marker vocabulary="99" code="UN-GEM"`` / ``"UN-HRM"`` carry the UN Gender Equality
  Marker and human rights marker (0-3) exactly; without them the OECD DAC gender marker (vocabulary 1,
  code 1) is read on the UN scale following the UNSDG Gender Equality Marker guidance: significance 2
  (principal) -> 3, 1 (significant) -> 2, 0 (not targeted) -> 0.
- SDG targets: tags of TagVocabulary 3.
- Transactions (IATI TransactionType -> ``Flow.Kind``): 1 incoming funds and 3 disbursement ->
  disbursement; 2 outgoing and 11 incoming commitment -> commitment; 12 outgoing and 13 incoming pledge
  -> pledge; 4 expenditure -> expenditure. Other types (interest, loan repayment, reimbursement,
  equity, credit guarantee) are not funding of the project, nor is a transaction of value 0: left aside
  with a note. An outgoing
  transaction (2, 3, 12) without a named provider is provided by the reporting organisation; an incoming
  one (1, 11, 13) by the activity's funding organisation when it has only one (with a note).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from django.utils.translation import gettext as _

from compact.funding.models import Flow
from compact.interop.iati.records import ActivityRecord, Finding, Organisation
from compact.interop.iati.rules import sum_to_100
from compact.reference import codelists, geography
from compact.registry.models import Entity, EntityAlias

HUNDRED = Decimal(100)

#: IATI language code -> the platform's language code, for the six UN languages.
UN_LANGUAGES: dict[str, str] = {"ar": "ar", "zh": "zh-hans", "en": "en", "fr": "fr", "ru": "ru", "es": "es"}

#: OECD DAC region (IATI Region codelist, vocabulary 1) -> the smallest UN M49 region that contains every
#: country of the DAC region (the DAC List of ODA Recipients' regional groupings against UN M49's regions).
#: Where the two coincide the mapping is exact; otherwise the M49 region is wider, and the note says so.
DAC_REGION_TO_M49: dict[str, str] = {
    "88": "039",  # States Ex-Yugoslavia unspecified -> Southern Europe
    "89": "150",  # Europe, regional -> Europe
    "189": "015",  # North of Sahara -> Northern Africa
    "289": "202",  # South of Sahara -> Sub-Saharan Africa
    "298": "002",  # Africa, regional -> Africa
    "380": "029",  # West Indies, regional (withdrawn) -> Caribbean
    "389": "419",  # Caribbean & Central America -> Latin America and the Caribbean (wider)
    "489": "005",  # South America -> South America
    "498": "019",  # America, regional -> Americas
    "589": "142",  # Middle East (includes Iran, in Southern Asia) -> Asia (wider)
    "619": "143",  # Central Asia -> Central Asia
    "679": "034",  # South Asia -> Southern Asia
    "689": "142",  # South & Central Asia -> Asia (wider)
    "789": "142",  # Far East Asia (Eastern and South-eastern Asia) -> Asia (wider)
    "798": "142",  # Asia, regional -> Asia
    "889": "009",  # Oceania -> Oceania
    "998": "001",  # Developing countries, unspecified -> World (wider)
    "1027": "014", "1028": "017", "1029": "018", "1030": "011",  # Eastern, Middle, Southern, Western Africa
    "1031": "029", "1032": "013",  # Caribbean, Central America
    "1033": "054", "1034": "057", "1035": "061",  # Melanesia, Micronesia, Polynesia
}

#: IATI TransactionType -> Flow.Kind (module docstring).
TRANSACTION_KINDS: dict[str, str] = {
    "1": Flow.Kind.DISBURSEMENT, "3": Flow.Kind.DISBURSEMENT,
    "2": Flow.Kind.COMMITMENT, "11": Flow.Kind.COMMITMENT,
    "12": Flow.Kind.PLEDGE, "13": Flow.Kind.PLEDGE,
    "4": Flow.Kind.EXPENDITURE,
}
OUTGOING_TYPES = frozenset({"2", "3", "12"})
INCOMING_TYPES = frozenset({"1", "11", "13"})

#: OECD DAC gender marker significance -> UN Gender Equality Marker (module docstring).
OECD_TO_GEM: dict[str, int] = {"0": 0, "1": 2, "2": 3, "3": 3, "4": 3}

#: The provider recorded for an incoming transaction that names none (IATI allows it; the platform's
#: pledges, commitments and disbursements name their provider).
UNNAMED_PROVIDER = "(provider not named in the IATI file)"

GEM_CODE = "UN-GEM"
HRM_CODE = "UN-HRM"


class Organisations:
    """Registry entities by IATI organisation identifier and by alias, read once (two queries), and the
    organisations of a file that match none (``unknown``: ``{key: {"ref", "name", "roles", "activities"}}``).

    An organisation matches an entity when its ``ref`` or one of its names equals, letter case ignored,
    the entity's IATI organisation identifier or one of its aliases; otherwise when one of its names is the
    entity's acronym or its name in one of the six languages (an identifier the registry does not know,
    matched so, is listed in ``by_name_only`` for a note). The secretariat maps an unknown organisation by
    adding its identifier or name as an alias of the entity."""

    def __init__(self) -> None:
        self.by_key: dict[str, Entity] = {}
        entities = list(Entity.objects.all())
        for entity in entities:
            if entity.iati_identifier.strip():
                self.by_key.setdefault(entity.iati_identifier.strip().casefold(), entity)
        for alias in EntityAlias.objects.select_related("entity"):
            self.by_key.setdefault(alias.name.strip().casefold(), alias.entity)
        self.by_name: dict[str, Entity] = {}
        for entity in entities:
            for text in [entity.acronym, *(getattr(entity, f"name_{code.replace('-', '_')}", "") for code in UN_LANGUAGES.values())]:
                if text and text.strip():
                    self.by_name.setdefault(text.strip().casefold(), entity)
        self.unknown: dict[str, dict] = {}
        #: IATI identifiers the registry does not know, matched by the organisation's name: {ref: (entity, activity)}
        self.by_name_only: dict[str, tuple[Entity, str]] = {}

    def match(self, org: Organisation | None, *, role: str, activity: str) -> Entity | None:
        """The entity ``org`` is, or None (then listed in ``unknown`` with ``role`` and ``activity``)."""
        if org is None:
            return None
        for key in [org.ref, *org.names.values()]:
            if key and key.strip().casefold() in self.by_key:
                return self.by_key[key.strip().casefold()]
        for key in org.names.values():
            if key and key.strip().casefold() in self.by_name:
                entity = self.by_name[key.strip().casefold()]
                if org.ref.strip():
                    self.by_name_only.setdefault(org.ref.strip(), (entity, activity))
                return entity
        if not org.ref and not org.names:
            return None
        key = (org.ref or org.name()).casefold()
        entry = self.unknown.setdefault(key, {"ref": org.ref, "name": org.name(), "roles": set(), "activities": set()})
        entry["roles"].add(role)
        entry["activities"].add(activity)
        return None

    def unknown_list(self) -> list[dict]:
        """The unknown organisations, JSON-friendly, most frequent first."""
        rows = [{"ref": e["ref"], "name": e["name"], "roles": sorted(e["roles"]), "activities": len(e["activities"])}
                for e in self.unknown.values()]
        return sorted(rows, key=lambda r: (-r["activities"], r["ref"], r["name"]))


@dataclass
class Mapped:
    """An activity as platform data: ``data`` for the project services (without ``lead_body``, which the
    import adds for a new project), ``flows`` (keyword arguments of ``flow_create`` without ``project``,
    ``actor`` and ``reason``), the reporting organisation's entity (``lead_entity``, None when unknown),
    and ``problems`` / ``notes``."""

    data: dict
    flows: list[dict]
    lead_entity: Entity | None
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)


def _finding(record: ActivityRecord, message: str, element: str = "", line: int | None = None) -> Finding:
    """A finding on ``record``, located at ``element`` (a child's name) within the activity."""
    where = f"iati-activities/iati-activity[{record.position}]" + (f"/{element}" if element else "")
    return Finding(record.file, line or record.line, where, message, record.identifier)


def _texts(record: ActivityRecord, texts: dict[str, str], what: str, notes: list[Finding]) -> dict[str, str]:
    out = {}
    for language, text in texts.items():
        code = UN_LANGUAGES.get(language.split("-")[0].lower())
        if code is None:
            notes.append(_finding(record, _("The %(what)s in %(language)s is not kept: the platform keeps the six UN "
                                            "languages.") % {"what": what, "language": language}))
        elif text.strip():
            out[code] = text.strip()
    return out


def _to_hundred(record: ActivityRecord, rows: list[dict], what: str, notes: list[Finding],
                problems: list[Finding], element: str) -> list[dict]:
    """``rows`` (dicts with a ``percentage``) made to add up to exactly 100, as the platform stores shares.
    A sum that misses 100 only by the rounding of the published decimals (``rules.sum_to_100``) is
    corrected on the largest share, with a note; any other sum is a problem (nothing is rescaled); rows
    without percentages are left as they are."""
    shares = [row["percentage"] for row in rows]
    if len(rows) < 2 or any(share is None for share in shares) or sum(shares) == HUNDRED:
        return rows
    accepted, total, _rounded = sum_to_100(shares)
    if not accepted:
        problems.append(_finding(record, _(
            "The %(what)s the platform keeps add up to %(total)s, not 100 (a share of a region vocabulary it does not "
            "keep cannot be told apart).") % {"what": what, "total": total}, element))
        return rows
    largest = max(range(len(rows)), key=lambda i: shares[i])
    rows = [dict(row) for row in rows]
    rows[largest]["percentage"] = shares[largest] + (HUNDRED - total)
    notes.append(_finding(record, _("The %(what)s added up to %(total)s; the largest share was stored as %(share)s so "
                                    "that they make 100.") % {"what": what, "total": total,
                                                              "share": rows[largest]["percentage"]}, element))
    return rows


def _share(record: ActivityRecord, value: Decimal | None, what: str, notes: list[Finding]) -> Decimal | None:
    """A published percentage as the platform stores it: four decimals at most (rounded half to even, with
    a note), so that 33.33333 + 33.33333 + 33.33334 becomes 33.3333 + 33.3333 + 33.3333 and then makes 100 as
    rounding allows (``_to_hundred``)."""
    if value is None or not isinstance(value.as_tuple().exponent, int) or value.as_tuple().exponent >= -4:
        return value
    stored = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    if stored != value:
        notes.append(_finding(record, _("A percentage of the %(what)s, %(value)s, was stored with four decimals as "
                                        "%(stored)s.") % {"what": what, "value": value, "stored": stored}))
    return stored


def _areas(record: ActivityRecord, problems: list[Finding], notes: list[Finding]) -> list[dict]:
    shares: dict[str, Decimal | None] = {}
    given: list[tuple[str, Decimal | None]] = []
    for country in record.countries:
        code = geography.m49_for_iso2(country.code)
        if code is None:
            problems.append(_finding(record, _("Recipient country %(code)s has no UN M49 code.") % {"code": country.code},
                                     "recipient-country"))
            continue
        given.append((code, country.percentage))
    for region in record.regions:
        if region.vocabulary == "2":
            try:
                code = geography.area(region.code).code
            except Exception:
                problems.append(_finding(record, _("Recipient region %(code)s (vocabulary 2, UN) is not a UN M49 code.")
                                         % {"code": region.code}, "recipient-region"))
                continue
        elif region.vocabulary == "1" and region.code in DAC_REGION_TO_M49:
            code = DAC_REGION_TO_M49[region.code]
            notes.append(_finding(record, _("OECD DAC region %(dac)s recorded as UN M49 region %(m49)s.")
                                  % {"dac": region.code, "m49": code}, "recipient-region"))
        elif region.vocabulary == "1":
            problems.append(_finding(record, _("OECD DAC region %(code)s has no UN M49 equivalent.")
                                     % {"code": region.code}, "recipient-region"))
            continue
        else:
            notes.append(_finding(record, _(
                "Recipient region %(code)s of vocabulary %(vocabulary)s (the publisher's own) is not kept: the platform "
                "records beneficiary areas as UN M49 codes, and IATI counts the shares of each region vocabulary "
                "apart.") % {"code": region.code, "vocabulary": region.vocabulary}, "recipient-region"))
            continue
        given.append((code, region.percentage))
    if len(given) == 1 and given[0][1] is None:
        return [{"code": given[0][0], "percentage": HUNDRED}]
    for code, percentage in given:
        percentage = _share(record, percentage, _("recipient countries and regions"), notes)
        if percentage is None:
            continue  # the reader reports several areas without percentages
        if percentage == 0:
            notes.append(_finding(record, _("Recipient country or region %(code)s has a share of 0 and is not kept.")
                                  % {"code": code}, "recipient-country"))
            continue
        shares[code] = (shares.get(code) or Decimal(0)) + percentage
    return _to_hundred(record, [{"code": code, "percentage": share} for code, share in shares.items()],
                       _("percentages of the recipient countries and regions"), notes, problems, "recipient-country")


def _markers(record: ActivityRecord, data: dict, notes: list[Finding]) -> None:
    own = {m.code: m for m in record.policy_markers if m.vocabulary == "99" and m.code in (GEM_CODE, HRM_CODE)}
    for code, key in ((GEM_CODE, "gender_marker"), (HRM_CODE, "human_rights_marker")):
        if code in own and own[code].significance in ("0", "1", "2", "3"):
            data[key] = int(own[code].significance)
    if "gender_marker" not in data:
        oecd = next((m for m in record.policy_markers if m.vocabulary == "1" and m.code == "1" and m.significance), None)
        if oecd is not None and oecd.significance in OECD_TO_GEM:
            data["gender_marker"] = OECD_TO_GEM[oecd.significance]
            notes.append(_finding(record, _("OECD DAC gender marker significance %(significance)s recorded as UN Gender "
                                            "Equality Marker %(gem)d.") % {"significance": oecd.significance,
                                                                           "gem": data["gender_marker"]}, "policy-marker"))


def _participants(record: ActivityRecord, orgs: Organisations, notes: list[Finding]) -> list[dict]:
    out, seen = [], set()
    for org in record.participating_orgs:
        role = codelists.codelist("OrganisationRole").get(org.role)
        entity = orgs.match(org, role=role.name() if role else org.role, activity=record.identifier)
        name = org.name(record.default_language) or org.ref
        if entity is None and not name:
            notes.append(_finding(record, _("A participating organisation without identifier or name is not kept."),
                                  "participating-org"))
            continue
        identity = (org.role, entity.pk if entity else None, "" if entity else name.casefold())
        if identity in seen:
            continue
        seen.add(identity)
        ref = org.ref
        if entity is not None and ref.casefold() == entity.iati_identifier.strip().casefold():
            ref = ""  # the entity's own identifier: the platform writes it from the registry
        out.append({"role": org.role, "entity": entity, "name": "" if entity else name[:300].strip(), "ref": ref})
    return out


def _party(org: Organisation | None, orgs: Organisations, role: str, record: ActivityRecord) -> tuple[Entity | None, str, str]:
    if org is None:
        return None, "", ""
    entity = orgs.match(org, role=role, activity=record.identifier)
    ref = org.ref
    if entity is not None and ref.casefold() == entity.iati_identifier.strip().casefold():
        ref = ""  # the entity's own identifier: the platform writes it from the registry
    return entity, ("" if entity else (org.name(record.default_language) or org.ref)[:300].strip()), ref


def _funders(record: ActivityRecord) -> list[Organisation]:
    """The activity's funding participating organisations (OrganisationRole 1) that are named."""
    return [org for org in record.participating_orgs if org.role == "1" and (org.ref or org.names)]


def flow_rows(record: ActivityRecord, orgs: Organisations, lead_entity: Entity | None,
              notes: list[Finding]) -> list[dict]:
    """The funding flows of ``record``'s transactions (module docstring), as ``flow_create`` arguments."""
    out = []
    for position, transaction in enumerate(record.transactions, start=1):
        kind = TRANSACTION_KINDS.get(transaction.type)
        if kind is None:
            notes.append(_finding(record, _("Transaction %(number)d of type %(type)s is not a funding flow of the "
                                            "project and is not kept.") % {"number": position, "type": transaction.type},
                                  "transaction", transaction.line))
            continue
        if transaction.value == 0:
            notes.append(_finding(record, _("Transaction %(number)d has the value 0 and moves no money: not kept.")
                                  % {"number": position}, "transaction", transaction.line))
            continue
        provider_entity, provider_name, provider_ref = _party(transaction.provider, orgs, _("Provider"), record)
        receiver_entity, receiver_name, _ref = _party(transaction.receiver, orgs, _("Receiver"), record)
        unnamed = provider_entity is None and not provider_name
        if unnamed and transaction.type in OUTGOING_TYPES:
            if lead_entity is not None:
                provider_entity = lead_entity
            elif record.reporting_org is not None:
                provider_name = record.reporting_org.name(record.default_language) or record.reporting_org.ref
                provider_ref = record.reporting_org.ref
        elif unnamed and transaction.type in INCOMING_TYPES and len(funders := _funders(record)) == 1:
            provider_entity, provider_name, provider_ref = _party(funders[0], orgs, _("Provider"), record)
            notes.append(_finding(record, _("Transaction %(number)d names no provider: the activity's only funding "
                                            "organisation, %(org)s, is recorded as its provider.")
                                  % {"number": position, "org": funders[0].ref or funders[0].name()},
                                  "transaction", transaction.line))
        elif unnamed and kind != Flow.Kind.EXPENDITURE:
            provider_name = UNNAMED_PROVIDER
            notes.append(_finding(record, _("Transaction %(number)d names no provider and the activity has no single "
                                            "funding organisation: its provider is recorded as “%(name)s”.")
                                  % {"number": position, "name": UNNAMED_PROVIDER}, "transaction", transaction.line))
        description = transaction.description
        text = next((description[c] for c in (record.default_language, "en") if description.get(c)),
                    next(iter(description.values()), ""))
        out.append({
            "kind": kind, "amount": transaction.value, "currency": transaction.currency, "date": transaction.date,
            "provider_entity": provider_entity, "provider_name": provider_name, "provider_ref": provider_ref[:150].strip(),
            "receiver_entity": receiver_entity, "receiver_name": receiver_name, "reference": transaction.ref[:100].strip(),
            "description": text[:500].strip(), "origin": Flow.Origin.IATI, "line": transaction.line,
            "value_date": transaction.value_date if transaction.value_date != transaction.date else None,
        })
    return out


def project_data(record: ActivityRecord, orgs: Organisations) -> Mapped:
    """The project data, flows and findings of ``record`` (module docstring). Organisations that match no
    entity are gathered in ``orgs.unknown``."""
    problems: list[Finding] = []
    notes: list[Finding] = []
    lead_entity = orgs.match(record.reporting_org, role=_("Reporting"), activity=record.identifier)
    data: dict = {"iati_identifier": record.identifier,
                  "iati_reporting_org": record.reporting_org.ref.strip()[:150] if record.reporting_org else ""}
    titles = _texts(record, record.titles, _("title"), notes)
    if record.titles and not titles:
        problems.append(_finding(record, _("The activity has no title in one of the six UN languages (it has: "
                                           "%(languages)s).") % {"languages": ", ".join(sorted(record.titles))}, "title"))
    if titles:
        data["title"] = {code: text[:300].strip() for code, text in titles.items()}
        if any(len(text) > 300 for text in titles.values()):
            notes.append(_finding(record, _("A title longer than 300 characters was shortened."), "title"))
    descriptions = record.descriptions.get("1") or next(iter(record.descriptions.values()), {})
    if descriptions:
        data["description"] = _texts(record, descriptions, _("description"), notes)
    if len(record.descriptions) > 1:
        notes.append(_finding(record, _("Only the general description is kept (types given: %(types)s).")
                              % {"types": ", ".join(sorted(record.descriptions))}, "description"))
    if record.status:
        data["activity_status"] = record.status
    start = record.dates.get("2") or record.dates.get("1")
    end = record.dates.get("4") or record.dates.get("3")
    if start and end and end < start and "4" not in record.dates:
        notes.append(_finding(record, _("The activity started (%(start)s) after its planned end (%(end)s): the planned "
                                        "end is not kept.") % {"start": start, "end": end}, "activity-date"))
        end = None
    data["start"], data["end"] = start, end
    if record.default_currency:
        data["default_currency"] = record.default_currency
    data["participants"] = _participants(record, orgs, notes)
    data["sectors"] = []
    for vocabulary in dict.fromkeys(s.vocabulary for s in record.sectors):
        rows = [{"vocabulary": s.vocabulary, "code": s.code,
                 "percentage": _share(record, s.percentage, _("sectors"), notes)}
                for s in record.sectors if s.vocabulary == vocabulary]
        zero = [row["code"] for row in rows if row["percentage"] == 0]
        if zero:
            notes.append(_finding(record, _("Sectors with a share of 0 are not kept: %(codes)s.")
                                  % {"codes": ", ".join(zero)}, "sector"))
            rows = [row for row in rows if row["percentage"] != 0]
        data["sectors"] += _to_hundred(record, rows, _("percentages of the sectors of vocabulary %(vocabulary)s")
                                       % {"vocabulary": vocabulary}, notes, problems, "sector")
    data["areas"] = _areas(record, problems, notes)
    data["sdg_targets"] = list(dict.fromkeys(t.code for t in record.tags if t.vocabulary == "3"))
    goals = [t.code for t in record.tags if t.vocabulary == "2"]
    if goals:
        notes.append(_finding(record, _("SDG goal tags (%(codes)s) are not kept: the platform records SDG targets.")
                              % {"codes": ", ".join(goals)}, "tag"))
    _markers(record, data, notes)
    data["budgets"] = [{"period_start": b.period_start, "period_end": b.period_end, "amount": b.value,
                        "currency": b.currency, "value_date": b.value_date, "type": b.type, "status": b.status}
                       for b in record.budgets]
    data["related_activities"] = [{"type": r.type, "ref": r.ref} for r in record.related if r.ref != record.identifier]
    flows = flow_rows(record, orgs, lead_entity, notes)
    return Mapped(data, flows, lead_entity, problems, notes)

