"""The WSGI entry point: ``wsgi_app = "bootstrap.wsgi:create_app()"`` (gunicorn factory call).

Runs in each worker after the fork (``preload_app = False``): settings -> logging -> container
-> open this worker's database pool -> the Falcon app, and the worker's maintenance thread
(``bootstrap.background``). When the worker exits, the thread stops, the last pulls it noted
are written, and the pool is closed.
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping

import falcon
import structlog

from adapters_in.http.app import create_app as create_http_app
from application.external_sync import RunExternalSync
from application.pull_activity import PullActivity
from application.retention import Cleanup
from bootstrap import logs
from bootstrap.background import Maintenance
from bootstrap.container import build_container
from bootstrap.http_wiring import http_config, http_services
from bootstrap.settings import Settings
from bootstrap.storage import ManagedDatabase, open_database
from bootstrap.use_cases import use

log = structlog.get_logger("bootstrap")


def create_app(env: Mapping[str, str] | None = None) -> falcon.App:
    settings = Settings.from_env(env)
    logs.configure(settings.log_level, settings.log_format)
    container = build_container(settings)
    db = container.resolve(ManagedDatabase)
    open_database(db)
    atexit.register(db.close)
    app = create_http_app(http_services(container), http_config(settings))
    maintenance = Maintenance(
        container.resolve(PullActivity),
        container.resolve(Cleanup),
        settings.retention_interval_s,
        settings.pull_activity_flush_s,
        use(container, RunExternalSync),
    )
    maintenance.start()
    atexit.register(maintenance.stop)  # runs before db.close (atexit is last-in, first-out)
    log.info("worker ready", storage=settings.storage)
    return app
