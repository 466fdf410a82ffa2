"""The `compact` command end to end, as a user runs it: exit status 0 / 1 / 2."""

import json
import os
import subprocess
import sys

import pytest


@pytest.fixture
def compact_cli(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "COMPACT_VAR_DIR": str(tmp_path / "var")}
    env.pop("COMPACT_EXPECT_VENDOR", None)

    def run(*args, stdin=None):
        return subprocess.run(
            [sys.executable, "-m", "compact.cli", *args], env=env, cwd=tmp_path, capture_output=True, text=True, input=stdin,
            timeout=300,
        )

    return run


def test_setup_export_check_and_errors(compact_cli, tmp_path):
    setup = compact_cli("setup", "--no-static")
    assert setup.returncode == 0, setup.stderr
    again = compact_cli("setup", "--no-static")
    assert again.returncode == 0 and "already holds data" in again.stdout

    export = compact_cli("export-structure")
    assert export.returncode == 0, export.stderr
    assert "UNOCT" in export.stdout and "format: compact-structure" in export.stdout

    (tmp_path / "exported.yaml").write_text(export.stdout, encoding="utf-8")
    reload = compact_cli("load-structure", str(tmp_path / "exported.yaml"), "--reason", "round trip")
    assert reload.returncode == 0, reload.stderr

    missing = compact_cli("load-structure", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 1
    assert "missing.yaml" in missing.stderr

    usage = compact_cli("load-structure")
    assert usage.returncode == 2

    check = compact_cli("check", "--format", "json")
    assert check.returncode == 0, check.stderr
    findings = json.loads(check.stdout)["findings"]
    assert {"rule": "leadership.multiple_roles", "body": "wg-5", "entity": "UNOCT"}.items() <= next(
        f for f in findings if f["rule"] == "leadership.multiple_roles"
    ).items()
