"""The rules of a call and of publishing: who may do what, and when; each refusal says what and where."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compact.appeals import selectors, services
from compact.appeals.models import Call

pytestmark = pytest.mark.django_db


def opened(world):
    call = world.new_call()
    services.call_open(actor=world.users.sec, call=call, reason="Open")
    return call


def test_a_submission_after_the_deadline_is_refused(world):
    call = opened(world)
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as refused:
        services.proposal_submit(actor=world.users.unodc, call=call, project=world.sahel)
    assert "has passed" in refused.value.message_dict["deadline"][0]


def test_only_a_focal_point_of_the_lead_entity_or_the_secretariat_submits(world):
    call = opened(world)
    with pytest.raises(PermissionDenied):
        services.proposal_submit(actor=world.users.undp, call=call, project=world.sahel)  # UNODC's project
    services.proposal_submit(actor=world.users.sec, call=call, project=world.sahel)
    with pytest.raises(ValidationError) as twice:
        services.proposal_submit(actor=world.users.unodc, call=call, project=world.sahel)
    assert "already proposed" in twice.value.message_dict["project"][0]


def test_a_draft_project_cannot_be_proposed(world):
    from support.projects import make_project

    draft = make_project(None, title="A draft", iati_identifier="XM-TEST-DRAFT")
    with pytest.raises(ValidationError) as refused:
        services.proposal_submit(actor=world.users.unodc, call=opened(world), project=draft)
    assert "is a draft" in refused.value.message_dict["project"][0]


def test_criteria_and_weights_are_locked_once_the_call_is_open(world):
    call = opened(world)
    with pytest.raises(ValidationError) as refused:
        services.call_update(actor=world.users.sec, call=call, criteria=[{"name": "Other", "weight": 1}])
    assert "Locked" in refused.value.message_dict["criteria"][0]
    call.refresh_from_db()
    assert call.sensitivity == "public"  # criteria and weights are published


def test_bad_criteria_are_named_by_their_number(world):
    with pytest.raises(ValidationError) as refused:
        world.new_call(criteria=[{"name": "Relevance", "weight": 0}, {"name": "", "weight": 1.5}])
    messages = refused.value.message_dict["criteria"]
    assert "Criterion 1: the weight 0 is not a number greater than 0" in messages[0]
    assert "Criterion 2 has no name." in messages[1]
    assert "Criterion 2: give the weight as a decimal number, not a float." in messages[2]


def closed_with_proposal(world):
    call = opened(world)
    proposal = services.proposal_submit(actor=world.users.unodc, call=call, project=world.sahel)
    services.call_close(actor=world.users.sec, call=call, reason="Deadline")
    return call, proposal, call.criteria.order_by("number").first()


@pytest.mark.parametrize("who", ["sec", "officer", "unodc", "outsider"])
def test_only_a_named_reviewer_scores(world, who):
    call, proposal, criterion = closed_with_proposal(world)
    with pytest.raises(PermissionDenied):
        services.score_set(actor=getattr(world.users, who), proposal=proposal, criterion=criterion, score=3)


@pytest.mark.parametrize("score", [-1, 6, 2.5, True])
def test_a_score_out_of_range_is_refused(world, score):
    call, proposal, criterion = closed_with_proposal(world)
    with pytest.raises(ValidationError) as refused:
        services.score_set(actor=world.users.rev1, proposal=proposal, criterion=criterion, score=score)
    assert "give a whole number from 0 to 5" in refused.value.message_dict["score"][0]


def test_scores_are_given_after_the_call_closes_and_can_be_changed(world):
    call = opened(world)
    proposal = services.proposal_submit(actor=world.users.unodc, call=call, project=world.sahel)
    criterion = call.criteria.order_by("number").first()
    with pytest.raises(ValidationError) as early:
        services.score_set(actor=world.users.rev1, proposal=proposal, criterion=criterion, score=3)
    assert "once the call is closed" in early.value.message_dict["call"][0]
    services.call_close(actor=world.users.officer, call=call, reason="Deadline")
    services.score_set(actor=world.users.rev1, proposal=proposal, criterion=criterion, score=3)
    services.score_set(actor=world.users.rev1, proposal=proposal, criterion=criterion, score=5)
    assert list(proposal.scores.values_list("score", flat=True)) == [5]


def test_a_reviewer_sees_the_ranking_only_once_the_call_is_decided(world):
    call, proposal, criterion = closed_with_proposal(world)
    services.score_set(actor=world.users.rev1, proposal=proposal, criterion=criterion, score=4)
    assert not selectors.may_see_ranking(world.users.rev2, call)
    with pytest.raises(PermissionDenied):
        selectors.call_ranking(user=world.users.rev2, call=call)
    with pytest.raises(PermissionDenied):
        selectors.call_ranking(user=world.users.outsider, call=call)
    # One criterion of three scored, by one reviewer of two: the weighted mean is over the scored one (4).
    [row] = selectors.call_ranking(user=world.users.officer, call=call)
    assert (row.score, row.reviewers, row.complete) == (Decimal("4.00"), 1, False)
    services.call_select(actor=world.users.officer, call=call, selected=[proposal], reason="Decided")
    call.refresh_from_db()
    assert selectors.may_see_ranking(world.users.rev2, call)


def test_the_weighted_mean_normalises_the_weights():
    weights = {1: Decimal("4"), 2: Decimal("3"), 3: Decimal("3")}
    means = {1: Decimal("4.5"), 2: Decimal("3"), 3: Decimal("4.5")}
    assert selectors.weighted_score(weights, means) == Decimal("4.05")
    assert selectors.weighted_score(weights, {}) is None


def test_publishing_needs_the_secretariat_and_published_projects(world):
    appeal = services.appeal_create(actor=world.users.officer, key="sahel-kenya", title="Appeal",
                                    period_start=dt.date(2025, 1, 1), period_end=dt.date(2026, 12, 31),
                                    projects=[world.sahel, world.kenya])
    with pytest.raises(PermissionDenied):
        services.appeal_publish(actor=world.users.officer, appeal=appeal)
    with pytest.raises(ValidationError) as refused:
        services.appeal_publish(actor=world.users.sec, appeal=appeal)
    assert refused.value.message_dict["projects"] == [
        "These projects are not published yet: “Preventing violent extremism in Kenya” (endorsed). Publish them, "
        "or take them out of the appeal, first."]


def test_an_appeal_refuses_a_bad_key_period_and_region(world):
    with pytest.raises(ValidationError) as refused:
        services.appeal_create(actor=world.users.sec, key="calls", title="", period_start=dt.date(2026, 1, 1),
                               period_end=dt.date(2025, 1, 1), region="566")
    errors = refused.value.message_dict
    assert set(errors) == {"key", "title", "period_end", "region"}
    assert "is a country's code" in errors["region"][0]
