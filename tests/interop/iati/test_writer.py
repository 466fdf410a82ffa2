"""IATI 2.03 export of joint projects (``compact.interop.iati.writer``): every document validates against
the official 2.03 schema, each element says what the project holds (read back with xpath and compared
with values written by hand), related rows are read in a fixed number of queries, and only the
published projects a user may read are exported."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from compact.audit.models import AccessEvent
from compact.interop.iati import writer
from compact.interop.iati.schema import activities_schema
from compact.projects.models import Project
from support.access_world import LEVELS, ROLES, VARIANTS, expected, rule_table
from support.projects import make_project

GENERATED = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: The children of ``iati-activity`` in the order of the 2.03 schema's sequence (iati-activities-schema.xsd).
SCHEMA_ORDER = [
    "iati-identifier", "reporting-org", "title", "description", "participating-org", "other-identifier",
    "activity-status", "activity-date", "contact-info", "activity-scope", "recipient-country", "recipient-region",
    "location", "sector", "tag", "country-budget-items", "humanitarian-scope", "policy-marker", "collaboration-type",
    "default-flow-type", "default-finance-type", "default-aid-type", "default-tied-status", "budget",
    "planned-disbursement", "capital-spend", "transaction", "document-link", "related-activity", "legacy-data",
    "conditions", "result", "crs-add", "fss",
]

TITLES = {
    "ar": "أمن الحدود في منطقة الساحل", "en": "Border security in the Sahel", "es": "Seguridad fronteriza en el Sahel",
    "fr": "Sécurité des frontières au Sahel", "ru": "Безопасность границ в Сахеле", "zh-hans": "萨赫勒边境安全",
}
DESCRIPTIONS = {code: f"{text}: joint training ({code})" for code, text in TITLES.items()}


def flow(project, kind, amount, day, **fields):
    from compact.funding.services import flow_create

    return flow_create(actor=None, project=project, kind=kind, amount=Decimal(amount), currency=fields.pop("currency", "EUR"),
                       date=day, reason="Test flow", **fields)


@pytest.fixture
def projects(seeded):
    """Three published projects: ``full`` (every field, six languages, led by UNDP which has an IATI
    organisation identifier, flows in and out, a refund), ``planned`` (no IATI identifier, led by UNODC which
    has none, pipeline) and ``bare`` (nothing optional, an Arabic title only); and a draft."""
    from compact.registry.models import Entity

    undp, unodc = Entity.objects.get(acronym="UNDP"), Entity.objects.get(acronym="UNODC")
    full = make_project(
        stage="published", iati_identifier="XM-DAC-41114-PROJ-00123", title=TITLES, description=DESCRIPTIONS,
        lead_entity="UNDP", lead_body="wg-1", working_groups=["wg-1"], pillars=[1], activity_status="3",
        start=dt.date(2024, 2, 1), end=dt.date(2025, 1, 31), gender_marker=3, human_rights_marker=2,
        default_currency="EUR",
        participants=[{"role": "1", "name": "Japan", "ref": "XM-DAC-701"}, {"role": "4", "entity": "UNODC"},
                      {"role": "2", "entity": "UNDP"}],
        sectors=[{"vocabulary": "1", "code": "15210", "percentage": Decimal("60")},
                 {"vocabulary": "1", "code": "15130", "percentage": Decimal("40")}],
        areas=[{"code": "466", "percentage": Decimal("50")}, {"code": "011", "percentage": Decimal("30.5")},
               {"code": "562", "percentage": Decimal("19.5")}],
        sdg_targets=["16.4", "16.a"],
        budgets=[{"period_start": dt.date(2024, 2, 1), "period_end": dt.date(2024, 12, 31), "amount": Decimal("1200000.00"),
                  "currency": "EUR", "value_date": dt.date(2024, 2, 1), "type": "1", "status": "2"},
                 {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 1, 31), "amount": Decimal("50000.50"),
                  "currency": "USD", "value_date": dt.date(2025, 1, 1), "type": "2", "status": "1"}],
        related_activities=[{"type": "1", "ref": "XM-DAC-41114-OUTPUT-00099"}, {"type": "2", "ref": "XM-DAC-41114-PROJ-00124"}],
    )
    flow(full, "requirement", "2000000", dt.date(2024, 1, 15))
    flow(full, "pledge", "900000", dt.date(2024, 1, 20), provider_name="Japan", provider_ref="XM-DAC-701",
         receiver_entity=undp)
    flow(full, "commitment", "800000", dt.date(2024, 2, 10), provider_name="Japan", provider_ref="XM-DAC-701",
         receiver_entity=undp, reference="JP-2024-17", description="Grant agreement")
    flow(full, "disbursement", "400000.25", dt.date(2024, 3, 5), provider_name="Japan", receiver_entity=undp)
    flow(full, "disbursement", "-12500", dt.date(2024, 6, 30), provider_name="Japan", receiver_entity=undp,
         description="Refund of unspent funds")
    flow(full, "commitment", "150000", dt.date(2024, 4, 1), provider_entity=undp, receiver_entity=unodc)
    flow(full, "disbursement", "75000", dt.date(2024, 4, 15), provider_entity=undp, receiver_entity=unodc)
    flow(full, "pledge", "10000", dt.date(2024, 4, 20), provider_entity=undp, receiver_name="Civil society partner")
    flow(full, "expenditure", "30000", dt.date(2024, 5, 31), currency="USD")
    planned = make_project(stage="published", activity_status="1", gender_marker=0, human_rights_marker=None)
    bare = make_project(
        stage="published", title={"ar": "مشروع مشترك"}, description="", participants=[], sectors=[], areas=[],
        sdg_targets=[], budgets=[], start=None, end=None, gender_marker=None, human_rights_marker=None)
    draft = make_project(title="A draft")

    class Projects:
        pass

    found = Projects()
    found.full, found.planned, found.bare, found.draft = full, planned, bare, draft
    return found


def export(queryset=None, **kwargs) -> tuple[etree._ElementTree, int]:
    out = io.BytesIO()
    count = writer.write_activities(writer.export_queryset(queryset if queryset is not None else Project.objects.all()),
                                    out, generated=GENERATED, **kwargs)
    return etree.parse(io.BytesIO(out.getvalue())), count


def activity(tree, identifier: str) -> etree._Element:
    (found,) = tree.xpath("/iati-activities/iati-activity[iati-identifier=$id]", id=identifier)
    return found


def attributes(elements) -> list[dict[str, str]]:
    return [{key.replace(LANG, "xml:lang"): value for key, value in e.attrib.items()} for e in elements]


def narratives(element) -> dict[str, str]:
    return {n.get(LANG, ""): n.text or "" for n in element.findall("narrative")}


def assert_valid(tree) -> None:
    schema = activities_schema()
    assert schema.validate(tree), "\n".join(f"{e.line}: {e.path}: {e.message}" for e in schema.error_log)


def test_the_document_validates_against_the_official_schema(projects):
    tree, count = export(Project.objects.filter(stage="published"))
    assert_valid(tree)
    assert count == 3 == len(tree.xpath("/iati-activities/iati-activity"))
    root = tree.getroot()
    assert (root.get("version"), root.get("generated-datetime")) == ("2.03", "2025-03-01T12:00:00+00:00")
    assert tree.docinfo.encoding.lower() == "utf-8" and tree.docinfo.xml_version == "1.0"


def test_each_activity_follows_the_schema_order(projects):
    tree, _count = export(Project.objects.filter(stage="published"))
    for element in tree.xpath("/iati-activities/iati-activity"):
        tags = [child.tag for child in element]
        assert tags == sorted(tags, key=SCHEMA_ORDER.index)


def test_a_full_project_element_by_element(projects):
    tree, _count = export(Project.objects.filter(pk=projects.full.pk))
    a = activity(tree, "XM-DAC-41114-PROJ-00123")
    assert (a.get("default-currency"), a.get(LANG)) == ("EUR", "en")
    reporting = a.find("reporting-org")
    assert (reporting.get("ref"), reporting.get("type")) == ("XM-DAC-41114", "40")
    assert narratives(reporting)["en"] == "United Nations Development Programme"
    assert narratives(reporting)["fr"] == "Programme des Nations Unies pour le développement"
    iati_titles = {"ar": TITLES["ar"], "en": TITLES["en"], "es": TITLES["es"], "fr": TITLES["fr"], "ru": TITLES["ru"],
                   "zh": TITLES["zh-hans"]}
    assert narratives(a.find("title")) == iati_titles
    assert a.find("description").get("type") == "1"
    assert narratives(a.find("description")) == {"zh" if k == "zh-hans" else k: v for k, v in DESCRIPTIONS.items()}
    orgs = a.findall("participating-org")
    assert [(o.get("role"), o.get("ref")) for o in orgs] == [("1", "XM-DAC-701"), ("2", "XM-DAC-41114"), ("4", None)]
    assert narratives(orgs[0]) == {"": "Japan"}
    assert narratives(orgs[2])["en"] == "United Nations Office on Drugs and Crime"
    assert a.find("activity-status").get("code") == "3"
    assert attributes(a.findall("activity-date")) == [{"type": "2", "iso-date": "2024-02-01"},
                                                      {"type": "4", "iso-date": "2025-01-31"}]
    # Mali 466 is ML and Niger 562 is NE in ISO 3166-1; 011 is the M49 region Western Africa.
    assert attributes(a.findall("recipient-country")) == [{"code": "ML", "percentage": "50"},
                                                          {"code": "NE", "percentage": "19.5"}]
    assert attributes(a.findall("recipient-region")) == [{"code": "011", "vocabulary": "2", "percentage": "30.5"}]
    assert attributes(a.findall("sector")) == [{"vocabulary": "1", "code": "15130", "percentage": "40"},
                                               {"vocabulary": "1", "code": "15210", "percentage": "60"}]
    assert attributes(a.findall("tag")) == [{"vocabulary": "3", "code": "16.4"}, {"vocabulary": "3", "code": "16.a"}]
    markers = a.findall("policy-marker")
    # Gender Equality Marker 3 is the OECD DAC gender marker's 2, principal objective.
    assert attributes(markers) == [{"vocabulary": "1", "code": "1", "significance": "2"},
                                   {"vocabulary": "99", "code": "UN-GEM", "significance": "3"},
                                   {"vocabulary": "99", "code": "UN-HRM", "significance": "2"}]
    assert narratives(markers[1]) == {"en": "UN Gender Equality Marker"}
    assert narratives(markers[2]) == {"en": "UN Human Rights Marker"}
    budgets = a.findall("budget")
    assert attributes(budgets) == [{"type": "1", "status": "2"}, {"type": "2", "status": "1"}]
    assert [(b.find("period-start").get("iso-date"), b.find("period-end").get("iso-date"), b.find("value").text,
             b.find("value").get("currency"), b.find("value").get("value-date")) for b in budgets] == [
        ("2024-02-01", "2024-12-31", "1200000", "EUR", "2024-02-01"),
        ("2025-01-01", "2025-01-31", "50000.5", "USD", "2025-01-01")]
    assert attributes(a.findall("related-activity")) == [{"type": "1", "ref": "XM-DAC-41114-OUTPUT-00099"},
                                                         {"type": "2", "ref": "XM-DAC-41114-PROJ-00124"}]


def test_transactions_of_a_full_project(projects):
    tree, _count = export(Project.objects.filter(pk=projects.full.pk))
    found = activity(tree, "XM-DAC-41114-PROJ-00123").findall("transaction")

    def org(t, tag):
        element = t.find(tag)
        return None if element is None else (element.get("ref"), narratives(element).get("en") or narratives(element).get(""))

    rows = [(t.get("ref"), t.find("transaction-type").get("code"), t.find("transaction-date").get("iso-date"),
             t.find("value").text, t.find("value").get("currency"), t.find("value").get("value-date"),
             None if t.find("description") is None else narratives(t.find("description"))[""],
             org(t, "provider-org"), org(t, "receiver-org")) for t in found]
    undp = ("XM-DAC-41114", "United Nations Development Programme")
    unodc = (None, "United Nations Office on Drugs and Crime")
    japan = ("XM-DAC-701", "Japan")
    # The requirement (2,000,000 on 2024-01-15) has no IATI transaction type and is left out; money
    # given by the lead entity (UNDP, the reporting organisation) is outgoing, money it receives incoming.
    assert rows == [
        (None, "13", "2024-01-20", "900000", "EUR", "2024-01-20", None, japan, undp),
        ("JP-2024-17", "11", "2024-02-10", "800000", "EUR", "2024-02-10", "Grant agreement", japan, undp),
        (None, "1", "2024-03-05", "400000.25", "EUR", "2024-03-05", None, (None, "Japan"), undp),
        (None, "2", "2024-04-01", "150000", "EUR", "2024-04-01", None, undp, unodc),
        (None, "3", "2024-04-15", "75000", "EUR", "2024-04-15", None, undp, unodc),
        (None, "12", "2024-04-20", "10000", "EUR", "2024-04-20", None, undp, (None, "Civil society partner")),
        (None, "4", "2024-05-31", "30000", "USD", "2024-05-31", None, None, None),
        (None, "1", "2024-06-30", "-12500", "EUR", "2024-06-30", "Refund of unspent funds", (None, "Japan"), undp),
    ]


def test_a_project_without_iati_identifier_gets_one_from_its_lead_entity(projects):
    tree, _count = export(Project.objects.filter(pk=projects.planned.pk))
    # UNODC has no IATI organisation identifier in the registry: its acronym stands in front.
    a = activity(tree, f"UNODC-COMPACT-{projects.planned.pk}")
    assert writer.platform_project_pk(f"UNODC-COMPACT-{projects.planned.pk}") == projects.planned.pk
    assert a.find("reporting-org").get("ref") == "" and a.find("reporting-org").get("type") == "40"
    assert narratives(a.find("title")) == {"en": "Border security in the Sahel", "fr": "Sécurité des frontières au Sahel"}
    assert narratives(a.find("description")) == {"en": "Joint training of border officers."}
    # Pipeline: the start and end are planned.
    assert attributes(a.findall("activity-date")) == [{"type": "1", "iso-date": "2025-01-01"},
                                                      {"type": "3", "iso-date": "2026-12-31"}]
    assert attributes(a.findall("recipient-country")) == [{"code": "ML", "percentage": "60"},
                                                          {"code": "NE", "percentage": "40"}]
    assert a.find("recipient-region") is None and a.find("transaction") is None and a.find("related-activity") is None
    # Gender Equality Marker 0 is the OECD DAC marker's 0, not targeted; no human rights marker.
    assert attributes(a.findall("policy-marker")) == [{"vocabulary": "1", "code": "1", "significance": "0"},
                                                      {"vocabulary": "99", "code": "UN-GEM", "significance": "0"}]


def test_a_project_with_nothing_optional_is_filled_in_as_the_schema_requires(projects):
    from django.utils import timezone

    tree, _count = export(Project.objects.filter(pk=projects.bare.pk))
    assert_valid(tree)
    a = activity(tree, f"UNODC-COMPACT-{projects.bare.pk}")
    assert a.get(LANG) == "ar" and narratives(a.find("title")) == {"ar": "مشروع مشترك"}
    assert narratives(a.find("description")) == {"ar": ""}
    (lead,) = a.findall("participating-org")
    assert lead.get("role") == "2" and narratives(lead)["en"] == "United Nations Office on Drugs and Crime"
    assert attributes(a.findall("activity-date")) == [
        {"type": "1", "iso-date": timezone.localdate(projects.bare.created).isoformat()}]
    assert [child.tag for child in a] == ["iati-identifier", "reporting-org", "title", "description", "participating-org",
                                          "activity-status", "activity-date"]


def test_last_updated_is_the_latest_change_of_the_project_or_its_flows(projects):
    tree, _count = export(Project.objects.filter(pk=projects.full.pk))
    latest = max([projects.full.updated, *(f.updated for f in projects.full.flows.all())])
    stamp = activity(tree, "XM-DAC-41114-PROJ-00123").get("last-updated-datetime")
    assert dt.datetime.fromisoformat(stamp) == latest.replace(microsecond=0)


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("1200000.000"), "1200000"), (Decimal("1.2E+6"), "1200000"), (Decimal("-250.50"), "-250.5"),
    (Decimal("0.000"), "0"), (Decimal("-0"), "0"), (Decimal("33.333"), "33.333")])
def test_amounts_are_plain_decimals(value, text):
    assert writer.decimal_text(value) == text


@pytest.mark.parametrize(("identifier", "pk"), [
    ("XM-DAC-41114-COMPACT-12", 12), ("UNODC-COMPACT-7", 7), ("XM-DAC-41114-PROJ-00123", None), ("COMPACT-0", None),
    ("", None)])
def test_platform_identifiers_read_back_to_the_project(identifier, pk):
    assert writer.platform_project_pk(identifier) == pk


def test_the_number_of_queries_does_not_grow_with_the_projects(projects):
    def queries(queryset) -> int:
        with CaptureQueriesContext(connection) as captured:
            export(queryset)
        return len(captured)

    one = queries(Project.objects.filter(pk=projects.full.pk))
    every = queries(Project.objects.all())
    assert one == every
    assert every <= 9  # projects, then areas, sectors, targets, budgets, related, participants, flows


def test_an_iterable_of_projects_gives_the_same_document_as_a_queryset(projects):
    queryset = writer.export_queryset(Project.objects.filter(stage="published").order_by("pk"))
    from_queryset, from_iterable = io.BytesIO(), io.BytesIO()
    assert writer.write_activities(queryset, from_queryset, generated=GENERATED) == 3
    assert writer.write_activities(iter(list(queryset)), from_iterable, generated=GENERATED) == 3
    assert from_iterable.getvalue() == from_queryset.getvalue()


def test_only_published_projects_are_exportable(projects):
    identifiers = {p.pk for p in writer.exportable(user=None)}
    assert identifiers == {projects.full.pk, projects.planned.pk, projects.bare.pk}


def test_named_projects_by_pk_or_iati_identifier(projects):
    refs = [str(projects.planned.pk), "XM-DAC-41114-PROJ-00123"]
    assert [p.pk for p in writer.exportable(user=None, refs=refs)] == sorted([projects.full.pk, projects.planned.pk])
    beyond = "9" * 30
    assert writer.missing_refs(user=None, refs=[*refs, str(projects.draft.pk), "XX-NONE-1", beyond]) == [
        str(projects.draft.pk), "XX-NONE-1", beyond]


def test_each_user_exports_the_published_projects_they_may_read(matrix_world):
    table = rule_table()
    projects = {key: item for key, item in matrix_world.items.items() if VARIANTS[key[0]][0] == "project"}
    for role, user in matrix_world.users.items():
        exported = set(writer.exportable(user=user).values_list("pk", flat=True))
        for (variant, level), project in projects.items():
            _kind, body, entity = VARIANTS[variant]
            assert (project.pk in exported) == expected(table, "export", level, ROLES[role], body, entity), (role, variant, level)


def test_a_confidential_project_is_not_in_a_non_participants_export(matrix_world):
    confidential = matrix_world.items[("project/body+entity", "confidential")]
    out = io.BytesIO()
    writer.export_activities(user=matrix_world.users["outsider"], out=out, generated=GENERATED)
    tree = etree.parse(io.BytesIO(out.getvalue()))
    assert f"UNDP-COMPACT-{confidential.pk}" not in tree.xpath("//iati-identifier/text()")
    # UNDP's IATI identifier is in the registry: the identifier starts with it.
    out = io.BytesIO()
    writer.export_activities(user=matrix_world.users["owner_focal_point"], out=out, generated=GENERATED)
    tree = etree.parse(io.BytesIO(out.getvalue()))
    assert f"XM-DAC-41114-COMPACT-{confidential.pk}" in tree.xpath("//iati-identifier/text()")
    assert_valid(tree)


def test_an_export_is_written_to_the_access_log(matrix_world):
    table = rule_table()
    user = matrix_world.users["owner_focal_point"]
    out = io.BytesIO()
    count = writer.export_activities(user=user, out=out, detail="to test.xml", generated=GENERATED)
    event = AccessEvent.objects.get()
    readable = {p.pk: level for (variant, level), p in matrix_world.items.items() if VARIANTS[variant][0] == "project"
                and expected(table, "export", level, ROLES["owner_focal_point"], *VARIANTS[variant][1:])}
    assert (event.action, event.user, event.row_count, event.detail) == ("export", user, count, "iati xml to test.xml")
    assert event.object_ids == sorted(readable) and count == len(readable)
    assert event.highest_sensitivity == max(readable.values(), key=LEVELS.index) == "confidential"


def _refless(ref: str, entity) -> str:
    """A ref equal to the entity's own IATI organisation identifier says nothing more than the entity."""
    return "" if entity is not None and ref == entity.iati_identifier else ref


def snapshot(project: Project) -> dict:
    """What the platform holds of ``project`` that IATI carries (not its lead working group, stage or
    sensitivity, which IATI has no place for), by natural keys."""
    from compact.core.i18n import all_translations

    def acronym(entity):
        return entity.acronym if entity is not None else None

    return {
        "title": all_translations(project, "title"), "description": all_translations(project, "description"),
        "lead_entity": project.lead_entity.acronym, "activity_status": project.activity_status,
        "start": project.start, "end": project.end, "gender_marker": project.gender_marker,
        "human_rights_marker": project.human_rights_marker, "default_currency": project.default_currency,
        "participants": sorted((p.role, acronym(p.entity), p.name, _refless(p.ref, p.entity))
                               for p in project.participants.all()),
        "sectors": sorted((s.vocabulary, s.code, s.percentage) for s in project.sectors.all()),
        "areas": sorted((a.code, a.percentage) for a in project.areas.all()),
        "sdg_targets": sorted(t.code for t in project.sdg_targets.all()),
        "budgets": sorted((b.period_start, b.period_end, b.amount, b.currency, b.value_date, b.type, b.status)
                          for b in project.budgets.all()),
        "related": sorted((r.type, r.ref) for r in project.related_activities.all()),
        "flows": sorted((f.kind, f.amount, f.currency, f.date, acronym(f.provider_entity), f.provider_name,
                         _refless(f.provider_ref, f.provider_entity), acronym(f.receiver_entity), f.receiver_name,
                         f.reference, f.description) for f in project.flows.exclude(kind="requirement")),
    }


def test_an_export_imports_back_to_the_same_data(projects):
    from django.utils import timezone

    from compact.funding.models import Flow
    from compact.interop.iati_services import iati_import
    from compact.registry.models import Body

    # UNODC has no IATI organisation identifier in the registry: its activities' reporting organisation has
    # no ref, and is matched to the entity by its name.
    chosen = [projects.full, projects.planned, projects.bare]
    before = {writer.activity_identifier(p): snapshot(p) for p in chosen}
    created = {projects.bare.pk: timezone.localdate(projects.bare.created)}
    first = io.BytesIO()
    writer.write_activities(writer.export_queryset(Project.objects.filter(pk__in=[p.pk for p in chosen]).order_by("pk")),
                            first, generated=GENERATED)
    Flow.objects.all().delete()
    Project.objects.all().delete()

    report = iati_import(actor=None, files=[("activities.xml", first.getvalue())], dry_run=False, reason="Round trip",
                         lead_body=Body.objects.get(key="wg-2"))
    assert report.ok, [str(p) for p in report.problems]
    assert report.counts == {"create": 3, "update": 0, "unchanged": 0, "skipped": 0}
    after = {p.iati_identifier: snapshot(p) for p in Project.objects.all()}
    assert set(after) == set(before)
    assert Flow.objects.filter(origin=Flow.Origin.IATI).count() == len(before["XM-DAC-41114-PROJ-00123"]["flows"]) == 8
    bare = f"UNODC-COMPACT-{projects.bare.pk}"
    for identifier in before:
        if identifier != bare:
            assert after[identifier] == before[identifier], identifier
    # What the schema requires and the bare project has not comes back as filled in: its lead entity as
    # accountable organisation and the day it was created as its start.
    filled = {**before[bare], "participants": [("2", "UNODC", "", "")], "start": created[projects.bare.pk]}
    assert after[bare] == filled

    second = io.BytesIO()
    writer.write_activities(writer.export_queryset(Project.objects.order_by("pk")), second, generated=GENERATED)

    def activities(document: bytes) -> dict[str, bytes]:
        found = {}
        for element in etree.parse(io.BytesIO(document)).xpath("//iati-activity"):
            del element.attrib["last-updated-datetime"]
            found[element.findtext("iati-identifier")] = etree.tostring(element)
        return found

    again, exported = activities(second.getvalue()), activities(first.getvalue())
    assert list(again) == list(exported)
    for identifier in exported:
        if identifier != bare:
            assert again[identifier] == exported[identifier], identifier
    # The bare project's filled-in start is now its own: actual, since it is in implementation (status 2).
    day = created[projects.bare.pk].isoformat()
    assert again[bare] == exported[bare].replace(f'<activity-date type="1" iso-date="{day}"/>'.encode(),
                                                 f'<activity-date type="2" iso-date="{day}"/>'.encode())


def test_an_export_imported_into_the_same_platform_changes_nothing(projects):
    """Re-importing the platform's own export (a project without an IATI identifier is found again by the
    number in its generated one; flows keyed in are not imported a second time) writes no change."""
    from compact.audit.models import ChangeEvent
    from compact.funding.models import Flow
    from compact.interop.iati_services import iati_import
    from compact.registry.models import Body

    chosen = [projects.full, projects.planned, projects.bare]
    out = io.BytesIO()
    writer.write_activities(writer.export_queryset(Project.objects.filter(pk__in=[p.pk for p in chosen]).order_by("pk")),
                            out, generated=GENERATED)
    events = ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first()
    flows, count = Flow.objects.count(), Project.objects.count()
    report = iati_import(actor=None, files=[("activities.xml", out.getvalue())], dry_run=False, reason="Same data",
                         lead_body=Body.objects.get(key="wg-2"))
    assert report.ok, [str(p) for p in report.problems]
    actions = {r.identifier: r.action for r in report.activities}
    assert actions["XM-DAC-41114-PROJ-00123"] == "unchanged", [(r.identifier, r.fields) for r in report.activities]
    assert (Project.objects.count(), Flow.objects.count()) == (count, flows)
    assert Project.objects.get(pk=projects.bare.pk).iati_identifier is None
    changed = [r for r in report.activities if r.action != "unchanged"]
    # only what the schema made the export fill in for the bare project may change
    assert all(r.identifier == f"UNODC-COMPACT-{projects.bare.pk}" for r in changed), changed
    assert {name for r in changed for name in r.fields} <= {"participant", "start", "title"}
    assert not ChangeEvent.objects.filter(object_type="funding.flow").order_by("-id").filter(
        id__gt=events).exists()  # no flow created or deleted
