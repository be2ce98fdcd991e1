"""gunicorn configuration for DataCollect Sync Server.

    datacollect serve                                  # uses this file
    gunicorn --config deploy/gunicorn.conf.py          # the same, without the CLI

Everything is read from the environment through ``bootstrap.settings.Settings`` (see the README,
"Configuration"): bind address from HOST/PORT, workers from WEB_CONCURRENCY (default: 2 in
development, 2 x CPUs + 1 in production), WEB_THREADS threads per gthread worker, LOG_LEVEL.
The settings and hooks live in ``bootstrap/gunicorn_conf.py`` so that they are importable,
linted and tested; this file only re-exports them. Notable choices:

- worker_class "gthread", preload_app False: each worker builds the app and opens its own
  database pool after the fork (psycopg pools are not fork-safe).
- timeout 30 s, graceful_timeout 30 s (SIGTERM lets in-flight requests finish), keepalive 5 s.
- accesslog off: the app logs one structured line per request, with the request id.
- on_starting (master, once): PROMETHEUS_MULTIPROC_DIR (default DATA_DIR/metrics) set and emptied
  before any worker forks, then migrate when AUTO_MIGRATE, create the initial admin.
- child_exit (master): a dead worker's live metrics gauges are dropped (its counters stay), so
  GET /metrics, answered by any worker, reports the sum over all workers.
- forwarded_allow_ips: from FORWARDED_ALLOW_IPS (default 127.0.0.1,::1). Behind a reverse proxy
  or load balancer set it to the proxy's addresses (or "*" only if nothing else can reach the
  port), so X-Forwarded-Proto is trusted; also set TRUSTED_PROXY_COUNT for client IPs.
- control_socket_disable: no control socket under $HOME (several instances would clash).
"""

from bootstrap.gunicorn_conf import *  # noqa: F403
