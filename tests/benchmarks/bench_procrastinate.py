"""Benchmark of the Procrastinate recipe: defer latency and end-to-end jobs per second.

Run with ``python tests/benchmarks/bench_procrastinate.py`` from the repository
root. It starts its own PostgreSQL clusters (both variants, ports moved by
``PORT_OFFSET``), migrates the example project ``examples/procrastinate`` into a
fresh database, and prints one ``figure-name: value unit`` line per figure:

* ``defer-latency-p50/p99``: ``count_words.defer()`` from Django, one committed
  INSERT per call on Django's own connection.
* ``jobs-per-second-<task>-concurrency-<n>``: a real ``manage.py procrastinate
  worker`` process is already listening; the clock runs from the first defer of
  ``JOBS`` jobs to the moment the last one is ``succeeded``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cookbook_harness.benchmarks import measure_in_example
from cookbook_harness.postgres import running_servers

PORT_OFFSET = 1200
DEFERS = 400
JOBS = 200
CONCURRENCY = 8
DATABASE = "bench_procrastinate"

if TYPE_CHECKING:
    from django.db.models import QuerySet


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def start_worker(env: dict[str, str], concurrency: int, log: Path) -> subprocess.Popen[bytes]:
    """Start a worker logging to ``log`` and return once it says it is listening.

    A file, not a pipe: a worker that logs one line per job would block on a
    full pipe that nobody reads.
    """
    with open(log, "wb") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "procrastinate",
                "worker",
                "--queues",
                "documents",
                "--concurrency",
                str(concurrency),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while b"Starting worker" not in log.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise RuntimeError(f"the worker did not start:\n{log.read_text()}")
        time.sleep(0.05)
    return worker


def wait_until_done(jobs: QuerySet, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while jobs.filter(status="succeeded").count() < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {jobs.filter(status='succeeded').count()}/{count} jobs done")
        time.sleep(0.01)


def measure(variant: str, workdir: str) -> None:
    """Runs in a process started in examples/procrastinate whose environment reaches
    ``variant``'s cluster (cookbook_harness.benchmarks)."""
    env = dict(os.environ)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], env=env, check=True)

    import django
    from django.db import connection

    django.setup()
    from procrastinate.contrib.django.models import ProcrastinateJob

    from documents.models import Document
    from documents.tasks import count_words, summarise

    document = Document.objects.create(text="a short text of seven words here")

    samples = []
    for _ in range(DEFERS):
        began = time.perf_counter()
        count_words.defer(document_id=document.pk)
        samples.append(time.perf_counter() - began)
    print(f"{variant}-defer-latency-p50: {percentile(samples, 0.50) * 1000:.2f} ms")
    print(f"{variant}-defer-latency-p99: {percentile(samples, 0.99) * 1000:.2f} ms")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE procrastinate_jobs CASCADE")

    for task in (count_words, summarise):
        for concurrency in (1, CONCURRENCY):
            worker = start_worker(env, concurrency, Path(workdir) / "worker.log")
            began = time.perf_counter()
            for _ in range(JOBS):
                task.defer(document_id=document.pk)
            jobs = ProcrastinateJob.objects.filter(task_name=task.name)
            try:
                wait_until_done(jobs, JOBS)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
            elapsed = time.perf_counter() - began
            failed = jobs.exclude(status="succeeded").count()
            assert failed == 0, f"{failed} jobs did not succeed"
            name = "sync" if task is count_words else "async"
            print(
                f"{variant}-jobs-per-second-{name}-concurrency-{concurrency}: "
                f"{JOBS / elapsed:.0f} jobs/s",
                flush=True,
            )
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE procrastinate_jobs CASCADE")
    connection.close()


def main() -> None:
    # SIGTERM (e.g. from `timeout`) unwinds normally, so the clusters are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with running_servers(port_offset=PORT_OFFSET) as servers:
        with tempfile.TemporaryDirectory() as workdir:
            for variant, cluster in servers.clusters.items():
                cluster.create_database(DATABASE)
                inherited = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
                env = (
                    inherited
                    | cluster.client_env(DATABASE)
                    | {"DJANGO_SETTINGS_MODULE": "mysite.settings"}
                )
                measure_in_example(__file__, "procrastinate", variant, workdir, env=env)
        for variant, reason in servers.unavailable.items():
            print(f"# {variant} skipped: {reason}")


if __name__ == "__measure__":
    measure(sys.argv[2], sys.argv[3])
elif __name__ == "__main__":
    main()
