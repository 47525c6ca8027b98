"""Production settings pass Django's deployment checklist, and the models
match the migrations."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PROVIDERS = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "a-twilio-auth-token",
    "TWILIO_FROM_NUMBER": "+447700900000",
    "VAPID_PRIVATE_KEY": "a-vapid-private-key",
    "VAPID_PUBLIC_KEY": "a-vapid-public-key",
    "VAPID_SUBJECT": "mailto:ops@crisis.example.org",
}


def production_env(**overrides: str) -> dict[str, str]:
    """Every variable README's production table lists, as an operator sets them."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-0123456789-abcdefghij",
        "ALLOWED_HOSTS": "crisis.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/check-deploy.sqlite3"),
        "REDIS_URL": os.environ["REDIS_URL"],
        "PLAN_MASTER_KEYS": "prod-2026:cHJvZHVjdGlvbi1tYXN0ZXIta2V5LW9mLTMyYnl0ZXM=",
        "PUBLIC_BASE_URL": "https://crisis.example.org",
        **PROVIDERS,
    }
    env.update(overrides)
    return env


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("command", [["check", "--deploy"], ["migrate", "--plan"]])
def test_production_with_the_compose_files_blank_providers_stops_at_start_up(command, tmp_path):
    """docker-compose.yml passes TWILIO_* blank unless set; sign-in then
    answered 500 and every offer's push raised. Now the checks that
    ``check --deploy`` and the compose file's migrate step run refuse."""
    blank = dict.fromkeys(PROVIDERS, "")
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", **blank)
    result = run_manage(*command, env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "messaging.E001" in output
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "VAPID_PRIVATE_KEY"):
        assert name in output


def test_production_refuses_backends_that_only_print(tmp_path):
    env = production_env(
        SMS_BACKEND="foundation.transports.sms.ConsoleSmsBackend",
        PUSH_BACKEND="foundation.transports.push.NoSuchBackend",
    )
    result = run_manage("check", "--deploy", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "messaging.E002" in output  # sign-in codes would only reach the log
    assert "messaging.E003" in output  # a backend that does not import
    assert "NoSuchBackend" in output


def test_production_refuses_a_public_address_twilio_cannot_call_back_and_checks_voice_when_on():
    env = production_env(
        PUBLIC_BASE_URL="http://crisis.example.org",
        VOICE_BACKEND="foundation.transports.voice.TwilioVoiceBackend",
        TWILIO_FROM_NUMBER="",
    )
    result = run_manage("check", "--deploy", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "messaging.E004" in output  # receipts and replies would be lost
    assert "VOICE_BACKEND is TwilioVoiceBackend, which cannot send without TWILIO_FROM_NUMBER" in output


@pytest.mark.django_db
def test_selecting_twilio_without_its_settings_fails_the_check_in_any_environment(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.SMS_BACKEND = "foundation.transports.sms.TwilioSmsBackend"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = settings.TWILIO_FROM_NUMBER = ""
    with pytest.raises(SystemCheckError, match="TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER"):
        call_command("check")
    settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER = "a-token", "+447700900000"
    call_command("check")


@pytest.mark.postgresql
def test_production_takes_database_connections_from_a_bounded_pool():
    """Not persistent connections: under daphne each concurrent request has a
    thread of its own, and each kept a connection until PostgreSQL refused
    more (see config.settings.base.database_pool)."""
    env = production_env(
        DB_POOL_MAX_SIZE="7",
        # The server's own maintenance database: always there, and only read.
        DATABASE_URL=os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres",
    )
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


def production_table() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("Environment variables for production:", 1)[1].split("\n\n", 2)[1]


def test_the_readme_lists_every_variable_production_requires():
    """Every variable production.py reads with no default, and every setting
    its default SMS and push backends cannot send without."""
    from foundation.transports import backend_class

    source = (ROOT / "config" / "settings" / "production.py").read_text()
    required = set(re.findall(r'env(?:\.\w+)?\("([A-Z_]+)"\)', source))
    for backend in re.findall(r'default="(foundation\.transports\.[\w.]+)"', source):
        required |= set(backend_class(backend).required_settings)
    assert {"SECRET_KEY", "PLAN_MASTER_KEYS", "TWILIO_AUTH_TOKEN", "VAPID_PRIVATE_KEY"} <= required
    listed = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", production_table()))
    assert sorted(required - listed) == []


def test_the_readmes_master_key_command_makes_a_key_production_accepts(settings):
    from crisisplans.crypto import KEY_BYTES, master_keys

    command = re.search(r'`(python -c "[^`]*secrets[^`]*")`', production_table()).group(1)
    argv = shlex.split(command)
    result = subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    settings.PLAN_MASTER_KEYS = [result.stdout.strip()]
    assert [len(key) for key in master_keys().values()] == [KEY_BYTES]


@pytest.mark.parametrize(
    ("num_proxies", "trusted"), [(None, "None"), ("0", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")]
)
def test_forwarded_proto_is_believed_only_behind_a_proxy(num_proxies, trusted):
    """With the app port published directly (NUM_PROXIES 0, compose's
    default) a client could write X-Forwarded-Proto: https and skip the
    HTTPS redirect (issue 12 item 7)."""
    env = production_env(**({"NUM_PROXIES": num_proxies} if num_proxies is not None else {}))
    if num_proxies is None:
        env.pop("NUM_PROXIES", None)
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = run_manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == trusted


def test_production_with_the_compose_files_proxy_settings_passes_check_deploy():
    """What docker-compose.yml gives web behind its Caddy, with DOMAIN set."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]["environment"]
    proxy = {name: str(web[name]) for name in ("NUM_PROXIES", "SECURE_SSL_REDIRECT")}
    domain = "crisis.example.org"
    env = production_env(
        **proxy,
        ALLOWED_HOSTS=web["ALLOWED_HOSTS"].replace("${DOMAIN:?set DOMAIN}", domain),
        PUBLIC_BASE_URL=web["PUBLIC_BASE_URL"].replace("${DOMAIN}", domain),
        WEBSOCKET_ALLOWED_ORIGINS=web["WEBSOCKET_ALLOWED_ORIGINS"].replace("${DOMAIN}", domain),
    )
    assert (env["ALLOWED_HOSTS"], env["PUBLIC_BASE_URL"]) == (domain, f"https://{domain}")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    code = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER, s.PUBLIC_BASE_URL)"
    shown = run_manage("shell", "--no-imports", "-c", code, env=env)
    assert shown.stdout.strip() == f"('HTTP_X_FORWARDED_PROTO', 'https') https://{domain}"
