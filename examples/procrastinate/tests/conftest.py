"""Fixtures that run real Procrastinate workers against the test database.

A worker is a separate process with its own database connections, so it only
sees jobs that the test has committed: every test that starts one uses
``django_db(transaction=True)``.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from procrastinate.contrib.django.models import ProcrastinateJob
from pytest_django import DjangoDbBlocker

PROJECT = Path(__file__).resolve().parents[1]
PROCRASTINATE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


@pytest.fixture(autouse=True)
def empty_queue(
    request: pytest.FixtureRequest, django_db_blocker: DjangoDbBlocker
) -> Iterator[None]:
    """Start each test with no jobs: the flush between transactional tests skips them.

    Procrastinate's models are unmanaged, so Django's flush leaves their tables alone.
    A test without the database has no test database to empty: the connection
    would reach the real one.
    """
    yield
    uses_database = request.node.get_closest_marker("django_db") or (
        {"db", "transactional_db"} & set(request.fixturenames)
    )
    if not uses_database:
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(PROCRASTINATE_TABLES)} RESTART IDENTITY CASCADE")


def worker_env() -> dict[str, str]:
    """The test's environment, pointed at the test database that Django created."""
    return os.environ | {"PGDATABASE": connection.settings_dict["NAME"]}


def manage(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python manage.py <args>`` in the example project and wait for it."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def run_worker() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``manage.py procrastinate worker --one-shot <args>`` until the queues are empty."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = manage("procrastinate", "worker", "--one-shot", *args)
        assert result.returncode == 0, result.stderr
        return result

    return run


@pytest.fixture
def start_worker() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start long-running worker processes; any still running at the end are killed."""
    started: list[subprocess.Popen[str]] = []

    def start(*argv: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, *argv],
            cwd=PROJECT,
            env=worker_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)


def wait_for_status(job_id: int, status: str, timeout: float = 55) -> ProcrastinateJob:
    """Poll the job's row until it reaches ``status`` (each query sees new commits)."""
    deadline = time.monotonic() + timeout
    while True:
        job = ProcrastinateJob.objects.get(pk=job_id)
        if job.status == status:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} is {job.status!r}, not {status!r}")
        time.sleep(0.05)
