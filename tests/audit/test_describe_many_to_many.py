"""A change of a many-to-many link reads as names in a history (working groups, pillars), and a link to
access-controlled items (documents) only as how many there are: never their titles or ids."""

from __future__ import annotations

import pytest

from support.projects import make_project

pytestmark = pytest.mark.django_db


def test_many_to_many_changes_read_as_names_or_counts(seeded):
    from compact.audit.models import ChangeEvent
    from compact.audit.selectors import describe
    from compact.library.models import Document
    from compact.projects.services import project_update
    from compact.registry.models import Body

    project = make_project(None, working_groups=["wg-2", "wg-3"], pillars=[2])
    secret = Document.objects.create(title="Threat assessment Nimbus", owner_body=Body.objects.get(key="wg-3"),
                                     sensitivity="confidential")
    project_update(actor=None, project=project, data={"documents": [secret]}, reason="Annex the assessment")
    events = ChangeEvent.objects.filter(object_type="projects.project", object_id=str(project.pk)).order_by("pk")
    fields = {f.field: f for view in describe(events) for f in view.fields}
    wg2, wg3 = Body.objects.get(key="wg-2"), Body.objects.get(key="wg-3")
    assert fields["working_groups"].label == "working groups"
    assert fields["working_groups"].after == f"{wg2}, {wg3}"
    assert fields["pillars"].after.startswith("II. Measures to prevent and combat terrorism")
    assert fields["documents"].before == ""
    assert fields["documents"].after == "1 \u00d7 document"
    assert "Nimbus" not in repr(fields)
