"""`manage.py check --deploy` is clean with production settings, and those settings refuse to
start without a secret key."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


# Production has none of these; the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright.
TEST_ONLY_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "STATIC_MANIFEST",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_manage(*args, **env):
    environment = {
        key: value for key, value in os.environ.items() if key not in TEST_ONLY_VARIABLES
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_finds_no_issues_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="objectives.example.nhs.uk",
    )

    assert (result.returncode, result.stdout.strip(), result.stderr.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
        "",
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="false", SECRET_KEY="", ALLOWED_HOSTS="objectives.example")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off"
    )


def test_production_settings_serve_hashed_compressed_static_files_through_whitenoise():
    code = (
        "from django.conf import settings; "
        "print(settings.STORAGES['staticfiles']['BACKEND']); "
        "print(settings.MIDDLEWARE[1])"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="objectives.example.nhs.uk",
    )

    assert result.stdout.splitlines() == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def font_sources(**env) -> str:
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings;"
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['font-src']))",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="objectives.example.nhs.uk",
        **env,
    )
    assert result.stderr == ""
    return result.stdout.strip()


def test_fonts_come_from_nhs_uk_unless_font_origins_says_otherwise():
    assert font_sources() == "'self' data: https://assets.nhs.uk"
    assert font_sources(FONT_ORIGINS="none") == "'self' data:"
    assert font_sources(FONT_ORIGINS="https://fonts.example.nhs.uk") == (
        "'self' data: https://fonts.example.nhs.uk"
    )
