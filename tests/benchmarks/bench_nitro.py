"""Figures for the Nitro recipe: the Django dispatcher's cost, and the mounted FastAPI app.

Run ``python tests/benchmarks/bench_nitro.py`` (with the ``nitro`` and ``django``
dependency groups installed). It starts its own PostgreSQL clusters, and per
variant (secure, insecure) prints lines ``figure-name: value unit``:

* ``*-direct-view``: the manual Django view calling ``Todo.complete()``, in-process
  through Django's test client;
* ``*-dispatcher``: the same action through ``DjangoDispatcher``, in-process;
* ``*-uvicorn-django`` / ``*-uvicorn-fastapi``: the action over HTTP on loopback,
  through the Django dispatcher and through Nitro's FastAPI adapter mounted in
  the same ASGI application;
* ``*-sse-first-event``: from request to the first Datastar event.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from cookbook_harness.benchmarks import measure_in_example
from cookbook_harness.postgres import running_servers

PORT_OFFSET = int(os.environ.get("BENCH_PORT_OFFSET", "1300"))
ROUNDS = 300


def _median_ms(call: Callable[[], object], rounds: int = ROUNDS) -> float:
    for _ in range(20):
        call()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(variant: str) -> None:
    """Runs in a process started in examples/nitro whose environment reaches one cluster
    (cookbook_harness.benchmarks)."""
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
    django.setup()
    import httpx
    from django.core.management import call_command
    from django.test import Client

    from todos.entities import Todo

    call_command("migrate", verbosity=0)
    Todo.create(id="bench", title="Benchmark", project_id=1)
    # Not the test runner: "testserver" is not in ALLOWED_HOSTS here.
    client = Client(HTTP_HOST="localhost")

    def check(response: object) -> None:
        assert getattr(response, "status_code", None) == 200, response

    direct = _median_ms(lambda: check(client.post("/todos/bench/complete/")))
    print(f"{variant}-direct-view: {direct:.2f} ms", flush=True)
    dispatched = _median_ms(lambda: check(client.post("/api/todo/bench/complete")))
    print(f"{variant}-dispatcher: {dispatched:.2f} ms", flush=True)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "mysite.asgi:application", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=10) as http:
            for _ in range(100):
                try:
                    http.get("/api/todo/search")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            for name, path in [("django", "/api"), ("fastapi", "/fastapi")]:
                figure = _median_ms(lambda p=path: check(http.post(f"{p}/todo/bench/complete")))
                print(f"{variant}-uvicorn-{name}: {figure:.2f} ms", flush=True)

            def first_event() -> None:
                with http.stream("GET", "/projects/1/todos/stream/") as response:
                    next(response.iter_lines())

            sse = _median_ms(first_event, rounds=50)
            print(f"{variant}-sse-first-event: {sse:.2f} ms", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    from nitro.domain.repository.sql import SQLModelRepository

    SQLModelRepository().engine.dispose()


def main() -> int:
    with running_servers(port_offset=PORT_OFFSET) as servers:
        for variant, reason in servers.unavailable.items():
            print(f"# {variant} skipped: {reason}")
        for variant, cluster in servers.clusters.items():
            cluster.create_database("bench_nitro")
            env = {**os.environ, **cluster.client_env(database="bench_nitro")}
            if measure_in_example(__file__, "nitro", variant, env=env).returncode != 0:
                return 1
    return 0


if __name__ == "__measure__":
    measure(sys.argv[2])
elif __name__ == "__main__":
    sys.exit(main())
