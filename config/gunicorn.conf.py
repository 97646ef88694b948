"""gunicorn settings for production serving (`make serve`, or `gunicorn -c config/gunicorn.conf.py
config.wsgi`). Every value can be changed from the environment; see README "Running in production".

The app keeps no state between requests, so capacity grows by adding workers here or whole app
servers behind a load balancer.
"""

import datetime as dt
import json
import os

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None


bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers: each handles one request at a time. 2 per core plus one is gunicorn's rule of thumb.
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never take the service down.
max_requests = 2000
max_requests_jitter = 200
# Only these addresses may tell us a request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn's runtime control socket is not used; without it several servers can share a machine.
control_socket_disable = True
accesslog = "-"
errorlog = "-"


class JsonAccessLogger(Logger):
    """Access log lines as JSON, like the app's audit trail, so one pipeline reads both."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        line = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "logger": "access",
            "remote": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        self.access_log.info(json.dumps(line, ensure_ascii=False))


logger_class = JsonAccessLogger
