"""`compact setup`: migrations, then the default data only into an empty registry."""

import pytest
from django.core.management import call_command

from compact.audit.models import ChangeEvent
from compact.registry.models import Body, Entity


@pytest.mark.django_db
def test_setup_loads_the_compact_into_an_empty_registry():
    call_command("setup", no_static=True, verbosity=0)
    # The seed names 13 entities; bodies: the Compact, the Coordination Committee, eight working groups.
    assert Entity.objects.count() == 13
    assert Body.objects.filter(kind="working_group").count() == 8
    assert Body.objects.filter(kind="committee").count() == 1
    assert ChangeEvent.objects.filter(actor_label="compact setup").exists()


@pytest.mark.django_db
def test_setup_again_keeps_existing_data():
    call_command("setup", no_static=True, verbosity=0)
    Entity.objects.filter(acronym="UNDP").update(name_en="Renamed by the secretariat")
    events = ChangeEvent.objects.count()
    call_command("setup", no_static=True, verbosity=0)
    assert Entity.objects.get(acronym="UNDP").name_en == "Renamed by the secretariat"
    assert ChangeEvent.objects.count() == events


@pytest.mark.django_db
def test_setup_without_default_data_leaves_the_registry_empty():
    call_command("setup", no_static=True, no_default_data=True, verbosity=0)
    assert not Entity.objects.exists()
