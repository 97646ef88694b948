"""REDIS_URL switches every cache to Django's RedisCache, shared between processes (app servers,
workers); without it each process keeps its own in memory."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS = ("127.0.0.1", 6379)


def redis_running() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


def in_a_new_process(code: str, **env) -> str:
    """Run code with Django set up in a fresh Python process; what it prints."""
    environment = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    script = f"import django; django.setup()\n{code}"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


SHOW_BACKENDS = (
    "from django.conf import settings\n"
    "print(settings.CACHES['default']['BACKEND'], settings.CACHES['packs']['BACKEND'])"
)


def test_without_redis_url_each_process_keeps_its_caches_in_memory():
    locmem = "django.core.cache.backends.locmem.LocMemCache"

    assert in_a_new_process(SHOW_BACKENDS) == f"{locmem} {locmem}"


def test_with_redis_url_every_cache_is_djangos_redis_cache():
    redis = "django.core.cache.backends.redis.RedisCache"

    shown = in_a_new_process(SHOW_BACKENDS, REDIS_URL="redis://127.0.0.1:6379/0")

    assert shown == f"{redis} {redis}"


@pytest.mark.skipif(not redis_running(), reason="needs Redis on 127.0.0.1:6379")
def test_a_pack_cached_by_one_process_is_read_by_another_through_redis():
    key = f"test-pack-{uuid.uuid4().hex}"
    url = "redis://127.0.0.1:6379/0"

    in_a_new_process(
        f"from django.core.cache import caches; caches['packs'].set('{key}', b'%PDF-1.4 x', 60)",
        REDIS_URL=url,
    )
    read = in_a_new_process(
        f"from django.core.cache import caches; c = caches['packs']; print(c.get('{key}'));"
        f" c.delete('{key}')",
        REDIS_URL=url,
    )

    assert read == "b'%PDF-1.4 x'"
