"""Bad configuration stops the process at start with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.pop("ROUNDTABLE_TESTING", None)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DEBUG": "0", "SECRET_KEY": ""}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense://x"}, "DATABASE_URL"),
        ({"DEBUG": "1", "REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DEBUG": "1", "CSRF_TRUSTED_ORIGINS": "example.com"}, "CSRF_TRUSTED_ORIGINS"),
        ({"DEBUG": "1", "EMAIL_PORT": "twenty-five"}, "EMAIL_PORT"),
        ({"DEBUG": "1", "JITSI_URL": "http://meet.example.org"}, "JITSI_URL"),
        ({"DEBUG": "1", "JITSI_URL": "meet.example.org"}, "JITSI_URL"),
        ({"DEBUG": "1", "JITSI_URL": "https://meet.example.org/path"}, "JITSI_URL"),
        ({"DEBUG": "1", "JITSI_URL": "https://meet.example.org'; script-src *"}, "JITSI_URL"),
        ({"DEBUG": "1", "DATABASE_URL": "postgres://u@127.0.0.1/x",
          "DATABASE_POOL_SIZE": "many"}, "DATABASE_POOL_SIZE"),
    ],
)
def test_bad_configuration_fails_at_start_naming_the_variable(overrides, named):
    result = run_check(overrides)
    assert result.returncode != 0
    assert named in result.stderr


def test_deploy_check_passes_with_production_variables():
    result = run_check(
        {
            "DEBUG": "0",
            "SECRET_KEY": "k3-Vq9_zR2pL7wX1mN8bT4yH6sJ0dF5gCk3-Vq9_zR2pL7wX1mN8bT4yH6sJ0dF5gC",
            "ALLOWED_HOSTS": "roundtable.example.com",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
            "SECURE_HSTS_PRELOAD": "1",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_database_pool_size_gives_each_process_a_bounded_postgresql_pool():
    probe = (
        "import django, json; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; "
        "print(json.dumps([db['CONN_MAX_AGE'], db.get('OPTIONS', {}).get('pool')]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings",
               DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    without = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert without.returncode == 0, without.stderr
    assert without.stdout.strip() == "[600, null]"  # persistent connections, no pool
    pooled = subprocess.run([sys.executable, "-c", probe], cwd=ROOT,
                            env={**env, "DATABASE_POOL_SIZE": "12"},
                            capture_output=True, text=True, timeout=60)
    assert pooled.returncode == 0, pooled.stderr
    assert pooled.stdout.strip() == '[0, {"min_size": 1, "max_size": 12, "timeout": 20}]'


def test_a_valid_jitsi_url_is_accepted():
    for value in ("https://meet.example.org", "https://meet.example.org:8443/",
                  "http://127.0.0.1:8100"):
        result = run_check({"DEBUG": "1", "JITSI_URL": value})
        assert result.returncode == 0, (value, result.stderr)
