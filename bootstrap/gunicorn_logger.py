"""gunicorn's logger, with its output routed through our structlog handler from the start
(so even "Starting gunicorn" is a JSON line in production)."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from bootstrap import logs


class StructuredGunicornLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from bootstrap.gunicorn_conf import settings

        logs.configure(settings.log_level, settings.log_format)
