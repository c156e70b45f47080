"""Real server processes: where DBOS launches, and what survives a SIGKILL."""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import (
    Project,
    email_counts,
    has_dbos_schema,
    kill_between_steps,
    query,
    request,
    start_onboarding,
    wait_for,
    workflow_status,
)


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


# [/docs:code-change]


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
