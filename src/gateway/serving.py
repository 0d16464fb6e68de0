"""Running the gateway: gunicorn with uvicorn workers, or one uvicorn process for development."""

from __future__ import annotations

import os
import shutil
from typing import Any

from gateway.observability import configure_logging
from gateway.settings import Settings


def _prepare_metrics_dir(settings: Settings) -> None:
    """Workers write metric samples to files that /metrics aggregates; stale ones must go."""
    metrics_dir = (settings.data_dir / "prometheus").resolve()
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)


def run_gunicorn(settings: Settings) -> None:
    """Serve with ``settings.workers`` uvicorn workers under gunicorn's supervision."""
    # Before prometheus_client is imported: it picks file-backed values from this variable.
    _prepare_metrics_dir(settings)
    from gunicorn.app.base import BaseApplication
    from prometheus_client import multiprocess

    def worker_exit(_server: Any, worker: Any) -> None:
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]

    def post_worker_init(_worker: Any) -> None:
        configure_logging()

    options: dict[str, Any] = {
        "bind": settings.bind,
        "workers": settings.workers,
        "worker_class": "uvicorn_worker.UvicornWorker",
        "graceful_timeout": 10,
        "timeout": 60,
        "accesslog": None,  # the gateway writes its own JSON access log
        "worker_exit": worker_exit,
        "post_worker_init": post_worker_init,
    }

    class GatewayServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from gateway.app import create_app

            return create_app(settings)

    configure_logging()
    GatewayServer().run()


def run_dev(settings: Settings) -> None:
    """One uvicorn process, for development and debugging."""
    import uvicorn

    from gateway.app import create_app

    configure_logging()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
