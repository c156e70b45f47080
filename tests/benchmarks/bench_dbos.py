"""Benchmark of the DBOS recipe: what durability costs a two-step workflow.

Run with ``python tests/benchmarks/bench_dbos.py`` from the repository root. It
starts its own PostgreSQL clusters (both variants, ports moved by
``PORT_OFFSET``), migrates the example project ``examples/dbos`` into a fresh
database, and for each variant prints ``figure-name: value unit`` lines:

* ``plain-calls-per-second``: the two steps' INSERTs (Django's connection,
  autocommit) without DBOS.
* ``workflows-per-second``: ``onboard(to, 0)`` called directly: the same two
  INSERTs as DBOS steps inside a DBOS workflow, its status and each step's
  output recorded in the system database.
* ``overhead-per-workflow``: mean latency of the workflow minus that of the
  plain calls: everything durability adds to this request.
* ``workflow-bookkeeping``: a workflow calling the same bodies undecorated,
  minus the plain calls: the workflow's own status rows.
* ``overhead-per-step``: the workflow with steps minus the one without, per
  step: recording each step's output.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from cookbook_harness.benchmarks import measure_in_example
from cookbook_harness.postgres import running_servers

PORT_OFFSET = 1100
DATABASE = "bench_dbos"
CALLS = 400
WARMUP = 30


def mean_seconds(call: Callable[[int], object], calls: int = CALLS) -> float:
    """Mean wall time of ``call(i)`` over ``calls`` calls, after a warm-up."""
    for i in range(WARMUP):
        call(i)
    began = time.perf_counter()
    for i in range(calls):
        call(i)
    return (time.perf_counter() - began) / calls


def measure(variant: str) -> None:
    """Runs in a process started in examples/dbos whose libpq environment reaches
    ``variant``'s cluster (cookbook_harness.benchmarks)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
    import django

    django.setup()
    from dbos import DBOS
    from django.core.management import call_command

    from mysite.durable import launch_dbos
    from onboarding.models import Email
    from onboarding.workflows import onboard, send_follow_up, send_welcome

    welcome_body = send_welcome.__wrapped__
    follow_up_body = send_follow_up.__wrapped__

    @DBOS.workflow()
    def undecorated_steps(to: str) -> None:
        welcome_body(to)
        follow_up_body(to)

    call_command("migrate", verbosity=0)
    launch_dbos()

    def plain(i: int) -> None:
        # The steps' INSERTs; outside a workflow there is no workflow id to store.
        Email.objects.create(to=f"plain{i}@example.com", kind=Email.Kind.WELCOME, workflow_id="-")
        Email.objects.create(to=f"plain{i}@example.com", kind=Email.Kind.FOLLOW_UP, workflow_id="-")

    plain_s = mean_seconds(plain)
    bare_s = mean_seconds(lambda i: undecorated_steps(f"bare{i}@example.com"))
    dbos_s = mean_seconds(lambda i: onboard(f"dbos{i}@example.com", 0))
    DBOS.destroy()

    print(f"{variant}-plain-calls-per-second: {1 / plain_s:.0f} calls/s")
    print(f"{variant}-workflows-per-second: {1 / dbos_s:.0f} workflows/s")
    print(f"{variant}-overhead-per-workflow: {(dbos_s - plain_s) * 1000:.2f} ms")
    print(f"{variant}-overhead-per-step: {(dbos_s - bare_s) / 2 * 1000:.2f} ms")
    print(f"{variant}-workflow-bookkeeping: {(bare_s - plain_s) * 1000:.2f} ms")


def main() -> int:
    with running_servers(port_offset=PORT_OFFSET) as servers:
        for variant, reason in servers.unavailable.items():
            print(f"# {variant} skipped: {reason}")
        for variant, cluster in servers.clusters.items():
            cluster.create_database(DATABASE)
            env = {**os.environ, **cluster.client_env(DATABASE)}
            result = measure_in_example(__file__, "dbos", variant, env=env)
            if result.returncode != 0:
                return result.returncode
    return 0


if __name__ == "__measure__":
    measure(sys.argv[2])
elif __name__ == "__main__":
    began = time.perf_counter()
    status = main()
    print(f"benchmark-wall-time: {time.perf_counter() - began:.1f} s")
    sys.exit(status)
