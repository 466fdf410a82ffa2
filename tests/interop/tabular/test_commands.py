"""``compact import-table`` and ``compact export-table`` as operators run them: exit codes, messages
on standard error, JSON output, and a round trip through files."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from compact.audit.models import AccessEvent, ChangeEvent
from compact.projects.models import Project
from support.projects import make_project

GOOD = ("title_en,lead_entity,lead_working_group\r\n#activity +name +i_en,#org +lead +code,#group +lead +code\r\n"
        "Border security in the Sahel,UNODC,wg-2\r\n")
BAD = GOOD.replace("wg-2", "wg-99")


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_then_dry_run_says_what_it_did(people, tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text(GOOD, encoding="utf-8")
    out, err = run("import_table", "projects", str(path), "--dry-run")
    assert err == "" and "Dry run of projects.csv: nothing was written." in out and Project.objects.count() == 0
    out, err = run("import_table", "projects", str(path))
    assert "Imported projects.csv:" in out and "1 to create, 0 to update, 0 unchanged" in out
    event = ChangeEvent.objects.get(object_type="projects.project")
    assert (event.actor_label, event.reason) == ("compact import-table",
                                                 "Table projects.csv imported with compact import-table")


def test_problems_go_to_standard_error_with_exit_status_1(people, tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("import_table", "projects", str(path), "--format", "json")
    assert caught.value.returncode == 1 and Project.objects.count() == 0


def test_json_report_lists_each_problem(people, tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text(BAD, encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_table", "projects", str(path), "--format", "json", stdout=out, stderr=err)
    report = json.loads(out.getvalue())
    assert report["problems"] == [{"row": 3, "column": "C “lead_working_group”", "hashtag": "#group +lead +code",
                                   "value": "wg-99", "message": "No body has the key 'wg-99' (working groups are wg-1, "
                                   "wg-2, ...)."}]
    assert err.getvalue().startswith(f"{path}: row 3, column C “lead_working_group”, #group +lead +code 'wg-99': No body")


def test_as_a_user_each_row_is_checked_as_that_user(people, tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CommandError):
        run("import_table", "projects", str(path), "--as", people.undp.username)
    out, _err = run("import_table", "projects", str(path), "--as", people.unodc.username, "--reason", "Survey")
    assert ChangeEvent.objects.get(object_type="projects.project").actor == people.unodc


@pytest.mark.parametrize("args", [("projects", "/nonexistent.csv"), ("projects", "x.csv", "--as", "nobody")])
def test_bad_usage_exits_with_2(db, args):
    with pytest.raises(CommandError) as caught:
        run("import_table", *args)
    assert caught.value.returncode == 2


def test_export_xlsx_then_import_changes_nothing(people, tmp_path):
    make_project(None)
    path = tmp_path / "projects.xlsx"
    run("export_table", "projects", "--format", "xlsx", "-o", str(path))
    assert AccessEvent.objects.get().detail == f"projects xlsx to {path}"
    events = ChangeEvent.objects.count()
    out, _err = run("import_table", "projects", str(path), "--reason", "Round trip")
    assert "0 to create, 0 to update, 1 unchanged" in out and ChangeEvent.objects.count() == events


def test_export_csv_to_standard_output(people):
    make_project(None)
    out, _err = run("export_table", "flows")
    assert out.splitlines()[1].startswith("#meta +id,#activity +id,#activity +code")
    event = AccessEvent.objects.get()
    assert (event.user_label, event.detail) == ("compact export-table", "flows csv to standard output")
