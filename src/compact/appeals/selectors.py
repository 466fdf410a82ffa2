"""Every read of the appeal: calls for proposals, their proposals and ranking, appeals and their projects
with the money, through the one access policy (``compact.access.policy``).

Who sees what (beyond the policy's rule table, ``docs/access.md``):

- draft calls and draft appeals: only those who may change them (the secretariat, officers of the
  owning body); an open call is public (its criteria and weights are published), a published appeal too;
- a call's proposals: the secretariat, the officers of the call's body and its reviewers see every
  proposal (submitting a project to a call shares its title with them); anyone else sees the proposals
  whose project they may list;
- the ranking (weighted scores): the secretariat and the officers of the call's body at any time; a
  reviewer sees their own scores while scoring, and everyone's once the call is decided, so that
  reviewers score independently;
- an appeal's projects: those the user may list (``Action.EXPORT`` for downloads), and the money of
  those only (``compact.funding.selectors``, ``Action.COUNT``), so no total includes a project the user
  may not read.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from compact.access.policy import Action, get_for, restrict
from compact.access.principal import principal_for
from compact.appeals.filters import IMPLEMENTING_ROLE, AppealProjectFilter
from compact.appeals.models import Appeal, Call, Criterion, Proposal, Score
from compact.funding.selectors import Money, Totals, totals, totals_by
from compact.projects.models import Participant, Project
from compact.registry.models import Body

#: Places a weighted score is shown with (the computation keeps full precision until then).
SCORE_PLACES = Decimal("0.01")


def _managers_q(user) -> Q | None:
    """``None`` for the secretariat (everything), else the filter on ``body`` of the bodies the user is an
    officer of (possibly matching nothing)."""
    principal = principal_for(user)
    if principal.is_secretariat:
        return None
    return Q(body__in=principal.officer_body_ids)


def manages(user, obj: Call | Appeal) -> bool:
    """Whether ``user`` is the secretariat or an officer of ``obj``'s body (they decide calls and draft
    appeals)."""
    principal = principal_for(user)
    return principal.is_secretariat or obj.body_id in principal.officer_body_ids


#: Kinds of body that run calls and issue appeals: the Coordination Committee and the working groups.
OWNING_KINDS = (Body.Kind.COMMITTEE, Body.Kind.WORKING_GROUP)


def may_draft_calls(user) -> bool:
    """Whether ``user`` drafts, changes and deletes calls for proposals: the secretariat only
    (``services.call_create``)."""
    return principal_for(user).is_secretariat


def call_bodies(*, user) -> QuerySet[Body]:
    """The bodies ``user`` may give a call (the form's choices): the Committee and the working groups for
    the secretariat, none for anyone else."""
    if not may_draft_calls(user):
        return Body.objects.none()
    return Body.objects.filter(kind__in=OWNING_KINDS).order_by("kind", "number", "key")


def reviewer_choices(*, user):
    """The users ``user`` may name as reviewers of a call: every active account, by username, for the
    secretariat; none for anyone else."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.order_by("username")
    return users.filter(is_active=True) if may_draft_calls(user) else users.none()


def appeal_bodies(*, user) -> QuerySet[Body]:
    """The bodies ``user`` may draft an appeal for (the form's choices; ``services.appeal_create`` checks
    again): the Committee and the working groups for the secretariat, the bodies they are an officer of
    for an officer, none for anyone else."""
    principal = principal_for(user)
    bodies = Body.objects.filter(kind__in=OWNING_KINDS).order_by("kind", "number", "key")
    return bodies if principal.is_secretariat else bodies.filter(pk__in=principal.officer_body_ids)


def appeal_project_choices(*, user) -> QuerySet[Project]:
    """The joint projects ``user`` may put in an appeal: those they may list, by title, with their lead
    entity."""
    return restrict(Project.objects.select_related("lead_entity"), user, Action.LIST).order_by("title", "pk")


# --- calls -----------------------------------------------------------------------------------------


def call_list(*, user) -> QuerySet[Call]:
    """The calls ``user`` may list, latest deadline first, with their body; drafts only for the
    secretariat and the officers of the call's body."""
    qs = restrict(Call.objects.select_related("body"), user, Action.LIST)
    managers = _managers_q(user)
    if managers is not None:
        qs = qs.filter(~Q(status=Call.Status.DRAFT) | managers)
    return qs


def call_get(*, user, pk: int) -> Call:
    """The call ``pk`` if ``user`` may read it (``Http404`` otherwise, drafts included for those who may
    not manage it), with its body and criteria prefetched."""
    return get_for(call_list(user=user).prefetch_related("criteria"), user, Action.VIEW, pk=pk)


def is_reviewer(user, call: Call) -> bool:
    """Whether ``user`` is named as a reviewer of ``call`` (one query)."""
    return bool(getattr(user, "is_authenticated", False)) and call.reviewers.filter(pk=user.pk).exists()


def call_proposals(*, user, call: Call, reviewer: bool | None = None) -> list[Proposal]:
    """The proposals to ``call`` that ``user`` may see (see the module docstring), oldest first, with their
    project and its lead entity. ``reviewer``: whether the user reviews the call, when already known."""
    qs = call.proposals.select_related("project", "project__lead_entity", "submitted_by")
    if reviewer is None:
        reviewer = is_reviewer(user, call)
    if not (manages(user, call) or reviewer):
        qs = qs.filter(project__in=restrict(Project.objects.all(), user, Action.LIST))
    return list(qs.order_by("id"))


@dataclasses.dataclass(frozen=True)
class RankedProposal:
    """A proposal in the ranking: ``score`` is the weighted mean (``SCORE_PLACES``, ROUND_HALF_EVEN; None
    when nobody has scored it), ``exact`` the same before rounding (what ranks), ``means`` the mean of
    the reviewers' scores per criterion id (criteria nobody scored are absent), ``reviewers`` how many
    reviewers scored it at least once, ``complete`` whether every reviewer scored every criterion."""

    rank: int
    proposal: Proposal
    score: Decimal | None
    exact: Decimal | None
    means: dict[int, Decimal]
    reviewers: int
    complete: bool


def may_see_ranking(user, call: Call, *, reviewer: bool | None = None) -> bool:
    """The secretariat and officers of the call's body always; its reviewers once it is decided."""
    if manages(user, call):
        return True
    if reviewer is None:
        reviewer = is_reviewer(user, call)
    return reviewer and call.status == Call.Status.DECIDED


def weighted_score(weights: Mapping[int, Decimal], means: Mapping[int, Decimal]) -> Decimal | None:
    """The weighted mean of per-criterion means: ``sum(weight_c * mean_c) / sum(weight_c)`` over the
    criteria ``c`` that have a mean (a criterion nobody scored leaves the weights). None when none has.
    Full Decimal precision (28 digits); the caller rounds."""
    scored = [c for c in weights if c in means]
    if not scored:
        return None
    return sum((weights[c] * means[c] for c in scored), Decimal(0)) / sum((weights[c] for c in scored), Decimal(0))


def call_ranking(*, user, call: Call) -> list[RankedProposal]:
    """The call's proposals (withdrawn ones left out) ranked by weighted score, highest first, unscored
    last, ties by submission order; the same rank for equal exact scores.

    Weighted score of a proposal = sum over criteria of weight x (mean of the reviewers' scores for that
    criterion) / sum of the weights (the published weights are normalised, so 40/30/30 and 4/3/3 rank
    alike). Raises ``PermissionDenied`` unless ``may_see_ranking``. Three queries.
    """
    if not may_see_ranking(user, call):
        raise PermissionDenied(_("Only the secretariat, the officers of the call's body and, once it is decided, its "
                                 "reviewers see the ranking."))
    weights = dict(Criterion.objects.filter(call=call).values_list("id", "weight"))
    proposals = [p for p in call_proposals(user=user, call=call, reviewer=True) if p.status != Proposal.Status.WITHDRAWN]
    n_reviewers = call.reviewers.count()
    scores: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    reviewers: dict[int, set[int]] = defaultdict(set)
    for proposal_id, criterion_id, reviewer_id, value in Score.objects.filter(proposal__call=call).values_list(
            "proposal_id", "criterion_id", "reviewer_id", "score"):
        scores[proposal_id][criterion_id].append(value)
        reviewers[proposal_id].add(reviewer_id)
    rows = []
    for proposal in proposals:
        means = {c: Decimal(sum(v)) / Decimal(len(v)) for c, v in scores[proposal.pk].items() if c in weights}
        exact = weighted_score(weights, means)
        complete = all(len(scores[proposal.pk].get(c, ())) >= n_reviewers for c in weights) and n_reviewers > 0
        rows.append((proposal, exact, means, len(reviewers[proposal.pk]), complete))
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), r[0].pk))
    ranked: list[RankedProposal] = []
    for i, (proposal, exact, means, count, complete) in enumerate(rows):
        rank = ranked[-1].rank if ranked and exact is not None and ranked[-1].exact == exact else i + 1
        score = exact.quantize(SCORE_PLACES, rounding=ROUND_HALF_EVEN) if exact is not None else None
        ranked.append(RankedProposal(rank=rank, proposal=proposal, score=score, exact=exact, means=means,
                                     reviewers=count, complete=complete))
    return ranked


def my_scores(*, user, call: Call) -> dict[tuple[int, int], Score]:
    """``{(proposal id, criterion id): score}`` of the scores ``user`` gave in ``call`` (one query)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {(s.proposal_id, s.criterion_id): s for s in Score.objects.filter(proposal__call=call, reviewer=user)}


def submittable_projects(*, user, call: Call) -> list[Project]:
    """The projects ``user`` may submit to ``call`` now: for a focal point, their entity's projects they
    may read that have left the draft stage and are not proposed already (withdrawn ones may come back);
    for the secretariat, any such project. Empty when the call is not open."""
    from compact.appeals.services import SUBMITTABLE_STAGES

    principal = principal_for(user)
    if call.status != Call.Status.OPEN or not (principal.is_secretariat or principal.is_focal_point):
        return []
    qs = restrict(Project.objects.filter(stage__in=SUBMITTABLE_STAGES), user, Action.LIST)
    if not principal.is_secretariat:
        qs = qs.filter(lead_entity_id=principal.entity_id)
    taken = Proposal.objects.filter(call=call).exclude(status=Proposal.Status.WITHDRAWN).values("project_id")
    return list(qs.exclude(pk__in=taken).order_by("title"))


# --- appeals ---------------------------------------------------------------------------------------


def appeal_list(*, user, action: Action = Action.LIST) -> QuerySet[Appeal]:
    """The appeals ``user`` may take ``action`` on (list by default), latest period first, with their body;
    drafts only for the secretariat and the officers of the appeal's body."""
    qs = restrict(Appeal.objects.select_related("body"), user, action)
    managers = _managers_q(user)
    if managers is not None:
        qs = qs.filter(~Q(status=Appeal.Status.DRAFT) | managers)
    return qs


def appeal_get(*, user, key: str, action: Action = Action.VIEW) -> Appeal:
    """The appeal ``key`` if ``user`` may take ``action`` on it; ``Http404`` when it does not exist or the
    user may not read it (a draft, for those who may not manage it), ``PermissionDenied`` when they may
    read it but not take ``action``."""
    return get_for(appeal_list(user=user, action=Action.VIEW), user, action, key=key)


@dataclasses.dataclass(frozen=True)
class ProjectRow:
    """A project of an appeal with its money (``compact.funding.selectors.Totals``, zero when it has no
    flow), its beneficiary country and region codes and its implementing entities (acronyms, or names)."""

    project: Project
    totals: Totals
    areas: list[str]
    implementing: list[str]
    sectors: list[str]

    @property
    def requirement(self):
        return self.totals.requirement

    @property
    def funded(self):
        return self.totals.funded

    @property
    def gap(self):
        return self.totals.gap


@dataclasses.dataclass(frozen=True)
class AppealProjects:
    """The projects of an appeal a user may see, filtered: ``rows`` (``ProjectRow``, by title), ``totals``
    (``Totals`` of those projects only) and ``applied`` filters."""

    rows: list[ProjectRow]
    totals: Totals
    applied: dict[str, str]

    @property
    def complete(self) -> bool:
        """False when some amount could not be converted to US dollars (a missing rate)."""
        return self.totals.complete and all(r.totals.complete for r in self.rows)


def appeal_projects(*, user, appeal: Appeal, filters: Mapping | None = None,
                    action: Action = Action.LIST) -> AppealProjects:
    """The projects of ``appeal`` that ``user`` may take ``action`` on (list, or ``Action.EXPORT`` for
    downloads), narrowed by ``filters`` (``AppealProjectFilter`` parameters: country, region, pillar,
    working_group, sdg, implementing), each with its requirement, funded and gap, and the totals of those
    projects (``compact.funding.selectors.totals_by`` / ``totals``; money of projects the user may not
    count never enters). Raises ``ValidationError`` ({parameter: messages}) for an invalid filter. A
    fixed number of queries whatever the number of projects."""
    base = restrict(Project.objects.filter(appeals=appeal), user, action)
    project_filter = AppealProjectFilter(filters or {}, queryset=base)
    if not project_filter.is_valid():
        raise ValidationError(project_filter.errors)
    chosen = project_filter.qs
    projects = list(
        chosen.select_related("lead_entity", "lead_body")
        .prefetch_related("areas", "sectors",
                          Prefetch("participants", queryset=Participant.objects.filter(role=IMPLEMENTING_ROLE)
                                   .select_related("entity"), to_attr="implementing"))
        .order_by("title", "pk")
    )
    ids = Project.objects.filter(pk__in=[p.pk for p in projects])
    by_project = totals_by(user=user, dimension="project", projects=ids) if projects else {}
    zero = Totals(*(Money(usd=Decimal("0.00")) for _i in range(5)))
    rows = [
        ProjectRow(
            project=p,
            totals=by_project.get(p.pk, zero),
            areas=[a.code for a in p.areas.all()],
            implementing=[pt.entity.acronym if pt.entity_id else pt.name for pt in p.implementing],
            sectors=[s.code for s in p.sectors.all()],
        )
        for p in projects
    ]
    overall = totals(user=user, projects=ids) if projects else zero
    return AppealProjects(rows=rows, totals=overall, applied=project_filter.applied())
