"""IATI import (``compact.interop.iati_services.iati_import``): real files, re-imports, dry runs, failures,
disappeared activities, relevance selection and access. Expected figures are counted in each test
directly from the XML with plain lxml, independently of the reader."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from compact.audit.models import ChangeEvent
from compact.funding.models import Flow
from compact.interop.iati.selection import Selection
from compact.interop.iati_services import iati_import
from compact.projects.models import Project
from compact.registry.models import Body, Entity, EntityAlias
from support.iati import DFID, activities, activity, transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def wg2(seeded):
    return Body.objects.get(key="wg-2")


@pytest.fixture
def unodc(seeded):
    return Entity.objects.get(acronym="UNODC")


def _dfid(**options):
    return iati_import(actor=None, files=[(DFID.name, DFID)], reason="DFID Haiti file", **options)


def _counts(path):
    """Independent counts of the DFID file: activities, transactions the platform keeps (IATI types 1-4,
    11-13, value not 0), negative ones, budgets, negative budgets, related activities."""
    tree = etree.parse(str(path))
    kept = [t for t in tree.iter("transaction")
            if t.find("transaction-type").get("code") in {"1", "2", "3", "4", "11", "12", "13"}
            and Decimal(t.findtext("value").strip()) != 0]
    return {
        "activities": len(tree.xpath("//iati-activity")),
        "transactions": len(kept),
        "negative": sum(1 for t in kept if Decimal(t.findtext("value").strip()) < 0),
        "budgets": len(tree.xpath("//iati-activity/budget")),
        "negative_budgets": sum(1 for b in tree.xpath("//iati-activity/budget") if Decimal(b.findtext("value")) < 0),
        "related": len(tree.xpath("//iati-activity/related-activity")),
        "languages": set(tree.xpath("//@xml:lang")),
    }


def test_the_dfid_file_imports_with_the_counts_of_the_xml(wg2, unodc):
    expected = _counts(DFID)
    assert expected["activities"] == 54 and expected["negative"] == 15 and expected["negative_budgets"] == 6
    report = _dfid(dry_run=False, lead_body=wg2, lead_entity=unodc)
    assert report.ok, report.problems[:5]
    assert report.counts == {"create": 54, "update": 0, "unchanged": 0, "skipped": 0}
    assert report.files == [{"name": DFID.name, "version": "2.01", "size": DFID.stat().st_size, "activities": 54}]
    projects = Project.objects.filter(iati_identifier__startswith="GB-1-")
    assert projects.count() == 54
    flows = Flow.objects.filter(project__in=projects)
    assert flows.count() == expected["transactions"] == 329
    assert flows.filter(origin=Flow.Origin.IATI).count() == 329
    assert flows.filter(amount__lt=0).count() == expected["negative"]
    assert set(flows.values_list("currency", flat=True)) == {"GBP"}  # values without currency: default-currency
    budgets = [b for p in projects for b in p.budgets.all()]
    assert len(budgets) == expected["budgets"] and sum(1 for b in budgets if b.amount < 0) == 6
    related = sum(p.related_activities.count() for p in projects)
    assert related == expected["related"]
    assert expected["languages"] == {"en"}
    assert all(p.title_en and not p.title_fr for p in projects)
    unknown = {o["ref"]: o for o in report.unknown_organisations}
    assert unknown["GB-GOV-1"]["activities"] == 54


def test_one_dfid_activity_field_by_field(wg2, unodc):
    _dfid(dry_run=False, lead_body=wg2, lead_entity=unodc)
    project = Project.objects.get(iati_identifier="GB-1-110948")
    assert project.title_en == "Debt relief payments to multilaterals"
    assert project.description_en == "Support the multilaterals to deliver debt relief to poor countries as required."
    assert project.lead_entity == unodc and project.lead_body == wg2 and project.stage == "draft"
    assert project.activity_status == "4"
    assert (project.start, project.end) == (dt.date(1999, 4, 1), dt.date(2015, 7, 31))  # actual dates (types 2, 4)
    assert project.default_currency == "GBP"
    # HT 2.4139 % and OECD DAC region 998 "developing countries, unspecified" (97.5861 %) -> M49 001 World
    assert [(a.code, a.percentage) for a in project.areas.order_by("code")] == [
        ("001", Decimal("97.5861")), ("332", Decimal("2.4139"))]
    assert [(s.vocabulary, s.code, s.percentage) for s in project.sectors.order_by("code")] == [
        ("1", "60010", Decimal("18.68")), ("1", "99810", Decimal("81.32"))]
    assert sorted(r.ref for r in project.related_activities.filter(type="2")) == [
        f"GB-1-110948-10{n}" for n in range(1, 8)]
    assert sorted(p.role for p in project.participants.all()) == ["1", "2", "3"]
    assert {p.name for p in project.participants.all()} == {"Department for International Development"}


def test_reimporting_the_same_file_changes_nothing(wg2, unodc):
    _dfid(dry_run=False, lead_body=wg2, lead_entity=unodc)
    events = ChangeEvent.objects.count()
    flows = Flow.objects.count()
    report = _dfid(dry_run=False, lead_body=wg2, lead_entity=unodc)
    assert report.ok and report.counts == {"create": 0, "update": 0, "unchanged": 54, "skipped": 0}
    assert ChangeEvent.objects.count() == events and Flow.objects.count() == flows
    assert Project.objects.count() == 54


def test_a_dry_run_reports_and_writes_nothing(wg2, unodc):
    events = ChangeEvent.objects.count()
    report = _dfid(dry_run=True, lead_body=wg2, lead_entity=unodc)
    assert report.ok and not report.written and report.counts["create"] == 54
    assert Project.objects.count() == 0 and Flow.objects.count() == 0 and ChangeEvent.objects.count() == events


def test_one_bad_activity_and_nothing_is_written(wg2):
    data = activities(activity("XM-DAC-41114-OK-1"),
                      activity("XM-DAC-41114-BAD-2", extra='<recipient-country code="ML" percentage="60"/>'
                                                        '<recipient-country code="NE" percentage="30"/>'))
    report = iati_import(actor=None, files=[("two.xml", data)], dry_run=False, reason="x", lead_body=wg2)
    assert not report.ok and not report.written
    assert [(p.activity, p.file) for p in report.problems] == [("XM-DAC-41114-BAD-2", "two.xml")]
    starts = [n for n, line in enumerate(data.decode().splitlines(), start=1) if "<iati-activity " in line]
    assert report.problems[0].line >= starts[1]  # located in the second activity
    assert Project.objects.count() == 0


def test_updates_replace_imported_flows_and_keep_those_keyed_in(wg2):
    from compact.funding.services import flow_create

    first = activities(activity("XM-DAC-41114-F-1", extra=transaction("11", "1000", provider="Japan")
                                + transaction("3", "-200", date="2025-04-01")))
    report = iati_import(actor=None, files=[("f.xml", first)], dry_run=False, reason="x", lead_body=wg2)
    assert report.ok, report.problems
    project = Project.objects.get(iati_identifier="XM-DAC-41114-F-1")
    assert project.lead_entity.acronym == "UNDP"  # reporting-org XM-DAC-41114 is UNDP's IATI identifier
    keyed = flow_create(actor=None, project=project, kind="pledge", amount="50", currency="USD",
                        date="2025-01-15", provider_name="Norway", reason="keyed in")
    second = activities(activity("XM-DAC-41114-F-1", extra=transaction("11", "1500", provider="Japan")
                                 + transaction("3", "-200", date="2025-04-01")))
    report = iati_import(actor=None, files=[("f.xml", second)], dry_run=False, reason="x", lead_body=wg2)
    assert report.ok and report.counts["update"] == 1
    assert report.activities[0].fields == ("flow",)
    assert sorted((f.kind, f.amount, f.origin) for f in project.flows.all()) == [
        ("commitment", Decimal("1500"), "iati"), ("disbursement", Decimal("-200"), "iati"), ("pledge", Decimal("50"), "platform")]
    assert Flow.objects.filter(pk=keyed.pk).exists()


def test_an_activity_that_disappeared_is_reported_not_deleted(wg2):
    both = activities(activity("XM-DAC-41114-D-1"), activity("XM-DAC-41114-D-2"))
    iati_import(actor=None, files=[("d.xml", both)], dry_run=False, reason="x", lead_body=wg2)
    report = iati_import(actor=None, files=[("d.xml", activities(activity("XM-DAC-41114-D-1")))], dry_run=False,
                         reason="x", lead_body=wg2)
    assert report.ok
    assert [d["identifier"] for d in report.disappeared] == ["XM-DAC-41114-D-2"]
    assert Project.objects.filter(iati_identifier="XM-DAC-41114-D-2").exists()


def test_selection_keeps_relevant_activities_and_says_why(wg2):
    data = activities(
        activity("XM-DAC-41114-S-1", title="Security sector reform",
                 extra='<sector vocabulary="1" code="15210" percentage="100"/>'),
        activity("XM-DAC-41114-S-2", title="Community resilience", title_fr="Prévention de l'extrémisme violent"),
        activity("XM-DAC-41114-S-3", title="Rule of law", extra='<tag vocabulary="3" code="16.a"/>'),
        activity("XM-DAC-41114-S-4", title="Maternal health"),
    )
    report = iati_import(actor=None, files=[("s.xml", data)], dry_run=False, reason="x", lead_body=wg2,
                         selection=Selection.counter_terrorism())
    assert report.ok, report.problems
    why = {r.identifier: (r.action, r.kept_because) for r in report.activities}
    assert why["XM-DAC-41114-S-1"] == ("create", ("sector 15210 (Security system management and reform)",))
    assert why["XM-DAC-41114-S-2"] == ("create", ("keyword “extremisme violent” in the title (fr)",))
    assert why["XM-DAC-41114-S-3"] == ("create", ("SDG target 16.a (tag)",))
    assert why["XM-DAC-41114-S-4"] == ("skipped", ())
    assert sorted(Project.objects.values_list("iati_identifier", flat=True)) == [
        "XM-DAC-41114-S-1", "XM-DAC-41114-S-2", "XM-DAC-41114-S-3"]


def test_an_unknown_reporting_organisation_is_mapped_by_an_alias(wg2, unodc):
    data = activities(activity("GB-GOV-1-A-1", reporting="GB-GOV-1"))
    report = iati_import(actor=None, files=[("a.xml", data)], dry_run=False, reason="x", lead_body=wg2)
    assert not report.ok and "GB-GOV-1" in report.problems[0].message
    assert report.unknown_organisations[0]["ref"] == "GB-GOV-1"
    EntityAlias.objects.create(entity=unodc, name="gb-gov-1")
    report = iati_import(actor=None, files=[("a.xml", data)], dry_run=False, reason="x", lead_body=wg2)
    assert report.ok and Project.objects.get(iati_identifier="GB-GOV-1-A-1").lead_entity == unodc


def test_markers_read_back_on_the_un_scale(wg2):
    data = activities(
        activity("XM-DAC-41114-M-1", extra='<policy-marker vocabulary="1" code="1" significance="1"/>'),
        activity("XM-DAC-41114-M-2", extra='<policy-marker vocabulary="1" code="1" significance="2"/>'
                                           '<policy-marker vocabulary="99" code="UN-GEM" significance="1"/>'
                                           '<policy-marker vocabulary="99" code="UN-HRM" significance="3"/>'))
    report = iati_import(actor=None, files=[("m.xml", data)], dry_run=False, reason="x", lead_body=wg2)
    assert report.ok, report.problems
    markers = dict(Project.objects.values_list("iati_identifier", "gender_marker"))
    assert markers == {"XM-DAC-41114-M-1": 2, "XM-DAC-41114-M-2": 1}
    assert Project.objects.get(iati_identifier="XM-DAC-41114-M-2").human_rights_marker == 3


def test_a_focal_point_imports_only_for_their_entity(wg2, make_user):
    focal = make_user("amara.diallo", entity="OHCHR")  # not an officer of wg-2 (its chair is CTED)
    data = activities(activity("XM-DAC-41114-P-1"))  # reported by UNDP: a UNDP project
    report = iati_import(actor=focal, files=[("p.xml", data)], dry_run=False, reason="x", lead_body=wg2)
    assert not report.ok and report.problems[0].activity == "XM-DAC-41114-P-1"
    assert "may not add" in report.problems[0].message
    assert Project.objects.count() == 0
    own = activities(activity("XM-DAC-41114-P-2"))
    officer = make_user("lena.varga", entity="UNODC")  # UNODC is vice-chair of wg-2: its focal points are officers
    assert iati_import(actor=officer, files=[("p.xml", own)], dry_run=False, reason="x", lead_body=wg2).written


def test_a_legacy_file_is_refused_with_its_version(wg2):
    path = DFID.parent / "undp_sample-legacy-1.x.xml"
    report = iati_import(actor=None, files=[(path.name, path)], dry_run=False, reason="x", lead_body=wg2)
    assert not report.ok and "1." in report.problems[0].message and "2.01" in report.problems[0].message
    assert Project.objects.count() == 0


def test_a_reason_is_required_unless_dry_run(wg2):
    from compact.audit.services import ReasonRequired

    with pytest.raises(ReasonRequired):
        iati_import(actor=None, files=[("x.xml", activities(activity("XM-DAC-41114-R-1")))], dry_run=False,
                    reason=" ", lead_body=wg2)


def test_faults_found_further_on_are_problems(wg2):
    empty = b'<?xml version="1.0"?>\n<iati-activities version="2.03"></iati-activities>\n'
    report = iati_import(actor=None, files=[("empty.xml", empty)], dry_run=False, reason="x", lead_body=wg2)
    assert not report.ok and report.problems[0].file == "empty.xml"
    padding = "".join(activity(f"XM-DAC-41114-L-{n}") for n in range(60))  # past the part read at the start
    broken = activities(padding).replace(b"</iati-activities>", b"<iati-activity></iati-activities>")
    report = iati_import(actor=None, files=[("broken.xml", broken)], dry_run=False, reason="x", lead_body=wg2)
    assert not report.ok and report.problems[-1].line is not None
    assert Project.objects.count() == 0


def test_transactions_keep_their_value_date(wg2):
    valued = ('<transaction><transaction-type code="11"/><transaction-date iso-date="2025-03-01"/>'
              '<value value-date="2025-01-15" currency="EUR">1000</value>'
              '<provider-org><narrative>Japan</narrative></provider-org></transaction>')
    data = activities(activity("XM-DAC-41114-V-1", extra=valued + transaction("11", "50", date="2025-04-01",
                                                                                provider="Japan")))
    report = iati_import(actor=None, files=[("v.xml", data)], dry_run=False, reason="x", lead_body=wg2)
    assert report.ok, report.problems
    flows = Project.objects.get(iati_identifier="XM-DAC-41114-V-1").flows.order_by("date")
    assert [(f.date, f.value_date, f.currency) for f in flows] == [
        (dt.date(2025, 3, 1), dt.date(2025, 1, 15), "EUR"), (dt.date(2025, 4, 1), None, "USD")]


def test_a_dry_run_writes_nothing_and_opens_no_transaction(wg2, unodc):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = _dfid(dry_run=True, lead_body=wg2, lead_entity=unodc)
    assert report.ok and report.counts["create"] == 54
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN")]
    assert writes == []


def test_an_identifier_ending_like_the_platforms_does_not_take_over_a_project(wg2, unodc):
    from support.projects import make_project

    project = make_project(None, iati_identifier=None, title={"en": "Kept as it is"})
    forged = activities(activity(f"GB-COH-999-COMPACT-{project.pk}", reporting="GB-COH-999", title="Forged"))
    report = iati_import(actor=None, files=[("f.xml", forged)], dry_run=False, reason="x", lead_body=wg2,
                         lead_entity=unodc)
    assert report.ok and report.counts == {"create": 1, "update": 0, "unchanged": 0, "skipped": 0}
    project.refresh_from_db()
    assert project.title_en == "Kept as it is"


def test_the_dfid_activities_that_disappear_are_reported_by_their_publisher(wg2, unodc):
    _dfid(dry_run=False, lead_body=wg2, lead_entity=unodc)
    tree = etree.parse(str(DFID))
    gone = tree.xpath("//iati-activity[iati-identifier='GB-1-201483-101']")[0]
    gone.getparent().remove(gone)
    report = iati_import(actor=None, files=[("dfid.xml", etree.tostring(tree))], dry_run=True, reason="x",
                         lead_body=wg2, lead_entity=unodc)
    assert report.ok and [d["identifier"] for d in report.disappeared] == ["GB-1-201483-101"]
    assert Project.objects.get(iati_identifier="GB-1-201483-101").iati_reporting_org == "GB-GOV-1"


def test_shares_are_corrected_only_for_rounding(wg2):
    # the official 2.03 example's reading: one 100 split across all vocabularies, 25 % in a vocabulary-99 region
    split = activities(activity("XM-DAC-41114-A-1", extra=(
        '<recipient-country code="ML" percentage="40"/><recipient-country code="NE" percentage="35"/>'
        '<recipient-region vocabulary="99" code="A1" percentage="25"/>')))
    report = iati_import(actor=None, files=[("a.xml", split)], dry_run=True, reason="x", lead_body=wg2)
    assert not report.ok and "add up to 75" in report.problems[0].message
    # per vocabulary: the countries make 100 on their own; the region of vocabulary 99 is left aside
    apart = activities(activity("XM-DAC-41114-A-2", extra=(
        '<recipient-region vocabulary="1" code="289" percentage="33.33333"/>'
        '<recipient-region vocabulary="1" code="189" percentage="33.33333"/>'
        '<recipient-region vocabulary="1" code="1030" percentage="33.33334"/>'
        '<recipient-region vocabulary="99" code="A1" percentage="100"/>'
        '<sector vocabulary="1" code="15210" percentage="100"/><sector vocabulary="1" code="15220" percentage="0"/>')))
    report = iati_import(actor=None, files=[("b.xml", apart)], dry_run=False, reason="x", lead_body=wg2)
    assert report.ok, report.problems
    project = Project.objects.get(iati_identifier="XM-DAC-41114-A-2")
    # 289 -> 202 Sub-Saharan Africa, 189 -> 015 Northern Africa, 1030 -> 011 Western Africa; four decimals kept,
    # 33.3333 + 33.3333 + 33.3333 = 99.9999 made 100 on the largest share (the first of the equal ones)
    assert sorted((a.code, a.percentage) for a in project.areas.all()) == [
        ("011", Decimal("33.3333")), ("015", Decimal("33.3333")), ("202", Decimal("33.3334"))]
    assert [s.code for s in project.sectors.all()] == ["15210"]


def test_incoming_funds_without_a_provider_and_an_early_planned_end(wg2):
    data = activities(activity("XM-DAC-41114-N-1", start="2025-01-01", end="2024-12-31", extra=transaction("1", "500")))
    data = data.replace(b'<activity-date type="1" iso-date="2025-01-01"/>',
                        b'<activity-date type="2" iso-date="2025-01-01"/>')
    report = iati_import(actor=None, files=[("n.xml", data)], dry_run=False, reason="x", lead_body=wg2)
    assert report.ok, report.problems
    project = Project.objects.get(iati_identifier="XM-DAC-41114-N-1")
    assert (project.start, project.end) == (dt.date(2025, 1, 1), None)
    assert project.flows.get().provider_name == "(provider not named in the IATI file)"


def test_entity_references_are_a_problem_not_a_crash(wg2):
    data = activities(activity("XM-DAC-41114-E-1", title="&org;")).replace(
        b"<iati-activities", b'<!DOCTYPE iati-activities [<!ENTITY org "UNDP">]>\n<iati-activities', 1)
    report = iati_import(actor=None, files=[("e.xml", data)], dry_run=True, reason="x", lead_body=wg2)
    assert not report.ok and report.problems[0].file == "e.xml"


def test_a_failed_import_links_to_no_project(wg2):
    data = activities(activity("XM-DAC-41114-G-1"), activity("GB-GOV-1-G-2", reporting="GB-GOV-1"))
    report = iati_import(actor=None, files=[("g.xml", data)], dry_run=False, reason="x", lead_body=wg2)
    assert not report.ok
    assert [(r.identifier, r.action, r.project_id) for r in report.activities] == [("XM-DAC-41114-G-1", "create", None)]


def test_own_export_with_parties_kept_by_name_or_by_other_identifiers_imports_unchanged(wg2):
    import io

    from compact.funding.services import flow_create
    from compact.interop.iati import writer
    from support.projects import make_project

    project = make_project(None, iati_identifier="XM-DAC-41114-RT-1", lead_entity="UNDP", stage="published",
                           participants=[{"role": "3", "entity": "UNODC", "ref": "XM-DAC-41122"},
                                         {"role": "1", "name": "Japan", "ref": "XM-DAC-701"}])
    unodc = Entity.objects.get(acronym="UNODC")
    flow_create(actor=None, project=project, kind="disbursement", amount="1000", currency="USD", date="2025-02-01",
                provider_entity=unodc, provider_ref="XM-DAC-41122", reason="x")
    flow_create(actor=None, project=project, kind="pledge", amount="7000", currency="USD", date="2025-02-02",
                provider_name="Japan", receiver_name="UNODC", reason="x")
    out = io.BytesIO()
    writer.write_activities(writer.export_queryset(Project.objects.filter(pk=project.pk)), out)
    flows = Flow.objects.count()
    report = iati_import(actor=None, files=[("own.xml", out.getvalue())], dry_run=False, reason="x", lead_body=wg2)
    assert report.ok, report.problems
    assert [(r.action, r.fields) for r in report.activities] == [("unchanged", ())]
    assert Flow.objects.count() == flows
    matched = [n for n in report.notes if "XM-DAC-41122" in n.message]
    assert [(n.file, n.activity) for n in matched] == [("own.xml", "XM-DAC-41114-RT-1")]
    assert "matched to UNODC by its name" in matched[0].message


@pytest.mark.parametrize("codec", ["zlib", "base64", "rot13", "punycode", "undefined"])
def test_an_encoding_that_is_not_a_character_set_is_refused(wg2, codec):
    data = activities(activity("XM-DAC-41114-C-1")).replace(b'encoding="UTF-8"', f'encoding="{codec}"'.encode())
    report = iati_import(actor=None, files=[("c.xml", data)], dry_run=True, reason="x", lead_body=wg2)
    assert not report.ok and report.problems[0].file == "c.xml"


def test_an_activity_with_thousands_of_bad_codes_reports_a_bounded_list(wg2):
    from compact.interop.iati.reader import MAX_FINDINGS

    sectors = "".join(f'<sector vocabulary="1" code="9999{n % 10}" percentage="0.05"/>' for n in range(2000))
    report = iati_import(actor=None, files=[("s.xml", activities(activity("XM-DAC-41114-S-9", extra=sectors)))],
                         dry_run=True, reason="x", lead_body=wg2)
    assert not report.ok
    assert len(report.problems) <= MAX_FINDINGS + 5
    assert any("more problems in this activity" in p.message for p in report.problems)


def test_lines_of_a_declared_single_byte_encoding_after_blank_lines_are_the_files(wg2):
    text = activities(activity("XM-DAC-41114-L-1", extra='<sector vocabulary="1" code="99999"/>')).decode()
    text = "\n\n\n" + text.replace('encoding="UTF-8"', 'encoding="windows-1252"')
    lines = text.splitlines()
    expected = next(n for n, line in enumerate(lines, start=1) if 'code="99999"' in line)
    report = iati_import(actor=None, files=[("w.xml", text.encode("cp1252"))], dry_run=True, reason="x", lead_body=wg2)
    assert [p.line for p in report.problems] == [expected]
