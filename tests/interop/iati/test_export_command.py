"""``compact export iati`` as operators run it: the file or standard output, the summary, ``--project``,
``--as``, exit codes (0 written, 1 a project that cannot be exported or a file that cannot be written,
2 bad usage) and the access log."""

from __future__ import annotations

import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from compact.audit.models import AccessEvent
from compact.interop.iati.schema import activities_schema
from support.projects import make_project


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def identifiers(document: bytes) -> list[str]:
    return etree.parse(io.BytesIO(document)).xpath("/iati-activities/iati-activity/iati-identifier/text()")


@pytest.fixture
def world(seeded, make_user):
    """``internal``: a published internal project of UNODC in wg-2 (IATI identifier XM-DAC-41127-CT-1);
    ``confidential``: a published confidential project of UNDP in wg-1 (no IATI identifier); ``draft``: a
    draft; ``reader``: a signed-in user with no standing; ``undp``: a UNDP staff member."""

    class World:
        internal = make_project(stage="published", iati_identifier="XM-DAC-41127-CT-1")
        confidential = make_project(stage="published", sensitivity="confidential", lead_entity="UNDP", lead_body="wg-1",
                                    working_groups=["wg-1"], pillars=[1], reason="Confidential test project")
        draft = make_project(title="A draft")
        reader = make_user("reader")
        undp = make_user("undp-staff", entity="UNDP", function="representative")

    return World


def test_export_to_a_file_writes_every_published_project(world, tmp_path):
    path = tmp_path / "activities.xml"
    out, err = run("iati", "--output", str(path))
    assert (out, err) == (f"2 IATI activities written to {path}.\n", "")
    document = path.read_bytes()
    assert identifiers(document) == ["XM-DAC-41127-CT-1", f"XM-DAC-41114-COMPACT-{world.confidential.pk}"]
    schema = activities_schema()
    assert schema.validate(etree.parse(io.BytesIO(document))), schema.error_log
    assert [p.name for p in tmp_path.iterdir()] == ["activities.xml"]
    event = AccessEvent.objects.get()
    assert (event.action, event.user, event.user_label, event.row_count, event.detail) == (
        "export", None, "compact export iati", 2, f"iati xml to {path}")


def test_without_output_the_xml_goes_to_standard_output_and_the_summary_to_standard_error(world):
    out, err = run("iati", "--project", "XM-DAC-41127-CT-1")
    assert out.startswith("<?xml version='1.0' encoding='utf-8'?>\n<iati-activities version=\"2.03\"")
    assert identifiers(out.encode("utf-8")) == ["XM-DAC-41127-CT-1"]
    assert err == "1 IATI activity written to standard output.\n"
    assert AccessEvent.objects.get().detail == "iati xml to standard output"


def test_json_summary(world, tmp_path):
    path = tmp_path / "activities.xml"
    out, _err = run("iati", "-o", str(path), "--format", "json", "--project", str(world.internal.pk))
    assert json.loads(out) == {"activities": 1, "output": str(path)}


def test_projects_are_named_by_id_or_iati_identifier(world, tmp_path):
    path = tmp_path / "activities.xml"
    run("iati", "-o", str(path), "--project", str(world.confidential.pk), "--project", "XM-DAC-41127-CT-1")
    assert identifiers(path.read_bytes()) == ["XM-DAC-41127-CT-1", f"XM-DAC-41114-COMPACT-{world.confidential.pk}"]


@pytest.mark.parametrize("which", ["draft", "unknown", "confidential"])
def test_a_project_that_cannot_be_exported_stops_with_1_and_writes_nothing(world, tmp_path, which):
    ref = {"draft": str(world.draft.pk), "unknown": "XX-NONE-1", "confidential": str(world.confidential.pk)}[which]
    path = tmp_path / "activities.xml"
    with pytest.raises(CommandError) as caught:
        call_command("export", "iati", "-o", str(path), "--as", "reader", "--project", "XM-DAC-41127-CT-1", ref,
                     stdout=StringIO(), stderr=(err := StringIO()))
    assert caught.value.returncode == 1
    assert err.getvalue() == f"{ref}: no published joint project with this id or IATI identifier may be exported\n"
    assert not path.exists() and not AccessEvent.objects.exists()


def test_as_a_user_only_what_they_may_read(world, tmp_path):
    path = tmp_path / "activities.xml"
    run("iati", "-o", str(path), "--as", "reader")
    assert identifiers(path.read_bytes()) == ["XM-DAC-41127-CT-1"]
    run("iati", "-o", str(path), "--as", "undp-staff")
    assert identifiers(path.read_bytes()) == ["XM-DAC-41127-CT-1", f"XM-DAC-41114-COMPACT-{world.confidential.pk}"]
    assert [(e.user.username, e.row_count) for e in AccessEvent.objects.order_by("pk")] == [("reader", 1), ("undp-staff", 2)]


def test_a_user_who_may_read_nothing_gets_exit_1_and_no_file(seeded, make_user, tmp_path):
    """The official schema asks for at least one iati-activity: an empty export would not be valid."""
    make_project(stage="published", sensitivity="confidential", lead_entity="UNDP", lead_body="wg-1",
                 working_groups=["wg-1"], pillars=[1], reason="Confidential test project")
    make_user("reader")
    path = tmp_path / "activities.xml"
    with pytest.raises(CommandError) as raised:
        run("iati", "-o", str(path), "--as", "reader")
    assert raised.value.returncode == 1 and "nothing was written" in str(raised.value)
    assert not path.exists()


@pytest.mark.parametrize("args", [("iati", "--as", "nobody")])
def test_bad_usage_exits_with_2(db, args):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2


def test_an_unknown_kind_is_refused(db):
    with pytest.raises(CommandError, match="invalid choice: 'csv'"):
        run("csv")


def test_a_file_that_cannot_be_written_exits_with_1(world, tmp_path):
    with pytest.raises(CommandError) as caught:
        run("iati", "-o", str(tmp_path / "missing" / "activities.xml"))
    assert caught.value.returncode == 1 and "cannot write" in str(caught.value)


def test_the_command_line_exits_2_on_bad_usage(db):
    from compact.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["export", "csv"])
    assert caught.value.code == 2
