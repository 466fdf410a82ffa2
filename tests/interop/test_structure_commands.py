"""``compact load-structure`` and ``compact export-structure`` as users run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from compact.audit.models import ChangeEvent
from compact.interop.structure.writer import export_structure
from compact.registry.models import Body
from compact.registry.services import default_structure_file

DEFAULT = default_structure_file().read_text(encoding="utf-8")


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def default_file(tmp_path):
    path = tmp_path / "compact.yaml"
    path.write_text(DEFAULT, encoding="utf-8")
    return path


def test_load_structure_reports_counts_per_type(db, default_file):
    out, err = run("load_structure", str(default_file), "--reason", "first load")
    assert err == ""
    assert f"Loaded {default_file}:" in out
    assert "  entity          13 created    0 updated    0 deleted    0 unchanged\n" in out
    assert ChangeEvent.objects.filter(reason="first load", actor_label="compact load-structure").count() == 103


def test_load_structure_without_reason_logs_the_file_name(db, default_file):
    run("load_structure", str(default_file))
    assert set(ChangeEvent.objects.values_list("reason", flat=True)) == {
        "Structure file compact.yaml loaded with compact load-structure"}


def test_load_structure_with_a_blank_reason_logs_the_file_name(db, default_file):
    out, err = run("load_structure", str(default_file), "--reason", "   ")
    assert err == "" and f"Loaded {default_file}:" in out
    assert set(ChangeEvent.objects.values_list("reason", flat=True)) == {
        "Structure file compact.yaml loaded with compact load-structure"}


def test_load_structure_twice_says_nothing_changed(seeded, default_file):
    out, _ = run("load_structure", str(default_file))
    assert "No changes: the registry already matches the file." in out


def test_load_structure_dry_run_lists_changes_and_writes_nothing(db, default_file):
    out, _ = run("load_structure", str(default_file), "--dry-run")
    assert "nothing was written" in out
    assert "  create body wg-6" in out
    assert not Body.objects.exists() and not ChangeEvent.objects.exists()


def test_load_structure_json_output(db, default_file):
    out, _ = run("load_structure", str(default_file), "--format", "json")
    report = json.loads(out)
    assert report["counts"]["leadership"] == {"created": 25, "updated": 0, "deleted": 0, "unchanged": 0}
    assert report["dry_run"] is False and report["changed"] == 103


def test_load_structure_bad_file_exits_1_with_located_problems_and_json(seeded, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT.replace("    number: 6\n", "    number: 5\n").replace("role: co_chair", "role: co-chair"),
                   encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load_structure", str(bad), "--format", "json", stdout=out, stderr=err)
    assert caught.value.returncode == 1
    assert "nothing was written" in str(caught.value)
    problems = json.loads(out.getvalue())["problems"]
    assert {p["path"] for p in problems} == {
        "bodies[3].leadership[3].role", "bodies[7].leadership[0].role", "bodies[7].leadership[1].role"}
    assert all(line.startswith(f"{bad}:") for line in err.getvalue().splitlines())


def test_export_structure_writes_to_stdout_or_a_file(seeded, tmp_path):
    out, _ = run("export_structure")
    assert out == export_structure()
    target = tmp_path / "out.yaml"
    run("export_structure", "-o", str(target))
    assert target.read_text(encoding="utf-8") == out


def test_export_structure_of_an_empty_registry_exits_1(db):
    with pytest.raises(CommandError) as caught:
        run("export_structure")
    assert caught.value.returncode == 1


def test_the_compact_command_exits_1_on_a_bad_file_and_leaves_the_database_unchanged(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "COMPACT_VAR_DIR": str(tmp_path / "var")}

    def compact(*args):
        return subprocess.run([sys.executable, "-m", "compact.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)

    assert compact("migrate", "-v", "0").returncode == 0
    good = tmp_path / "good.yaml"
    good.write_text(DEFAULT, encoding="utf-8")
    assert compact("load-structure", str(good)).returncode == 0
    before = compact("export-structure").stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT.replace("  - acronym: UNODA\n", "  - acronym: UNODC\n"), encoding="utf-8")
    result = compact("load-structure", str(bad))
    assert result.returncode == 1
    line = DEFAULT[: DEFAULT.index("  - acronym: UNODA\n")].count("\n") + 1
    assert f"{bad}:{line}: entities[8].acronym: duplicate acronym “UNODC”" in result.stderr
    assert compact("export-structure").stdout == before
    assert compact("load-structure").returncode == 2


def test_export_keeps_contacts_sensitivity_and_is_written_to_the_access_log(seeded, tmp_path):
    from django.core.management import call_command

    from compact.audit.models import AccessEvent
    from compact.registry.models import Entity, Person

    person = Person.objects.create(entity=Entity.objects.get(acronym="UNDP"), given_name="Rana", family_name="Example",
                                   function="focal_point", sensitivity="strictly_confidential")
    out = tmp_path / "structure.yaml"
    call_command("export_structure", output=str(out))
    assert "sensitivity: strictly_confidential" in out.read_text(encoding="utf-8")
    event = AccessEvent.objects.get()
    assert (event.action, event.object_type, event.user_label) == ("export", "registry.person", "compact export-structure")
    assert event.object_ids == [person.pk] and event.highest_sensitivity == "strictly_confidential"
