"""Sign-in protection: who is asking (their address) and the lock-out check before a sign-in.

django-axes counts failed sign-ins per username *and* address (settings.AXES_LOCKOUT_PARAMETERS), so
typing a colleague's name wrongly from another desk cannot lock them out. Behind a load balancer
every request arrives from the balancer's address; `TRUSTED_PROXY_COUNT` says how many proxies
append to X-Forwarded-For, so the browser's own address can be read from it.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings


def client_ip(request) -> str | None:
    """The address of the browser behind `request`, as far as our own proxies can vouch for it."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        # Each trusted proxy appends the address it was called from; anything further left was
        # written by the client and could be forged.
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lock-out check for sign-ins that come through a web request.

    Every sign-in form (ours and the admin's) passes the request. Code that authenticates without
    one — the test client's `login()`, a shell — has no address to count against, so it goes on
    to the model backend instead of failing with axes' "request required" error.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
