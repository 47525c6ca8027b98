"""Production settings pass Django's deployment checklist, and the models
match the migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-0123456789-abcdefghij",
        "ALLOWED_HOSTS": "crisis.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/check-deploy.sqlite3"),
        "REDIS_URL": os.environ["REDIS_URL"],
        "PLAN_MASTER_KEYS": "prod-2026:cHJvZHVjdGlvbi1tYXN0ZXIta2V5LW9mLTMyYnl0ZXM=",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.postgresql
def test_production_takes_database_connections_from_a_bounded_pool():
    """Not persistent connections: under daphne each concurrent request has a
    thread of its own, and each kept a connection until PostgreSQL refused
    more (see config.settings.base.database_pool)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-0123456789-abcdefghij",
        "ALLOWED_HOSTS": "crisis.example.org",
        "PLAN_MASTER_KEYS": "prod-2026:cHJvZHVjdGlvbi1tYXN0ZXIta2V5LW9mLTMyYnl0ZXM=",
        "DB_POOL_MAX_SIZE": "7",
        # The server's own maintenance database: always there, and only read.
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres",
    }
    script = (
        "from django.conf import settings; from django.db import connection; "
        "connection.ensure_connection(); "
        "d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['OPTIONS']['pool']['max_size'], connection.pool.max_size)"
    )
    result = run_manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["0", "7", "7"]


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="x.example.org")
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_models_and_migrations_agree():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
