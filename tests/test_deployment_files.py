"""The deployment files agree with each other and with the app: deploy/compose.yaml, deploy/nginx.conf
and the Dockerfile (README "Deployment"). What `docker compose config` checks without a daemon (the
file parses, variables resolve) and what it never checks (the replicas' connection pools fit under
PostgreSQL's max_connections, nginx sends to the port the app listens on, the database URL names
the database service)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url
from support import ROOT

COMPOSE = ROOT / "deploy" / "compose.yaml"
NGINX = ROOT / "deploy" / "nginx.conf"
DOCKERFILE = ROOT / "Dockerfile"
#: Connections kept free for `wmm` commands and psql next to the replicas.
SPARE_CONNECTIONS = 10
#: Replicas the README and the compose file's comment size the pools for (one per core).
REPLICAS_PLANNED = 3


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def _default(value: object) -> str:
    """The value of ``${NAME:-default}`` (or of a plain value) when NAME is not set."""
    text = str(value)
    match = re.fullmatch(r"\$\{[A-Z_]+:-([^}]*)\}", text)
    return match.group(1) if match else text


def _interpolated(value: object, environ: dict[str, str]) -> str:
    """``value`` with ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?message}`` resolved."""

    def one(match: re.Match[str]) -> str:
        name, operator, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if name in environ and environ[name] != "":
            return environ[name]
        if operator == ":-":
            return rest
        raise AssertionError(f"${{{name}}} is not set ({rest})")

    return re.sub(r"\$\{([A-Z_]+)(:-|:\?)?([^}]*)\}", one, str(value))


def _app_port() -> int:
    text = DOCKERFILE.read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert cmd is not None, "the Dockerfile has no CMD"
    args = yaml.safe_load(cmd.group(1))
    assert args[:2] == ["wmm", "serve"]
    return int(args[args.index("--port") + 1])


def test_compose_has_the_database_a_migration_the_replicas_and_nginx() -> None:
    compose = _compose()
    assert set(compose["services"]) == {"db", "migrate", "app", "nginx"}
    services = compose["services"]
    # One image for the migration and the replicas, built from the checkout.
    assert services["migrate"]["image"] == services["app"]["image"]
    assert services["migrate"]["build"] == services["app"]["build"]
    assert (COMPOSE.parent / services["app"]["build"]["context"] / "Dockerfile").is_file()
    assert services["migrate"]["command"] == ["wmm", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_the_replicas_and_the_migration_use_the_database_service() -> None:
    services = _compose()["services"]
    environ = {"POSTGRES_PASSWORD": "secret"}
    db_env = services["db"]["environment"]
    for name in ("migrate", "app"):
        url = make_url(_interpolated(services[name]["environment"]["WMM_DATABASE_URL"], environ))
        assert url.drivername == "postgresql+psycopg"
        assert (url.host, url.port) == ("db", 5432)
        assert url.username == db_env["POSTGRES_USER"]
        assert url.database == db_env["POSTGRES_DB"]
        assert url.password == "secret"


def test_the_connection_pools_of_the_replicas_fit_under_max_connections() -> None:
    services = _compose()["services"]
    command = services["db"]["command"]
    setting = next(c for c in command if str(c).startswith("max_connections="))
    max_connections = int(setting.split("=", 1)[1])
    env = services["app"]["environment"]
    per_replica = int(_default(env["WMM_DB_POOL_SIZE"])) + int(_default(env["WMM_DB_MAX_OVERFLOW"]))
    replicas = int(_default(services["app"]["deploy"]["replicas"]))
    for count in (replicas, REPLICAS_PLANNED):
        needed = count * per_replica + SPARE_CONNECTIONS
        assert needed <= max_connections, (
            f"{count} replicas x {per_replica} connections + {SPARE_CONNECTIONS} spare = {needed} "
            f"> max_connections={max_connections}"
        )


def test_required_settings_have_no_silent_default() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    for name in ("POSTGRES_PASSWORD", "WMM_ADMIN_PASSWORD", "WMM_BASE_URL"):
        assert f"${{{name}:?" in text, f"{name} must be required (${{{name}:?message}})"


def test_nginx_sends_to_the_port_the_app_listens_on() -> None:
    services = _compose()["services"]
    conf = NGINX.read_text(encoding="utf-8")
    upstream = re.search(r"upstream wmm \{(.*?)\}", conf, re.DOTALL)
    assert upstream is not None
    servers = re.findall(r"^\s*server\s+([^;\s]+)", upstream.group(1), re.MULTILINE)
    assert servers == [f"app:{_app_port()}"]
    assert "hash $wmm_affinity consistent" in upstream.group(1)  # sticky, not ip_hash
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]
    assert services["nginx"]["ports"] == ["${WMM_PORT:-8080}:80"]
    assert re.search(r"listen 80;", conf)


def test_nginx_passes_websockets_and_serves_static_files_compressed_and_cached() -> None:
    conf = NGINX.read_text(encoding="utf-8")
    stream = re.search(r"location /_stcore/stream \{(.*?)\}", conf, re.DOTALL)
    assert stream is not None
    assert "proxy_set_header Upgrade $http_upgrade" in stream.group(1)
    assert "proxy_set_header Connection $connection_upgrade" in stream.group(1)
    static = re.search(r"location /static/ \{(.*?)\}", conf, re.DOTALL)
    assert static is not None
    assert "proxy_cache wmm_static" in static.group(1)
    assert "gzip on;" in conf
    gzip_types = re.search(r"gzip_types([^;]*);", conf)
    assert gzip_types is not None
    assert {"application/javascript", "text/css"} <= set(gzip_types.group(1).split())


def test_the_dockerfile_serves_on_its_port_and_copies_what_exists() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    port = _app_port()
    assert f"EXPOSE {port}" in text
    assert f"127.0.0.1:{port}/_stcore/health" in text
    for source in re.findall(r"^COPY (\S+) \./", text, re.MULTILINE):
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which does not exist"


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light to check the syntax)")
    # The compose network's name "app" does not resolve here; the cache goes to a temporary folder.
    conf = (
        NGINX.read_text(encoding="utf-8")
        .replace("server app:", "server 127.0.0.1:")
        .replace("/var/cache/nginx/wmm", str(tmp_path / "cache"))
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n{conf}",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
