"""The access matrix for joint projects and their money: every role x project (led by a member entity
and by an observer entity of the working group) x sensitivity level, through the project pages, the
projects API, a project's funding page, the flows API and the funding totals.

Each project of the matrix world gets one commitment of a distinct power of two US dollars, so the
funded total a role sees tells exactly which projects' money it was given: it must equal the sum over
the projects the rule table lets the role count, and nothing else.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from compact.funding.models import Flow
from support.access_world import ROLES, VARIANTS, expected, rule_table

pytestmark = pytest.mark.django_db

PROJECT_VARIANTS = [v for v in VARIANTS if VARIANTS[v][0] == "project"]


def _client(user) -> Client:
    client = Client()
    if getattr(user, "pk", None):
        client.force_login(user)
    return client


def _proper(status: int, readable: bool, role: str) -> bool:
    """200 for what the role may read; 404 (or, for a visitor, a redirect to sign in) otherwise."""
    if readable:
        return status == 200
    return status == 404 or (status == 302 and not ROLES[role].signed_in)


def test_projects_and_their_money_through_pages_api_and_totals(matrix_world, access_matrix):
    table = rule_table()
    token = matrix_world.token
    projects = {key: obj for key, obj in matrix_world.items.items() if key[0] in PROJECT_VARIANTS}
    amounts: dict[tuple[str, str], Decimal] = {}
    for i, (key, project) in enumerate(sorted(projects.items())):
        amounts[key] = Decimal(2) ** i
        Flow.objects.create(project=project, kind="commitment", amount=amounts[key], currency="USD",
                            date=dt.date(2026, 1, 15), provider_name="Donor of the matrix")

    for role, standing in ROLES.items():
        client = _client(matrix_world.users[role])
        api_list = client.get(f"/api/projects/?q={token}").json()
        api_listed = {row["id"] for row in api_list["results"]}
        html_list = client.get(f"/projects/?q={token}").content.decode()
        totals = client.get("/api/funding/totals/").json()["results"][0]
        by_group = {row["key"]: row for row in client.get("/api/funding/totals/?by=working_group").json()["results"]}

        want_funded = sum((amounts[key] for key in projects
                           if expected(table, "count", key[1], standing, *VARIANTS[key[0]][1:])), Decimal(0))
        access_matrix.check(f"api/totals funded {role}", Decimal(totals["funded"]["usd"]) == want_funded, True)
        group_funded = sum((Decimal(row["funded"]["usd"]) for row in by_group.values()), Decimal(0))
        access_matrix.check(f"api/totals by group {role}", group_funded == want_funded, True)
        want_count = sum(expected(table, "list", key[1], standing, *VARIANTS[key[0]][1:]) for key in projects)
        access_matrix.check(f"api/count projects {role}", api_list["count"] == want_count, True)

        for (variant, level), project in projects.items():
            _kind, body, entity = VARIANTS[variant]
            readable = expected(table, "view", level, standing, body, entity)
            listable = expected(table, "list", level, standing, body, entity)
            case = f"{role} {variant} {level}"
            access_matrix.check(f"api/list project {case}", project.pk in api_listed, listable)
            access_matrix.check(f"html/list project {case}", f'href="/projects/{project.pk}/"' in html_list, listable)
            access_matrix.check(f"html/view project {case}",
                                _proper(client.get(f"/projects/{project.pk}/").status_code, readable, role), True)
            access_matrix.check(f"api/view project {case}",
                                _proper(client.get(f"/api/projects/{project.pk}/").status_code, readable, role), True)
            access_matrix.check(f"html/view funding {case}",
                                _proper(client.get(f"/funding/projects/{project.pk}/").status_code, readable, role), True)
            flows = client.get(f"/api/flows/?project={project.pk}").json()
            access_matrix.check(f"api/list flows {case}", flows.get("count", 0) == (1 if listable else 0), True)
    access_matrix.assert_clean()
