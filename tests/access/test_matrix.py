"""The access matrix: every role x sensitivity level x content type (and owner) x action, through the
policy, with the expected answer read from the rule table in docs/access.md.

Each case is checked through ``can`` (one object) and ``restrict`` (the object in a restricted query
set) for the action; a *leak* is a case where the platform allows what the table refuses. The totals
are printed at the end of the test run.
"""

from __future__ import annotations

import pytest

from compact.access.policy import Action, can, restrict
from support.access_world import LEVELS, ROLES, VARIANTS, expected, rule_table

pytestmark = pytest.mark.django_db

POLICY_ACTIONS = ("view", "list", "count", "export", "search", "change", "adopt")


def test_the_rule_table_is_written_for_every_action_and_level():
    table = rule_table()
    assert set(table) == set(POLICY_ACTIONS)
    for action in POLICY_ACTIONS:
        assert set(table[action]) == set(LEVELS)


def test_policy_follows_the_written_table(matrix_world, access_matrix):
    table = rule_table()
    for role, standing in ROLES.items():
        user = matrix_world.users[role]
        restricted = {}
        for action in POLICY_ACTIONS:
            for model in {type(obj) for obj in matrix_world.items.values()}:
                restricted[(action, model)] = set(restrict(model.objects.all(), user, action).values_list("pk", flat=True))
        for (variant, level), obj in matrix_world.items.items():
            _kind, body, entity = VARIANTS[variant]
            for action in POLICY_ACTIONS:
                want = expected(table, action, level, standing, body, entity)
                by_can = can(user, action, obj)
                by_restrict = obj.pk in restricted[(action, type(obj))]
                access_matrix.check(f"policy/can {role} {variant} {level} {action}", by_can, want)
                access_matrix.check(f"policy/restrict {role} {variant} {level} {action}", by_restrict, want)
    access_matrix.assert_clean()


def test_counts_are_computed_on_what_each_role_may_see(matrix_world):
    """The number of items a role may count equals the number the table gives it, per content type."""
    table = rule_table()
    for role, standing in ROLES.items():
        user = matrix_world.users[role]
        for model in {type(obj) for obj in matrix_world.items.values()}:
            ours = [(k, o) for k, o in matrix_world.items.items() if type(o) is model]
            want = sum(expected(table, "count", level, standing, *VARIANTS[variant][1:]) for (variant, level), _o in ours)
            got = restrict(model.objects.filter(pk__in=[o.pk for _k, o in ours]), user, Action.COUNT).count()
            assert got == want, (role, model.__name__)
