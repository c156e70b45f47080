"""Benchmark of the CockroachDB recipe's retry decorator under contention.

Run: ``python tests/benchmarks/bench_cockroachdb.py [--port-offset N] [--runs N] [--cpu-load N]``

For each PostgreSQL variant (insecure, secure) the script starts the test
clusters, migrates a fresh database, starts ``manage.py runserver`` from
``examples/cockroachdb`` (a threaded server, one database connection per
request), and sends orders from concurrent HTTP clients:

* ``contention``: every order takes an item of the same product, so the
  transactions conflict on one row and PostgreSQL at SERIALIZABLE aborts all
  but one of each colliding group with SQLSTATE 40001;
* ``disjoint``: each client orders its own product, for comparison.

The decorator runs with its defaults. Retries are counted from the server's
log (one line per retry). With ``--runs N`` each scenario runs N times and
each figure is the median, followed by the range; ``--cpu-load N`` keeps N
busy-looping processes running meanwhile, a machine loaded by other work.
Figures are printed as ``name: value unit``. CockroachDB itself is not
measured: no ``cockroach`` binary is available here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cookbook_harness.layout import EXAMPLES
from cookbook_harness.postgres import Cluster, running_servers

EXAMPLE = EXAMPLES / "cockroachdb"
CLIENTS = 16
REQUESTS_PER_CLIENT = 25
RETRY_LINE = re.compile(r"SQLSTATE 40001 on attempt (\d+),")


def request(url: str, body: Any | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def wait_for(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"runserver exited with {server.returncode}")
        try:
            request(url)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise RuntimeError(f"runserver did not answer at {url}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_scenario(base: str, customer: str, product_of: list[str]) -> dict[str, Any]:
    """Each client i sends its orders for product_of[i], all clients at once."""
    start = threading.Barrier(CLIENTS + 1)

    def client(i: int) -> list[tuple[int, float]]:
        body = {"customer": customer, "products": [product_of[i]]}
        start.wait()
        results = []
        for _ in range(REQUESTS_PER_CLIENT):
            began = time.perf_counter()
            status, _ = request(f"{base}/order/", body)
            results.append((status, time.perf_counter() - began))
        return results

    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(client, i) for i in range(CLIENTS)]
        start.wait()
        began = time.perf_counter()
        results = [r for f in futures for r in f.result()]
        elapsed = time.perf_counter() - began
    latencies = [seconds for _, seconds in results]
    return {
        "requests": len(results),
        "ok": sum(status == 201 for status, _ in results),
        "gave_up": sum(status == 503 for status, _ in results),
        "unexpected": sorted({status for status, _ in results} - {201, 503}),
        "elapsed": elapsed,
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
    }


def bench_variant(variant: str, cluster: Cluster, port: int, runs: int) -> None:
    cluster.create_database("bench")
    env = {**os.environ, **cluster.client_env("bench")}
    env.pop("DJANGO_DB_ENGINE", None)  # PostgreSQL: there is no CockroachDB to measure
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=EXAMPLE, env=env, check=True)
    log = (cluster.datadir.parent / f"runserver-{variant}.log").open("w+")
    server = subprocess.Popen(
        [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=EXAMPLE,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, list[float]] = {}
    try:
        wait_for(f"{base}/product/", server)
        _, customer = request(f"{base}/customer/", {"name": "Carl"})
        stock = CLIENTS * REQUESTS_PER_CLIENT
        for run in range(1, runs + 1):
            product = {"price": "1.50", "stock": stock}
            products = [
                request(f"{base}/product/", product | {"name": f"P{run}-{i}"})[1]["id"]
                for i in range(CLIENTS + 1)
            ]
            scenarios = {"contention": [products[0]] * CLIENTS, "disjoint": products[1:]}
            for name, product_of in scenarios.items():
                log.seek(0, os.SEEK_END)
                mark = log.tell()
                result = run_scenario(base, customer["id"], product_of)
                log.flush()
                log.seek(mark)
                retries = [int(m[1]) for m in RETRY_LINE.finditer(log.read())]
                stock_left = request(f"{base}/product/{product_of[0]}/")[1]["stock"]
                if result["unexpected"]:
                    raise AssertionError(f"unexpected HTTP statuses {result['unexpected']}")
                if name == "contention" and stock - stock_left != result["ok"]:
                    raise AssertionError(f"{stock - stock_left} items left stock for {result}")
                run_figures = {
                    "requests": result["requests"],
                    "succeeded": result["ok"],
                    "gave-up-503": result["gave_up"],
                    "throughput": result["requests"] / result["elapsed"],
                    "retries": len(retries),
                    "most-attempts": max(retries, default=0) + 1,
                    "latency-p50": result["p50"] * 1000,
                    "latency-p99": result["p99"] * 1000,
                    "latency-max": result["max"] * 1000,
                }
                print(f"# {variant} {name} run {run}: {run_figures}", flush=True)
                for figure, value in run_figures.items():
                    figures.setdefault(f"{name}-{figure}", []).append(value)
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    for name, values in figures.items():
        unit = UNITS[name.split("-", 1)[1]]
        spread = f" (range {number(min(values))} to {number(max(values))})" if runs > 1 else ""
        median = number(statistics.median(values))
        print(f"cockroachdb-{variant}-{name}: {median} {unit}{spread}", flush=True)


def number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


UNITS = {
    "requests": "requests",
    "succeeded": "requests",
    "gave-up-503": "requests",
    "throughput": "req/s",
    "retries": "retries",
    "most-attempts": "attempts",
    "latency-p50": "ms",
    "latency-p99": "ms",
    "latency-max": "ms",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-offset", type=int, default=1400)
    parser.add_argument("--runs", type=int, default=1, help="runs of each scenario")
    parser.add_argument("--cpu-load", type=int, default=0, help="busy processes meanwhile")
    args = parser.parse_args()
    print(f"clients: {CLIENTS} threads")
    print(f"requests-per-client: {REQUESTS_PER_CLIENT} requests")
    print(f"cpu-load: {args.cpu_load} busy processes on {os.cpu_count()} CPUs")
    print(f"load-average-before: {os.getloadavg()[0]:.1f} processes")
    busy = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.cpu_load)
    ]
    try:
        with running_servers(port_offset=args.port_offset) as servers:
            for variant, reason in servers.unavailable.items():
                print(f"# {variant} skipped: {reason}")
            for number, (variant, cluster) in enumerate(sorted(servers.clusters.items())):
                bench_variant(variant, cluster, 8000 + args.port_offset + number, args.runs)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
