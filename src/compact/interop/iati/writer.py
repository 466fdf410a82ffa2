"""IATI 2.03 activity XML of the platform's joint projects: one ``<iati-activity>`` per project.

The mapping is the exact inverse of what the importer (``compact.interop.iati_services``) reads, so that
an exported file imports back to the same data. Elements follow the order of the official 2.03 schema
(``iati-activities-schema.xsd``, ``iati-activity``'s sequence); codes are those of the IATI 2.03
codelists (``compact.reference.codelists``). Where the schema requires an element the platform may not
have, the writer fills it in as documented below (``activity_element``), so that every document
validates.

Languages: the platform's codes are ISO 639-1 but for Chinese (``"zh-hans"``), which IATI's Language
codelist writes ``"zh"``. Amounts and percentages are plain decimals without exponent and without
trailing zeros (``1200000``, ``-250.5``); dates are ISO 8601.

``write_activities`` streams a whole document with ``lxml.etree.xmlfile``: one activity is built and
written at a time, so memory stays flat whatever the number of projects. ``exportable`` and
``export_activities`` give the pages, the API and ``compact export iati`` the published projects a user
may export, written to the access log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from lxml import etree

from compact.access.policy import Action, restrict
from compact.audit.models import AccessEvent
from compact.audit.services import record_access
from compact.core.i18n import all_translations, translated
from compact.funding.models import Flow
from compact.projects.models import Participant, Project
from compact.reference import geography

#: The IATI version written.
VERSION = "2.03"
#: The download's media type and file name.
CONTENT_TYPE = "application/xml"
FILENAME = "iati-activities.xml"
#: Projects fetched at a time when writing a queryset (their related rows are prefetched per batch).
CHUNK_SIZE = 500

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Platform language code -> IATI Language codelist code (ISO 639-1), where they differ.
IATI_LANGUAGE: dict[str, str] = {"zh-hans": "zh"}

#: IATI OrganisationType of a reporting organisation whose type the registry does not record: 40
#: Multilateral (IATI 2.03 OrganisationType codelist).
DEFAULT_ORGANISATION_TYPE = "40"

#: IATI ActivityStatus codes after which a project's start is actual (2 implementation, 3 finalisation,
#: 4 closed, 6 suspended); before (1 pipeline) or without it (5 cancelled) the start is planned.
STARTED_STATUSES = frozenset({"2", "3", "4", "6"})
#: IATI ActivityStatus codes after which a project's end is actual (3 finalisation, 4 closed).
ENDED_STATUSES = frozenset({"3", "4"})

#: Funding flow kind -> IATI 2.03 TransactionType, as (incoming, outgoing): outgoing when the provider is
#: the project's lead entity (the reporting organisation gives the money), incoming otherwise. A
#: requirement has no transaction type (what a project seeks is not a transaction) and is not written.
TRANSACTION_TYPES: dict[str, tuple[str, str]] = {
    Flow.Kind.PLEDGE: ("13", "12"),  # incoming pledge / outgoing pledge
    Flow.Kind.COMMITMENT: ("11", "2"),  # incoming commitment / outgoing commitment
    Flow.Kind.DISBURSEMENT: ("1", "3"),  # incoming funds / disbursement
    Flow.Kind.EXPENDITURE: ("4", "4"),  # expenditure
}

#: The OECD DAC gender equality policy marker (PolicyMarkerVocabulary 1, PolicyMarker code 1) and the
#: PolicySignificance a UN Gender Equality Marker score corresponds to, as the UNSDG Gender Equality
#: Marker guidance note relates the two scales: GEM 3 -> 2 principal objective, GEM 2 -> 1 significant
#: objective, GEM 1 and 0 -> 0 not targeted.
OECD_GENDER_MARKER = ("1", "1")
GEM_TO_DAC_SIGNIFICANCE: dict[int, str] = {3: "2", 2: "1", 1: "0", 0: "0"}

#: The platform's own markers, in the reporting organisation's vocabulary (PolicyMarkerVocabulary 99):
#: code, significance = the score on the UN Gender Equality Marker scale (0-3), and the narrative naming
#: the scale (English: it is part of the data, not of the page).
UN_GENDER_MARKER = "UN-GEM"
UN_HUMAN_RIGHTS_MARKER = "UN-HRM"
MARKER_NAMES: dict[str, str] = {UN_GENDER_MARKER: "UN Gender Equality Marker",
                                UN_HUMAN_RIGHTS_MARKER: "UN Human Rights Marker"}

#: The identifier a project without an IATI identifier is exported with ends so: ``-COMPACT-<pk>``.
PLATFORM_IDENTIFIER = re.compile(r"-COMPACT-(?P<pk>[1-9][0-9]*)$")


def iati_language(code: str) -> str:
    """The IATI Language code of the platform language ``code`` (``"zh-hans" -> "zh"``, ``"fr" -> "fr"``)."""
    return IATI_LANGUAGE.get(code, code)


def decimal_text(value: Decimal) -> str:
    """``value`` as a plain decimal without exponent and without trailing zeros: ``Decimal("1.2E+6")``
    and ``Decimal("1200000.000")`` give ``"1200000"``, ``Decimal("-250.50")`` gives ``"-250.5"``."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _datetime_text(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def activity_identifier(project: Project) -> str:
    """The project's IATI activity identifier; when it has none, ``<reporting-org ref>-COMPACT-<pk>``
    (the lead entity's IATI organisation identifier, or its acronym when the registry has none), e.g.
    ``XM-DAC-41114-COMPACT-12``. ``platform_project_pk`` reads the pk back."""
    if project.iati_identifier:
        return project.iati_identifier
    prefix = project.lead_entity.iati_identifier or project.lead_entity.acronym
    return f"{prefix}-COMPACT-{project.pk}"


def platform_project_pk(identifier: str) -> int | None:
    """The pk of the project an identifier made by ``activity_identifier`` names (``"XM-DAC-41114-COMPACT-12"
    -> 12``), or None when ``identifier`` is not of that form."""
    found = PLATFORM_IDENTIFIER.search(identifier or "")
    return int(found.group("pk")) if found else None


#: Characters XML 1.0 does not allow (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (a stray control character typed or pasted into a
    project must not make the whole export fail)."""
    return _NOT_XML.sub("", text)


def _narrative(parent: etree._Element, text: str, language: str | None = None) -> etree._Element:
    narrative = etree.SubElement(parent, "narrative")
    if language:
        narrative.set(XML_LANG, iati_language(language))
    narrative.text = xml_text(text)
    return narrative


def _narratives(parent: etree._Element, texts: dict[str, str]) -> None:
    for language, text in texts.items():
        _narrative(parent, text, language)


def _entity_names(entity) -> dict[str, str]:
    return all_translations(entity, "name") or {"en": entity.acronym}


def _organisation(parent: etree._Element, tag: str, *, entity=None, name: str = "", ref: str = "",
                  role: str = "") -> etree._Element:
    """``<tag ref=... role=...>`` (``ref``: the one given, else the entity's IATI organisation identifier;
    left out when empty) with the entity's name in each language it has, or ``name`` without language."""
    element = etree.SubElement(parent, tag)
    ref = ref or (entity.iati_identifier if entity is not None else "")
    if ref:
        element.set("ref", xml_text(ref))
    if role:
        element.set("role", role)
    if entity is not None:
        _narratives(element, _entity_names(entity))
    elif name:
        _narrative(element, name)
    return element


def _value(parent: etree._Element, amount: Decimal, currency: str, value_date: dt.date) -> None:
    value = etree.SubElement(parent, "value", {"currency": currency, "value-date": value_date.isoformat()})
    value.text = decimal_text(amount)


def _dated(parent: etree._Element, tag: str, day: dt.date, **attributes: str) -> None:
    etree.SubElement(parent, tag, {**attributes, "iso-date": day.isoformat()})


def _last_updated(project: Project, flows: Sequence[Flow]) -> dt.datetime:
    return max([project.updated, *(flow.updated for flow in flows)])


def activity_element(project: Project) -> etree._Element:
    """The ``<iati-activity>`` of ``project``, its children in the order of the IATI 2.03 schema. Read
    its related rows through ``export_queryset`` (otherwise each is a query).

    - attributes: ``default-currency``; ``xml:lang``, the project's base language (the first of
      English, French, Spanish, Russian, Arabic, Chinese with a title); ``last-updated-datetime``, the
      latest change of the project or of one of its flows;
    - ``iati-identifier``: see ``activity_identifier``;
    - ``reporting-org``: the lead entity: ``ref`` its IATI organisation identifier (empty when the
      registry has none), ``type`` 40 multilateral (the registry does not record an OrganisationType),
      its name in each language;
    - ``title`` and ``description`` (type 1 general): a narrative per language with text. The schema
      requires a description with a narrative: a project without one gets one empty narrative, which
      the importer reads as no description;
    - ``participating-org``: each participant, ``role`` (OrganisationRole), ``ref`` (the participant's,
      else its entity's IATI identifier), the entity's names or the organisation's name. The schema
      requires one: a project without participants gets its lead entity as accountable (role 2);
    - ``activity-status``;
    - ``activity-date``: the start as 2 actual when the status is implementation or later (2, 3, 4, 6),
      else 1 planned; the end as 4 actual when the status is finalisation or closed (3, 4), else 3
      planned. The schema requires one: a project without dates gets the day it was created as
      planned start (1);
    - ``recipient-country`` (beneficiary areas that are countries, ISO 3166-1 alpha-2 through
      ``compact.reference.geography``) and ``recipient-region`` (regions, vocabulary 2 UN M49) with
      their percentages;
    - ``sector`` (vocabulary, code, percentage when given); ``tag`` (SDG targets: vocabulary 3, e.g.
      ``code="16.a"``);
    - ``policy-marker``: the gender marker twice, as the OECD DAC gender equality marker
      (``GEM_TO_DAC_SIGNIFICANCE``) and as ``vocabulary="99" code="UN-GEM" significance=<0-3>``; the
      human rights marker as ``vocabulary="99" code="UN-HRM" significance=<0-3>``;
    - ``budget`` (type, status, period, value in its currency on its value date);
    - ``transaction``: each funding flow but requirements (``TRANSACTION_TYPES``), oldest first: ``ref``
      (the flow's reference), type, date, value in its currency valued on the flow's date (negative for
      a refund), description, ``provider-org`` and ``receiver-org`` with ``ref`` and name;
    - ``related-activity`` (type, ref).
    """
    flows = [flow for flow in project.flows.all() if flow.kind in TRANSACTION_TYPES]
    base_language = translated(project, "title", "en").language
    activity = etree.Element("iati-activity", {
        "default-currency": project.default_currency,
        XML_LANG: iati_language(base_language),
        "last-updated-datetime": _datetime_text(_last_updated(project, flows)),
    })
    etree.SubElement(activity, "iati-identifier").text = activity_identifier(project)
    lead = project.lead_entity
    reporting = etree.SubElement(activity, "reporting-org", {"ref": lead.iati_identifier, "type": DEFAULT_ORGANISATION_TYPE})
    _narratives(reporting, _entity_names(lead))
    _narratives(etree.SubElement(activity, "title"), all_translations(project, "title"))
    description = etree.SubElement(activity, "description", {"type": "1"})
    _narratives(description, all_translations(project, "description") or {base_language: ""})

    participants = list(project.participants.all())
    for participant in participants:
        _organisation(activity, "participating-org", entity=participant.entity, name=participant.name,
                      ref=participant.ref, role=participant.role)
    if not participants:
        _organisation(activity, "participating-org", entity=lead, role="2")

    etree.SubElement(activity, "activity-status", {"code": project.activity_status})
    if project.start:
        _dated(activity, "activity-date", project.start, type="2" if project.activity_status in STARTED_STATUSES else "1")
    if project.end:
        _dated(activity, "activity-date", project.end, type="4" if project.activity_status in ENDED_STATUSES else "3")
    if not project.start and not project.end:
        _dated(activity, "activity-date", timezone.localdate(project.created), type="1")

    areas = [(geography.area(a.code), a.percentage) for a in project.areas.all()]
    for found, percentage in areas:
        if found.is_country and found.iso2:
            etree.SubElement(activity, "recipient-country", {"code": found.iso2, "percentage": decimal_text(percentage)})
    for found, percentage in areas:
        if not (found.is_country and found.iso2):
            etree.SubElement(activity, "recipient-region",
                             {"code": found.code, "vocabulary": "2", "percentage": decimal_text(percentage)})
    for sector in project.sectors.all():
        element = etree.SubElement(activity, "sector", {"vocabulary": sector.vocabulary, "code": sector.code})
        if sector.percentage is not None:
            element.set("percentage", decimal_text(sector.percentage))
    for target in project.sdg_targets.all():
        etree.SubElement(activity, "tag", {"vocabulary": "3", "code": target.code})
    if project.gender_marker is not None:
        vocabulary, code = OECD_GENDER_MARKER
        etree.SubElement(activity, "policy-marker", {
            "vocabulary": vocabulary, "code": code, "significance": GEM_TO_DAC_SIGNIFICANCE[project.gender_marker]})
    for code, score in ((UN_GENDER_MARKER, project.gender_marker), (UN_HUMAN_RIGHTS_MARKER, project.human_rights_marker)):
        if score is not None:
            marker = etree.SubElement(activity, "policy-marker", {"vocabulary": "99", "code": code, "significance": str(score)})
            _narrative(marker, MARKER_NAMES[code], "en")

    for budget in project.budgets.all():
        element = etree.SubElement(activity, "budget", {"type": budget.type, "status": budget.status})
        _dated(element, "period-start", budget.period_start)
        _dated(element, "period-end", budget.period_end)
        _value(element, budget.amount, budget.currency, budget.value_date)
    for flow in sorted(flows, key=lambda f: (f.date, f.pk)):
        activity.append(_transaction(flow, project))
    for related in project.related_activities.all():
        etree.SubElement(activity, "related-activity", {"type": related.type, "ref": related.ref})
    return activity


def _transaction(flow: Flow, project: Project) -> etree._Element:
    """The ``<transaction>`` of ``flow`` (see ``TRANSACTION_TYPES``)."""
    incoming, outgoing = TRANSACTION_TYPES[flow.kind]
    element = etree.Element("transaction")
    if flow.reference:
        element.set("ref", xml_text(flow.reference))
    outward = flow.provider_entity_id is not None and flow.provider_entity_id == project.lead_entity_id
    etree.SubElement(element, "transaction-type", {"code": outgoing if outward else incoming})
    _dated(element, "transaction-date", flow.date)
    _value(element, flow.amount, flow.currency, flow.value_date or flow.date)
    if flow.description:
        _narrative(etree.SubElement(element, "description"), flow.description)
    if flow.provider_entity_id or flow.provider_name or flow.provider_ref:
        _organisation(element, "provider-org", entity=flow.provider_entity, name=flow.provider_name, ref=flow.provider_ref)
    if flow.receiver_entity_id or flow.receiver_name:
        _organisation(element, "receiver-org", entity=flow.receiver_entity, name=flow.receiver_name)
    return element


def export_queryset(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """``queryset`` with everything ``activity_element`` reads, prefetched: a fixed number of queries per
    batch of ``CHUNK_SIZE`` projects, whatever their size."""
    return queryset.select_related("lead_entity").prefetch_related(
        "areas", "sectors", "sdg_targets", "budgets", "related_activities",
        Prefetch("participants", queryset=Participant.objects.select_related("entity")),
        Prefetch("flows", queryset=Flow.objects.exclude(kind=Flow.Kind.REQUIREMENT).select_related(
            "provider_entity", "receiver_entity")),
    )


def write_activities(projects: Iterable[Project], out: IO[bytes], *, generated: dt.datetime | None = None) -> int:
    """Write the ``<iati-activities version="2.03" generated-datetime=...>`` document of ``projects`` to
    the binary file ``out`` (UTF-8, with an XML declaration) and return the number of activities.

    ``projects``: a queryset (read in batches of ``CHUNK_SIZE``; give it ``export_queryset``'s
    prefetches) or any iterable of projects. ``generated`` defaults to now. Nothing is kept once
    written, so memory does not grow with the number of projects. With no project the document has no
    activity, which the official schema does not accept (it asks for at least one ``iati-activity``).
    """
    generated = generated or timezone.now()
    rows = projects.iterator(chunk_size=CHUNK_SIZE) if isinstance(projects, QuerySet) else projects
    count = 0
    with etree.xmlfile(out, encoding="utf-8") as document:
        document.write_declaration()
        with document.element("iati-activities", {"version": VERSION, "generated-datetime": _datetime_text(generated)}):
            document.write("\n")
            for project in rows:
                document.write(activity_element(project), pretty_print=True)
                count += 1
    return count


def exportable(*, user, refs: Sequence[str] = ()) -> QuerySet[Project]:
    """The published projects ``user`` may export (``Action.EXPORT``; ``user=None`` is the platform: all),
    oldest first, prefetched as ``export_queryset``; with ``refs``, only those named (a pk in digits or
    an IATI activity identifier, see ``missing_refs``)."""
    queryset = Project.objects.filter(stage=Project.Stage.PUBLISHED)
    if user is not None:
        queryset = restrict(queryset, user, Action.EXPORT)
    if refs:
        pks = [int(ref) for ref in refs if ref.isascii() and ref.isdigit() and len(ref) <= 18]  # within a bigint
        queryset = queryset.filter(Q(pk__in=pks) | Q(iati_identifier__in=list(refs)))
    return export_queryset(queryset.order_by("pk"))


def missing_refs(*, user, refs: Sequence[str]) -> list[str]:
    """The ``refs`` that name no published project ``user`` may export (whether the project does not
    exist, is not published or is not theirs to read: the answer does not tell), in the order given."""
    found = set()
    for pk, identifier in exportable(user=user, refs=refs).values_list("pk", "iati_identifier"):
        found.update({str(pk), identifier})
    return [ref for ref in refs if ref not in found]


def export_activities(*, user, out: IO[bytes], refs: Sequence[str] = (), detail: str = "",
                      generated: dt.datetime | None = None) -> int:
    """Write the IATI document of ``exportable(user=user, refs=refs)`` to ``out`` and return the number
    of activities; the export is written to the access log (``AccessEvent.Action.EXPORT``, with
    ``detail``, listing the confidential and strictly confidential projects it holds)."""
    queryset = exportable(user=user, refs=refs)
    logged = list(Project.objects.filter(pk__in=queryset.values("pk")).only("pk", "sensitivity"))
    record_access(user=user, action=AccessEvent.Action.EXPORT, model=Project, rows=logged, always=True,
                  detail=f"iati xml {detail}".strip())
    return write_activities(queryset, out, generated=generated)
