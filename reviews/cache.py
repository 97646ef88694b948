"""The pack download, cached by a fingerprint of the data it shows (reviews/pack/fingerprint.py).

The "packs" cache (config/settings.py) is in-process memory by default; REDIS_URL switches it to
Django's RedisCache, shared by every app server. The key names the database too, so two databases
never share a pack.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches

from .pack import fingerprint
from .pdf import build_pack

WEEK = 7 * 24 * 60 * 60


def pack_key(day, *, today, viewer=None) -> str:
    database = str(settings.DATABASES["default"].get("NAME", "")).encode()
    hashed = fingerprint(day, today=today, viewer=viewer)
    return f"pack-pdf:{hashed}:{hashlib.sha256(database).hexdigest()[:12]}"


def pack_pdf(day, *, now, viewer) -> tuple[bytes, bool]:
    """(pdf bytes, True when served from the cache) of the pack as `viewer` may read it."""
    cache = caches["packs"]
    key = pack_key(day, today=now.date(), viewer=viewer)
    data = cache.get(key)
    if data is not None:
        return data, True
    data = build_pack(day, as_at=now.replace(second=0, microsecond=0), viewer=viewer)
    cache.set(key, data, WEEK)
    return data, False
