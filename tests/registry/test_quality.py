"""Data-quality checks of the registry: each rule on a small registry built by hand, then on the seed.

Each rule has a case that triggers it and one that does not, with open-ended periods and boundary
dates (ends are inclusive). The expected findings on the seed are worked out by hand from
seeds/000_14bd83fab919f17c.txt and src/compact/data/global-ct-compact.yaml.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import types

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import Resolver404, include, path, resolve

from compact.registry.models import Body, Entity, LeadershipRole, Participation, Pillar, Strategy
from compact.registry.quality import Finding, run_checks

D = dt.date
CHAIR, CO_CHAIR, VICE_CHAIR = LeadershipRole.Role.CHAIR, LeadershipRole.Role.CO_CHAIR, LeadershipRole.Role.VICE_CHAIR
MEMBER, OBSERVER = Participation.Capacity.MEMBER, Participation.Capacity.OBSERVER
ESTABLISHED = D(2019, 4, 16)


# --- Building small registries -------------------------------------------------------------------------


def entity(acronym: str) -> Entity:
    return Entity.objects.create(acronym=acronym, name=acronym, kind=Entity.Kind.UN)


def pillar() -> Pillar:
    """Pillar 1 of a strategy (a working group belongs to a pillar)."""
    strategy, _ = Strategy.objects.get_or_create(key="gcts", defaults={
        "title": "Strategy", "resolution": "60/288", "adopted": D(2006, 9, 8)})
    return Pillar.objects.get_or_create(number=1, defaults={"strategy": strategy, "title": "Pillar 1"})[0]


def group(number: int, *, established: dt.date = ESTABLISHED, dissolved: dt.date | None = None) -> Body:
    return Body.objects.create(
        key=f"wg-{number}", kind=Body.Kind.WORKING_GROUP, number=number, title=f"Group {number}",
        pillar=pillar(), established=established, dissolved=dissolved,
    )


def role(who: Entity, body: Body, kind: str, start: dt.date, end: dt.date | None = None) -> LeadershipRole:
    return LeadershipRole.objects.create(entity=who, body=body, role=kind, start=start, end=end)


def member(who: Entity, body: Body, start: dt.date = ESTABLISHED, end: dt.date | None = None, *, capacity=MEMBER) -> Participation:
    return Participation.objects.create(entity=who, body=body, capacity=capacity, start=start, end=end)


def led_group(number: int, acronym: str, **dates) -> tuple[Body, Entity]:
    """A group chaired by a member entity from its establishment, still: passes every rule."""
    body, chair = group(number, **dates), entity(acronym)
    member(chair, body, body.established)
    role(chair, body, CHAIR, body.established)
    return body, chair


def found(rule: str, **kwargs) -> list[tuple]:
    """The findings of ``rule`` as (severity, body, entity, start, end) tuples."""
    return [(f.severity, f.body, f.entity, f.start, f.end) for f in run_checks(**kwargs) if f.rule == rule]


# --- leadership.multiple_roles ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_multiple_roles_chair_and_vice_chair_at_once_is_a_warning_dated_by_the_shared_days():
    body, chair = led_group(5, "UNOCT")
    role(chair, body, VICE_CHAIR, D(2020, 1, 1), D(2021, 6, 30))
    assert found("leadership.multiple_roles") == [("warning", "wg-5", "UNOCT", D(2020, 1, 1), D(2021, 6, 30))]
    message = next(f.message for f in run_checks() if f.rule == "leadership.multiple_roles")
    assert message == "UNOCT is both chair and vice-chair of WG 5, from 2020-01-01 to 2021-06-30."


@pytest.mark.django_db
def test_multiple_roles_two_open_ended_roles_overlap_still():
    body, chair = led_group(5, "UNOCT")
    role(chair, body, VICE_CHAIR, ESTABLISHED)
    assert found("leadership.multiple_roles") == [("warning", "wg-5", "UNOCT", ESTABLISHED, None)]


@pytest.mark.django_db
def test_multiple_roles_one_shared_day_counts_because_ends_are_inclusive():
    body, unoct = group(5), entity("UNOCT")
    member(unoct, body)
    role(unoct, body, CHAIR, ESTABLISHED, D(2020, 12, 31))
    role(unoct, body, VICE_CHAIR, D(2020, 12, 31))
    assert found("leadership.multiple_roles") == [("warning", "wg-5", "UNOCT", D(2020, 12, 31), D(2020, 12, 31))]


@pytest.mark.django_db
def test_multiple_roles_not_raised_for_successive_roles_or_for_two_entities():
    body, unoct = group(5), entity("UNOCT")
    member(unoct, body)
    role(unoct, body, CHAIR, ESTABLISHED, D(2020, 12, 31))
    role(unoct, body, VICE_CHAIR, D(2021, 1, 1))
    cted = entity("CTED")
    member(cted, body)
    role(cted, body, VICE_CHAIR, ESTABLISHED)
    assert found("leadership.multiple_roles") == []


@pytest.mark.django_db
def test_multiple_roles_as_of_considers_only_roles_valid_that_day():
    body, chair = led_group(5, "UNOCT")
    role(chair, body, VICE_CHAIR, D(2020, 1, 1), D(2020, 12, 31))
    assert found("leadership.multiple_roles", as_of=D(2020, 12, 31)) == [
        ("warning", "wg-5", "UNOCT", D(2020, 1, 1), D(2020, 12, 31))
    ]
    assert found("leadership.multiple_roles", as_of=D(2021, 1, 1)) == []


# --- leadership.no_chair ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_chair_co_chairs_only_is_info():
    body, a, b = group(6), entity("UNOCT"), entity("CTED")
    for co in (a, b):
        member(co, body)
        role(co, body, CO_CHAIR, ESTABLISHED)
    assert found("leadership.no_chair") == [("info", "wg-6", None, ESTABLISHED, None)]


@pytest.mark.django_db
def test_no_chair_nobody_leading_is_a_warning_and_vice_chairs_do_not_count():
    body, vice = group(3), entity("UNODA")
    member(vice, body)
    role(vice, body, VICE_CHAIR, ESTABLISHED)
    assert found("leadership.no_chair") == [("warning", "wg-3", None, ESTABLISHED, None)]


@pytest.mark.django_db
def test_no_chair_not_raised_when_chaired_for_the_whole_life():
    led_group(1, "UNOCT")
    body, chair = led_group(2, "CTED", dissolved=D(2022, 12, 31))
    LeadershipRole.objects.filter(body=body).update(end=D(2022, 12, 31))
    Participation.objects.filter(body=body).update(end=D(2022, 12, 31))
    assert found("leadership.no_chair") == []


@pytest.mark.django_db
def test_no_chair_gaps_before_between_and_after_chairs_are_dated():
    body, a, b = group(4), entity("UNODC"), entity("CTED")
    member(a, body)
    member(b, body)
    role(a, body, CHAIR, D(2019, 5, 1), D(2020, 12, 31))  # vacant 2019-04-16..2019-04-30
    role(b, body, CO_CHAIR, D(2021, 1, 1), D(2021, 3, 31))  # co-chaired only in early 2021
    role(b, body, CHAIR, D(2021, 4, 2), D(2022, 6, 30))  # vacant on 2021-04-01, then after mid-2022
    assert found("leadership.no_chair") == [  # most severe first, then by date
        ("warning", "wg-4", None, ESTABLISHED, D(2019, 4, 30)),
        ("warning", "wg-4", None, D(2021, 4, 1), D(2021, 4, 1)),
        ("warning", "wg-4", None, D(2022, 7, 1), None),
        ("info", "wg-4", None, D(2021, 1, 1), D(2021, 3, 31)),
    ]
    messages = [f.message for f in run_checks() if f.rule == "leadership.no_chair"]
    assert messages[1] == "WG 4 has neither a chair nor a co-chair, on 2021-04-01."
    assert messages[2] == "WG 4 has neither a chair nor a co-chair, from 2022-07-01, still in force."
    assert messages[3] == "WG 4 has no chair; co-chairs lead it, from 2021-01-01 to 2021-03-31."


@pytest.mark.django_db
def test_no_chair_last_day_before_dissolution_without_chair_is_flagged():
    body, chair = led_group(7, "OHCHR", dissolved=D(2022, 12, 31))
    LeadershipRole.objects.filter(body=body).update(end=D(2022, 12, 30))
    Participation.objects.filter(body=body).update(end=D(2022, 12, 31))
    assert found("leadership.no_chair") == [("warning", "wg-7", None, D(2022, 12, 31), D(2022, 12, 31))]


@pytest.mark.django_db
def test_no_chair_as_of_reports_the_whole_gap_containing_that_day_only():
    body, chair = led_group(4, "UNODC")
    LeadershipRole.objects.filter(body=body).update(end=D(2020, 12, 31))
    assert found("leadership.no_chair", as_of=D(2020, 12, 31)) == []
    assert found("leadership.no_chair", as_of=D(2023, 1, 1)) == [("warning", "wg-4", None, D(2021, 1, 1), None)]
    assert found("leadership.no_chair", as_of=D(2019, 1, 1)) == []  # the group did not exist yet


# --- period.outside_body_life ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_outside_body_life_role_or_participation_before_establishment_is_an_error():
    body, chair = led_group(1, "UNOCT")
    late = entity("UNDP")
    member(late, body, D(2019, 4, 15))
    role(late, body, VICE_CHAIR, D(2019, 4, 15), D(2019, 4, 15))
    assert found("period.outside_body_life") == [
        ("error", "wg-1", "UNDP", D(2019, 4, 15), None),
        ("error", "wg-1", "UNDP", D(2019, 4, 15), D(2019, 4, 15)),
    ]
    messages = sorted(f.message for f in run_checks() if f.rule == "period.outside_body_life")
    assert messages == [
        "The participation of UNDP in WG 1 as member starts on 2019-04-15, before the body was established on 2019-04-16.",
        "The role of vice-chair of WG 1 held by UNDP starts on 2019-04-15, before the body was established on 2019-04-16.",
    ]


@pytest.mark.django_db
def test_outside_body_life_open_end_or_end_after_dissolution_is_an_error():
    body, chair = led_group(2, "CTED", dissolved=D(2022, 12, 31))  # chair and membership left open
    assert found("period.outside_body_life") == [
        ("error", "wg-2", "CTED", ESTABLISHED, None),
        ("error", "wg-2", "CTED", ESTABLISHED, None),
    ]
    LeadershipRole.objects.filter(body=body).update(end=D(2023, 1, 1))
    Participation.objects.filter(body=body).update(end=D(2022, 12, 31))
    assert found("period.outside_body_life") == [("error", "wg-2", "CTED", ESTABLISHED, D(2023, 1, 1))]


@pytest.mark.django_db
def test_outside_body_life_not_raised_on_the_first_and_last_day_of_the_body():
    body, chair = led_group(2, "CTED", dissolved=D(2022, 12, 31))
    LeadershipRole.objects.filter(body=body).update(end=D(2022, 12, 31))
    Participation.objects.filter(body=body).update(end=D(2022, 12, 31))
    assert found("period.outside_body_life") == []


@pytest.mark.django_db
def test_outside_body_life_as_of_looks_at_rows_valid_that_day():
    body, chair = led_group(1, "UNOCT")
    early = entity("UNDP")
    member(early, body, D(2019, 1, 1), D(2019, 12, 31))
    assert len(found("period.outside_body_life", as_of=D(2019, 2, 1))) == 1
    assert found("period.outside_body_life", as_of=D(2020, 1, 1)) == []


# --- entity.no_participation -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_participation_entity_only_in_the_compact_is_a_warning():
    led_group(1, "UNOCT")
    compact = Body.objects.create(key="compact", kind=Body.Kind.COMPACT, title="Compact", established=D(2018, 2, 23))
    imf = entity("IMF")
    member(imf, compact, D(2018, 2, 23), capacity=OBSERVER)
    assert found("entity.no_participation") == [("warning", None, "IMF", None, None)]


@pytest.mark.django_db
def test_no_participation_a_role_or_a_participation_in_a_group_is_enough():
    body, chair = led_group(1, "UNOCT")
    leader_only, observer_only = entity("UNDP"), entity("UNESCO")
    role(leader_only, body, VICE_CHAIR, ESTABLISHED)
    member(observer_only, body, capacity=OBSERVER)
    assert found("entity.no_participation") == []


@pytest.mark.django_db
def test_no_participation_as_of_after_the_entity_left_every_group():
    body, chair = led_group(1, "UNOCT")
    member(entity("UNDP"), body, ESTABLISHED, D(2020, 12, 31))
    assert found("entity.no_participation", as_of=D(2020, 12, 31)) == []
    assert found("entity.no_participation", as_of=D(2021, 1, 1)) == [("warning", None, "UNDP", None, None)]
    assert found("entity.no_participation", as_of=D(2019, 1, 1)) == []  # no working group existed yet


# --- participation.overlap -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_participation_overlap_on_one_shared_day_is_an_error():
    body, chair = led_group(1, "UNOCT")
    undp = entity("UNDP")
    member(undp, body, ESTABLISHED, D(2020, 12, 31))
    member(undp, body, D(2020, 12, 31), capacity=OBSERVER)
    assert found("participation.overlap") == [("error", "wg-1", "UNDP", D(2020, 12, 31), D(2020, 12, 31))]
    message = next(f.message for f in run_checks() if f.rule == "participation.overlap")
    assert message == (
        "UNDP has overlapping participations in WG 1: as member from 2019-04-16 to 2020-12-31 "
        "and as observer from 2020-12-31, still in force."
    )


@pytest.mark.django_db
def test_participation_overlap_two_open_ended_rows_overlap_still():
    body, chair = led_group(1, "UNOCT")
    member(chair, body, D(2021, 1, 1))
    assert found("participation.overlap") == [("error", "wg-1", "UNOCT", D(2021, 1, 1), None)]


@pytest.mark.django_db
def test_participation_overlap_not_raised_for_successive_rows_or_other_bodies():
    body, chair = led_group(1, "UNOCT")
    other, _ = led_group(2, "CTED")
    undp = entity("UNDP")
    member(undp, body, ESTABLISHED, D(2020, 12, 31))
    member(undp, body, D(2021, 1, 1), capacity=OBSERVER)
    member(undp, other, ESTABLISHED)
    assert found("participation.overlap") == []


# --- leadership.not_participant ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_not_participant_leader_without_membership_is_a_warning():
    body, chair = led_group(1, "UNOCT")
    role(entity("UNDP"), body, VICE_CHAIR, ESTABLISHED)
    assert found("leadership.not_participant") == [("warning", "wg-1", "UNDP", ESTABLISHED, None)]
    message = next(f.message for f in run_checks() if f.rule == "leadership.not_participant")
    assert message == "UNDP is vice-chair of WG 1 but not a member of it, from 2019-04-16, still in force."


@pytest.mark.django_db
def test_not_participant_only_the_days_without_membership_are_reported():
    body, chair = led_group(1, "UNOCT")
    undp = entity("UNDP")
    role(undp, body, VICE_CHAIR, ESTABLISHED)
    member(undp, body, D(2019, 5, 1), D(2020, 12, 31))
    assert found("leadership.not_participant") == [
        ("warning", "wg-1", "UNDP", ESTABLISHED, D(2019, 4, 30)),
        ("warning", "wg-1", "UNDP", D(2021, 1, 1), None),
    ]
    assert found("leadership.not_participant", as_of=D(2020, 12, 31)) == []
    assert found("leadership.not_participant", as_of=D(2021, 1, 1)) == [("warning", "wg-1", "UNDP", D(2021, 1, 1), None)]


@pytest.mark.django_db
def test_not_participant_not_raised_when_membership_covers_the_role_or_outside_working_groups():
    body, chair = led_group(1, "UNOCT")  # member and chair from the same day, both open
    committee = Body.objects.create(key="committee", kind=Body.Kind.COMMITTEE, title="Committee", established=D(2018, 12, 6))
    role(chair, committee, CHAIR, D(2018, 12, 6))
    assert found("leadership.not_participant") == []


# --- leadership.observer_leads ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_observer_leads_is_an_error_and_not_also_a_missing_membership():
    body, chair = led_group(1, "UNOCT")
    imf = entity("IMF")
    member(imf, body, ESTABLISHED, D(2020, 12, 31), capacity=OBSERVER)
    role(imf, body, VICE_CHAIR, D(2020, 1, 1), D(2021, 6, 30))
    assert found("leadership.observer_leads") == [("error", "wg-1", "IMF", D(2020, 1, 1), D(2020, 12, 31))]
    assert found("leadership.not_participant") == [("warning", "wg-1", "IMF", D(2021, 1, 1), D(2021, 6, 30))]
    message = next(f.message for f in run_checks() if f.rule == "leadership.observer_leads")
    assert message == "IMF is vice-chair of WG 1 while an observer of it, from 2020-01-01 to 2020-12-31."


@pytest.mark.django_db
def test_observer_leads_not_raised_once_the_observer_has_become_a_member():
    body, chair = led_group(1, "UNOCT")
    imf = entity("IMF")
    member(imf, body, ESTABLISHED, D(2019, 12, 31), capacity=OBSERVER)
    member(imf, body, D(2020, 1, 1))
    role(imf, body, VICE_CHAIR, D(2020, 1, 1))
    assert found("leadership.observer_leads") == []
    assert found("leadership.not_participant") == []


# --- Findings as a whole -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clean_registry_has_no_findings():
    led_group(1, "UNOCT")
    led_group(2, "CTED", dissolved=D(2030, 1, 1))
    LeadershipRole.objects.filter(body__key="wg-2").update(end=D(2030, 1, 1))
    Participation.objects.filter(body__key="wg-2").update(end=D(2030, 1, 1))
    assert run_checks() == []


@pytest.mark.django_db
def test_findings_come_most_severe_first_and_serialise_to_json():
    body, chair = led_group(1, "UNOCT")
    role(chair, body, VICE_CHAIR, D(2018, 1, 1), D(2019, 4, 16))  # before establishment, and two roles
    findings = run_checks()
    assert [(f.severity, f.rule) for f in findings] == [
        ("error", "period.outside_body_life"),
        ("warning", "leadership.multiple_roles"),
        ("warning", "leadership.not_participant"),
    ]
    assert json.loads(json.dumps(findings[1].to_dict())) == {
        "severity": "warning",
        "rule": "leadership.multiple_roles",
        "body": "wg-1",
        "entity": "UNOCT",
        "start": "2019-04-16",
        "end": "2019-04-16",
        "message": "UNOCT is both chair and vice-chair of WG 1, on 2019-04-16.",
    }
    with pytest.raises(AttributeError):
        findings[0].severity = "info"  # frozen


def _populate(first: int, last: int) -> None:
    """Groups ``first`` to ``last``, each with every kind of irregularity but one (a clean body has none)."""
    for number in range(first, last + 1):
        body, chair = led_group(number, f"E{number}")
        role(chair, body, VICE_CHAIR, D(2018, 1, 1))
        observer = entity(f"O{number}")
        member(observer, body, capacity=OBSERVER)
        member(observer, body, D(2020, 1, 1))
        role(observer, body, VICE_CHAIR, ESTABLISHED)
        entity(f"N{number}")


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [None, D(2020, 6, 1)])
def test_run_checks_reads_in_a_constant_number_of_queries(django_assert_num_queries, as_of):
    _populate(1, 2)
    with django_assert_num_queries(4):
        small = run_checks(as_of=as_of)
    _populate(3, 12)
    with django_assert_num_queries(4):
        large = run_checks(as_of=as_of)
    assert len(large) == 6 * len(small) > 0


# --- On the seed ----------------------------------------------------------------------------------------

# Worked out by hand: every group is established 2019-04-16 and every role and membership starts that
# day, open-ended. WG 5 names UNOCT chair and vice-chair; WG 6 has two co-chairs and no chair; every
# leader is a member of its group; each of the thirteen entities leads at least one group (UNOCT 1,
# 4, 5, 6, 7; UNAOC, UNDP, UNESCO 1; CTED 2, 4, 5, 6, 8; INTERPOL 2, 3; UNODC 2, 4; WCO 2; UNODA,
# UNICRI, OPCW 3; OHCHR 7; UN-Women 8); nothing starts before its body nor has an observer leading.
SEED_FINDINGS = [
    ("warning", "leadership.multiple_roles", "wg-5", "UNOCT", ESTABLISHED, None),
    ("info", "leadership.no_chair", "wg-6", None, ESTABLISHED, None),
]


def _tuples(findings: list[Finding]) -> list[tuple]:
    return [(f.severity, f.rule, f.body, f.entity, f.start, f.end) for f in findings]


def test_seed_gives_exactly_the_findings_expected_by_hand(seeded):
    assert Entity.objects.count() == 13
    assert _tuples(run_checks()) == SEED_FINDINGS
    assert _tuples(run_checks(as_of=D(2024, 1, 24))) == SEED_FINDINGS
    assert run_checks(as_of=D(2018, 12, 6)) == []  # no working group yet; the Committee is chaired


def test_seed_messages_name_the_entity_and_the_group(seeded):
    assert [f.message for f in run_checks()] == [
        "UNOCT is both chair and vice-chair of WG 5, from 2019-04-16, still in force.",
        "WG 6 has no chair; co-chairs lead it, from 2019-04-16, still in force.",
    ]


def _check(*args) -> tuple[str, str, int]:
    """Run ``compact check`` in-process: (stdout, stderr, exit status)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check", *args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
        return out.getvalue(), err.getvalue(), exc.returncode
    return out.getvalue(), err.getvalue(), 0


def test_check_command_on_the_seed_prints_the_findings_and_exits_0(seeded):
    out, err, status = _check()
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "System check identified no issues (0 silenced)."
    assert lines[1].startswith("warning  leadership.multiple_roles  wg-5  UNOCT  UNOCT is both chair and vice-chair")
    assert lines[2].startswith("info     leadership.no_chair        wg-6  -      WG 6 has no chair")
    assert lines[3] == "Data quality (over all time): errors 0, warnings 1, info 1."


def test_check_command_severity_filter_and_json_document(seeded):
    out, err, status = _check("--format", "json", "--severity", "warning", "--as-of", "2020-01-01")
    assert status == 0
    document = json.loads(out)  # stdout holds the JSON document alone; the system checks report on stderr
    assert "System check identified no issues" in err
    assert document["as_of"] == "2020-01-01"
    assert document["counts"] == {"error": 0, "warning": 1, "info": 0}
    assert [(f["severity"], f["rule"], f["body"], f["entity"], f["start"], f["end"]) for f in document["findings"]] == [
        ("warning", "leadership.multiple_roles", "wg-5", "UNOCT", "2019-04-16", None)
    ]


def test_check_command_exits_1_on_an_error_finding(seeded):
    wg1 = Body.objects.get(key="wg-1")
    role(Entity.objects.get(acronym="UNDP"), wg1, CHAIR, D(2019, 1, 1), D(2019, 3, 31))  # before 2019-04-16
    out, err, status = _check("--format", "json", "--severity", "error")
    assert status == 1
    assert "The registry has 1 finding of severity error." in err
    document = json.loads(out)
    assert document["counts"] == {"error": 1, "warning": 0, "info": 0}
    assert document["findings"][0]["rule"] == "period.outside_body_life"
    assert document["findings"][0]["body"] == "wg-1" and document["findings"][0]["entity"] == "UNDP"
    text, _, status = _check()
    assert status == 1
    assert text.splitlines()[1].startswith("error    period.outside_body_life    wg-1  UNDP   The role of chair of WG 1 held by UNDP")


def test_check_command_bad_usage_exits_2(tmp_path):
    env = {**os.environ, "COMPACT_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    for args in (["--as-of", "2020-02-30"], ["--format", "xml"], ["--severity", "fatal"]):
        run = subprocess.run(
            [sys.executable, "-m", "compact.cli", "check", *args], env=env, cwd=tmp_path, capture_output=True, text=True,
            timeout=120,
        )
        assert run.returncode == 2, (args, run.stderr)
        assert "usage:" in run.stderr


# --- The page /data-quality/ ----------------------------------------------------------------------------


@pytest.fixture
def quality_page(settings):
    """Serve the page at /data-quality/ through the project's URL map, adding it when urls.py does not yet."""
    try:
        resolve("/data-quality/")
    except Resolver404:
        from compact import urls

        urlconf = types.ModuleType("quality_test_urls")
        urlconf.urlpatterns = [path("data-quality/", include("compact.registry.quality_urls")), *urls.urlpatterns]
        settings.ROOT_URLCONF = urlconf
    return "/data-quality/"


@pytest.fixture
def staff_client(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username="secretariat", password="x")
    user.groups.add(Group.objects.create(name="secretariat"))
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_page_sends_visitors_to_sign_in_and_is_not_found_for_users_outside_the_secretariat(
    client, django_user_model, quality_page
):
    response = client.get(quality_page)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    client.force_login(django_user_model.objects.create_user(username="focal-point", password="x", is_staff=True))
    assert client.get(quality_page).status_code == 404


def test_page_lists_the_seed_findings_for_the_secretariat(seeded, staff_client, quality_page):
    response = staff_client.get(quality_page)
    assert response.status_code == 200
    page = response.content.decode()
    assert "leadership.multiple_roles" in page and "leadership.no_chair" in page
    assert "UNOCT is both chair and vice-chair of WG 5" in page
    assert "Structure checked over all time." in page
    assert [row.finding.rule for row in response.context["rows"]] == ["leadership.multiple_roles", "leadership.no_chair"]


def test_page_filters_by_severity_and_date(seeded, staff_client, quality_page):
    response = staff_client.get(quality_page, {"severity": "info", "as_of": "2020-01-01"})
    assert response.status_code == 200
    assert [row.finding.rule for row in response.context["rows"]] == ["leadership.no_chair"]
    assert response.context["quality_as_of"] == D(2020, 1, 1)
    page = response.content.decode()
    assert 'datetime="2020-01-01"' in page
    assert "leadership.multiple_roles" not in page.split("<table", 1)[1]
    assert staff_client.get(quality_page, {"severity": "error"}).context["rows"] == []


def test_page_answers_400_to_a_bad_date_or_severity(seeded, staff_client, quality_page):
    response = staff_client.get(quality_page, {"as_of": "2020-13-01"})
    assert response.status_code == 400
    assert "2020-13-01" in response.content.decode()
    assert staff_client.get(quality_page, {"severity": "fatal"}).status_code == 400
