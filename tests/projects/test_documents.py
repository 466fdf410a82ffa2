"""A joint project's documents, on its form, in its services and in the API: an editor links and unlinks
only documents they may read; a link to a document they may not read (here a confidential note of
working group 5, which UNODC does not take part in) is kept, never dropped and never shown to them.

The world (``conftest.py``): ``unodc`` is UNODC's focal point and may change ``internal2`` (UNODC's
project in wg-2); the secretariat reads every document. Documents written directly (test set-up):

- ``hidden``: "Confidential threat assessment", confidential, owned by wg-5 (CTED and UNOCT);
- ``visible``: "Border management handbook", internal, owned by wg-2, dated 2026-03-12;
- ``other``: "Regional strategy note", public, owned by UNODC, undated.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from rest_framework.test import APIClient

from compact.audit.models import ChangeEvent
from compact.projects import services
from compact.projects.forms import FORMSETS, ProjectForm, formset_initial

pytestmark = pytest.mark.django_db

HIDDEN_TITLE = "Confidential threat assessment"


@pytest.fixture
def docs(world):
    from compact.library.models import Document
    from compact.registry.models import Body, Entity

    hidden = Document.objects.create(title=HIDDEN_TITLE, owner_body=Body.objects.get(key="wg-5"),
                                     sensitivity="confidential", document_date=dt.date(2025, 11, 3))
    visible = Document.objects.create(title="Border management handbook", owner_body=Body.objects.get(key="wg-2"),
                                      sensitivity="internal", document_date=dt.date(2026, 3, 12))
    other = Document.objects.create(title="Regional strategy note", owner_entity=Entity.objects.get(acronym="UNODC"),
                                    sensitivity="public")
    project = world.projects.internal2
    services.project_update(actor=world.users.secretariat, project=project, data={"documents": [hidden]},
                            reason="The threat assessment behind the project")
    return SimpleNamespace(hidden=hidden, visible=visible, other=other, project=project)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _linked(project) -> set[int]:
    return set(project.documents.values_list("pk", flat=True))


def _post_data(user, project, **changes) -> dict:
    """The edit form as the browser would send it unchanged (every field and formset row at its
    initial value), with ``changes`` applied."""
    def values(form) -> dict:
        out = {}
        for field in form:
            value = field.value()
            if value in (None, ""):
                continue
            out[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
        return out

    data = values(ProjectForm(user=user, project=project))
    initial = formset_initial(project)
    for key, (cls, prefix, _needed) in FORMSETS.items():
        formset = cls(initial=initial[key], prefix=prefix)
        data |= values(formset.management_form)
        for form in formset.forms:
            data |= values(form)
    return data | changes


def _document_options(html: str) -> dict[str, str]:
    """``{value: label}`` of the options of the form's documents field."""
    select = re.search(r'<select name="documents".*?</select>', html, re.S).group(0)
    return dict(re.findall(r'<option value="(\d+)"[^>]*>(.*?)</option>', select, re.S))


def test_the_form_offers_only_the_documents_the_editor_may_read(world, docs):
    html = _client(world.users.unodc).get(f"/projects/{docs.project.pk}/edit/").content.decode()
    options = _document_options(html)
    # Newest first (library order), each with its date and owner; the undated one says so.
    assert options == {str(docs.visible.pk): "Border management handbook (March 12, 2026, WG 2)",
                       str(docs.other.pk): "Regional strategy note (no date, UNODC)"}
    assert HIDDEN_TITLE not in html, html[html.find(HIDDEN_TITLE) - 300: html.find(HIDDEN_TITLE) + 100]
    # The secretariat reads the confidential note: offered, and selected since it is linked.
    html = _client(world.users.secretariat).get(f"/projects/{docs.project.pk}/edit/").content.decode()
    assert _document_options(html)[str(docs.hidden.pk)] == f"{HIDDEN_TITLE} (Nov. 3, 2025, WG 5)"
    assert re.search(rf'<option value="{docs.hidden.pk}" selected>', html)


def test_saving_the_form_keeps_the_link_the_editor_may_not_read(world, docs):
    """The focal point adds the handbook: both links remain, and the change's event lists the ids
    before and after, never the confidential title."""
    unodc = world.users.unodc
    data = _post_data(unodc, docs.project, documents=[str(docs.visible.pk)], reason="The handbook is the course material")
    response = _client(unodc).post(f"/projects/{docs.project.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _linked(docs.project) == {docs.hidden.pk, docs.visible.pk}
    event = ChangeEvent.objects.filter(object_type="projects.project", object_id=str(docs.project.pk)).latest("id")
    assert event.actor == unodc and event.reason == "The handbook is the course material"
    assert event.changes == {"documents": [[docs.hidden.pk], sorted([docs.hidden.pk, docs.visible.pk])]}
    assert HIDDEN_TITLE not in json.dumps(event.changes) + event.object_repr + event.reason
    # The project's page and its history show the handbook, not the confidential note.
    page = _client(unodc).get(f"/projects/{docs.project.pk}/").content.decode()
    assert "Border management handbook" in page and HIDDEN_TITLE not in page
    # Unselecting every document removes the handbook only.
    data = _post_data(unodc, docs.project, reason="Course material moved")
    data.pop("documents", None)
    assert _client(unodc).post(f"/projects/{docs.project.pk}/edit/", data).status_code == 302
    assert _linked(docs.project) == {docs.hidden.pk}


def test_the_form_refuses_a_hidden_document_like_one_that_does_not_exist(world, docs):
    unodc = world.users.unodc
    url = f"/projects/{docs.project.pk}/edit/"
    hidden = _client(unodc).post(url, _post_data(unodc, docs.project, documents=[str(docs.hidden.pk)]))
    missing = _client(unodc).post(url, _post_data(unodc, docs.project, documents=[str(docs.hidden.pk + 1000)]))
    assert hidden.status_code == missing.status_code == 400
    message = "Select a valid choice. %s is not one of the available choices."
    assert message % docs.hidden.pk in hidden.content.decode()
    assert message % (docs.hidden.pk + 1000) in missing.content.decode()
    assert HIDDEN_TITLE not in hidden.content.decode()
    assert _linked(docs.project) == {docs.hidden.pk}


def test_the_services_change_only_the_links_the_actor_may_read(world, docs):
    unodc, project = world.users.unodc, docs.project
    services.project_update(actor=unodc, project=project, data={"documents": [docs.visible, docs.other]}, reason="")
    assert _linked(project) == {docs.hidden.pk, docs.visible.pk, docs.other.pk}
    events = ChangeEvent.objects.count()
    # Giving the same readable documents again changes nothing and records nothing.
    services.project_update(actor=unodc, project=project, data={"documents": [docs.other, docs.visible]}, reason="")
    assert ChangeEvent.objects.count() == events
    services.project_update(actor=unodc, project=project, data={"documents": []}, reason="")
    assert _linked(project) == {docs.hidden.pk}
    # The secretariat reads every document, so its list is the whole list; so is the platform's.
    services.project_update(actor=world.users.secretariat, project=project, data={"documents": [docs.other]}, reason="x")
    assert _linked(project) == {docs.other.pk}
    services.project_update(actor=None, project=project, data={"documents": [docs.hidden]}, reason="x")
    assert _linked(project) == {docs.hidden.pk}


def test_the_api_keeps_the_hidden_link_and_answers_only_readable_ids(world, docs):
    client = APIClient()
    client.force_authenticate(world.users.unodc)
    url = f"/api/projects/{docs.project.pk}/"
    response = client.patch(url, {"documents": [docs.visible.pk], "reason": "Handbook"}, format="json")
    assert response.status_code == 200 and response.json()["documents"] == [docs.visible.pk]
    assert _linked(docs.project) == {docs.hidden.pk, docs.visible.pk}
    refused = client.patch(url, {"documents": [docs.hidden.pk]}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["fields"] == {"documents": ["No such document."]}
    response = client.patch(url, {"documents": [], "reason": "None"}, format="json")
    assert response.json()["documents"] == [] and _linked(docs.project) == {docs.hidden.pk}
