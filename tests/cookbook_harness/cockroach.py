"""Single-node CockroachDB servers for the CockroachDB recipe, when a binary exists.

No ``cockroach`` binary can be installed from the package registries, so this
module only acts when one is named by ``$COOKBOOK_COCKROACH`` or found on
``PATH``; otherwise :func:`find_cockroach` returns ``None`` and the recipe's
CockroachDB blocks stay skipped with :data:`SKIP_REASON`.

It starts, like :mod:`cookbook_harness.postgres` does for PostgreSQL, one
node per variant:

* ``insecure``: ``cockroach start-single-node --insecure`` on 127.0.0.1:26257;
* ``secure``: certificates made with ``cockroach cert`` (CA, node certificate
  for 127.0.0.1 and localhost, client certificate for ``root``) and
  ``cockroach start-single-node --certs-dir=...`` on 127.0.0.1:26258; the node
  accepts TLS connections only.

Stores are in memory (the data is thrown away). For a page run,
:meth:`Node.prepare_scratch` puts what the page's commands expect into the
reader's empty directory (``certs/`` with ``ca.crt`` and the ``root``
client certificate, ``my-safe-directory/ca.key``), and :meth:`Node.reset`
drops the ``bank`` database and ``django`` user the page creates.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import psycopg

from .postgres import HarnessError, port_in_use

#: Why CockroachDB blocks and tests skip when there is no binary.
SKIP_REASON = "needs a cockroach binary (set COOKBOOK_COCKROACH or put cockroach on PATH)"
# Set to 1 by `nox -s cockroachdb`: the pages marked `cockroachdb: true` run against
# the nodes of this module instead of PostgreSQL (see runner.cockroach_run).
RUN_VARIABLE = "COOKBOOK_COCKROACH_RUN"
# django-cockroachdb 6.1 refuses older servers.
MINIMUM_VERSION = (24, 3)
# SQL and HTTP (DB Console) ports; the page shows the SQL ones.
PORTS = {"insecure": (26257, 8081), "secure": (26258, 8082)}
START_TIMEOUT = 60.0


def find_cockroach() -> Path | None:
    """The ``cockroach`` binary: ``$COOKBOOK_COCKROACH``, else the one on PATH."""
    named = os.environ.get("COOKBOOK_COCKROACH")
    if named:
        path = Path(named)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise HarnessError(f"COOKBOOK_COCKROACH={named} is not an executable file")
        return path
    found = shutil.which("cockroach")
    return Path(found) if found else None


def cockroach_version(binary: Path) -> tuple[int, int, int]:
    out = subprocess.run(
        [str(binary), "version", "--build-tag"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"v(\d+)\.(\d+)\.(\d+)", out)
    if not match:
        raise HarnessError(f"cannot read the version of {binary}: {out!r}")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


@dataclasses.dataclass
class Node:
    """One running single-node cluster and how clients reach it."""

    variant: str
    binary: Path
    workdir: Path
    process: subprocess.Popen[bytes]
    sql_port: int
    log: BinaryIO

    @property
    def secure(self) -> bool:
        return self.variant == "secure"

    @property
    def certs(self) -> Path:
        return self.workdir / "certs"

    @property
    def ca_key(self) -> Path:
        return self.workdir / "my-safe-directory" / "ca.key"

    def root_connection(self, database: str = "defaultdb") -> psycopg.Connection:
        params: dict[str, str | int] = {
            "host": "127.0.0.1",
            "port": self.sql_port,
            "user": "root",
            "dbname": database,
        }
        if self.secure:
            params |= {
                "sslmode": "verify-full",
                "sslrootcert": str(self.certs / "ca.crt"),
                "sslcert": str(self.certs / "client.root.crt"),
                "sslkey": str(self.certs / "client.root.key"),
            }
        else:
            params["sslmode"] = "disable"
        return psycopg.connect(**params, autocommit=True)

    def reset(self) -> None:
        """Drop what a page run created, so that the next one starts empty."""
        with self.root_connection() as conn:
            conn.execute("DROP DATABASE IF EXISTS bank CASCADE")
            conn.execute("DROP USER IF EXISTS django")

    def prepare_scratch(self, scratch: Path) -> None:
        """Give a page's scratch directory the files its ``cockroach`` commands name."""
        if not self.secure:
            return
        (scratch / "certs").mkdir(exist_ok=True)
        (scratch / "my-safe-directory").mkdir(exist_ok=True)
        copies = {
            self.certs / name: scratch / "certs" / name
            for name in ("ca.crt", "client.root.crt", "client.root.key")
        }
        copies[self.ca_key] = scratch / "my-safe-directory" / "ca.key"
        for source, target in copies.items():
            shutil.copy(source, target)
            # cockroach refuses keys that others can read.
            os.chmod(target, 0o600)

    def client_env(self, scratch: Path) -> dict[str, str]:
        """The environment the page's export block sets in ``scratch``, as ``django``."""
        env = {
            "DJANGO_DB_ENGINE": "django_cockroachdb",
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.sql_port),
            "PGDATABASE": "bank",
            "PGUSER": "django",
        }
        if self.secure:
            env |= {
                "PGSSLMODE": "verify-full",
                "PGSSLROOTCERT": str(scratch / "certs" / "ca.crt"),
                "PGSSLCERT": str(scratch / "certs" / "client.django.crt"),
                "PGSSLKEY": str(scratch / "certs" / "client.django.key"),
            }
        else:
            env["PGSSLMODE"] = "disable"
        return env

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def make_certs(binary: Path, workdir: Path) -> None:
    """CA, node and ``root`` client certificates, as the page's Secure tab makes them."""
    certs, safe = workdir / "certs", workdir / "my-safe-directory"
    certs.mkdir()
    safe.mkdir(mode=0o700)
    common = ["--certs-dir", str(certs), "--ca-key", str(safe / "ca.key")]
    for args in (
        ["cert", "create-ca"],
        ["cert", "create-node", "127.0.0.1", "localhost"],
        ["cert", "create-client", "root"],
    ):
        subprocess.run([str(binary), *args, *common], check=True, capture_output=True)


def start_node(binary: Path, variant: str, workdir: Path) -> Node:
    sql_port, http_port = PORTS[variant]
    for port in (sql_port, http_port):
        if port_in_use(port):
            raise HarnessError(
                f"Port {port} on 127.0.0.1 is in use, and the {variant} CockroachDB node "
                f"needs it.\nFix: stop whatever listens there (`ss -ltnp 'sport = :{port}'`)."
            )
    nodedir = workdir / variant
    nodedir.mkdir()
    if variant == "secure":
        make_certs(binary, nodedir)
        security = ["--certs-dir", str(nodedir / "certs")]
    else:
        security = ["--insecure"]
    ready = nodedir / "listening-url"
    # Open for the node's lifetime; Node.stop() closes it.
    log = open(nodedir / "cockroach.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(binary),
            "start-single-node",
            *security,
            f"--listen-addr=127.0.0.1:{sql_port}",
            f"--http-addr=127.0.0.1:{http_port}",
            "--store=type=mem,size=1GiB",
            f"--listening-url-file={ready}",
            f"--log-dir={nodedir / 'logs'}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=nodedir,
    )
    node = Node(variant, binary, nodedir, process, sql_port, log)
    deadline = time.monotonic() + START_TIMEOUT
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            node.stop()
            raise HarnessError(
                f"The {variant} CockroachDB node did not start:\n"
                + (nodedir / "cockroach.log").read_text(errors="replace")[-4000:]
            )
        time.sleep(0.2)
    return node


@contextlib.contextmanager
def running_nodes(variants: tuple[str, ...] = ("secure", "insecure")) -> Iterator[dict[str, Node]]:
    """Start one node per variant, yield them by variant, and always stop them.

    Raises :class:`~cookbook_harness.postgres.HarnessError` when there is no
    binary (callers that want to skip instead check :func:`find_cockroach`
    first) or when it is too old.
    """
    binary = find_cockroach()
    if binary is None:
        raise HarnessError(SKIP_REASON)
    version = cockroach_version(binary)
    if version[:2] < MINIMUM_VERSION:
        raise HarnessError(
            f"{binary} is CockroachDB {'.'.join(map(str, version))}; django-cockroachdb "
            f"6.1 needs {'.'.join(map(str, MINIMUM_VERSION))} or newer"
        )
    workdir = Path(tempfile.mkdtemp(prefix="cookbook-cockroach-"))
    nodes: dict[str, Node] = {}
    try:
        for variant in variants:
            nodes[variant] = start_node(binary, variant, workdir)
        yield nodes
    finally:
        for node in nodes.values():
            node.stop()
        shutil.rmtree(workdir, ignore_errors=True)
