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


def test_serve_answers_on_the_port_it_was_given(compact_cli, tmp_path):
    import socket
    import time
    import urllib.request

    assert compact_cli("setup", "--no-static").returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "COMPACT_VAR_DIR": str(tmp_path / "var"),
           "PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "compact.cli", "serve"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    body = json.loads(response.read())
                    break
            except OSError:
                time.sleep(0.2)
        assert body == {"status": "ok"}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/working-groups/?lang=fr", timeout=5) as response:
            groups = json.loads(response.read())
        assert len(groups) == 8
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_refuses_a_port_that_is_not_a_number(compact_cli):
    assert compact_cli("serve", "--port", "eighty").returncode == 2


def test_unknown_command_is_bad_usage(compact_cli):
    result = compact_cli("no-such-command")
    assert result.returncode == 2
    assert "unknown command" in result.stderr


@pytest.mark.parametrize("command, instead", [
    ("createsuperuser", "create-user"), ("changepassword", "password reset"), ("addstatictoken", "two-factor set-up"),
    ("loaddata", "load-structure"), ("flush", "new database"),
])
def test_account_commands_that_would_bypass_the_audit_trail_are_refused(compact_cli, command, instead):
    result = compact_cli(command, "--noinput")
    assert result.returncode == 2
    assert "outside the audit trail" in result.stderr and instead in result.stderr


def test_a_database_that_is_not_set_up_gives_a_clear_error_not_a_traceback(compact_cli):
    result = compact_cli("export-structure")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "compact setup" in result.stderr
