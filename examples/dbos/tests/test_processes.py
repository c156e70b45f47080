"""Real server processes: where DBOS launches, and what survives a SIGKILL."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.conftest import Project, wait_for


def request(url: str, body: object = None, **headers: str) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers=headers)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def query(env: dict[str, str], sql: str) -> list[tuple]:
    with psycopg.connect(dbname=env["PGDATABASE"]) as conn:
        return conn.execute(sql).fetchall()


def has_dbos_schema(env: dict[str, str]) -> bool:
    return bool(query(env, "SELECT 1 FROM pg_namespace WHERE nspname = 'dbos'"))


def email_counts(env: dict[str, str], workflow_id: str) -> dict[str, int]:
    rows = query(
        env,
        "SELECT kind, count(*) FROM onboarding_email "
        f"WHERE workflow_id = '{workflow_id}' GROUP BY kind",
    )
    return dict(rows)


def workflow_status(project: Project, workflow_id: str) -> dict:
    status, body = request(f"{project.url}/workflows/{workflow_id}/")
    assert status == 200, body
    return body


def start_onboarding(project: Project, key: str, follow_up_after: float) -> None:
    status, body = request(
        f"{project.url}/signups/background/",
        {"email": "ada@example.com", "follow_up_after": follow_up_after},
        **{"Idempotency-Key": key},
    )
    assert status == 202, body


def kill_between_steps(project: Project, server: subprocess.Popen[bytes], key: str) -> None:
    """Wait until the welcome step is recorded, then SIGKILL the server."""
    wait_for(
        lambda: "DBOS.sleep" in workflow_status(project, key)["steps"],
        "the workflow to reach its timer",
    )
    assert email_counts(project.env, key) == {"welcome": 1}
    os.kill(server.pid, signal.SIGKILL)
    assert server.wait(timeout=10) == -signal.SIGKILL


def test_only_serving_processes_launch_dbos(project: Project, tmp_path: Path) -> None:
    for command in (["check"], ["migrate"], ["showmigrations", "onboarding"]):
        output = project.manage(*command)
        assert "DBOS" not in output, command
    assert not has_dbos_schema(project.env)

    # With the autoreloader: a parent process that watches files and a child
    # that serves. Only the child imports wsgi.py.
    log = tmp_path / "server.log"
    project.start_server(log, reload=True)
    status, body = request(f"{project.url}/signups/", {"email": "ada@example.com"})

    assert (status, body) == (200, {"welcome_email": 1, "follow_up_email": 2})
    assert request(f"{project.url}/workflows/unknown/")[0] == 404
    assert log.read_text().count("DBOS launched!") == 1
    assert has_dbos_schema(project.env)


def test_asgi_module_launches_dbos(project: Project) -> None:
    project.manage("migrate")
    result = subprocess.run(
        [sys.executable, "-c", "import mysite.asgi"],
        cwd=project.path,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "DBOS launched!" in result.stderr
    assert has_dbos_schema(project.env)


def test_sigkill_between_steps_recovers_without_repeating_the_first(
    project: Project, tmp_path: Path
) -> None:
    project.manage("migrate")
    server = project.start_server(tmp_path / "first.log")
    start_onboarding(project, "signup-crash", follow_up_after=3)
    kill_between_steps(project, server, "signup-crash")
    assert query(
        project.env, "SELECT status FROM dbos.workflow_status WHERE workflow_uuid = 'signup-crash'"
    ) == [("PENDING",)]

    project.start_server(tmp_path / "second.log")
    wait_for(
        lambda: workflow_status(project, "signup-crash")["status"] == "SUCCESS",
        "the recovered workflow to finish",
    )

    # One welcome email across both processes: the step the first process
    # completed was not run again, its recorded result was reused.
    assert email_counts(project.env, "signup-crash") == {"welcome": 1, "follow-up": 1}
    [(welcome_id,)] = query(project.env, "SELECT id FROM onboarding_email WHERE kind = 'welcome'")
    assert workflow_status(project, "signup-crash")["result"]["welcome_email"] == welcome_id
    log = (tmp_path / "second.log").read_text()
    assert "Recovering 1 workflows from application version 1" in log


@pytest.mark.parametrize("pinned", [True, False], ids=["pinned", "unpinned"])
def test_code_change_and_recovery(project_copy: Project, tmp_path: Path, pinned: bool) -> None:
    """A workflow pending across a deploy that edits the workflow's code."""
    project = project_copy
    settings = project.path / "mysite" / "settings.py"
    if not pinned:
        text, removed = re.subn(r'\n\s*"application_version": "1",', "", settings.read_text())
        assert removed == 1
        settings.write_text(text)
    project.manage("migrate")
    server = project.start_server(tmp_path / "first.log")
    start_onboarding(project, "signup-deploy", follow_up_after=2)
    kill_between_steps(project, server, "signup-deploy")

    workflows = project.path / "onboarding" / "workflows.py"
    edited = workflows.read_text().replace(
        "    welcome = send_welcome(to)\n",
        "    welcome = send_welcome(to)\n    DBOS.logger.info(f'welcomed {to}')\n",
    )
    assert edited != workflows.read_text()
    workflows.write_text(edited)
    project.start_server(tmp_path / "second.log")

    if pinned:
        wait_for(
            lambda: workflow_status(project, "signup-deploy")["status"] == "SUCCESS",
            "the recovered workflow to finish",
        )
        assert email_counts(project.env, "signup-deploy") == {"welcome": 1, "follow-up": 1}
    else:
        log = (tmp_path / "second.log").read_text()
        version = re.search(r"Application version: (\w+)", log).group(1)
        assert f"No workflows to recover from application version {version}" in log
        # Well past the timer's deadline: the workflow is stranded, not late.
        time.sleep(4)
        assert workflow_status(project, "signup-deploy")["status"] == "PENDING"
        assert email_counts(project.env, "signup-deploy") == {"welcome": 1}
        [(old_version,)] = query(
            project.env,
            "SELECT application_version FROM dbos.workflow_status "
            "WHERE workflow_uuid = 'signup-deploy'",
        )
        assert old_version != version
