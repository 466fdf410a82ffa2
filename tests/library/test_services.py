"""Writes to the library: permission, validation, files, grants and exactly one change-log event per row."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from compact.access.models import Grant
from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired
from compact.library import services
from compact.library.models import Document


def events_of(document) -> list[ChangeEvent]:
    return list(ChangeEvent.objects.filter(object_type="library.document", object_id=str(document.pk)).order_by("id"))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_create_with_a_file_stores_its_facts_and_records_one_event(library, media):
    content = b"%PDF-1.7 workplan of working group 3"
    document = services.document_create(
        actor=library.users.unoda, reason="", title={"fr": "Plan de travail", "ar": "خطة العمل"},
        owner_body=library.wg3, sensitivity="internal", kind="workplan",
        upload=SimpleUploadedFile("../../etc/Plan de travail\x00 2024.PDF", content),
    )
    document.refresh_from_db()
    assert document.file_name == "Plan de travail_ 2024.PDF"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.media_type == "application/pdf"
    assert document.file.read() == content
    assert document.created_by == library.users.unoda
    assert (document.title_fr, document.title_ar, document.title_en) == ("Plan de travail", "خطة العمل", None)
    [event] = events_of(document)
    assert event.action == "create" and event.actor == library.users.unoda
    assert event.changes["sha256"] == [None, hashlib.sha256(content).hexdigest()]
    assert event.changes["file_name"] == [None, "Plan de travail_ 2024.PDF"]


@pytest.mark.parametrize(("name", "expected"), [
    ("report.docx", "report.docx"),
    ("C:\\Users\\x\\minutes.txt", "minutes.txt"),
    ("..hidden", "hidden"),
    ('a<b>:"c"|?*.csv', "a_b___c____.csv"),
    ("", "document"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_file_names_are_sanitised(name, expected):
    assert services.sanitise_file_name(name) == expected


def test_empty_and_oversized_files_are_refused_and_nothing_is_written(library, media, monkeypatch):
    before = (Document.objects.count(), ChangeEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        services.document_create(actor=library.users.secretariat, title="Empty", owner_body=library.wg3,
                                 upload=SimpleUploadedFile("empty.pdf", b""))
    assert error.value.message_dict == {"upload": ["The file is empty."]}
    monkeypatch.setattr(services, "MAX_FILE_SIZE", 10)
    with pytest.raises(ValidationError) as error:
        services.document_create(actor=library.users.secretariat, title="Big", owner_body=library.wg3,
                                 upload=SimpleUploadedFile("big.pdf", b"x" * 11))
    assert "the largest file accepted is 50 MB" in error.value.message_dict["upload"][0]
    assert (Document.objects.count(), ChangeEvent.objects.count()) == before
    assert stored_files(media) == []


def test_a_failed_write_leaves_no_file_behind(library, media, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("change log unavailable")

    monkeypatch.setattr(services, "record_change", broken)
    before = Document.objects.count()
    with pytest.raises(RuntimeError):
        services.document_create(actor=library.users.secretariat, title="Lost", owner_body=library.wg3,
                                 upload=SimpleUploadedFile("lost.txt", b"text"))
    assert Document.objects.count() == before
    assert stored_files(media) == []


def test_validation_names_each_bad_field(library):
    with pytest.raises(ValidationError) as error:
        services.document_create(actor=library.users.secretariat, title={"en": " "}, kind="poem",
                                 sensitivity="secret", language="xx")
    assert set(error.value.message_dict) == {"title", "owner_body", "kind", "sensitivity", "language"}
    with pytest.raises(ValidationError) as error:
        services.document_create(actor=library.users.secretariat, title={"de": "Bericht"}, owner_body=library.wg3)
    assert "Unknown language de" in error.value.message_dict["title"][0]


def test_a_reason_is_required_for_confidential_and_above(library):
    for level in ("confidential", "strictly_confidential"):
        with pytest.raises(ReasonRequired):
            services.document_create(actor=library.users.secretariat, reason=" ", title="No reason",
                                     owner_body=library.wg3, sensitivity=level)
    with pytest.raises(ReasonRequired):  # lowering a confidential document needs one too
        services.document_update(document=library.docs.confidential3, actor=library.users.secretariat,
                                 sensitivity="public")


def test_only_those_who_may_change_the_result_may_create(library):
    with pytest.raises(PermissionDenied):  # a representative, not an officer
        services.document_create(actor=library.users.opcw, title="Not mine", owner_body=library.wg3)
    with pytest.raises(ValidationError) as error:  # an officer of wg-2, not of wg-3
        services.document_create(actor=library.users.wco, title="Not mine", owner_body=library.wg3)
    assert list(error.value.message_dict) == ["owner_body"]
    with pytest.raises(ValidationError) as error:  # UNODA's focal point for another entity
        services.document_create(actor=library.users.unoda, title="Not mine", owner_entity=_entity("WCO"))
    assert list(error.value.message_dict) == ["owner_entity"]
    assert services.document_create(actor=library.users.unoda, title="Mine", owner_entity=library.unoda).pk
    assert services.document_create(actor=None, actor_label="compact import", title="Platform", owner_body=library.wg2).pk


def _entity(acronym):
    from compact.registry.models import Entity

    return Entity.objects.get(acronym=acronym)


def test_a_strictly_confidential_creator_gets_a_change_grant_as_its_own_event(library):
    unoda = library.users.unoda
    document = services.document_create(actor=unoda, reason="threat details", title="Restricted briefing",
                                        owner_body=library.wg3, sensitivity="strictly_confidential")
    grant = Grant.objects.get(user=unoda, object_id=document.pk)
    assert grant.level == "change"
    create, granted = events_of(document)
    assert create.action == "create" and create.reason == "threat details"
    assert granted.changes == {"grant:ulla": [None, "change"]} and granted.actor == unoda
    from compact.library.selectors import document_get

    assert document_get(user=unoda, pk=document.pk, action="change").pk == document.pk
    # The secretariat's creator is named too (the role may be taken away), the grant given in its own name.
    strict_grant = events_of(library.docs.strict3)[-1]
    assert strict_grant.changes == {"grant:selma": [None, "change"]} and strict_grant.actor == library.users.secretariat
    with pytest.raises(PermissionDenied):  # a representative may not create one at all
        services.document_create(actor=library.users.opcw, reason="x", title="No", owner_body=library.wg3,
                                 sensitivity="strictly_confidential")


def test_an_unreadable_annex_of_is_refused_as_if_it_did_not_exist(library):
    with pytest.raises(ValidationError) as error:
        services.document_create(actor=library.users.unoda, title="Annex", owner_body=library.wg3,
                                 annex_of=library.docs.confidential2)
    assert error.value.message_dict == {"annex_of": ["No such document."]}


def test_a_document_cannot_become_an_annex_of_its_own_annex(library):
    with pytest.raises(ValidationError) as error:
        services.document_update(document=library.docs.confidential2, actor=library.users.secretariat,
                                 reason="loop", annex_of=library.docs.annex)
    assert "annex of itself" in error.value.message_dict["annex_of"][0]


def test_update_records_one_event_with_the_changed_fields_and_keeps_other_languages(library):
    document = library.docs.public3
    event = services.document_update(document=document, actor=library.users.unoda, reason="",
                                     title={"en": "Border security report, revised"}, kind="note")
    document.refresh_from_db()
    assert (document.title_en, document.title_fr) == ("Border security report, revised", "Rapport sur la sécurité des frontières")
    assert set(event.changes) == {"title", "title_en", "kind"}
    assert len(events_of(document)) == 2
    assert services.document_update(document=document, actor=library.users.unoda, kind="note") is None
    assert len(events_of(document)) == 2


def test_update_replaces_the_file_and_removes_the_old_one(library, media, django_capture_on_commit_callbacks):
    document = library.docs.internal3
    with django_capture_on_commit_callbacks(execute=True):
        services.document_update(document=document, actor=library.users.secretariat, upload=SimpleUploadedFile("a.txt", b"one"))
    first = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        event = services.document_update(document=document, actor=library.users.secretariat,
                                         upload=SimpleUploadedFile("b.csv", b"two,2"))
    assert event.changes["file_name"] == ["a.txt", "b.csv"]
    assert event.changes["media_type"] == ["text/plain", "text/csv"]
    assert [p.name for p in stored_files(media)] == ["b.csv"]
    assert document.file.name != first


def test_update_refuses_owners_or_sensitivity_the_actor_could_not_change(library):
    with pytest.raises(ValidationError) as error:
        services.document_update(document=library.docs.public3, actor=library.users.unoda, owner_body=library.wg2)
    assert list(error.value.message_dict) == ["owner_body"]
    with pytest.raises(PermissionDenied):
        services.document_update(document=library.docs.public3, actor=library.users.opcw, kind="note")
    with pytest.raises(TypeError):
        services.document_update(document=library.docs.public3, actor=library.users.secretariat, colour="blue")


def test_delete_is_refused_while_annexes_remain_then_records_the_last_values(library, media, django_capture_on_commit_callbacks):
    docs = library.docs
    with pytest.raises(ValidationError) as error:
        services.document_delete(document=docs.confidential2, actor=library.users.secretariat, reason="obsolete")
    assert "has 1 annex" in error.value.message_dict["annex_of"][0]
    services.document_update(document=docs.annex, actor=library.users.secretariat,
                             upload=SimpleUploadedFile("annex.txt", b"contacts"))
    with django_capture_on_commit_callbacks(execute=True):
        event = services.document_delete(document=docs.annex, actor=library.users.secretariat, reason="")
    assert event.action == "delete" and event.changes["title_en"] == ["Annex: customs contact list", None]
    assert stored_files(media) == []
    with pytest.raises(ReasonRequired):
        services.document_delete(document=docs.confidential2, actor=library.users.secretariat, reason="")
    services.document_delete(document=docs.confidential2, actor=library.users.secretariat, reason="obsolete")
    assert not Document.objects.filter(pk__in=[docs.annex.pk, docs.confidential2.pk]).exists()
    with pytest.raises(PermissionDenied):
        services.document_delete(document=docs.public3, actor=library.users.opcw, reason="x")
