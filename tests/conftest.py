"""Shared fixtures.

``seeded``: a test database holding the default structure of the Global Counter-Terrorism
Coordination Compact (``src/compact/data/global-ct-compact.yaml``), loaded through the same service
as ``compact setup``.
``registry_rows``: a function returning every registry row by natural key (no database ids), to
compare two states of the registry.
``registry_counts``: a function returning the number of rows of each registry table and of the
change log, to check that something wrote nothing.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def seeded(db):
    """Load the shipped default structure into the test database; returns the ``ApplyReport``."""
    from compact.registry.services import load_default_structure

    return load_default_structure(reason="test fixture")


def _translated(obj, field):
    from modeltranslation.utils import build_localized_fieldname

    languages = ("ar", "en", "es", "fr", "ru", "zh-hans")
    return tuple((getattr(obj, build_localized_fieldname(field, lang)) or "") for lang in languages)


def _registry_rows() -> dict[str, list[tuple]]:
    from compact.registry.models import (
        Body,
        Entity,
        EntityAlias,
        LeadershipRole,
        Milestone,
        Participation,
        Person,
        Pillar,
        Strategy,
        StrategyReview,
    )

    def key(obj, attr):
        return getattr(obj, attr) if obj is not None else None

    return {
        "strategy": sorted((s.key, s.resolution, s.adopted, _translated(s, "title")) for s in Strategy.objects.all()),
        "review": sorted(
            (r.strategy.key, r.number, r.resolution, r.adopted, r.due_year, _translated(r, "note"))
            for r in StrategyReview.objects.select_related("strategy")
        ),
        "pillar": sorted((p.strategy.key, p.number, _translated(p, "title")) for p in Pillar.objects.select_related("strategy")),
        "entity": sorted((e.acronym, e.kind, e.iati_identifier, _translated(e, "name")) for e in Entity.objects.all()),
        "alias": sorted((a.entity.acronym, a.name) for a in EntityAlias.objects.select_related("entity")),
        "body": sorted(
            (b.key, b.kind, b.number, key(b.pillar, "number"), key(b.parent, "key"), key(b.secretariat, "acronym"),
             b.established, b.dissolved, _translated(b, "title"), _translated(b, "mandate"))
            for b in Body.objects.select_related("pillar", "parent", "secretariat")
        ),
        "participation": sorted(
            (p.body.key, p.entity.acronym, p.capacity, p.start, p.end)
            for p in Participation.objects.select_related("body", "entity")
        ),
        "leadership": sorted(
            (r.body.key, r.entity.acronym, r.role, r.start, r.end, _translated(r, "position"))
            for r in LeadershipRole.objects.select_related("body", "entity")
        ),
        "milestone": sorted(
            (m.body.key, m.date, _translated(m, "title")) for m in Milestone.objects.select_related("body")
        ),
        "person": sorted(
            (p.entity.acronym, p.given_name, p.family_name, p.function, key(p.body, "key"), p.email, p.job_title,
             p.sensitivity)
            for p in Person.objects.select_related("entity", "body")
        ),
    }


def _registry_counts() -> dict[str, int]:
    from compact.audit.models import ChangeEvent
    from compact.registry.models import (
        Body,
        Entity,
        EntityAlias,
        LeadershipRole,
        Milestone,
        Participation,
        Person,
        Pillar,
        Strategy,
        StrategyReview,
    )

    models = [Strategy, StrategyReview, Pillar, Entity, EntityAlias, Body, Participation, LeadershipRole, Milestone,
              Person, ChangeEvent]
    return {m._meta.label: m.objects.count() for m in models}


@pytest.fixture
def registry_rows(db):
    """``registry_rows()`` -> ``{type: sorted list of row tuples}``, every value by natural key."""
    return _registry_rows


@pytest.fixture
def registry_counts(db):
    """``registry_counts()`` -> ``{model label: row count}`` for the registry tables and the change log."""
    return _registry_counts


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English, whatever language an earlier request or test activated."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


from support.people import PASSWORD  # noqa: E402


@pytest.fixture
def make_user(db):
    """``make_user(username, entity=None, function="focal_point", body=None, secretariat=False)`` -> a user
    with password ``PASSWORD``, affiliated (through a registry Person) with the entity of that acronym,
    and in the secretariat group when asked. Test set-up only: it writes through the ORM, not services."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from compact.access.principal import SECRETARIAT_GROUP
    from compact.registry.models import Body, Entity, Person

    def make(username, *, entity=None, function="focal_point", body=None, secretariat=False, **extra):
        user = get_user_model().objects.create_user(username=username, email=f"{username}@example.org", password=PASSWORD, **extra)
        if entity:
            Person.objects.create(
                entity=Entity.objects.get(acronym__iexact=entity), given_name=username.title(), family_name="Example",
                function=function, body=Body.objects.get(key=body) if body else None, user=user,
                email=f"{username}@example.org",
            )
        if secretariat:
            user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
        return user

    return make


class AccessMatrix:
    """Tallies access cases: ``check(label, allowed, expected)``; a leak is allowed where refused."""

    def __init__(self):
        self.cases = 0
        self.leaks: list[str] = []
        self.refusals: list[str] = []

    def check(self, label: str, allowed: bool, expected: bool) -> None:
        self.cases += 1
        if allowed and not expected:
            self.leaks.append(label)
        elif expected and not allowed:
            self.refusals.append(label)

    def assert_clean(self) -> None:
        assert not self.leaks, f"{len(self.leaks)} leaks, e.g. {self.leaks[:10]}"
        assert not self.refusals, f"{len(self.refusals)} wrongly refused, e.g. {self.refusals[:10]}"


@pytest.fixture
def access_matrix(request):
    """An ``AccessMatrix`` whose totals are added to the run's summary (printed at the end)."""
    matrix = AccessMatrix()
    yield matrix
    totals = request.config.stash.setdefault(_MATRIX_KEY, {"cases": 0, "leaks": 0, "refusals": 0})
    totals["cases"] += matrix.cases
    totals["leaks"] += len(matrix.leaks)
    totals["refusals"] += len(matrix.refusals)


_MATRIX_KEY = pytest.StashKey[dict]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    totals = config.stash.get(_MATRIX_KEY, None)
    if totals:
        terminalreporter.write_sep("=", "access matrix")
        terminalreporter.write_line(
            f"access matrix: {totals['cases']} cases, {totals['leaks']} leaks, {totals['refusals']} wrongly refused"
        )


from support.access_world import matrix_world  # noqa: E402,F401  (fixture)
