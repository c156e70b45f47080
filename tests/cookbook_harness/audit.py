"""The variants enforced from the servers' side, whatever a page's text says.

Both clusters log every connection (``log_connections``, see postgres.py). A
page run reads the new lines of both logs after each block and holds the
connections its user made to the variant's rule:

* Secure: TLS, authenticated by a client certificate (``method=cert``), to the
  secure cluster; not even an attempt on the insecure one.
* Insecure: the insecure cluster only.

The example projects' suites run at the same time under another role
(``postgres.TESTS_USER``), so their connections are told apart by user.

The servers cannot see whether a client checked *their* certificate, so the
Secure rule has a second half, :class:`Decoy`: a server that presents a
certificate a checking client must refuse (signed by the right authority for
another name, or for the right name by another authority). The page's own
clients, with the page's own settings, are pointed at it, and any of them that
completes the handshake broke the rule.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .postgres import DATABASE_USER, Cluster

_LINE = re.compile(r"^(?P<session>[0-9a-f]+\.[0-9a-f]+) (?P<level>[A-Z]+):  (?P<message>.*)$")
_RECEIVED = re.compile(r"connection received: host=(?P<host>\S+)(?: port=(?P<port>\d+))?")
_AUTHENTICATED = re.compile(
    r'connection authenticated: identity="(?P<identity>[^"]*)" method=(?P<method>\S+)'
)
_AUTHORIZED = re.compile(
    r"connection authorized: user=(?P<user>\S+) database=(?P<database>\S+)"
    r"(?: application_name=(?P<application>.*?))?(?: SSL enabled \(protocol=(?P<tls>[^,]+),.*\))?$"
)
_USER_IN_REFUSAL = re.compile(r'user "(?P<user>[^"]+)"')


@dataclasses.dataclass
class Connection:
    """One connection, or an attempt the server refused, as the server's log tells it."""

    server: str
    client: str
    user: str | None = None
    database: str | None = None
    application: str | None = None
    method: str | None = None
    tls: str | None = None
    refused: str | None = None

    @property
    def complete(self) -> bool:
        return self.refused is not None or self.database is not None

    def describe(self) -> str:
        if self.refused:
            where = f"the {self.server} server from {self.client}"
            return f"an attempt on {where}, refused: {self.refused}"
        tls = f"over {self.tls}" if self.tls else "without TLS"
        method = {"cert": "a client certificate", "scram-sha-256": "a password"}.get(
            self.method or "", self.method or "no authentication"
        )
        application = f" by {self.application}" if self.application else ""
        return (
            f"a connection{application} from {self.client} to the {self.server} server as "
            f"{self.user}, database {self.database}, {tls}, authenticated by {method}"
        )


class ConnectionLog:
    """The connections a cluster logs from now on, read a bit at a time."""

    def __init__(self, cluster: Cluster) -> None:
        self.server = cluster.variant
        self.path = cluster.datadir / "server.log"
        self.offset = self.path.stat().st_size if self.path.exists() else 0
        self.pending: dict[str, Connection] = {}

    def read(self) -> list[Connection]:
        """The connections completed (authorized or refused) since the last read."""
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            data = log.read()
        # A line still being written is read next time.
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        done: list[Connection] = []
        for line in complete.decode(errors="replace").splitlines():
            match = _LINE.match(line)
            if match is None:
                continue
            session, level, message = match["session"], match["level"], match["message"]
            if received := _RECEIVED.match(message):
                if received["host"] != "[local]":  # the harness's own administration
                    client = f"{received['host']}:{received['port']}"
                    self.pending[session] = Connection(self.server, client)
                continue
            connection = self.pending.get(session)
            if connection is None:
                continue
            if authenticated := _AUTHENTICATED.match(message):
                connection.method = authenticated["method"]
            elif authorized := _AUTHORIZED.match(message):
                connection.user = authorized["user"]
                connection.database = authorized["database"]
                connection.application = authorized["application"] or None
                connection.tls = authorized["tls"]
            elif level == "FATAL":
                connection.refused = message
                user = _USER_IN_REFUSAL.search(message)
                connection.user = user["user"] if user else None
            if connection.complete:
                done.append(self.pending.pop(session))
        return done


def broken_rules(variant: str, connections: list[Connection]) -> list[Connection]:
    """The page user's connections that break the variant's rule."""
    broken = []
    for connection in connections:
        if connection.user not in (DATABASE_USER, None):
            continue  # another role: the example suites running meanwhile
        if connection.user is None and connection.server == variant:
            continue  # a refusal that names nobody, on the variant's own server
        unverified = connection.tls is None or connection.method != "cert"
        if connection.server != variant or (
            variant == "secure" and not connection.refused and unverified
        ):
            broken.append(connection)
    return broken


def summary(connections: list[Connection]) -> dict[str, int]:
    """How many connections of each kind the page user made, for the report."""
    counts: dict[str, int] = {}
    for connection in connections:
        if connection.user != DATABASE_USER:
            continue
        if connection.refused:
            kind = f"{connection.server}: refused"
        else:
            tls = connection.tls or "no TLS"
            kind = f"{connection.server}: {tls}, {connection.method or 'trust'}"
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


# --- the decoy ------------------------------------------------------------------------

_SSL_REQUEST = struct.pack("!ii", 8, 80877103)


def _certificate(folder: Path, name: str, ca: Path | None, san: str) -> tuple[Path, Path]:
    """A server certificate for ``san``, signed by the CA in folder ``ca`` (made if None)."""
    key, crt = folder / f"{name}.key", folder / f"{name}.crt"
    if ca is None:
        ca = folder / f"{name}-ca"
        ca.mkdir()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
            + ["-nodes", "-keyout", str(ca / "ca.key"), "-out", str(ca / "ca.crt")]
            + ["-days", "2", "-subj", "/CN=decoy authority"],
            check=True,
            capture_output=True,
        )
    csr = folder / f"{name}.csr"
    extensions = folder / f"{name}.ext"
    extensions.write_text(f"subjectAltName={san}\nextendedKeyUsage=serverAuth\n")
    for command in (
        ["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        + ["-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=decoy"],
        ["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca / "ca.crt")]
        + ["-CAkey", str(ca / "ca.key"), "-CAcreateserial", "-CAserial", str(folder / "srl")]
        + ["-days", "2", "-extfile", str(extensions), "-out", str(crt)],
    ):
        subprocess.run(command, check=True, capture_output=True)
    return crt, key


@dataclasses.dataclass
class DecoyResult:
    accepted: list[str]
    refused: int


class Decoy:
    """A server on 127.0.0.1 that answers PostgreSQL's TLS request with a wrong certificate.

    ``kind`` is ``"name"`` (the right authority, a certificate for ``decoy.invalid``)
    or ``"authority"`` (a certificate for 127.0.0.1 from another authority). A
    client that checks the server completes no handshake; one that does not
    sends its startup message over TLS, which the decoy records and refuses.
    """

    def __init__(self, kind: str, pki: Path) -> None:
        self.kind = kind
        self.folder = Path(tempfile.mkdtemp(prefix="cookbook-decoy-"))
        if kind == "name":
            crt, key = _certificate(self.folder, "server", pki / "ca", "DNS:decoy.invalid")
        else:
            crt, key = _certificate(self.folder, "server", None, "IP:127.0.0.1,DNS:localhost")
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(crt, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[str] = []
        self.refused = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, address = self.listener.accept()
            except OSError:
                return
            with client:
                client.settimeout(10)
                self._handle(client, f"{address[0]}:{address[1]}")

    def _handle(self, client: socket.socket, address: str) -> None:
        try:
            if client.recv(8) != _SSL_REQUEST:
                self.accepted.append(f"{address} (asked for no TLS at all)")
                return
            client.sendall(b"S")
            with self.context.wrap_socket(client, server_side=True) as tls:
                startup = tls.recv(8)
                if startup:
                    self.accepted.append(address)
                    return
        except (ssl.SSLError, OSError):
            pass
        self.refused += 1

    @property
    def seen(self) -> int:
        """How many clients the decoy has dealt with."""
        return len(self.accepted) + self.refused

    def wait_for_more_than(self, seen: int, timeout: float) -> bool:
        """Whether another client is dealt with within ``timeout`` (a client can exit
        before the decoy has finished with its connection)."""
        deadline = time.monotonic() + timeout
        while self.seen <= seen:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def close(self) -> None:
        # close() alone does not wake a thread blocked in accept(): it would wait out
        # the join's timeout. shutdown() does (accept() raises OSError, _serve returns).
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join(timeout=5)
        for path in sorted(self.folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        self.folder.rmdir()


@contextlib.contextmanager
def decoys(pki: Path) -> Iterator[list[Decoy]]:
    """Both decoys, stopped afterwards."""
    made = [Decoy("name", pki), Decoy("authority", pki)]
    try:
        yield made
    finally:
        for decoy in made:
            decoy.close()
