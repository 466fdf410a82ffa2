"""The project services: validation of every IATI field, who may write, and the workflow.

Expected values are written by hand: sums of the percentages given, codes from the IATI 2.03 codelists
(15120 "Public sector financial management" is withdrawn from the Sector list), the seed's leadership
(see ``conftest.py``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired
from compact.projects import services
from compact.projects.models import Area, Budget, Participant, Project, Sector
from compact.registry.models import Body, Entity
from support.projects import DEFAULTS, _resolve, make_project

pytestmark = pytest.mark.django_db


def _data(**overrides):
    return _resolve(DEFAULTS | overrides)


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_create_stores_every_field_and_one_event_per_row(seeded):
    before = ChangeEvent.objects.count()
    project = make_project(None, iati_identifier="XM-DAC-41114-BS-1")
    project.refresh_from_db()
    assert project.stage == "draft"
    assert project.title_en == "Border security in the Sahel"
    assert project.title_fr == "Sécurité des frontières au Sahel"
    assert project.lead_entity.acronym == "UNODC" and project.lead_body.key == "wg-2"
    assert [b.key for b in project.working_groups.all()] == ["wg-2"]
    assert [p.number for p in project.pillars.all()] == [2]
    assert sorted((a.code, a.percentage) for a in project.areas.all()) == [("466", Decimal("60")), ("562", Decimal("40"))]
    assert [(p.role, p.entity and p.entity.acronym, p.name, p.ref) for p in project.participants.order_by("role")] == [
        ("1", None, "Japan", "XM-DAC-701"), ("4", "UNODC", "", "")]
    budget = project.budgets.get()
    assert (budget.amount, budget.currency) == (Decimal("1200000.00"), "USD")
    assert list(project.sdg_targets.values_list("code", flat=True)) == ["16.a"]
    # project + 2 participants + 1 sector + 2 areas + 1 SDG target + 1 budget
    assert ChangeEvent.objects.count() - before == 8
    event = ChangeEvent.objects.get(object_type="projects.project", object_id=str(project.pk))
    assert event.changes["working_groups"] == [[], [Body.objects.get(key="wg-2").pk]]


def test_three_equal_shares_of_33_33_are_refused_with_the_sum_and_the_items(seeded):
    thirds = [{"code": c, "percentage": Decimal("33.33")} for c in ("466", "562", "854")]
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(areas=thirds), reason="x")
    assert _errors(excinfo) == {"areas": [
        "Percentages of beneficiary countries and regions sum to 99.99, not 100: 33.33 + 33.33 + 33.33."]}
    assert not Project.objects.exists()


def test_shares_of_33_33_33_33_and_33_34_pass(seeded):
    shares = [{"code": "466", "percentage": Decimal("33.33")}, {"code": "562", "percentage": "33.33"},
              {"code": "854", "percentage": Decimal("33.34")}]
    project = services.project_create(actor=None, data=_data(areas=shares), reason="x")
    assert sum(project.areas.values_list("percentage", flat=True)) == Decimal("100")


def test_a_region_code_is_a_beneficiary_and_a_lone_area_needs_no_percentage(seeded):
    project = services.project_create(actor=None, data=_data(areas=[{"code": "2"}]), reason="x")
    assert list(project.areas.values_list("code", "percentage")) == [("002", Decimal("100"))]


def test_unknown_m49_codes_and_duplicates_are_named(seeded):
    areas = [{"code": "999", "percentage": Decimal("50")}, {"code": "466", "percentage": Decimal("25")},
             {"code": "466", "percentage": Decimal("25")}]
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(areas=areas), reason="x")
    assert _errors(excinfo)["areas"] == [
        "Beneficiary country or region 1: '999' is not a UN M49 country or region code.",
        "Beneficiary country or region 3: 466 is listed twice.",
    ]


def test_float_percentages_are_refused(seeded):
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(areas=[{"code": "466", "percentage": 100.0}]), reason="x")
    assert "not a floating-point number" in _errors(excinfo)["areas"][0]


def test_sector_percentages_sum_to_100_within_each_vocabulary(seeded):
    ok = [{"vocabulary": "1", "code": "15210", "percentage": Decimal("60")},
          {"vocabulary": "1", "code": "15113", "percentage": Decimal("40")},
          {"vocabulary": "7", "code": "16"}]
    project = services.project_create(actor=None, data=_data(sectors=ok), reason="x")
    assert project.sectors.count() == 3
    bad = [{"vocabulary": "1", "code": "15210", "percentage": Decimal("60")},
           {"vocabulary": "1", "code": "15113", "percentage": Decimal("30")}]
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(sectors=bad), reason="x")
    assert _errors(excinfo) == {"sectors": ["Percentages of sectors of vocabulary 1 sum to 90, not 100: 60 + 30."]}


def test_a_withdrawn_sector_code_is_refused_for_new_data_but_kept_when_stored(seeded):
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(sectors=[{"vocabulary": "1", "code": "15120"}]), reason="x")
    assert _errors(excinfo) == {"sectors": [
        "Sector 1: '15120' is withdrawn from the IATI codelist Sector and may not be used for new data."]}
    project = make_project(None)
    Sector.objects.filter(project=project).update(code="15120")  # stored before IATI withdrew it
    services.project_update(actor=None, project=project, reason="x", data={
        "sectors": [{"vocabulary": "1", "code": "15120", "percentage": Decimal("100")}]})
    assert list(project.sectors.values_list("code", flat=True)) == ["15120"]


def test_unknown_codes_are_refused_with_their_list(seeded):
    data = _data(activity_status="9", participants=[{"role": "7", "name": "Japan"}], sdg_targets=["16.z"])
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=data, reason="x")
    errors = _errors(excinfo)
    assert errors["activity_status"] == ["'9' is not a code of the IATI codelist ActivityStatus."]
    assert errors["participants"] == ["Participant 1: '7' is not a code of the IATI codelist OrganisationRole."]
    assert errors["sdg_targets"] == ["SDG target 1: '16.z' is not a code of the IATI codelist UNSDG-Targets."]


def test_participants_need_an_entity_or_a_name_and_an_implementer_is_only_recommended(seeded):
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(participants=[{"role": "1"}]), reason="x")
    assert _errors(excinfo) == {"participants": ["Participant 1: give a registry entity or the organisation's name."]}
    project = services.project_create(actor=None, data=_data(participants=[{"role": "1", "name": "Japan"}]), reason="x")
    assert list(Participant.objects.filter(project=project).values_list("role", "name")) == [("1", "Japan")]


def test_dates_in_order(seeded):
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(start=dt.date(2025, 6, 1), end=dt.date(2025, 5, 31)), reason="x")
    assert _errors(excinfo) == {"end": ["The project ends (2025-05-31) before it starts (2025-06-01)."]}


def test_budgets_periods_currencies_and_amounts(seeded):
    budgets = [
        {"period_start": dt.date(2025, 12, 31), "period_end": dt.date(2025, 1, 1), "amount": Decimal("1"), "currency": "USD"},
        {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31), "amount": Decimal("10.5"), "currency": "JPY"},
        {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31), "amount": Decimal("1"), "currency": "XYZ"},
        {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31), "amount": 5.0, "currency": "EUR"},
        {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31), "amount": Decimal("-1"), "currency": "EUR"},
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(budgets=budgets), reason="x")
    errors = _errors(excinfo)["budgets"]
    assert errors[0] == "Budget 1: the period ends (2025-01-01) before it starts (2025-12-31)."
    assert errors[1] == "Budget 2: JPY has no minor unit: 10.5 has 1 decimal place."
    assert errors[2] == "Budget 3: 'XYZ' is not a code of the IATI codelist Currency."
    assert errors[3].startswith("Budget 4: Amounts must be given as text or whole numbers")
    assert errors[4] == ("Budget 5: the amount of an original budget may not be negative (-1); only a revised budget "
                         "may reduce it.")
    assert len(errors) == 5


def test_a_revised_budget_may_be_negative(seeded):
    """IATI budgets of type 2 (revised) reduce an earlier budget: a negative amount is kept as given."""
    budgets = [{"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 3, 31), "amount": Decimal("-452381"),
                "currency": "GBP", "type": "2"}]
    project = services.project_create(actor=None, data=_data(budgets=budgets), reason="x")
    assert [(b.amount, b.type) for b in project.budgets.all()] == [(Decimal("-452381"), "2")]


def test_lead_body_must_be_a_working_group_and_lead_entity_a_compact_entity(seeded):
    stranger = Entity.objects.create(acronym="NEWCO", name="New organisation", kind="non_un")
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(lead_body=Body.objects.get(key="committee"), lead_entity=stranger),
                                reason="x")
    assert _errors(excinfo) == {"lead_body": ["The lead working group must be a working group."],
                                "lead_entity": ["NEWCO does not take part in the Compact."]}


def test_iati_identifier_unique_and_well_formed(seeded):
    make_project(None, iati_identifier="XM-DAC-41114-1")
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(iati_identifier="XM-DAC-41114-1"), reason="x")
    assert _errors(excinfo) == {"iati_identifier": [
        "Another joint project already has the IATI activity identifier XM-DAC-41114-1."]}
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(iati_identifier="XM/1"), reason="x")
    assert list(_errors(excinfo)) == ["iati_identifier"]


def test_markers_currency_and_sensitivity(seeded):
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(gender_marker=4, human_rights_marker=True,
                                                       default_currency="EURO", sensitivity="secret"), reason="x")
    assert set(_errors(excinfo)) == {"gender_marker", "human_rights_marker", "default_currency", "sensitivity"}


def test_update_changes_only_the_keys_given_and_replaces_lists(seeded):
    project = make_project(None)
    kept_area = project.areas.get(code="466").pk
    before = ChangeEvent.objects.count()
    services.project_update(actor=None, project=project, reason="Niger leaves", data={
        "areas": [{"code": "466", "percentage": Decimal("60")}, {"code": "854", "percentage": Decimal("40")}]})
    project.refresh_from_db()
    assert project.title_en == "Border security in the Sahel"
    assert sorted(project.areas.values_list("code", flat=True)) == ["466", "854"]
    assert project.areas.get(code="466").pk == kept_area  # unchanged row kept
    assert ChangeEvent.objects.count() - before == 2  # 562 deleted, 854 created; the project itself unchanged
    assert Area.objects.filter(project=project).count() == 2


def test_a_published_project_stays_published_and_its_changes_need_a_reason(seeded):
    project = make_project(None, stage="published")
    with pytest.raises(ReasonRequired):
        services.project_update(actor=None, project=project, data={"description": "New text"})
    services.project_update(actor=None, project=project, data={"description": "New text"}, reason="Typo")
    project.refresh_from_db()
    assert (project.stage, project.description_en) == ("published", "New text")


def test_who_may_create(world):
    u = world.users
    with pytest.raises(PermissionDenied):
        services.project_create(actor=u.outsider, data=_data(), reason="x")
    with pytest.raises(PermissionDenied):  # UNODA's focal point, for UNODC
        services.project_create(actor=u.unoda, data=_data(), reason="x")
    assert services.project_create(actor=u.unodc, data=_data(), reason="x").created_by == u.unodc


def test_a_confidential_project_needs_a_reason(world):
    with pytest.raises(ReasonRequired):
        services.project_create(actor=world.users.unodc, data=_data(sensitivity="confidential"))


def test_workflow_steps_and_who_takes_them(world):
    u, project = world.users, world.projects.internal2
    with pytest.raises(ValidationError) as excinfo:
        services.project_publish(actor=u.secretariat, project=project, reason="x")
    assert _errors(excinfo) == {"stage": ["A joint project cannot go from draft to published."]}
    with pytest.raises(ReasonRequired):
        services.project_submit(actor=u.unodc, project=project, reason=" ")
    with pytest.raises(PermissionDenied):
        services.project_submit(actor=u.unoda, project=project, reason="x")
    services.project_submit(actor=u.unodc, project=project, reason="Ready")
    for not_officer in (u.unodc, u.secretariat, u.unoda):  # UNODC is an officer of wg-4 only
        with pytest.raises(PermissionDenied):
            services.project_endorse(actor=not_officer, project=project, reason="x")
    services.project_endorse(actor=u.wco, project=project, reason="Endorsed at the meeting")
    with pytest.raises(PermissionDenied):
        services.project_publish(actor=u.wco, project=project, reason="x")
    services.project_publish(actor=u.secretariat, project=project, reason="In the appeal")
    with pytest.raises(PermissionDenied):
        services.project_return(actor=u.unodc, project=project, reason="x")
    services.project_return(actor=u.wco, project=project, reason="Budget to revise")
    project.refresh_from_db()
    assert project.stage == "draft"
    steps = list(ChangeEvent.objects.filter(object_type="projects.project", object_id=str(project.pk),
                                            action="update", changes__has_key="stage").order_by("pk").values_list("changes", "reason"))
    assert steps == [({"stage": ["draft", "submitted"]}, "Ready"),
                     ({"stage": ["submitted", "endorsed"]}, "Endorsed at the meeting"),
                     ({"stage": ["endorsed", "published"]}, "In the appeal"),
                     ({"stage": ["published", "draft"]}, "Budget to revise")]


def test_delete(world):
    u = world.users
    with pytest.raises(ValidationError):
        services.project_delete(actor=u.secretariat, project=world.projects.public3, reason="x")
    with pytest.raises(ReasonRequired):
        services.project_delete(actor=u.unodc, project=world.projects.internal2, reason="")
    with pytest.raises(PermissionDenied):
        services.project_delete(actor=u.unoda, project=world.projects.internal2, reason="x")
    services.project_delete(actor=u.unodc, project=world.projects.internal2, reason="Duplicate")
    assert not Project.objects.filter(pk=world.projects.internal2.pk).exists()
    assert not Budget.objects.filter(project_id=world.projects.internal2.pk).exists()


def test_changing_only_the_rows_of_a_confidential_project_needs_a_reason(world):
    """docs/access.md: a change to anything confidential must say why; a project's areas, budgets and
    other rows follow it, so changing only them (no field of the project itself) needs a reason too."""
    project = world.projects.confidential2
    project.stage = "draft"
    Project.objects.filter(pk=project.pk).update(stage="draft")
    before = list(Area.objects.filter(project=project).values_list("code", "percentage"))
    events = ChangeEvent.objects.count()
    with pytest.raises(ReasonRequired):
        services.project_update(actor=world.users.unodc, project=project,
                                data={"areas": [{"code": "566", "percentage": Decimal("100")}]})
    assert list(Area.objects.filter(project=project).values_list("code", "percentage")) == before
    assert ChangeEvent.objects.count() == events
    services.project_update(actor=world.users.unodc, project=project,
                            data={"areas": [{"code": "566", "percentage": Decimal("100")}]}, reason="Nigeria only")
    assert list(Area.objects.filter(project=project).values_list("code", flat=True)) == ["566"]


def test_a_budget_longer_than_fifteen_significant_digits_is_refused(seeded):
    """As funding flows: an amount SQLite could not keep exactly (more than 15 significant digits) is
    named, with its budget line."""
    budget = {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31),
              "amount": Decimal("1234567890123456.78"), "currency": "USD"}
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(actor=None, data=_data(budgets=[budget]))
    assert _errors(excinfo)["budgets"] == [
        "Budget 1: 1234567890123456.78 has more than 15 significant digits, which cannot be stored exactly."]
