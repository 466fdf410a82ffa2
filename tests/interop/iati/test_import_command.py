"""``compact import iati FILE...``: exit codes, output, the relevance options and the change log."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compact.audit.models import ChangeEvent
from compact.projects.models import Project
from support.iati import DFID, SAMPLES, activities, activity

pytestmark = pytest.mark.django_db


def _run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import", *args, "--no-progress", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_a_dry_run_of_the_dfid_file(seeded):
    code, out, err = _run("iati", str(DFID), "--working-group", "wg-2", "--lead-entity", "UNODC", "--dry-run")
    assert code == 0, err
    assert "Dry run of dfid-haiti-2.01-from-hxl-proxy.xml: nothing was written." in out
    assert "IATI 2.01, 54 activities" in out and "54 to create, 0 to update, 0 unchanged, 0 not relevant" in out
    assert "unknown organisation: GB-GOV-1 Department for International Development" in out
    assert Project.objects.count() == 0


def test_an_import_is_recorded_as_the_command(seeded, tmp_path):
    path = tmp_path / "undp.xml"
    path.write_bytes(activities(activity("XM-DAC-41114-C-1")))
    code, out, err = _run("iati", str(path), "--working-group", "wg-2", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["written"] and report["counts"]["create"] == 1
    project = Project.objects.get(iati_identifier="XM-DAC-41114-C-1")
    event = ChangeEvent.objects.filter(object_type="projects.project", object_id=str(project.pk)).get()
    assert event.actor_label == "compact import iati" and event.reason == "IATI files undp.xml imported with compact import iati"


def test_counter_terrorism_selection_from_the_command_line(seeded, tmp_path):
    path = tmp_path / "undp.xml"
    path.write_bytes(activities(activity("XM-DAC-41114-C-1", title="Preventing terrorism financing"),
                                activity("XM-DAC-41114-C-2", title="School meals")))
    code, out, err = _run("iati", str(path), "--working-group", "wg-2", "--counter-terrorism")
    assert code == 0, err
    assert "1 to create, 0 to update, 0 unchanged, 1 not relevant" in out
    assert "create    XM-DAC-41114-C-1  (keyword “terror” in the title (en))" in out
    code, out, err = _run("iati", str(path), "--working-group", "wg-2", "--keywords", "meals", "--dry-run")
    assert code == 0 and "create    XM-DAC-41114-C-2  (keyword “meals” in the title (en))" in out


def test_problems_exit_1_and_name_file_and_line(seeded):
    legacy = SAMPLES / "undp_sample-legacy-1.x.xml"
    code, out, err = _run("iati", str(legacy), "--working-group", "wg-2")
    assert code == 1
    assert err.splitlines()[0].startswith("undp_sample-legacy-1.x.xml")
    assert "version 2.03" in err and "nothing was written" in err


@pytest.mark.parametrize("args", [
    ("iati", "/no/such/file.xml"),
    ("iati", str(DFID), "--working-group", "wg-99"),
    ("iati", str(DFID), "--lead-entity", "NOPE"),
    ("iati", str(DFID), "--as", "nobody"),
    ("iati", str(DFID), "--sectors", "12"),
])
def test_bad_usage_exits_2(seeded, args):
    code, _out, err = _run(*args)
    assert code == 2
