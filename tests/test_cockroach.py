"""The CockroachDB part of the harness (cookbook_harness/cockroach.py).

Finding the binary, and its errors, is tested everywhere. The nodes themselves
need a ``cockroach`` binary: without one those tests skip with the reason, as
the recipe's CockroachDB blocks do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cookbook_harness import cockroach
from cookbook_harness.postgres import HarnessError


@pytest.fixture
def no_cockroach(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH with no cockroach on it, and no COOKBOOK_COCKROACH."""
    monkeypatch.delenv("COOKBOOK_COCKROACH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))


def test_named_binary_must_be_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    named = tmp_path / "cockroach"
    named.write_text("not a program\n")
    monkeypatch.setenv("COOKBOOK_COCKROACH", str(named))
    with pytest.raises(HarnessError, match="COOKBOOK_COCKROACH=.* is not an executable file"):
        cockroach.find_cockroach()


def test_named_binary_must_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COOKBOOK_COCKROACH", str(tmp_path / "missing"))
    with pytest.raises(HarnessError, match="is not an executable file"):
        cockroach.find_cockroach()


@pytest.mark.usefixtures("no_cockroach")
def test_without_a_binary_nodes_refuse_to_start_and_say_how_to_fix_it() -> None:
    assert cockroach.find_cockroach() is None
    with (
        pytest.raises(HarnessError, match="set COOKBOOK_COCKROACH or put cockroach on PATH"),
        cockroach.running_nodes(),
    ):
        pass


@pytest.fixture(scope="module")
def nodes(cockroach_nodes: dict[str, cockroach.Node]) -> Iterator[dict[str, cockroach.Node]]:
    """The CockroachDB run's nodes, or nodes of our own when a binary exists."""
    if cockroach_nodes:
        yield cockroach_nodes
        return
    if cockroach.find_cockroach() is None:
        pytest.skip(cockroach.SKIP_REASON)
    with cockroach.running_nodes() as started:
        yield started


def test_insecure_node_is_cockroachdb(nodes: dict[str, cockroach.Node]) -> None:
    with nodes["insecure"].root_connection() as conn:
        version = conn.execute("SELECT version()").fetchone()
    assert version is not None
    assert version[0].startswith("CockroachDB")


def test_secure_node_accepts_verified_client_certificate(
    nodes: dict[str, cockroach.Node],
) -> None:
    with nodes["secure"].root_connection() as conn:
        assert conn.info.pgconn.ssl_in_use
        assert conn.execute("SELECT current_user").fetchone() == ("root",)


def test_secure_node_refuses_plain_connections(nodes: dict[str, cockroach.Node]) -> None:
    node = nodes["secure"]
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(
            host="127.0.0.1", port=node.sql_port, user="root", dbname="defaultdb", sslmode="disable"
        ).close()


def test_secure_node_refuses_a_client_without_certificate(
    nodes: dict[str, cockroach.Node],
) -> None:
    node = nodes["secure"]
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(
            host="127.0.0.1",
            port=node.sql_port,
            user="root",
            dbname="defaultdb",
            sslmode="verify-full",
            sslrootcert=str(node.certs / "ca.crt"),
            # No client certificate: libpq must not pick one up from ~/.postgresql.
            sslcert=os.devnull,
            sslkey=os.devnull,
        ).close()
