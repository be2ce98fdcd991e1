"""gunicorn configuration (``deploy/gunicorn.conf.py`` re-exports this module).

Values come from ``Settings`` (HOST, PORT, WEB_CONCURRENCY, WEB_THREADS, LOG_LEVEL), so the
environment is the one source of configuration. Hooks:

- ``on_starting`` (master, once): the Prometheus multiprocess directory (``bootstrap.metrics``:
  set before anything imports prometheus_client, emptied), then logging, migrate + initial
  admin (``first_start``).
- ``child_exit`` (master): a dead worker's live metrics gauges stop counting.
- ``when_ready``: print where the server and its API docs are.
- workers build the app themselves (``preload_app = False``): each opens its own database pool
  after the fork, as psycopg requires.

Behind a reverse proxy, set ``FORWARDED_ALLOW_IPS`` to the proxy's address(es) (gunicorn reads
it; default 127.0.0.1,::1) so that ``X-Forwarded-Proto`` is honoured, and ``TRUSTED_PROXY_COUNT``
so that the client IP for rate limiting is taken from ``X-Forwarded-For``.
"""

from __future__ import annotations

import os
import sys

from bootstrap.gunicorn_problems import install as install_problem_errors
from bootstrap.settings import ConfigError, Settings


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as error:
        sys.stderr.write(f"datacollect: {error}\n")
        raise SystemExit(2) from None


settings = _s = _settings()

wsgi_app = "bootstrap.wsgi:create_app()"
bind = [f"[{_s.host}]:{_s.port}" if ":" in _s.host else f"{_s.host}:{_s.port}"]
workers = _s.web_concurrency
worker_class = "gthread"
threads = _s.web_threads
preload_app = False
timeout = 30  # a worker silent this long is killed and replaced
graceful_timeout = 30  # on SIGTERM, in-flight requests get this long to finish
keepalive = 5
backlog = 2048
accesslog = None  # our middleware writes one structured line per request
errorlog = "-"
loglevel = _s.log_level.lower()
capture_output = False
logger_class = "bootstrap.gunicorn_logger.StructuredGunicornLogger"
proc_name = "datacollect"
control_socket_disable = True  # no $HOME/.gunicorn/gunicorn.ctl (clashes between instances)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Requests gunicorn refuses itself are answered as problem+json (bootstrap.gunicorn_problems);
# the limits are the largest gunicorn allows short of "unlimited" (docs/hardening.md).
limit_request_line = 8190
limit_request_fields = 200
limit_request_field_size = 16384
install_problem_errors()


def on_starting(server: object) -> None:
    from bootstrap.lifecycle import prepare

    prepare(_s)


def child_exit(server: object, worker: object) -> None:
    if _s.metrics_enabled:
        from bootstrap.metrics import worker_exited

        worker_exited(worker.pid)  # type: ignore[attr-defined]


def when_ready(server: object) -> None:
    from bootstrap.lifecycle import announce_ready

    announce_ready(_s)
